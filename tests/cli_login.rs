#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui login`'s command line: where an API key comes from, and the
//! flags' bounds.

mod cli_support;

use cli_support::{Home, sandbox};

/// A key piped on the command line wins over a stale `CLOSE_API_KEY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_on_stdin_wins_over_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", "api_revoked_long_ago_0123456789");

    let key = format!("{}\n", sandbox.info.api_key);
    let out = home.run(&["login", "--api-key"], Some(&key)).await;
    out.assert_ok();
    assert!(out.stdout.starts_with("Connected to "), "{out:#?}");
    assert!(
        out.stderr.contains("Using the API key from stdin"),
        "{out:#?}"
    );

    // Nothing on stdin: the environment's key is used, and said nothing of.
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    let out = home.run(&["login", "--api-key"], None).await;
    out.assert_ok();
    assert!(out.stderr.is_empty(), "{out:#?}");
    sandbox.stop().await;
}

/// `--timeout` is bounded on the command line: a huge value is a usage
/// error, not a panic when the deadline is computed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_timeout_is_refused_as_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    let out = home
        .run(&["login", "--timeout", "9223372036854775807"], None)
        .await;
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(out.stderr.contains("--timeout"), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    sandbox.stop().await;
}
