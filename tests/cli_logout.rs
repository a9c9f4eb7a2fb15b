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

/// Every place `needle` occurs in the database's files.
fn found_in_files(home: &Home, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for suffix in ["", "-wal", "-search", "-search-wal"] {
        let mut path = home.db().into_os_string();
        path.push(suffix);
        let bytes = std::fs::read(&path).unwrap_or_default();
        if bytes.windows(needle.len()).any(|w| w == needle) {
            found.push(format!("{}", std::path::Path::new(&path).display()));
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_leaves_neither_its_secrets_nor_its_records_in_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    home.run(&["sync"], None).await.assert_ok();

    // What the files hold of this account: its sealed tokens, and its
    // records' text (a contact's email, a lead's raw JSON).
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    let (access, refresh): (Vec<u8>, Vec<u8>) = conn
        .query_row(
            "SELECT access_token, refresh_token FROM accounts",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (email, lead): (String, String) = conn
        .query_row(
            "SELECT c.email, l.raw FROM cache_contacts c JOIN cache_leads l ON l.id = c.lead_id
             WHERE c.email IS NOT NULL LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    let traces = [
        ("the sealed access token", access),
        ("the sealed refresh token", refresh),
        ("a contact's email", email.into_bytes()),
        ("a lead's JSON", lead.as_bytes()[..64].to_vec()),
    ];
    for (what, bytes) in &traces {
        assert!(!found_in_files(&home, bytes).is_empty(), "{what} is cached");
    }

    home.run(&["logout"], None).await.assert_ok();
    for (what, bytes) in &traces {
        let found = found_in_files(&home, bytes);
        assert!(found.is_empty(), "{what} is still in {found:?}");
    }
    // The search index's words go too, not only its rows: marked deleted,
    // they stayed in its segments (4,425 bytes here) until merged. The
    // index has a file of its own, beside the database.
    let search = close_tui::store::cache::search_path(&home.db());
    let conn = rusqlite::Connection::open(search).unwrap();
    let index_bytes: i64 = conn
        .query_row(
            "SELECT sum(length(block)) FROM cache_search_data",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        index_bytes < 64,
        "the empty index holds {index_bytes} bytes"
    );
    sandbox.stop().await;
}
