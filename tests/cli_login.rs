#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui login`'s command line: where an API key comes from, and the
//! flags' bounds.

mod cli_support;

use cli_support::{Home, sandbox};

/// A configured key is the one used, and stdin is then never read: a pipe
/// that stays open (ssh without a terminal) must not hang the login, and
/// which key was used is said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_key_is_used_without_reading_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);

    let mut child = home
        .command(&["login", "--api-key"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Held open, never written: the login must not wait for it.
    let _stdin = child.stdin.take();
    let out = home.wait(child).await;
    out.assert_ok();
    assert!(out.stdout.starts_with("Connected to "), "{out:#?}");
    assert!(
        out.stderr
            .contains("Using the API key set by CLOSE_API_KEY (environment); stdin is not read."),
        "{out:#?}"
    );

    // No key configured: the one piped on stdin.
    let home = Home::new(&sandbox);
    let key = format!("{}\n", sandbox.info.api_key);
    let out = home.run(&["login", "--api-key"], Some(&key)).await;
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
