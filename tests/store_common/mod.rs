//! Helpers shared by the store's integration tests: a temp dir holding a
//! database and a key file (file mode: these tests never touch a keyring).
#![allow(dead_code)] // each test crate uses a different subset

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

use chrono::{TimeZone, Utc};
use close_tui::{
    secret::Secret,
    store::{AccountId, AuthKind, Credentials, KeyConfig, KeyMode, Profile, Store},
};

pub struct Env {
    pub _root: tempfile::TempDir,
    pub db: PathBuf,
    pub keys: KeyConfig,
}

pub fn env() -> Env {
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
    pub fn open(&self) -> Store {
        Store::open(&self.db, self.keys.clone()).unwrap()
    }
}

pub fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub fn profile(org: &str, name: &str, user: &str) -> Profile {
    Profile {
        id: AccountId::new(org, user),
        organization_name: name.to_owned(),
        user_email: format!("{user}@example.com"),
        user_name: "Test User".to_owned(),
        auth: AuthKind::OAuth,
    }
}

pub fn oauth(tag: &str) -> Credentials {
    Credentials {
        access_token: Some(Secret::new(format!("sbx_at_{tag}_0123456789"))),
        access_token_expires_at: Some(Utc.with_ymd_and_hms(2031, 1, 2, 3, 4, 5).unwrap()),
        refresh_token: Some(Secret::new(format!("sbx_rt_{tag}_0123456789"))),
        api_key: None,
    }
}

pub fn wal(db: &Path) -> PathBuf {
    db.with_file_name("close.db-wal")
}
