#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The refresh transaction: two `Store`s on one file stand in for two
//! processes. Refresh tokens rotate and are single-use, so the second
//! refresher must always see the first one's rotated token.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex, mpsc},
    thread,
    time::{Duration, Instant},
};

use chrono::{Duration as ChronoDuration, Utc};
use close_tui::{
    secret::Secret,
    store::{
        AccountId, AccountState, AuthKind, Credentials, KeyConfig, KeyMode, Profile, Store,
        TokenUpdate,
    },
};

struct Env {
    _root: tempfile::TempDir,
    db: PathBuf,
    keys: KeyConfig,
}

fn env() -> Env {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("data/close.db");
    let keys = KeyConfig::new(KeyMode::File, &root.path().join("config"));
    Env {
        _root: root,
        db,
        keys,
    }
}

impl Env {
    fn open(&self) -> Store {
        Store::open(&self.db, self.keys.clone()).unwrap()
    }
}

fn acme() -> Profile {
    Profile {
        id: AccountId::new("orga_1", "user_1"),
        organization_name: "Acme".into(),
        user_email: "user_1@example.com".into(),
        user_name: "User One".into(),
        auth: AuthKind::OAuth,
    }
}

fn login(store: &Store, refresh: &str) {
    let creds = Credentials {
        access_token: Some(Secret::new("sbx_at_initial")),
        access_token_expires_at: Some(Utc::now()),
        refresh_token: Some(Secret::new(refresh)),
        api_key: None,
    };
    store.save_login(&acme(), &creds).unwrap();
}

fn update(access: &str, refresh: Option<&str>) -> TokenUpdate {
    TokenUpdate {
        access_token: Secret::new(access),
        access_token_expires_at: Some(Utc::now() + ChronoDuration::hours(1)),
        refresh_token: refresh.map(Secret::new),
    }
}

fn refresh_token(store: &Store) -> String {
    let creds = store.credentials(&acme().id).unwrap();
    creds.refresh_token.unwrap().expose().to_owned()
}

#[test]
fn commit_rotates_and_a_missing_refresh_token_keeps_the_old_one() {
    let env = env();
    let store = env.open();
    login(&store, "sbx_rt_1");
    assert!(
        store
            .account(&acme().id)
            .unwrap()
            .unwrap()
            .last_refresh_at
            .is_none()
    );

    let txn = store.begin_refresh(&acme().id).unwrap();
    assert_eq!(
        txn.credentials().refresh_token.as_ref().unwrap().expose(),
        "sbx_rt_1"
    );
    txn.commit(update("sbx_at_2", Some("sbx_rt_2"))).unwrap();
    assert_eq!(refresh_token(&store), "sbx_rt_2");

    store
        .begin_refresh(&acme().id)
        .unwrap()
        .commit(update("sbx_at_3", None))
        .unwrap();
    let creds = store.credentials(&acme().id).unwrap();
    assert_eq!(creds.access_token.unwrap().expose(), "sbx_at_3");
    assert_eq!(creds.refresh_token.unwrap().expose(), "sbx_rt_2", "kept");
    let account = store.account(&acme().id).unwrap().unwrap();
    assert!(account.last_refresh_at.is_some());
    assert!(account.access_token_expires_at.unwrap() > Utc::now());
}

#[test]
fn commit_needs_login_and_drop_rolls_back() {
    let env = env();
    let store = env.open();
    login(&store, "sbx_rt_1");

    // Dropped without a commit: nothing changes and the lock is released.
    drop(store.begin_refresh(&acme().id).unwrap());
    let started = Instant::now();
    let txn = store.begin_refresh(&acme().id).unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(txn.account().state, AccountState::Connected);
    txn.commit_needs_login("the refresh token was rejected (invalid_grant)")
        .unwrap();

    let account = store.account(&acme().id).unwrap().unwrap();
    assert_eq!(
        account.state,
        AccountState::NeedsLogin {
            reason: "the refresh token was rejected (invalid_grant)".into()
        }
    );
    // The state is visible to the next refresher, under the lock.
    let txn = store.begin_refresh(&acme().id).unwrap();
    assert!(matches!(
        txn.account().state,
        AccountState::NeedsLogin { .. }
    ));
}

#[test]
fn a_second_process_waits_and_sees_the_rotated_token() {
    let env = env();
    login(&env.open(), "sbx_rt_1");
    let (first, second) = (env.open(), env.open());
    let (locked_tx, locked_rx) = mpsc::channel();
    let hold = Duration::from_millis(400);

    let a = thread::spawn(move || {
        let txn = first.begin_refresh(&acme().id).unwrap();
        assert_eq!(
            txn.credentials().refresh_token.as_ref().unwrap().expose(),
            "sbx_rt_1"
        );
        locked_tx.send(()).unwrap();
        thread::sleep(hold); // the HTTP refresh
        txn.commit(update("sbx_at_2", Some("sbx_rt_2"))).unwrap();
    });
    let b = thread::spawn(move || {
        locked_rx.recv().unwrap();
        let started = Instant::now();
        let txn = second.begin_refresh(&acme().id).unwrap();
        let waited = started.elapsed();
        let creds = txn.credentials().clone();
        drop(txn);
        (waited, creds)
    });
    a.join().unwrap();
    let (waited, creds) = b.join().unwrap();
    assert!(
        waited >= hold / 2,
        "the second refresher waited only {waited:?}"
    );
    assert_eq!(creds.refresh_token.unwrap().expose(), "sbx_rt_2");
    assert_eq!(creds.access_token.unwrap().expose(), "sbx_at_2");
}

/// A token endpoint that accepts only the current refresh token and
/// rotates it, counting every replay of a dead one.
#[derive(Default)]
struct RotatingServer {
    state: Mutex<(u64, u64)>, // (current generation, replays)
}

impl RotatingServer {
    fn refresh(&self, presented: &str) -> Option<(String, String)> {
        let mut state = self.state.lock().unwrap();
        if presented != format!("sbx_rt_{}", state.0) {
            state.1 += 1;
            return None;
        }
        state.0 += 1;
        Some((format!("sbx_at_{}", state.0), format!("sbx_rt_{}", state.0)))
    }
}

#[test]
fn two_processes_rotating_100_times_each_never_replay() {
    let env = env();
    login(&env.open(), "sbx_rt_0");
    let server = Arc::new(RotatingServer::default());
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let store = env.open();
            let server = Arc::clone(&server);
            thread::spawn(move || {
                for _ in 0..100 {
                    let txn = store.begin_refresh(&acme().id).unwrap();
                    let presented = txn.credentials().refresh_token.clone().unwrap();
                    match server.refresh(presented.expose()) {
                        Some((access, refresh)) => {
                            txn.commit(update(&access, Some(&refresh))).unwrap();
                        }
                        None => txn.commit_needs_login("invalid_grant").unwrap(),
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let (generation, replays) = *server.state.lock().unwrap();
    assert_eq!(replays, 0, "a rotated refresh token was replayed");
    assert_eq!(generation, 200);
    let store = env.open();
    assert_eq!(refresh_token(&store), "sbx_rt_200");
    assert_eq!(
        store.account(&acme().id).unwrap().unwrap().state,
        AccountState::Connected
    );
}

#[test]
fn a_refresh_runs_inside_spawn_blocking_across_an_await() {
    let env = env();
    let store = Arc::new(env.open());
    login(&store, "sbx_rt_1");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let begin = Arc::clone(&store);
        let txn = tokio::task::spawn_blocking(move || begin.begin_refresh(&acme().id))
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await; // the HTTP refresh
        tokio::task::spawn_blocking(move || txn.commit(update("sbx_at_2", Some("sbx_rt_2"))))
            .await
            .unwrap()
            .unwrap();
    });
    assert_eq!(refresh_token(&store), "sbx_rt_2");
}
