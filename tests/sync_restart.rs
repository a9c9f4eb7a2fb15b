#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sandbox is stopped in the middle of `close-tui sync` and started
//! again on the same port, with the same seed and API key (so the same
//! records and credentials). A short outage is ridden out by the running
//! sync; after a long one (the sync killed while it retries), the next sync
//! resumes from what was committed. Either way every record ends up cached
//! exactly once.

mod cli_support;

use std::{path::Path, process::Stdio, time::Duration};

use cli_support::{Home, Output, assert_cache_matches, eventually, org_and_email, request_log};
use close_tui::sandbox::{RunningSandbox, SandboxArgs, start};

/// The same sandbox every time: fixed seed and API key, on `port`.
async fn sandbox_on(dir: &Path, port: u16) -> RunningSandbox {
    let mut args = SandboxArgs::defaults();
    args.port = port;
    args.leads = 1500;
    args.seed = 7;
    args.latency_ms = 10;
    args.api_key = Some("api_restart_test_key_0123456789".into());
    args.log_requests = Some(dir.join("requests.jsonl"));
    args.record_secrets = Some(dir.join("secrets.txt"));
    start(args).await.expect("the sandbox starts")
}

fn lead_pages_since(dir: &Path, from: usize) -> usize {
    request_log(dir)[from..]
        .iter()
        .filter(|line| line["path"] == "/api/v1/lead/")
        .count()
}

fn lead_pages_served(dir: &Path) -> usize {
    request_log(dir)
        .iter()
        .filter(|line| line["path"] == "/api/v1/lead/" && line["status"] == 200)
        .count()
}

/// Logs in with the API key, starts `close-tui sync`, and stops the
/// sandbox once a few lead pages are in. Returns the still-running sync.
async fn sync_until_midway(
    dir: &Path,
    sandbox: RunningSandbox,
) -> (Home, tokio::process::Child, u16) {
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    home.run(&["login", "--api-key"], None).await.assert_ok();
    home.unset("CLOSE_API_KEY");
    let port = sandbox.address().port();
    let child = home
        .command(&["sync", "--concurrency", "2"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(20), "a few lead pages", || {
        std::future::ready(lead_pages_served(dir) >= 3)
    })
    .await;
    sandbox.stop().await;
    (home, child, port)
}

async fn assert_complete(home: &Home, sandbox: &RunningSandbox) {
    let (organization_id, _, _) = org_and_email(sandbox, 0);
    let counts = assert_cache_matches(home, sandbox, &organization_id).await;
    eprintln!("cached exactly once: {counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_rides_out_a_short_outage() {
    let dir = tempfile::tempdir().unwrap();
    let first = sandbox_on(dir.path(), 0).await;
    let (home, child, port) = sync_until_midway(dir.path(), first).await;
    let pages_before = lead_pages_served(dir.path());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let second = sandbox_on(dir.path(), port).await;

    let out: Output = home.wait(child).await;
    out.assert_ok();
    assert!(
        lead_pages_served(dir.path()) > pages_before,
        "the sync went on after the restart"
    );
    assert_complete(&home, &second).await;
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_long_outage_the_next_sync_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let first = sandbox_on(dir.path(), 0).await;
    let (home, child, port) = sync_until_midway(dir.path(), first).await;

    // Down long enough that the sync is deep in its retries; then it is
    // stopped the hard way, as a user giving up on it would.
    let mut child = child;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.start_kill().unwrap();
    let out = home.wait(child).await;
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    let second = sandbox_on(dir.path(), port).await;
    let before = request_log(dir.path()).len();

    let out = home.run(&["sync"], None).await;
    out.assert_ok();
    assert!(out.stderr.contains("leads: syncing (resuming"), "{out:#?}");
    // The interrupted first sync was loading in bulk; so is its resumption,
    // which says when it has moved on to the indexes.
    assert!(
        out.stderr
            .contains("records in; building the cache's indexes"),
        "{out:#?}"
    );
    let resumed_pages = lead_pages_since(dir.path(), before);
    assert_complete(&home, &second).await;

    // What starting over costs, for comparison: a resumed sync fetches
    // only what the interrupted one had not committed.
    let before = request_log(dir.path()).len();
    let out = home.run(&["sync", "--full"], None).await;
    out.assert_ok();
    assert!(
        !out.stderr.contains("building"),
        "not a bulk load: {out:#?}"
    );
    // Each full pass is followed at once by a catch-up, which says so.
    assert!(
        out.stderr
            .contains("leads: catching up on what changed during the full pass"),
        "{out:#?}"
    );
    let full_pages = lead_pages_since(dir.path(), before);
    eprintln!("resumed with {resumed_pages} lead pages; a full sync takes {full_pages}");
    assert!(
        resumed_pages < full_pages,
        "resuming fetched {resumed_pages} lead pages; a full sync takes {full_pages}"
    );
    assert_complete(&home, &second).await;
    // Activities load per lead, when it is opened: an export of them says
    // how many leads it covers, on stderr, and stdout stays data.
    let out = home.run(&["export", "activities"], None).await;
    out.assert_ok();
    assert!(out.stdout.is_empty(), "{out:#?}");
    assert!(out.stderr.contains("holds those of 0 lead(s)"), "{out:#?}");
    second.stop().await;
}
