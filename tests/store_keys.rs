#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Where the database key lives. The keyring test runs only with
//! `CLOSE_TUI_TEST_KEYRING=1` (e.g. CI under gnome-keyring); everything
//! else uses the key file and never touches a real keyring.

use std::{sync::Barrier, thread, time::Duration};

use close_tui::{
    secret::Secret,
    store::{AccountId, AuthKind, Credentials, KeyConfig, KeyMode, KeyStoreKind, Profile, Store},
};

fn profile(org: &str) -> Profile {
    Profile {
        id: AccountId::new(org, "user_1"),
        organization_name: org.to_uppercase(),
        user_email: "u@example.com".into(),
        user_name: "U".into(),
        auth: AuthKind::ApiKey,
    }
}

fn api_key(value: &str) -> Credentials {
    Credentials {
        api_key: Some(Secret::new(value)),
        ..Credentials::default()
    }
}

#[test]
fn auto_mode_falls_back_to_the_key_file_when_the_keyring_does_not_answer() {
    let root = tempfile::tempdir().unwrap();
    let mut keys = KeyConfig::new(KeyMode::Auto, &root.path().join("config"));
    // No wait at all: the keyring thread (which only reads) never answers in
    // time, so this is the "keyring hangs" path without a real keyring.
    keys.keyring_timeout = Duration::ZERO;
    keys.keyring_service = "close-tui-test-never-written".into();
    let db = root.path().join("close.db");
    let store = Store::open(&db, keys.clone()).unwrap();
    assert_eq!(store.key_store(), KeyStoreKind::File);
    assert_eq!(store.key_store().as_str(), "file");
    assert!(keys.file.exists());
    store
        .save_login(&profile("orga_1"), &api_key("api_one"))
        .unwrap();
    drop(store);
    let store = Store::open(&db, keys).unwrap();
    let creds = store.credentials(&profile("orga_1").id).unwrap();
    assert_eq!(creds.api_key.unwrap().expose(), "api_one");
}

#[test]
fn processes_opening_a_fresh_database_together_agree_on_one_key() {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("close.db");
    let keys = KeyConfig::new(KeyMode::File, &root.path().join("config"));
    let barrier = Barrier::new(4);
    thread::scope(|scope| {
        for i in 0..4 {
            let (db, keys, barrier) = (&db, keys.clone(), &barrier);
            scope.spawn(move || {
                barrier.wait();
                let store = Store::open(db, keys).unwrap();
                let org = format!("orga_{i}");
                store.save_login(&profile(&org), &api_key(&org)).unwrap();
            });
        }
    });
    let store = Store::open(&db, keys).unwrap();
    for i in 0..4 {
        let org = format!("orga_{i}");
        let creds = store.credentials(&profile(&org).id).unwrap();
        assert_eq!(creds.api_key.unwrap().expose(), org);
    }
}

#[test]
fn keyring_mode_stores_the_key_in_the_os_keyring() {
    if std::env::var("CLOSE_TUI_TEST_KEYRING").as_deref() != Ok("1") {
        eprintln!("skipped: set CLOSE_TUI_TEST_KEYRING=1 to test the OS keyring");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let mut keys = KeyConfig::new(KeyMode::Keyring, &root.path().join("config"));
    keys.keyring_service = format!("close-tui-test-{}", std::process::id());
    let db = root.path().join("close.db");
    let store = Store::open(&db, keys.clone()).unwrap();
    assert!(store.key_problem().is_none(), "{:?}", store.key_problem());
    assert_eq!(store.key_store(), KeyStoreKind::Keyring);
    assert!(
        !keys.file.exists(),
        "keyring mode never writes the key file"
    );
    store
        .save_login(&profile("orga_1"), &api_key("api_k"))
        .unwrap();
    drop(store);

    let store = Store::open(&db, keys.clone()).unwrap();
    let creds = store.credentials(&profile("orga_1").id).unwrap();
    assert_eq!(creds.api_key.unwrap().expose(), "api_k");
    drop(store);

    // Auto mode finds the same key in the keyring.
    let auto = KeyConfig {
        mode: KeyMode::Auto,
        ..keys.clone()
    };
    let store = Store::open(&db, auto).unwrap();
    assert_eq!(store.key_store(), KeyStoreKind::Keyring);
    assert!(store.credentials(&profile("orga_1").id).is_ok());
    drop(store);

    keys.forget_key().unwrap();
    let store = Store::open(&db, keys.clone()).unwrap();
    assert!(store.credentials(&profile("orga_1").id).is_err());
    store.delete_all().unwrap();
    keys.forget_key().unwrap();
}

#[test]
fn a_silent_keyring_with_no_key_file_is_reported_as_unavailable() {
    let root = tempfile::tempdir().unwrap();
    let db = root.path().join("close.db");
    let file_keys = KeyConfig::new(KeyMode::File, &root.path().join("config"));
    let store = Store::open(&db, file_keys.clone()).unwrap();
    store
        .save_login(&profile("orga_1"), &api_key("api_one"))
        .unwrap();
    drop(store);
    let key = std::fs::read(&file_keys.file).unwrap();
    std::fs::remove_file(&file_keys.file).unwrap();

    let mut auto = KeyConfig {
        mode: KeyMode::Auto,
        ..file_keys.clone()
    };
    auto.keyring_timeout = Duration::ZERO;
    auto.keyring_service = "close-tui-test-never-written".into();
    let store = Store::open(&db, auto).unwrap();
    let err = store.credentials(&profile("orga_1").id).unwrap_err();
    assert!(err.means_signed_out());
    // With no Secret Service the keyring may also answer "no store" before
    // the zero timeout is noticed; either way it is named as the reason.
    let reason = err.to_string();
    assert!(reason.starts_with("keyring error"), "{reason}");
    assert_eq!(store.key_store(), KeyStoreKind::Keyring);
    assert!(
        !file_keys.file.exists(),
        "no key is made over stored secrets"
    );

    // A login meanwhile would need a new key, which would lose every stored
    // login whose key may be in the keyring: it is refused, and says why.
    let err = store
        .save_login(&profile("orga_2"), &api_key("api_two"))
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("not saved"), "{message}");
    assert!(message.contains("CLOSE_TUI_KEY_STORE=file"), "{message}");
    assert!(!message.contains("  "), "{message}");
    let sealed = |org: &str| -> bool {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row(
            "SELECT api_key IS NOT NULL FROM accounts WHERE organization_id = ?1",
            [org],
            |row| row.get(0),
        )
        .unwrap()
    };
    assert!(sealed("orga_1"), "the stored login keeps its sealed key");

    // Once the key can be read again, the same store looks again and saves.
    write_private(&file_keys.file, &key);
    store
        .save_login(&profile("orga_2"), &api_key("api_two"))
        .unwrap();
    let kept = store.credentials(&profile("orga_1").id).unwrap();
    assert_eq!(kept.api_key.unwrap().expose(), "api_one");
    drop(store);

    // Told to use a key file where no key is, it starts again.
    std::fs::remove_file(&file_keys.file).unwrap();
    let store = Store::open(&db, file_keys).unwrap();
    store
        .save_login(&profile("orga_3"), &api_key("api_three"))
        .unwrap();
    assert!(!sealed("orga_1") && sealed("orga_3"));
}

/// Writes `bytes` to a new file only its owner can read.
fn write_private(path: &std::path::Path, bytes: &[u8]) {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    file.write_all(bytes).unwrap();
}

/// A key file that cannot be made (its directory is a file here; a
/// read-only home elsewhere): a login is refused before it starts, and the
/// way out names the file, not the key-file setting already in use.
#[test]
fn a_key_file_that_cannot_be_written_refuses_logins_up_front() {
    let root = tempfile::tempdir().unwrap();
    let not_a_dir = root.path().join("config");
    std::fs::write(&not_a_dir, b"a file where the config directory goes").unwrap();
    let keys = KeyConfig::new(KeyMode::File, &not_a_dir.join("close-tui"));
    let store = Store::open(root.path().join("close.db"), keys.clone()).unwrap();
    let message = store.check_login_can_be_saved().unwrap_err().to_string();
    assert!(message.contains("no login can be saved"), "{message}");
    assert!(
        message.contains(&keys.file.display().to_string()),
        "{message}"
    );
    assert!(!message.contains("CLOSE_TUI_KEY_STORE"), "{message}");
    let err = store
        .save_login(&profile("orga_1"), &api_key("api_one"))
        .unwrap_err();
    assert!(
        err.to_string().contains("this login was not saved"),
        "{err}"
    );
}
