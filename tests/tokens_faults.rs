#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A misbehaving token endpoint during a refresh (500, HTML, a cut-off body,
//! no answer) never costs the user their login: the account stays
//! connected, they are told Close is unreachable, and it recovers by itself.
//! Only a refused grant (`invalid_grant`) means "needs login".

mod cli_support;

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use cli_support::{Home, eventually, faults, refresh_at, sandbox};
use close_tui::{
    auth::{
        client::{TokenClient, TokenClientConfig},
        tokens::{TokenManager, TokenState},
    },
    close::{Credentials, CredentialsError},
    store::Store,
};
use serde_json::json;

/// A token manager for the home's active account whose token requests give
/// up after a second (the sandbox's `timeout` mode hangs for a minute).
fn manager(home: &Home) -> (Arc<Store>, Arc<TokenManager>) {
    let store = Arc::new(home.open_store());
    let account = store.active_account().unwrap().unwrap();
    let mut config = TokenClientConfig::from_settings(&home.settings()).unwrap();
    config.timeout = Duration::from_secs(1);
    let client = TokenClient::new(config).unwrap();
    let tokens = TokenManager::new(Arc::clone(&store), Some(client), &account);
    (store, tokens)
}

async fn assert_still_connected(home: &Home) {
    let (out, status) = home.status_json(true).await;
    assert_eq!(out.code, Some(0), "{out:#?}");
    let account = &status["accounts"][0];
    assert_eq!(account["state"], "connected", "{status:#}");
    assert_eq!(account["refresh_token_stored"], true, "{status:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_token_endpoint_fault_keeps_the_account_and_then_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let (store, tokens) = manager(&home);
    let id = tokens.account_id().clone();
    let state = tokens.state();

    for mode in ["error500", "html", "truncated", "timeout"] {
        let stored = store.credentials(&id).unwrap().refresh_token;
        faults(&sandbox, json!({ "token_mode": mode })).await;
        let header = tokens.authorization().await.unwrap();
        let err = tokens.refresh_after_rejection(&header).await.unwrap_err();
        assert!(
            matches!(err, CredentialsError::Unavailable(_)),
            "{mode}: {err}"
        );
        assert!(
            matches!(*state.borrow(), TokenState::Offline { .. }),
            "{mode}: {:?}",
            *state.borrow()
        );
        assert_eq!(
            store.credentials(&id).unwrap().refresh_token,
            stored,
            "{mode}"
        );
        assert_still_connected(&home).await;

        faults(&sandbox, json!({ "token_mode": "normal" })).await;
        let fresh = tokens.refresh_after_rejection(&header).await.unwrap();
        assert_ne!(fresh, header, "{mode}");
        assert!(
            matches!(*state.borrow(), TokenState::Connected { .. }),
            "{mode}"
        );
    }
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_an_unreachable_token_endpoint_without_signing_out() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 2).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    home.wait_token_expiry().await;

    faults(&sandbox, json!({ "token_mode": "error500" })).await;
    let out = home.run(&["status"], None).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stdout.contains("- offline: "), "{out:#?}");
    assert!(out.stdout.contains("access token expired"), "{out:#?}");
    assert!(out.stdout.contains("credentials are kept"), "{out:#?}");
    assert!(!out.stdout.contains("needs login"), "{out:#?}");
    assert_still_connected(&home).await;

    faults(&sandbox, json!({ "token_mode": "normal" })).await;
    let out = home.run(&["status"], None).await;
    out.assert_ok();
    assert!(out.stdout.contains("working"), "{out:#?}");
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refresher_backs_off_while_the_endpoint_fails_and_recovers_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 2).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    faults(&sandbox, json!({ "token_mode": "error500" })).await;
    let (_store, tokens) = manager(&home);
    let mut state = tokens.state();
    let refresher = tokens.spawn_refresher();

    let offline = tokio::time::timeout(
        Duration::from_secs(5),
        // A failed refresh first reports `Offline` with no retry time; the
        // refresher then adds when it will try again.
        state.wait_for(|s| {
            matches!(
                s,
                TokenState::Offline {
                    retry_at: Some(_),
                    ..
                }
            )
        }),
    )
    .await
    .expect("the refresher reports offline")
    .unwrap()
    .clone();
    let TokenState::Offline { retry_at, .. } = offline else {
        unreachable!()
    };
    assert!(retry_at.unwrap() > Utc::now() - chrono::Duration::seconds(1));
    assert_still_connected(&home).await;

    faults(&sandbox, json!({ "token_mode": "normal" })).await;
    tokio::time::timeout(
        Duration::from_secs(10),
        state.wait_for(|s| {
            matches!(
                s,
                TokenState::Connected {
                    last_refresh_at: Some(_),
                    ..
                }
            )
        }),
    )
    .await
    .expect("the refresher recovers")
    .unwrap();
    refresher.abort();
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_grant_needs_login_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 2).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let store = home.open_store();
    let account = store.active_account().unwrap().unwrap();
    let refresh = store
        .credentials(account.id())
        .unwrap()
        .refresh_token
        .unwrap();
    drop(store);
    // Someone else spends the refresh token: Close sees the stored one as
    // reused and revokes the grant.
    let (status, _) = refresh_at(&sandbox, refresh.expose()).await;
    assert_eq!(status, 200);
    eventually(Duration::from_secs(5), "the access token to expire", || {
        std::future::ready(Utc::now() > account.access_token_expires_at.unwrap())
    })
    .await;

    let out = home.run(&["status"], None).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stdout.contains("invalid_grant"), "{out:#?}");
    let (out, status) = home.status_json(true).await;
    assert_eq!(out.code, Some(1));
    assert_eq!(status["accounts"][0]["state"], "needs_login");
    let out = home.run(&["status", "--offline"], None).await;
    assert!(out.stdout.contains("needs login: "), "{out:#?}");
    sandbox.stop().await;
}

/// Close spends the refresh token as it answers: a refresh whose caller is
/// dropped meanwhile (an aborted sync, an account switch) still stores the
/// rotated token, so the login survives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_whose_caller_is_dropped_still_stores_the_rotated_token() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let store = Arc::new(home.open_store());
    let account = store.active_account().unwrap().unwrap();
    let config = TokenClientConfig::from_settings(&home.settings()).unwrap();
    let client = TokenClient::new(config).unwrap();
    let tokens = TokenManager::new(Arc::clone(&store), Some(client), &account);
    let id = tokens.account_id().clone();
    let before = store.credentials(&id).unwrap().refresh_token;

    faults(&sandbox, json!({ "token_mode": "slow" })).await;
    let header = tokens.authorization().await.unwrap();
    let caller = {
        let tokens = Arc::clone(&tokens);
        tokio::spawn(async move { tokens.refresh_after_rejection(&header).await })
    };
    // The sandbox has redeemed the old token and holds its answer.
    tokio::time::sleep(Duration::from_millis(500)).await;
    caller.abort();
    assert!(close_tui::auth::tokens::refreshes_settled(Duration::from_secs(10)).await);
    faults(&sandbox, json!({ "token_mode": "normal" })).await;

    let after = store.credentials(&id).unwrap().refresh_token;
    assert_ne!(after, before, "the rotated refresh token is stored");
    // And Close takes it: the next refresh works.
    let (_, again) = manager(&home);
    let header = again.authorization().await.unwrap();
    let fresh = again.refresh_after_rejection(&header).await.unwrap();
    assert_ne!(fresh, header);
    assert_still_connected(&home).await;
    sandbox.stop().await;
}

/// Logged out in another process, the account is gone from the store: its
/// manager says "needs login" and stops, instead of retrying for ever as
/// if the store had failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_in_another_process_means_needs_login() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let (_store, tokens) = manager(&home);
    let header = tokens.authorization().await.unwrap();

    let out = home.run(&["logout"], None).await;
    assert_eq!(out.code, Some(0), "{out:#?}");
    let err = tokens.refresh_after_rejection(&header).await.unwrap_err();
    assert!(matches!(err, CredentialsError::NeedsLogin(_)), "{err}");
    assert!(err.to_string().contains("logged out"), "{err}");
    assert!(
        matches!(*tokens.state().borrow(), TokenState::NeedsLogin { .. }),
        "{:?}",
        *tokens.state().borrow()
    );
    sandbox.stop().await;
}
