#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The last step of an OAuth login, when the account cannot be saved: the
//! tokens Close just issued are revoked, not left as a live grant that
//! nothing here knows of. (A login checks first, before the browser
//! opens; this is the key store failing after that check.)

mod sandbox_support;

use std::{sync::Arc, time::Duration};

use close_tui::{
    auth::client::decode_token_response,
    config::{Flags, Settings},
    paths::Dirs,
    session::{NewLogin, complete_login},
    store::{KeyConfig, KeyMode, Store},
};
use reqwest::StatusCode;
use sandbox_support::harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_that_cannot_be_saved_revokes_the_tokens_close_issued() {
    let h = harness(|_| {}).await;
    let info = &h.sandbox.info;
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = [
        ("CLOSE_CLIENT_ID", info.client_id.as_str()),
        ("CLOSE_CLIENT_SECRET", info.client_secret.as_str()),
        ("CLOSE_AUTHORIZE_URL", info.authorize_url.as_str()),
        ("CLOSE_TOKEN_URL", info.token_url.as_str()),
        ("CLOSE_REVOKE_URL", info.revoke_url.as_str()),
        ("CLOSE_API_URL", info.api_url.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let settings =
        Settings::resolve(Dirs::under(dir.path()), &Flags::default(), &[], &env).unwrap();

    // A keyring that does not answer, and no key file: nothing can be saved.
    let mut keys = KeyConfig::new(KeyMode::Keyring, &dir.path().join("config"));
    keys.keyring_timeout = Duration::ZERO;
    keys.keyring_service = "close-tui-test-never-written".into();
    let store = Arc::new(Store::open(dir.path().join("close.db"), keys).unwrap());

    let issued = h.login().await;
    let tokens = decode_token_response(200, issued.to_string().as_bytes()).unwrap();
    let refresh = tokens.refresh_token.clone().unwrap();
    let err = complete_login(&settings, &store, NewLogin::OAuth(tokens))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot save the account: "), "{err}");
    assert!(
        err.ends_with("the tokens Close issued for it were revoked"),
        "{err}"
    );
    assert!(!err.contains(refresh.expose()), "no secret in the error");

    // The grant is dead at Close.
    let (status, body) = h.refresh(refresh.expose()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(h.stats().await["revokes"], 2);
    assert!(store.list_accounts().unwrap().is_empty());
    drop(store);
    assert!(!dir.path().join("config/store.key").exists());
    h.sandbox.stop().await;
}
