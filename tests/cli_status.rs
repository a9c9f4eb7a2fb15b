#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui status --json` says what the live check found, and why it
//! failed, so a script reading only the JSON or only the exit status is not
//! left guessing; a Close that refuses the connection is reported at once.

mod cli_support;

use std::time::{Duration, Instant};

use cli_support::{Home, sandbox};

/// Well under the live check's 10 s deadline.
const AT_ONCE: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_holds_the_check_and_a_refused_connection_fails_fast() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.login().await.assert_ok();

    let (out, status) = home.status_json(false).await;
    out.assert_ok();
    assert_eq!(status["check"]["result"], "ok", "{status:#}");
    assert!(status["check"]["reason"].is_null(), "{status:#}");
    assert!(out.stderr.is_empty(), "{out:#?}");
    let (_, status) = home.status_json(true).await;
    assert!(status["check"].is_null(), "{status:#}");

    // Nothing listens where the API is said to be.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    home.set("CLOSE_API_URL", &format!("http://127.0.0.1:{port}/api/v1/"));
    let started = Instant::now();
    let (out, status) = home.status_json(false).await;
    assert!(started.elapsed() < AT_ONCE, "took {:?}", started.elapsed());
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert_eq!(status["accounts"][0]["state"], "connected", "{status:#}");
    assert_eq!(status["check"]["result"], "unreachable", "{status:#}");
    let reason = status["check"]["reason"].as_str().unwrap();
    assert!(reason.contains("connection refused"), "{status:#}");
    assert_eq!(
        out.stderr.trim_end(),
        format!("close-tui: could not check with Close ({reason}); the credentials are kept"),
        "{out:#?}"
    );

    let started = Instant::now();
    let out = home.run(&["status"], None).await;
    assert!(started.elapsed() < AT_ONCE, "took {:?}", started.elapsed());
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(
        out.stdout.contains("- offline: could not check with Close"),
        "{out:#?}"
    );
    sandbox.stop().await;
}
