//! Account rows: listing, the active pointer, logins and logouts, and
//! decrypting one account's credentials.
//!
//! Every write runs in an IMMEDIATE transaction: in WAL mode a deferred
//! transaction that reads and then writes can fail with SQLITE_BUSY without
//! waiting, while IMMEDIATE takes the lock up front and honours the timeout.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::{
    Store,
    cipher::Cipher,
    error::StoreError,
    keystate::{self, KeyState},
    login_check::{Saving, refuse_without_key_store},
    model::{Account, AccountId, AccountState, AuthKind, Credentials, Profile, from_unix, to_unix},
};
use crate::{printable::printable, secret::Secret};

const ACCOUNT_COLUMNS: &str = "organization_id, user_id, organization_name, user_email, \
    user_name, auth_kind, state, needs_login_reason, access_token_expires_at, last_refresh_at, \
    refresh_token IS NOT NULL, created_at, updated_at, \
    (access_token IS NOT NULL OR refresh_token IS NOT NULL OR api_key IS NOT NULL)";

impl Store {
    /// All accounts, oldest first. Never decrypts anything.
    pub fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let inner = self.lock();
        let active = read_active(&inner.conn)?;
        let mut stmt = inner.conn.prepare(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY created_at, rowid"
        ))?;
        let rows = stmt.query_map([], |row| read_account(row, active.as_ref(), &inner.key))?;
        rows.map(|row| row?).collect()
    }

    pub fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError> {
        let inner = self.lock();
        load_account(&inner.conn, id, &inner.key)
    }

    pub fn active_account(&self) -> Result<Option<Account>, StoreError> {
        let inner = self.lock();
        match read_active(&inner.conn)? {
            Some(id) => load_account(&inner.conn, &id, &inner.key),
            None => Ok(None),
        }
    }

    pub fn set_active(&self, id: &AccountId) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        require(&tx, id)?;
        write_active(&tx, Some(id))?;
        tx.commit()?;
        Ok(())
    }

    /// The account whose organization id equals `query`, or whose
    /// organization name equals it ignoring case. With several matches
    /// (one org, several users) the active one wins, then the most recently
    /// updated.
    pub fn find_account(&self, query: &str) -> Result<Option<Account>, StoreError> {
        let wanted = query.trim().to_lowercase();
        let mut matches: Vec<Account> = self
            .list_accounts()?
            .into_iter()
            .filter(|account| {
                account.profile.id.organization_id == query.trim()
                    || account.profile.organization_name.to_lowercase() == wanted
            })
            .collect();
        matches.sort_by_key(|account| (account.active, account.updated_at));
        Ok(matches.pop())
    }

    /// Stores a fresh login (insert or replace), marks it connected and makes
    /// it active. If the store's key was missing or wrong, a new key is made
    /// first and the secrets sealed with the old one are dropped.
    pub fn save_login(
        &self,
        profile: &Profile,
        credentials: &Credentials,
    ) -> Result<Account, StoreError> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let now = to_unix(Utc::now());
        refuse_without_key_store(inner, &self.keys, Saving::Login)?;
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let new_key = match &inner.key {
            KeyState::Ready { .. } => None,
            KeyState::Unusable { kind, .. } => Some(keystate::rekey(&tx, &self.keys, *kind, now)?),
        };
        let cipher = new_key.as_ref().unwrap_or(&inner.key).cipher()?;
        let id = &profile.id;
        let blobs = [
            seal(
                cipher,
                id,
                "access_token",
                credentials.access_token.as_ref(),
            )?,
            seal(
                cipher,
                id,
                "refresh_token",
                credentials.refresh_token.as_ref(),
            )?,
            seal(cipher, id, "api_key", credentials.api_key.as_ref())?,
        ];
        let [access, refresh, api_key] = blobs;
        tx.execute(
            "INSERT INTO accounts (organization_id, user_id, organization_name, user_email, \
               user_name, auth_kind, access_token, access_token_expires_at, refresh_token, \
               api_key, last_refresh_at, state, needs_login_reason, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, 'connected', NULL, ?11, ?11) \
             ON CONFLICT (organization_id, user_id) DO UPDATE SET \
               organization_name = excluded.organization_name, \
               user_email = excluded.user_email, user_name = excluded.user_name, \
               auth_kind = excluded.auth_kind, access_token = excluded.access_token, \
               access_token_expires_at = excluded.access_token_expires_at, \
               refresh_token = excluded.refresh_token, api_key = excluded.api_key, \
               last_refresh_at = NULL, state = 'connected', needs_login_reason = NULL, \
               updated_at = excluded.updated_at",
            params![
                id.organization_id,
                id.user_id,
                profile.organization_name,
                profile.user_email,
                profile.user_name,
                profile.auth.as_str(),
                access,
                credentials.access_token_expires_at.map(to_unix),
                refresh,
                api_key,
                now,
            ],
        )?;
        write_active(&tx, Some(id))?;
        // Read back before the commit: once committed, the login is saved,
        // and nothing after may say it was not (its tokens would be revoked).
        let key = new_key.as_ref().unwrap_or(&inner.key);
        let account = load_account(&tx, id, key)?.ok_or_else(|| not_found(id))?;
        tx.commit()?;
        if let Some(key) = new_key {
            inner.key = key;
        }
        Ok(account)
    }

    /// Decrypts one account's secrets.
    pub fn credentials(&self, id: &AccountId) -> Result<Credentials, StoreError> {
        let inner = self.lock();
        read_credentials(&inner.conn, id, &inner.key)
    }

    /// Marks the account "needs login". The secrets stay (a later `logout`
    /// may still revoke them); only a new login clears the state.
    pub fn mark_needs_login(&self, id: &AccountId, reason: &str) -> Result<(), StoreError> {
        let inner = self.lock();
        set_needs_login(&inner.conn, id, reason)
    }

    /// Deletes the account and its secrets. If it was active, no account is
    /// active afterwards: the store never picks one silently, so a script
    /// cannot end up acting in another organization. Returns whether a row
    /// was deleted.
    pub fn delete_account(&self, id: &AccountId) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = tx.execute(
            "DELETE FROM accounts WHERE organization_id = ?1 AND user_id = ?2",
            (&id.organization_id, &id.user_id),
        )? > 0;
        if read_active(&tx)?.as_ref() == Some(id) {
            write_active(&tx, None)?;
        }
        tx.commit()?;
        Ok(deleted)
    }

    /// Deletes every account. The key and key-check stay, so the next login
    /// reuses them. Returns how many accounts were deleted.
    pub fn delete_all(&self) -> Result<usize, StoreError> {
        let mut inner = self.lock();
        let tx = inner
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deleted = tx.execute("DELETE FROM accounts", [])?;
        write_active(&tx, None)?;
        tx.commit()?;
        Ok(deleted)
    }
}

pub(crate) fn load_account(
    conn: &Connection,
    id: &AccountId,
    key: &KeyState,
) -> Result<Option<Account>, StoreError> {
    let active = read_active(conn)?;
    conn.query_row(
        &format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE organization_id = ?1 AND user_id = ?2"
        ),
        (&id.organization_id, &id.user_id),
        |row| read_account(row, active.as_ref(), key),
    )
    .optional()?
    .transpose()
}

pub(crate) fn read_credentials(
    conn: &Connection,
    id: &AccountId,
    key: &KeyState,
) -> Result<Credentials, StoreError> {
    type Blobs = (
        Option<Vec<u8>>,
        Option<i64>,
        Option<Vec<u8>>,
        Option<Vec<u8>>,
    );
    let blobs: Option<Blobs> = conn
        .query_row(
            "SELECT access_token, access_token_expires_at, refresh_token, api_key \
             FROM accounts WHERE organization_id = ?1 AND user_id = ?2",
            (&id.organization_id, &id.user_id),
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    let (access, expires, refresh, api_key) = blobs.ok_or_else(|| not_found(id))?;
    let cipher = key.cipher()?;
    let open = |column: &str, blob: Option<Vec<u8>>| -> Result<Option<Secret>, StoreError> {
        blob.map(|blob| {
            cipher
                .open_secret(&blob, &id.aad(column))
                .map_err(|_| StoreError::Decrypt {
                    key_store: key.kind(),
                })
        })
        .transpose()
    };
    Ok(Credentials {
        access_token: open("access_token", access)?,
        access_token_expires_at: expires.and_then(from_unix),
        refresh_token: open("refresh_token", refresh)?,
        api_key: open("api_key", api_key)?,
    })
}

pub(crate) fn set_needs_login(
    conn: &Connection,
    id: &AccountId,
    reason: &str,
) -> Result<(), StoreError> {
    let changed = conn.execute(
        "UPDATE accounts SET state = 'needs_login', needs_login_reason = ?3, updated_at = ?4 \
         WHERE organization_id = ?1 AND user_id = ?2",
        params![id.organization_id, id.user_id, reason, to_unix(Utc::now())],
    )?;
    if changed == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

pub(crate) fn seal(
    cipher: &Cipher,
    id: &AccountId,
    column: &str,
    secret: Option<&Secret>,
) -> Result<Option<Vec<u8>>, StoreError> {
    secret
        .map(|secret| {
            cipher
                .seal_secret(secret, &id.aad(column))
                .map_err(|_| StoreError::Invalid(format!("sealing {column} failed")))
        })
        .transpose()
}

pub(crate) fn not_found(id: &AccountId) -> StoreError {
    StoreError::NotFound {
        organization_id: id.organization_id.clone(),
        user_id: id.user_id.clone(),
    }
}

fn require(conn: &Connection, id: &AccountId) -> Result<(), StoreError> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE organization_id = ?1 AND user_id = ?2)",
        (&id.organization_id, &id.user_id),
        |row| row.get(0),
    )?;
    if exists { Ok(()) } else { Err(not_found(id)) }
}

fn read_active(conn: &Connection) -> Result<Option<AccountId>, StoreError> {
    let get = |key: &str| -> Result<Option<String>, StoreError> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    };
    Ok(
        match (get("active_organization_id")?, get("active_user_id")?) {
            (Some(org), Some(user)) => Some(AccountId::new(org, user)),
            _ => None,
        },
    )
}

fn write_active(conn: &Connection, id: Option<&AccountId>) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM meta WHERE key IN ('active_organization_id', 'active_user_id')",
        [],
    )?;
    if let Some(id) = id {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('active_organization_id', ?1), \
             ('active_user_id', ?2)",
            (&id.organization_id, &id.user_id),
        )?;
    }
    Ok(())
}

/// One row into an `Account`. The outer `rusqlite::Result` is for column
/// access; the inner one for values this code never writes.
fn read_account(
    row: &Row<'_>,
    active: Option<&AccountId>,
    key: &KeyState,
) -> rusqlite::Result<Result<Account, StoreError>> {
    let id = AccountId::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?);
    let auth: String = row.get(5)?;
    let state: String = row.get(6)?;
    let reason: Option<String> = row.get(7)?;
    let has_secrets: bool = row.get(13)?;
    let (created, updated): (i64, i64) = (row.get(11)?, row.get(12)?);
    let Some(auth) = AuthKind::parse(&auth) else {
        return Ok(Err(StoreError::Invalid(format!("auth kind {auth:?}"))));
    };
    let state = match (state.as_str(), key.cipher()) {
        ("needs_login", _) => AccountState::NeedsLogin {
            reason: reason.unwrap_or_else(|| "log in again".to_owned()),
        },
        (_, Err(problem)) if has_secrets => AccountState::NeedsLogin {
            reason: problem.to_string(),
        },
        ("connected", _) => AccountState::Connected,
        (other, _) => return Ok(Err(StoreError::Invalid(format!("account state {other:?}")))),
    };
    Ok(Ok(Account {
        active: active == Some(&id),
        profile: Profile {
            id,
            // Cleaned on the way in since; rows stored before are cleaned
            // here, as every command prints them.
            organization_name: printable(&row.get::<_, String>(2)?),
            user_email: printable(&row.get::<_, String>(3)?),
            user_name: printable(&row.get::<_, String>(4)?),
            auth,
        },
        state,
        access_token_expires_at: row.get::<_, Option<i64>>(8)?.and_then(from_unix),
        last_refresh_at: row.get::<_, Option<i64>>(9)?.and_then(from_unix),
        refresh_token_stored: row.get(10)?,
        created_at: from_unix(created).unwrap_or_default(),
        updated_at: from_unix(updated).unwrap_or_default(),
    }))
}
