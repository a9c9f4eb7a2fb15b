//! The refresh transaction: the cross-process lock around one token refresh.
//!
//! Refresh tokens rotate and are single-use, so two processes must never
//! both send the same one. `begin_refresh` opens its own connection and
//! takes SQLite's write lock (`BEGIN IMMEDIATE`); a second process blocks
//! there until the first commits, then re-reads the account and sees the
//! rotated token (or a fresh access token, and skips the refresh). The
//! HTTP request happens while the lock is held; the commit is one UPDATE.

use chrono::Utc;
use rusqlite::{Connection, params};

use super::{
    Store,
    accounts::{load_account, not_found, read_credentials, seal, set_needs_login},
    cipher::Cipher,
    db,
    error::{StoreError, classify},
    model::{Account, AccountId, Credentials, TokenUpdate, to_unix},
};

/// An open write transaction on one account. `Send`, so it can move into
/// `spawn_blocking` and be held across the `.await` of the HTTP refresh.
/// Dropping it without committing rolls back and releases the lock.
///
/// While it is open, every other write to the database (from any `Store`,
/// in this process too) waits for it: hold it for one token request only,
/// not across retries or backoff sleeps, and record a dead grant with
/// `commit_needs_login`, not `Store::mark_needs_login`, which would wait
/// for this very lock.
pub struct RefreshTxn {
    lock: WriteLock,
    id: AccountId,
    cipher: Cipher,
    account: Account,
    credentials: Credentials,
}

/// A connection inside `BEGIN IMMEDIATE` that rolls back when dropped
/// unless it was committed.
struct WriteLock {
    conn: Connection,
    open: bool,
}

impl WriteLock {
    fn begin(conn: Connection) -> rusqlite::Result<Self> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Self { conn, open: true })
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        if self.open {
            // Best effort: closing the connection rolls back anyway.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl Store {
    /// Takes the cross-process write lock (waiting up to `BUSY_TIMEOUT`)
    /// and reads the account's current credentials under it.
    pub fn begin_refresh(&self, id: &AccountId) -> Result<RefreshTxn, StoreError> {
        let key = self.lock().key.clone();
        let cipher = key.cipher()?.clone();
        let conn = db::connect(self.path())?;
        // The tokens it replaces are overwritten, as the store's own are.
        conn.execute_batch("PRAGMA secure_delete = ON")?;
        let lock = WriteLock::begin(conn).map_err(|err| classify(self.path(), err))?;
        // On an error below, dropping `lock` rolls back.
        let account = load_account(&lock.conn, id, &key)?.ok_or_else(|| not_found(id))?;
        let credentials = read_credentials(&lock.conn, id, &key)?;
        Ok(RefreshTxn {
            lock,
            id: id.clone(),
            cipher,
            account,
            credentials,
        })
    }
}

impl RefreshTxn {
    /// The account as it is now, under the lock: check `state` before
    /// refreshing (another process may have marked it "needs login").
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The credentials as they are now, under the lock. If another process
    /// just refreshed, the access token here is already fresh.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Writes the refresh result in one statement and commits: the new
    /// access token and expiry, the rotated refresh token (or the old one
    /// when the server sent none), `last_refresh_at = now`, connected.
    pub fn commit(mut self, update: TokenUpdate) -> Result<(), StoreError> {
        let access = seal(
            &self.cipher,
            &self.id,
            "access_token",
            Some(&update.access_token),
        )?;
        let refresh = seal(
            &self.cipher,
            &self.id,
            "refresh_token",
            update.refresh_token.as_ref(),
        )?;
        let now = to_unix(Utc::now());
        let changed = self.lock.conn.execute(
            "UPDATE accounts SET access_token = ?3, access_token_expires_at = ?4, \
               refresh_token = COALESCE(?5, refresh_token), last_refresh_at = ?6, \
               state = 'connected', needs_login_reason = NULL, updated_at = ?6 \
             WHERE organization_id = ?1 AND user_id = ?2",
            params![
                self.id.organization_id,
                self.id.user_id,
                access,
                update.access_token_expires_at.map(to_unix),
                refresh,
                now,
            ],
        )?;
        if changed == 0 {
            return Err(not_found(&self.id));
        }
        self.lock.commit()
    }

    /// The token endpoint said the grant is dead (`invalid_grant`, 400/401):
    /// mark the account "needs login" and commit.
    pub fn commit_needs_login(mut self, reason: &str) -> Result<(), StoreError> {
        set_needs_login(&self.lock.conn, &self.id, reason)?;
        self.lock.commit()
    }
}
