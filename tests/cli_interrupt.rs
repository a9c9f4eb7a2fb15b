#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Ctrl-C (SIGINT) and SIGTERM stop a command without costing anything: the
//! sync resumes next time, and a token refresh Close has already answered
//! is stored before the process exits, so the user stays signed in. The
//! exit status is the one a shell reports for the signal.

mod cli_support;

use std::time::Duration;

use cli_support::{
    Home, assert_cache_matches, eventually, faults, org_and_email, request_log, sandbox, stats,
};
use rustix::process::{Pid, Signal, kill_process};
use serde_json::json;
use tokio::process::Child;

fn signal(child: &Child, signal: Signal) {
    let pid = Pid::from_raw(child.id().unwrap() as i32).unwrap();
    kill_process(pid, signal).unwrap();
}

fn lead_pages_served(dir: &std::path::Path) -> usize {
    request_log(dir)
        .iter()
        .filter(|line| line["path"] == "/api/v1/lead/" && line["status"] == 200)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_sync_exits_130_and_the_next_one_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| {
        args.leads = 1500;
        args.latency_ms = 20;
    })
    .await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    home.run(&["login", "--api-key"], None).await.assert_ok();
    home.unset("CLOSE_API_KEY");

    let child = home
        .command(&["sync", "--concurrency", "2"])
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(20), "a few lead pages", || {
        std::future::ready(lead_pages_served(dir.path()) >= 3)
    })
    .await;
    signal(&child, Signal::INT);
    let out = home.wait(child).await;
    assert_eq!(out.code, Some(130), "{out:#?}");
    assert_eq!(
        out.stderr.lines().last(),
        Some("close-tui: interrupted"),
        "{out:#?}"
    );

    let out = home.run(&["sync"], None).await;
    out.assert_ok();
    assert!(out.stderr.contains("leads: syncing (resuming"), "{out:#?}");
    let (organization_id, _, _) = org_and_email(&sandbox, 0);
    assert_cache_matches(&home, &sandbox, &organization_id).await;

    // SIGTERM stops it the same way, with its own status.
    let child = home.command(&["sync", "--full"]).spawn().unwrap();
    let before = lead_pages_served(dir.path());
    eventually(Duration::from_secs(20), "a lead page", || {
        std::future::ready(lead_pages_served(dir.path()) > before)
    })
    .await;
    signal(&child, Signal::TERM);
    let out = home.wait(child).await;
    assert_eq!(out.code, Some(143), "{out:#?}");
    sandbox.stop().await;
}

/// Close rotates the refresh token as it answers: a process that dies
/// after Close redeemed the old one and before it stored the new one signs
/// the user out. Interrupted then, it lets the refresh finish first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_a_token_refresh_keeps_the_login() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 1).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    home.wait_token_expiry().await;
    faults(&sandbox, json!({ "token_mode": "slow" })).await;

    let child = home.command(&["sync"]).spawn().unwrap();
    // The sandbox has redeemed the refresh token and holds its answer.
    eventually(Duration::from_secs(20), "a refresh", || async {
        stats(&sandbox).await["refreshes"].as_u64() >= Some(1)
    })
    .await;
    signal(&child, Signal::INT);
    let out = home.wait(child).await;
    assert_eq!(out.code, Some(130), "{out:#?}");
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("close-tui: interrupted; storing the tokens"),
        "{out:#?}"
    );

    faults(&sandbox, json!({ "token_mode": "normal" })).await;
    let out = home.run(&["status"], None).await;
    out.assert_ok();
    assert!(out.stdout.contains("working"), "{out:#?}");
    sandbox.stop().await;
}

/// `login --api-key` waiting for a key on stdin still hears Ctrl-C.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_login_waiting_for_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    let mut child = home
        .command(&["login", "--api-key"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    // The store is opened once signals are listened for, just before the
    // read.
    eventually(Duration::from_secs(10), "the database", || {
        std::future::ready(home.db().exists())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    signal(&child, Signal::INT);
    let out = home.wait(child).await;
    drop(stdin);
    assert_eq!(out.code, Some(130), "{out:#?}");
    sandbox.stop().await;
}

/// A login interrupted after Close issued its tokens (here while the API
/// does not answer who they belong to) revokes them before the process
/// exits, and says so: no live grant is left behind. Close is slow to
/// answer the revokes, so exiting without waiting would leave one undone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_a_login_revokes_the_tokens_close_issued() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    let silent = cli_support::black_hole().await;
    home.set("CLOSE_API_URL", &format!("{silent}/api/v1/"));

    let child = home.command(&["login"]).spawn().unwrap();
    eventually(Duration::from_secs(20), "the token exchange", || {
        std::future::ready(cli_support::grants(dir.path(), "authorization_code") >= 1)
    })
    .await;
    // The exchange is logged as it comes in: give its answer time to land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    faults(&sandbox, json!({ "token_mode": "slow" })).await;
    signal(&child, Signal::INT);
    let out = home.wait(child).await;
    assert_eq!(out.code, Some(130), "{out:#?}");
    assert!(
        out.stderr
            .contains("interrupted; revoking the tokens Close issued for this login"),
        "{out:#?}"
    );
    assert_eq!(stats(&sandbox).await["revokes"], 2, "{out:#?}");
    sandbox.stop().await;
}
