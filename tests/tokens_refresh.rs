#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Refreshing a real login's tokens against the sandbox: ahead of expiry
//! with nobody asking, once for two hundred callers at expiry, and from two
//! processes sharing the database without ever replaying a rotated refresh
//! token. The account is made by the real binary; the token managers run
//! here (and in two copies of this test binary) on the same database.

mod cli_support;

use std::{
    path::Path,
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;
use cli_support::{
    Home, eventually, grants, me_status, refresh_at, request_log, sandbox, settings_in, stats,
};
use close_tui::{
    close::Credentials,
    secret::Secret,
    session::Session,
    store::{KeyConfig, KeyMode, Store},
};

/// Opens the home's store and a session for its active account.
fn session(home: &Home) -> Session {
    let store = Arc::new(home.open_store());
    let account = store.active_account().unwrap().expect("an active account");
    Session::for_account(&home.settings(), store, account).unwrap()
}

fn stored_refresh_token(store: &Store) -> Secret {
    let account = store.active_account().unwrap().unwrap();
    store
        .credentials(account.id())
        .unwrap()
        .refresh_token
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refresher_renews_a_short_token_and_persists_the_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 2).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let session = session(&home);
    let first = stored_refresh_token(&session.store);

    let refresher = session.tokens.spawn_refresher();
    // A 2 s token is due after 1 s; two rotations show the loop keeps going.
    let mut seen = vec![first.clone()];
    eventually(Duration::from_secs(8), "two proactive refreshes", || {
        let now = stored_refresh_token(&session.store);
        if seen.last() != Some(&now) {
            seen.push(now);
        }
        std::future::ready(seen.len() >= 3)
    })
    .await;
    refresher.abort();
    // The store is still open here, so its write-ahead log is still on
    // disk, holding the rotations: sealed, like the database.
    let wal = std::fs::read(home.db().with_extension("db-wal")).unwrap();
    assert!(!wal.is_empty());
    for (place, bytes) in [
        ("wal", wal),
        ("database", std::fs::read(home.db()).unwrap()),
    ] {
        cli_support::assert_free_of(place, &bytes, &["sbx_at_", "sbx_rt_"]);
    }

    // What is on disk is what the sandbox holds as current: a fresh store
    // (another process) reads a working access token and refresh token.
    let reopened = home.open_store();
    let account = reopened.active_account().unwrap().unwrap();
    assert!(account.last_refresh_at.is_some());
    let stored = reopened.credentials(account.id()).unwrap();
    assert_eq!(
        me_status(&sandbox, stored.access_token.unwrap().expose()).await,
        200
    );
    assert!(grants(dir.path(), "refresh_token") >= 2);
    // The first refresh token was rotated away: the sandbox refuses it.
    let (status, body) = refresh_at(&sandbox, first.expose()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_calls_after_expiry_make_exactly_one_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 2).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let session = session(&home);
    let expires_at = session.account.access_token_expires_at.unwrap();
    eventually(Duration::from_secs(5), "the access token to expire", || {
        std::future::ready(Utc::now() > expires_at + chrono::Duration::milliseconds(100))
    })
    .await;
    let before = grants(dir.path(), "refresh_token");

    // Every call is spawned before any of them runs far: they all meet the
    // expired token together.
    let start = Arc::new(tokio::sync::Barrier::new(CALLS));
    let calls = (0..CALLS).map(|_| {
        let client = session.client.clone();
        let start = Arc::clone(&start);
        tokio::spawn(async move {
            start.wait().await;
            client.me().await
        })
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap().unwrap();
    }

    assert_eq!(grants(dir.path(), "refresh_token") - before, 1);
    let stats = stats(&sandbox).await;
    assert_eq!(stats["refreshes"], 1);
    assert_eq!(stats["token_requests"]["refresh_token"], 1);
    let me_calls = request_log(dir.path())
        .iter()
        .filter(|line| line["path"] == "/api/v1/me/" && line["status"] == 200)
        .count();
    assert!(me_calls >= CALLS, "{me_calls} successful calls");
    sandbox.stop().await;
}

/// Concurrent API calls at expiry.
const CALLS: usize = 200;

const WORKER_ROOT: &str = "CLOSE_TUI_TEST_REFRESH_WORKER_ROOT";
const ROUNDS: usize = 100;

/// One of the two processes of the race below; does nothing when run by
/// `cargo test` itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_worker() {
    let Ok(root) = std::env::var(WORKER_ROOT) else {
        return;
    };
    let vars: Vec<(String, String)> = std::env::vars().collect();
    let settings = settings_in(Path::new(&root), &vars);
    let keys = KeyConfig::new(KeyMode::File, &settings.dirs.config);
    let store = Arc::new(Store::open(&settings.db_path, keys).unwrap());
    let account = store.active_account().unwrap().unwrap();
    let session = Session::for_account(&settings, store, account).unwrap();
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let header = session.tokens.authorization().await.unwrap();
        match session.tokens.refresh_after_rejection(&header).await {
            Ok(fresh) => assert_ne!(fresh, header, "round {round} kept the rejected token"),
            Err(err) => failures.push(format!("round {round}: {err}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    session.client.me().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refreshing_one_account_never_hit_invalid_grant() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();

    let started = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            tokio::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "refresh_worker", "--nocapture"])
                .envs(home.vars().iter().map(|(k, v)| (k, v)))
                .env(WORKER_ROOT, home.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .unwrap()
        })
        .collect();
    for worker in workers {
        let out = tokio::time::timeout(Duration::from_secs(60), worker.wait_with_output())
            .await
            .expect("the worker finished in time")
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let elapsed = started.elapsed();

    let log = request_log(dir.path());
    let refresh_lines: Vec<_> = log
        .iter()
        .filter(|line| line["grant_type"] == "refresh_token")
        .collect();
    let refused = refresh_lines.iter().filter(|l| l["status"] != 200).count();
    let stats = stats(&sandbox).await;
    eprintln!(
        "two processes x {ROUNDS} forced refreshes: {} token requests, {} refreshes, {refused} refused, {elapsed:?}",
        refresh_lines.len(),
        stats["refreshes"]
    );
    assert_eq!(refused, 0, "some refresh was refused");
    assert_eq!(stats["token_requests"]["refresh_token"], stats["refreshes"]);
    let refreshes = stats["refreshes"].as_u64().unwrap();
    assert!(
        (ROUNDS as u64..=2 * ROUNDS as u64).contains(&refreshes),
        "{refreshes} refreshes"
    );

    // The grant is alive: the stored tokens both work. (A replayed refresh
    // token would have revoked the whole family.)
    let store = home.open_store();
    let account = store.active_account().unwrap().unwrap();
    let stored = store.credentials(account.id()).unwrap();
    let access = stored.access_token.unwrap();
    assert_eq!(me_status(&sandbox, access.expose()).await, 200);
    let (status, _) = refresh_at(&sandbox, stored.refresh_token.unwrap().expose()).await;
    assert_eq!(status, 200);
    sandbox.stop().await;
}
