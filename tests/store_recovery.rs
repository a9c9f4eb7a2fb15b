#![allow(clippy::unwrap_used, clippy::expect_used)]
//! When things are wrong on disk: moved ciphertexts, a wrong or missing key,
//! a garbage or damaged file, and schema versions. Never a panic, and the
//! file is left for inspection.

mod store_common;

use std::fs;

use base64::{Engine, engine::general_purpose::STANDARD};
use close_tui::store::{AccountState, Credentials, SCHEMA_VERSION, Store, StoreError};
use store_common::{env, oauth, profile, wal};

#[test]
fn swapped_ciphertexts_do_not_decrypt() {
    let env = env();
    let store = env.open();
    let acme = profile("orga_1", "Acme", "user_1");
    let globex = profile("orga_2", "Globex", "user_1");
    store.save_login(&acme, &oauth("a")).unwrap();
    store.save_login(&globex, &oauth("g")).unwrap();
    drop(store);

    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch(
        "UPDATE accounts SET refresh_token = (SELECT refresh_token FROM accounts \
         WHERE organization_id = 'orga_2') WHERE organization_id = 'orga_1'; \
         UPDATE accounts SET api_key = access_token WHERE organization_id = 'orga_2';",
    )
    .unwrap();
    drop(conn);

    let store = env.open();
    let err = store.credentials(&acme.id).unwrap_err();
    assert!(matches!(err, StoreError::Decrypt { .. }), "{err}");
    assert!(err.means_signed_out());
    assert_eq!(
        err.to_string(),
        "stored credentials cannot be decrypted (key from key file)"
    );
    // A blob moved to another column of its own row fails too.
    let err = store.credentials(&globex.id).unwrap_err();
    assert!(matches!(err, StoreError::Decrypt { .. }), "{err}");
}

#[test]
fn a_wrong_key_means_needs_login_and_leaves_the_file_alone() {
    let env = env();
    let store = env.open();
    let acme = profile("orga_1", "Acme", "user_1");
    store.save_login(&acme, &oauth("a")).unwrap();
    drop(store);
    let before = fs::read(&env.db).unwrap();
    // A valid key, but not this database's.
    fs::write(&env.keys.file, format!("{}\n", STANDARD.encode([7u8; 32]))).unwrap();

    let store = env.open();
    let listed = store.list_accounts().unwrap();
    assert_eq!(listed.len(), 1);
    let AccountState::NeedsLogin { reason } = &listed[0].state else {
        panic!("expected needs login, got {:?}", listed[0].state);
    };
    assert_eq!(
        reason,
        "stored credentials cannot be decrypted (key from key file)"
    );
    assert!(matches!(
        store.credentials(&acme.id),
        Err(StoreError::Decrypt { .. })
    ));
    assert!(matches!(
        store.begin_refresh(&acme.id),
        Err(StoreError::Decrypt { .. })
    ));
    drop(store);
    assert_eq!(
        fs::read(&env.db).unwrap(),
        before,
        "the database is untouched"
    );
}

#[test]
fn a_missing_key_is_not_silently_replaced_until_the_next_login() {
    let env = env();
    let store = env.open();
    let acme = profile("orga_1", "Acme", "user_1");
    let globex = profile("orga_2", "Globex", "user_1");
    store.save_login(&acme, &oauth("a")).unwrap();
    store.save_login(&globex, &oauth("g")).unwrap();
    drop(store);
    fs::remove_file(&env.keys.file).unwrap();

    let store = env.open();
    assert!(!env.keys.file.exists(), "no new key is made at open");
    let err = store.credentials(&acme.id).unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "encryption key is missing from the key file (was it deleted?)"
    );
    for account in store.list_accounts().unwrap() {
        assert_eq!(
            account.state,
            AccountState::NeedsLogin {
                reason: err.to_string()
            }
        );
    }
    drop(store);
    // Reopening again changes nothing.
    let store = env.open();
    assert!(!env.keys.file.exists());

    // A login re-keys: the new account works, the other must log in again.
    store.save_login(&acme, &oauth("new")).unwrap();
    assert!(env.keys.file.exists());
    assert!(store.key_problem().is_none());
    assert_eq!(
        store
            .credentials(&acme.id)
            .unwrap()
            .access_token
            .unwrap()
            .expose(),
        "sbx_at_new_0123456789"
    );
    let other = store.account(&globex.id).unwrap().unwrap();
    assert!(matches!(other.state, AccountState::NeedsLogin { .. }));
    assert!(!other.refresh_token_stored);
    assert_eq!(
        store.credentials(&globex.id).unwrap(),
        Credentials::default()
    );
    drop(store);
    // And the new key survives a reopen.
    let store = env.open();
    assert!(store.credentials(&acme.id).is_ok());
}

#[test]
fn a_key_deleted_before_any_login_is_simply_recreated() {
    let env = env();
    drop(env.open());
    fs::remove_file(&env.keys.file).unwrap();
    let store = env.open();
    assert!(store.key_problem().is_none());
    assert!(env.keys.file.exists());
}

#[test]
fn a_garbage_file_is_corrupt_and_left_in_place() {
    let env = env();
    fs::create_dir_all(env.db.parent().unwrap()).unwrap();
    let garbage = b"this is not a database, just some text that is long enough..".repeat(40);
    fs::write(&env.db, &garbage).unwrap();
    let err = Store::open(&env.db, env.keys.clone()).err().unwrap();
    let StoreError::Corrupt { path, reason } = &err else {
        panic!("expected Corrupt, got {err:?}");
    };
    assert_eq!(path, &env.db);
    assert!(!reason.is_empty());
    assert!(err.means_signed_out());
    assert!(err.to_string().contains("left in place"), "{err}");
    assert_eq!(fs::read(&env.db).unwrap(), garbage);
    assert!(!wal(&env.db).exists());
    assert!(!env.keys.file.exists(), "no key is made for a corrupt file");
}

#[test]
fn a_damaged_database_is_corrupt() {
    let env = env();
    let store = env.open();
    for i in 0..50 {
        let org = format!("orga_{i}");
        store
            .save_login(&profile(&org, &org, "user_1"), &oauth("x"))
            .unwrap();
    }
    drop(store);
    let mut bytes = fs::read(&env.db).unwrap();
    assert!(bytes.len() > 8192);
    // Keep the header, wreck the pages after the first.
    for byte in &mut bytes[4096..] {
        *byte = 0xA5;
    }
    fs::write(&env.db, &bytes).unwrap();
    let err = Store::open(&env.db, env.keys.clone()).err().unwrap();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(fs::read(&env.db).unwrap(), bytes);
}

#[test]
fn migrations_are_idempotent_across_reopens() {
    let env = env();
    let acme = profile("orga_1", "Acme", "user_1");
    env.open().save_login(&acme, &oauth("a")).unwrap();
    for _ in 0..3 {
        let store = env.open();
        assert_eq!(store.credentials(&acme.id).unwrap(), oauth("a"));
        assert!(store.active_account().unwrap().unwrap().active);
    }
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn a_newer_schema_is_a_clear_error() {
    let env = env();
    drop(env.open());
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute_batch("PRAGMA user_version = 42").unwrap();
    drop(conn);
    let err = Store::open(&env.db, env.keys.clone()).err().unwrap();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 42, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("newer than this close-tui"),
        "{err}"
    );
}
