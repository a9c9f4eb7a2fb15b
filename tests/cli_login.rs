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

/// The browser is someone else's program: it gets the authorize URL, not
/// the client secret or an API key from our environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_inherits_no_secret() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", "api_not_for_the_browser");
    let seen = home.path().join("browser-env.txt");
    let browser = home.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nenv > '{}'\nexec '{}' \"$@\"\n",
            seen.display(),
            cli_support::consent_user().display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    home.set("BROWSER", browser.to_str().unwrap());

    home.login().await.assert_ok();
    let env = std::fs::read_to_string(&seen).unwrap();
    assert!(
        env.contains("CLOSE_CLIENT_ID="),
        "the browser ran with our env"
    );
    assert!(!env.contains("CLOSE_CLIENT_SECRET"), "{env}");
    assert!(!env.contains("api_not_for_the_browser"), "{env}");
    assert!(!env.contains(&sandbox.info.client_secret), "{env}");
    sandbox.stop().await;
}
