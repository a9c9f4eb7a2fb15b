#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The account store against real SQLite files: file modes, accounts,
//! the active pointer, and secrets that never reach the disk in clear.

mod store_common;

use std::{fs, os::unix::fs::PermissionsExt};

use base64::{Engine, engine::general_purpose::STANDARD};
use close_tui::{
    secret::Secret,
    store::{AccountId, AccountState, AuthKind, Credentials, KeyStoreKind, Profile, StoreError},
};
use store_common::{env, mode, oauth, profile, wal};

#[test]
fn files_are_private_from_creation() {
    let env = env();
    let store = env.open();
    store
        .save_login(&profile("orga_1", "Acme", "user_1"), &oauth("a"))
        .unwrap();
    assert_eq!(mode(&env.db), 0o600);
    assert_eq!(mode(&wal(&env.db)), 0o600);
    assert_eq!(mode(&env.db.with_file_name("close.db-shm")), 0o600);
    assert_eq!(mode(env.db.parent().unwrap()), 0o700);
    assert_eq!(mode(env.db.parent().unwrap().parent().unwrap()), 0o700);
    assert_eq!(mode(&env.keys.file), 0o600);
    assert_eq!(mode(env.keys.file.parent().unwrap()), 0o700);
    assert_eq!(store.key_store(), KeyStoreKind::File);
    assert!(store.key_problem().is_none());
}

#[test]
fn an_existing_loose_database_is_tightened() {
    let env = env();
    drop(env.open());
    fs::set_permissions(&env.db, fs::Permissions::from_mode(0o644)).unwrap();
    drop(env.open());
    assert_eq!(mode(&env.db), 0o600);
}

#[test]
fn accounts_save_list_switch_find_delete() {
    let env = env();
    let store = env.open();
    assert!(store.list_accounts().unwrap().is_empty());
    assert!(store.active_account().unwrap().is_none());

    let acme = profile("orga_1", "Acme", "user_1");
    let globex = profile("orga_2", "Globex Corp", "user_1");
    let saved = store.save_login(&acme, &oauth("a")).unwrap();
    assert!(saved.active);
    assert_eq!(saved.state, AccountState::Connected);
    assert!(saved.refresh_token_stored);
    store.save_login(&globex, &oauth("g")).unwrap();

    let list = store.list_accounts().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].profile, acme);
    assert!(
        !list[0].active && list[1].active,
        "the latest login is active"
    );
    assert_eq!(
        list[0].access_token_expires_at,
        oauth("a").access_token_expires_at
    );
    assert_eq!(store.active_account().unwrap().unwrap().profile, globex);

    store.set_active(&acme.id).unwrap();
    assert_eq!(store.active_account().unwrap().unwrap().profile, acme);

    let found = store.find_account("globex corp").unwrap().unwrap();
    assert_eq!(found.profile, globex);
    let found = store.find_account("orga_1").unwrap().unwrap();
    assert_eq!(found.profile, acme);
    assert!(store.find_account("Initech").unwrap().is_none());

    let missing = AccountId::new("orga_9", "user_9");
    assert!(matches!(
        store.set_active(&missing),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.credentials(&missing),
        Err(StoreError::NotFound { .. })
    ));

    // Deleting the active account leaves none active.
    assert!(store.delete_account(&acme.id).unwrap());
    assert!(!store.delete_account(&acme.id).unwrap());
    assert!(store.active_account().unwrap().is_none());
    assert_eq!(store.list_accounts().unwrap().len(), 1);

    assert_eq!(store.delete_all().unwrap(), 1);
    assert!(store.list_accounts().unwrap().is_empty());
}

#[test]
fn relogin_updates_in_place_and_clears_needs_login() {
    let env = env();
    let store = env.open();
    let acme = profile("orga_1", "Acme", "user_1");
    let first = store.save_login(&acme, &oauth("a")).unwrap();
    store
        .mark_needs_login(&acme.id, "refresh token was rejected")
        .unwrap();
    let marked = store.account(&acme.id).unwrap().unwrap();
    assert_eq!(
        marked.state,
        AccountState::NeedsLogin {
            reason: "refresh token was rejected".into()
        }
    );
    let renamed = Profile {
        organization_name: "Acme Inc".into(),
        ..acme.clone()
    };
    let again = store.save_login(&renamed, &oauth("b")).unwrap();
    assert_eq!(again.state, AccountState::Connected);
    assert_eq!(again.created_at, first.created_at);
    assert_eq!(again.profile.organization_name, "Acme Inc");
    assert_eq!(store.list_accounts().unwrap().len(), 1);
    let creds = store.credentials(&acme.id).unwrap();
    assert_eq!(creds.refresh_token.unwrap().expose(), "sbx_rt_b_0123456789");
}

#[test]
fn secrets_round_trip_and_never_reach_the_disk_in_clear() {
    let env = env();
    let store = env.open();
    let acme = profile("orga_1", "Acme", "user_1");
    store.save_login(&acme, &oauth("a")).unwrap();
    let api = Profile {
        auth: AuthKind::ApiKey,
        ..profile("orga_2", "Globex", "user_2")
    };
    let api_creds = Credentials {
        api_key: Some(Secret::new("api_live_0123456789abcdef")),
        ..Credentials::default()
    };
    store.save_login(&api, &api_creds).unwrap();

    let creds = store.credentials(&acme.id).unwrap();
    assert_eq!(creds, oauth("a"));
    assert_eq!(store.credentials(&api.id).unwrap(), api_creds);
    let shown = format!("{creds:?} {:?}", store.list_accounts().unwrap());
    assert!(!shown.contains("sbx_"), "{shown}");

    let needles: [&[u8]; 4] = [
        b"sbx_at_",
        b"sbx_rt_",
        b"api_live_0123456789abcdef",
        b"0123456789",
    ];
    let check = |bytes: &[u8], what: &str| {
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{what} contains {}",
                String::from_utf8_lossy(needle)
            );
        }
    };
    // While open, the data sits in the WAL; after close, in the main file.
    check(&fs::read(wal(&env.db)).unwrap(), "the WAL");
    check(&fs::read(&env.db).unwrap(), "the database");
    drop(store);
    check(&fs::read(&env.db).unwrap(), "the checkpointed database");
    // Nor does the key file hold anything but the key.
    let key_text = fs::read_to_string(&env.keys.file).unwrap();
    assert_eq!(STANDARD.decode(key_text.trim()).unwrap().len(), 32);
}
