#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The crash loop: `close-tui sync` and `close-tui status` are killed with
//! SIGKILL at random moments while one-second access tokens make them
//! refresh every half second and the sync streams pages into SQLite.
//! After every kill the database opens, `PRAGMA integrity_check` says ok,
//! and the account is either usable or plainly `needs_login`.
//!
//! The only way to need login is a kill after the sandbox rotated the
//! refresh token and before our commit of the new one; each such case is
//! checked to have a rotation answered while the killed process ran.
//!
//! `cargo test` runs ten kills; the full run is
//! `cargo test --release --test crash_loop -- --ignored --nocapture`
//! (`CLOSE_TUI_CRASH_KILLS` changes its 100).

mod cli_support;

use std::time::{Duration, Instant};

use cli_support::{Home, request_log, sandbox};

#[derive(Debug, Default)]
struct Tally {
    /// SIGKILLs sent to a running process.
    kills: usize,
    /// Runs that finished before their kill was due (checked all the same).
    finished: usize,
    usable: usize,
    needs_login: usize,
    integrity_ok: usize,
    refreshes: usize,
}

/// Successful refresh grants in the sandbox's log so far.
fn refreshes(dir: &std::path::Path) -> usize {
    request_log(dir)
        .iter()
        .filter(|line| line["grant_type"] == "refresh_token" && line["status"] == 200)
        .count()
}

fn integrity(home: &Home) -> String {
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

async fn crash_loop(kills: usize) -> Tally {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| {
        args.leads = 2000;
        args.access_ttl = 1;
        args.latency_ms = 2;
    })
    .await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let mut tally = Tally::default();
    let started = Instant::now();
    let mut round = 0;
    while tally.kills < kills {
        round += 1;
        // A status run is over in a blink; a sync takes a second or two.
        let (args, window): (&[&str], u64) = match round % 3 {
            0 => (&["sync", "--full"], 1500),
            1 => (&["sync"], 1000),
            _ => (&["status"], 150),
        };
        let rotations_before = refreshes(dir.path());
        let mut child = home.command(args).spawn().unwrap();
        let delay = Duration::from_millis(rand::random_range(0..window));
        let finished = tokio::time::timeout(delay, child.wait()).await.is_ok();
        if finished {
            tally.finished += 1;
        } else {
            child.start_kill().unwrap();
            tally.kills += 1;
        }
        home.wait(child).await;
        let rotated_meanwhile = refreshes(dir.path()) > rotations_before;

        let check = integrity(&home);
        assert_eq!(check, "ok", "round {round}: integrity_check after the kill");
        tally.integrity_ok += 1;
        // The app opens it too, keys and all.
        drop(home.open_store());

        let (status, json) = home.status_json(false).await;
        let state = json["accounts"][0]["state"].as_str().unwrap_or_default();
        if status.ok() {
            assert_eq!(state, "connected", "round {round}: {json}");
            tally.usable += 1;
        } else {
            assert_eq!(
                state, "needs_login",
                "round {round}: neither usable nor needs_login: {status:#?}"
            );
            assert!(
                rotated_meanwhile,
                "round {round}: needs login, yet no refresh token was rotated while the killed process ran"
            );
            tally.needs_login += 1;
            home.login().await.assert_ok();
        }
    }
    tally.refreshes = refreshes(dir.path());
    eprintln!("crash loop: {tally:?} in {:.1?}", started.elapsed());
    drop(home);
    sandbox.stop().await;
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_kills_leave_a_sound_database_and_a_clear_account_state() {
    let tally = crash_loop(10).await;
    assert_eq!(tally.kills, 10);
    assert_eq!(tally.integrity_ok, tally.kills + tally.finished);
    assert_eq!(tally.usable + tally.needs_login, tally.integrity_ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the long crash loop: run with --ignored (about two minutes)"]
async fn a_hundred_kills_leave_a_sound_database_and_a_clear_account_state() {
    let kills = std::env::var("CLOSE_TUI_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let tally = crash_loop(kills).await;
    assert_eq!(tally.kills, kills);
    assert_eq!(tally.integrity_ok, tally.kills + tally.finished);
    assert_eq!(tally.usable + tally.needs_login, tally.integrity_ok);
}
