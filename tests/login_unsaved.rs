#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The last step of an OAuth login, when it fails after Close issued its
//! tokens: they are revoked, not left as a live grant that nothing here
//! knows of. (A login checks the key store first, before the browser
//! opens; these fail after that.)

mod sandbox_support;

use std::{path::Path, sync::Arc, time::Duration};

use close_tui::{
    auth::client::{TokenResponse, decode_token_response},
    config::{Flags, Settings},
    paths::Dirs,
    secret::Secret,
    session::{NewLogin, complete_login},
    store::{KeyConfig, KeyMode, Store},
};
use reqwest::StatusCode;
use sandbox_support::{Harness, harness};
use serde_json::Value;

/// Settings pointing at the sandbox, with its OAuth client.
fn settings(h: &Harness, dir: &Path) -> Settings {
    let env: Vec<(String, String)> = h
        .sandbox
        .info
        .client_env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    Settings::resolve(Dirs::under(dir), &Flags::default(), &[], &env).unwrap()
}

/// A store in `dir` whose key lives in a key file.
fn file_store(dir: &Path) -> Arc<Store> {
    let keys = KeyConfig::new(KeyMode::File, &dir.join("config"));
    Arc::new(Store::open(dir.join("close.db"), keys).unwrap())
}

/// A token answer the sandbox issued for a login, and its refresh token.
fn tokens_of(issued: &Value) -> (TokenResponse, Secret) {
    let tokens = decode_token_response(200, issued.to_string().as_bytes()).unwrap();
    let refresh = tokens.refresh_token.clone().unwrap();
    (tokens, refresh)
}

/// Completes a login with the token answer `issued`, which must fail and
/// revoke the tokens; returns the error.
async fn failed_login(h: &Harness, store: &Arc<Store>, dir: &Path, issued: Value) -> String {
    let (tokens, refresh) = tokens_of(&issued);
    let err = complete_login(&settings(h, dir), store, NewLogin::OAuth(tokens))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("; the tokens Close issued for this login were revoked"),
        "{err}"
    );
    assert!(!err.contains(refresh.expose()), "no secret in the error");
    // The grant is dead at Close, and nothing was stored here.
    let (status, body) = h.refresh(refresh.expose()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(store.list_accounts().unwrap().is_empty());
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_that_cannot_be_saved_revokes_the_tokens_close_issued() {
    let h = harness(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    // A keyring that does not answer, and no key file: nothing can be saved.
    let mut keys = KeyConfig::new(KeyMode::Keyring, &dir.path().join("config"));
    keys.keyring_timeout = Duration::ZERO;
    keys.keyring_service = "close-tui-test-never-written".into();
    let store = Arc::new(Store::open(dir.path().join("close.db"), keys).unwrap());

    let issued = h.login().await;
    let err = failed_login(&h, &store, dir.path(), issued).await;
    assert!(err.starts_with("cannot save the account: "), "{err}");
    assert_eq!(h.stats().await["revokes"], 2);
    drop(store);
    assert!(!dir.path().join("config/store.key").exists());
    h.sandbox.stop().await;
}

/// Any failure after the exchange revokes them too: here the token answer
/// names no organization, so there is no account to save.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_that_fails_after_the_exchange_revokes_its_tokens() {
    let h = harness(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let store = file_store(dir.path());

    let mut issued = h.login().await;
    issued.as_object_mut().unwrap().remove("organization_id");
    let err = failed_login(&h, &store, dir.path(), issued).await;
    assert!(
        err.starts_with("the token response has no organization_id"),
        "{err}"
    );
    h.sandbox.stop().await;
}

/// A login given up half-way (Esc in the dialog, quitting the app: its
/// future dropped) while Close is slow to say who the tokens belong to:
/// they are revoked all the same, on a task of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_given_up_after_the_exchange_revokes_its_tokens() {
    let h = harness(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    // An API that takes connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}/api/v1/", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let mut env: Vec<(String, String)> = h
        .sandbox
        .info
        .client_env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    env.retain(|(k, _)| k != "CLOSE_API_URL");
    env.push(("CLOSE_API_URL".into(), api));
    let settings =
        Settings::resolve(Dirs::under(dir.path()), &Flags::default(), &[], &env).unwrap();
    let store = file_store(dir.path());

    let issued = h.login().await;
    let (tokens, refresh) = tokens_of(&issued);
    let login = complete_login(&settings, &store, NewLogin::OAuth(tokens));
    assert!(
        tokio::time::timeout(Duration::from_millis(500), login)
            .await
            .is_err(),
        "the login waits on the silent API"
    );
    // Watched without touching the grant (a refresh would rotate it).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.stats().await["revokes"] != 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the tokens of the dropped login were not revoked"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, body) = h.refresh(refresh.expose()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(store.list_accounts().unwrap().is_empty());
    h.sandbox.stop().await;
}

/// The control: a login that is stored keeps its tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_that_is_stored_keeps_its_tokens() {
    let h = harness(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let store = file_store(dir.path());
    let issued = h.login().await;
    let (tokens, refresh) = tokens_of(&issued);
    complete_login(&settings(&h, dir.path()), &store, NewLogin::OAuth(tokens))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.stats().await["revokes"], 0);
    let (status, body) = h.refresh(refresh.expose()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    h.sandbox.stop().await;
}

/// A login given up while its save waits for the database (another
/// process holds the write lock): the save goes on, and once it has stored
/// the login, its tokens must stay valid, not be revoked under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_given_up_during_its_save_keeps_its_tokens_once_stored() {
    let h = harness(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let store = file_store(dir.path());
    let db = dir.path().join("close.db");
    let issued = h.login().await;
    let (tokens, refresh) = tokens_of(&issued);

    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let settings = settings(&h, dir.path());
    let login = complete_login(&settings, &store, NewLogin::OAuth(tokens));
    assert!(
        tokio::time::timeout(Duration::from_millis(800), login)
            .await
            .is_err(),
        "the save waits for the lock"
    );
    other.execute_batch("ROLLBACK").unwrap();
    // The save, on its own thread, stores the login once the lock is free.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let store = Arc::clone(&store);
        let stored = tokio::task::spawn_blocking(move || store.list_accounts().unwrap().len())
            .await
            .unwrap();
        if stored == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the login was not stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.stats().await["revokes"], 0, "a stored login was revoked");
    let (status, body) = h.refresh(refresh.expose()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    h.sandbox.stop().await;
}
