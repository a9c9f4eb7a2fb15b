#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui logout` against a revoke endpoint that fails: it names that
//! endpoint, waits about 10 s at most, and deletes the local secrets anyway.

mod cli_support;

use std::time::{Duration, Instant};

use cli_support::{Home, black_hole, sandbox};

/// The revoke step's bound, with room for a slow machine; a revoke left to
/// the token client's own timeouts took a minute.
const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_endpoint_that_hangs_costs_10_s_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.login().await.assert_ok();
    home.set(
        "CLOSE_REVOKE_URL",
        &format!("{}/oauth2/revoke/", black_hole().await),
    );

    let started = Instant::now();
    let out = home.run(&["logout"], None).await;
    let took = started.elapsed();
    out.assert_ok();
    assert!(took < WITHIN, "logout took {took:?}");
    assert!(
        out.stderr
            .contains("revoking at Close failed (the revoke endpoint did not answer within 10 s)"),
        "{out:#?}"
    );
    let (_, status) = home.status_json(true).await;
    assert_eq!(status["accounts"], serde_json::json!([]));
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_revoke_names_the_revoke_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    home.set(
        "CLOSE_REVOKE_URL",
        &format!("http://127.0.0.1:{port}/oauth2/revoke/"),
    );

    let out = home.run(&["logout"], None).await;
    out.assert_ok();
    assert!(
        out.stderr
            .contains("cannot connect to the revoke endpoint at 127.0.0.1"),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("token endpoint"), "{out:#?}");
    sandbox.stop().await;
}
