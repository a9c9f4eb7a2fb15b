#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Two real processes refreshing one account through one database file.
//!
//! The parent runs a rotating "token endpoint" on loopback TCP that accepts
//! only the current refresh token, then starts this test binary twice as
//! children (`child_rotator`), each doing 100 refreshes through
//! `begin_refresh`. No child may ever present a rotated-away token.

use std::{
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::Command,
    sync::{Arc, Mutex},
    thread,
};

use chrono::Utc;
use close_tui::{
    secret::Secret,
    store::{AccountId, AuthKind, Credentials, KeyConfig, KeyMode, Profile, Store, TokenUpdate},
};

const CHILD_DB: &str = "CLOSE_TUI_STORE_TEST_CHILD_DB";
const CHILD_SERVER: &str = "CLOSE_TUI_STORE_TEST_CHILD_SERVER";
const ROUNDS: u64 = 100;

fn id() -> AccountId {
    AccountId::new("orga_1", "user_1")
}

fn keys(db: &Path) -> KeyConfig {
    KeyConfig::new(KeyMode::File, &db.parent().unwrap().join("config"))
}

/// Serves "presented refresh token" lines; answers "OK <rt>" or "DEAD".
fn serve(listener: TcpListener, state: Arc<Mutex<(u64, u64)>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { return };
        let mut line = String::new();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        if reader.read_line(&mut line).is_err() || line.trim() == "QUIT" {
            return;
        }
        let mut guard = state.lock().unwrap();
        let reply = if line.trim() == format!("sbx_rt_{}", guard.0) {
            guard.0 += 1;
            format!("OK sbx_rt_{}\n", guard.0)
        } else {
            guard.1 += 1;
            "DEAD\n".to_owned()
        };
        drop(guard);
        let _ = (&stream).write_all(reply.as_bytes());
    }
}

#[test]
fn two_processes_never_replay_a_rotated_refresh_token() {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("close.db");
    let store = Store::open(&db, keys(&db)).unwrap();
    let profile = Profile {
        id: id(),
        organization_name: "Acme".into(),
        user_email: "u@example.com".into(),
        user_name: "U".into(),
        auth: AuthKind::OAuth,
    };
    let creds = Credentials {
        access_token: Some(Secret::new("sbx_at_0")),
        access_token_expires_at: Some(Utc::now()),
        refresh_token: Some(Secret::new("sbx_rt_0")),
        api_key: None,
    };
    store.save_login(&profile, &creds).unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(Mutex::new((0u64, 0u64)));
    let server = thread::spawn({
        let state = Arc::clone(&state);
        move || serve(listener, state)
    });

    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_rotator",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_DB, &db)
                .env(CHILD_SERVER, addr.to_string())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a child failed");
    }
    TcpStream::connect(addr)
        .unwrap()
        .write_all(b"QUIT\n")
        .unwrap();
    server.join().unwrap();

    let (generation, replays) = *state.lock().unwrap();
    assert_eq!(replays, 0, "a rotated refresh token was replayed");
    assert_eq!(generation, 2 * ROUNDS);
    let rt = store.credentials(&id()).unwrap().refresh_token.unwrap();
    assert_eq!(rt.expose(), format!("sbx_rt_{}", 2 * ROUNDS));
}

/// The child half: does nothing unless started by the test above.
#[test]
fn child_rotator() {
    let (Ok(db), Ok(server)) = (std::env::var(CHILD_DB), std::env::var(CHILD_SERVER)) else {
        return;
    };
    let db = Path::new(&db);
    let store = Store::open(db, keys(db)).unwrap();
    for _ in 0..ROUNDS {
        let txn = store.begin_refresh(&id()).unwrap();
        let presented = txn.credentials().refresh_token.clone().unwrap();
        let mut stream = TcpStream::connect(&server).unwrap();
        stream
            .write_all(format!("{}\n", presented.expose()).as_bytes())
            .unwrap();
        let mut reply = String::new();
        BufReader::new(stream).read_line(&mut reply).unwrap();
        match reply.trim().strip_prefix("OK ") {
            Some(rotated) => txn
                .commit(TokenUpdate {
                    access_token: Secret::new("sbx_at_x"),
                    access_token_expires_at: Some(Utc::now()),
                    refresh_token: Some(Secret::new(rotated)),
                })
                .unwrap(),
            None => txn.commit_needs_login("invalid_grant").unwrap(),
        }
    }
}
