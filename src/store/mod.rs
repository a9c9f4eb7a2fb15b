//! The local store: accounts and their encrypted secrets in SQLite, and the
//! key that seals them, which lives outside the database.
//!
//! `Store` is synchronous (rusqlite); async callers wrap each call in
//! `spawn_blocking`. It is `Send + Sync`: one connection behind a `Mutex`
//! serves the short reads and writes, and each token refresh opens its own
//! connection (`begin_refresh`), so a refresh that holds the database's
//! write lock across an HTTP request never blocks this process's reads.
//!
//! Cross-process safety comes from SQLite itself: WAL lets readers run while
//! one writer holds the lock, and the 60 s busy timeout makes a second
//! process wait for the first one's refresh instead of failing.

mod accounts;
pub mod cache;
mod cipher;
mod db;
mod error;
mod keyfile;
mod keyring_io;
mod keys;
mod keystate;
mod login_check;
mod migrations;
mod model;
mod refresh;

use std::{
    path::{Path, PathBuf},
    sync::{Mutex, MutexGuard},
};

use rusqlite::Connection;

pub use db::BUSY_TIMEOUT;
pub use error::StoreError;
pub use keys::{KEY_STORE_ENV, KEYRING_TIMEOUT, KeyConfig, KeyMode, KeyStoreKind};
pub use migrations::SCHEMA_VERSION;
pub use model::{Account, AccountId, AccountState, AuthKind, Credentials, Profile, TokenUpdate};
pub use refresh::RefreshTxn;

use keystate::KeyState;

/// The most a logout waits to empty the WAL (see `Store::truncate_wal`).
const WAL_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

pub struct Store {
    path: PathBuf,
    keys: KeyConfig,
    inner: Mutex<Inner>,
}

struct Inner {
    conn: Connection,
    key: KeyState,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and finds its key.
    ///
    /// A file that is not a database gives `Corrupt` and is left untouched.
    /// A missing or wrong key does *not* fail the open: accounts list as
    /// "needs login" with the reason, and the next `save_login` re-keys.
    pub fn open(path: impl AsRef<Path>, keys: KeyConfig) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        db::create_file(&path)?;
        let mut conn = db::connect(&path)?;
        // A secret replaced or deleted is overwritten, not left in a free
        // page (the cache's connections set it only to clear an account).
        conn.execute_batch("PRAGMA secure_delete = ON")?;
        db::quick_check(&conn, &path)?;
        migrations::migrate(&mut conn, &path)?;
        let key = keystate::resolve(&mut conn, &keys)?;
        if let KeyState::Unusable { problem, kind } = &key {
            let reason = keystate::problem_error(problem, *kind);
            tracing::warn!(%reason, "stored credentials are unusable until the next login");
        }
        Ok(Self {
            path,
            keys,
            inner: Mutex::new(Inner { conn, key }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The offline cache in this database, on connections of its own.
    pub fn cache(&self) -> Result<cache::Cache, StoreError> {
        cache::Cache::open(&self.path)
    }

    /// Logs an account out here: deletes it and its secrets, then what the
    /// cache holds for it (its Close data should not outlive the login).
    /// Returns whether it was stored.
    pub fn log_out(&self, id: &AccountId) -> Result<bool, StoreError> {
        let deleted = self.delete_account(id)?;
        self.cache()?.clear(id)?;
        self.truncate_wal();
        Ok(deleted)
    }

    /// Copies the WAL into the database and empties it, so the pages a
    /// logout overwrote leave no older copy behind there. Best effort: a
    /// reader in another process can hold the log, and then its next
    /// checkpoint does it.
    fn truncate_wal(&self) {
        let inner = self.lock();
        // Not worth a wait: a sync or an export in another process holds
        // the log, and its own checkpoints copy these pages later.
        let _ = inner.conn.busy_timeout(WAL_WAIT);
        let done = inner
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                row.get::<_, i64>(0)
            });
        let _ = inner.conn.busy_timeout(db::BUSY_TIMEOUT);
        if !matches!(done, Ok(0)) {
            tracing::debug!(?done, "the WAL could not be emptied after a logout");
        }
    }

    /// Where the key in use lives (or, when it is missing, where it was
    /// looked for). `status` prints it.
    pub fn key_store(&self) -> KeyStoreKind {
        self.lock().key.kind()
    }

    /// Why stored credentials cannot be decrypted right now, if they can't.
    pub fn key_problem(&self) -> Option<StoreError> {
        self.lock().key.cipher().err()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the connection in a
        // half-written state (SQLite rolls back an open transaction), so a
        // poisoned lock is safe to keep using.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}

    #[test]
    fn handles_cross_threads() {
        assert_send_sync::<Store>();
        assert_send::<RefreshTxn>();
        assert_send_sync::<StoreError>();
    }
}
