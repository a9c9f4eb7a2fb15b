#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The account store against real SQLite files: modes, CRUD, sealed secrets,
//! wrong/missing keys, corrupt files and migrations.

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{TimeZone, Utc};
use close_tui::{
    secret::Secret,
    store::{
        AccountId, AccountState, AuthKind, Credentials, KeyConfig, KeyMode, KeyStoreKind, Profile,
        SCHEMA_VERSION, Store, StoreError,
    },
};

struct Env {
    _root: tempfile::TempDir,
    db: PathBuf,
    keys: KeyConfig,
}

fn env() -> Env {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("data/nested/close.db");
    let keys = KeyConfig::new(KeyMode::File, &root.path().join("config/close-tui"));
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

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn profile(org: &str, name: &str, user: &str) -> Profile {
    Profile {
        id: AccountId::new(org, user),
        organization_name: name.to_owned(),
        user_email: format!("{user}@example.com"),
        user_name: "Test User".to_owned(),
        auth: AuthKind::OAuth,
    }
}

fn oauth(tag: &str) -> Credentials {
    Credentials {
        access_token: Some(Secret::new(format!("sbx_at_{tag}_0123456789"))),
        access_token_expires_at: Some(Utc.with_ymd_and_hms(2031, 1, 2, 3, 4, 5).unwrap()),
        refresh_token: Some(Secret::new(format!("sbx_rt_{tag}_0123456789"))),
        api_key: None,
    }
}

fn wal(db: &Path) -> PathBuf {
    db.with_file_name("close.db-wal")
}

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
