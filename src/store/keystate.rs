//! Choosing the database key at open, and replacing it at login.
//!
//! The database keeps a key-check value: random bytes sealed with the key.
//! A candidate key (keyring first, then the key file) is the right one when
//! it opens the check. When none does and the database holds secrets, the
//! store opens anyway, with every account shown as "needs login" and the
//! reason; it never makes a new key that would orphan those secrets. The
//! next successful login replaces the key (`rekey`).

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::{
    cipher::{Cipher, KeyBytes},
    error::StoreError,
    keys::{self, KeyConfig, KeyMode, KeyStoreKind},
};

const KEY_CHECK_AAD: &str = "meta/key_check";

#[derive(Debug, Clone)]
pub(crate) enum KeyProblem {
    /// Secrets are stored but no key was found.
    Missing,
    /// A key was found but it does not open the key-check.
    Wrong,
    /// The configured key store could not be read.
    Unavailable(String),
}

#[derive(Debug, Clone)]
pub(crate) enum KeyState {
    Ready {
        cipher: Cipher,
        kind: KeyStoreKind,
    },
    Unusable {
        problem: KeyProblem,
        /// Where the missing/wrong key was looked for, and where a new one
        /// will be written.
        kind: KeyStoreKind,
    },
}

impl KeyState {
    pub fn kind(&self) -> KeyStoreKind {
        match self {
            Self::Ready { kind, .. } | Self::Unusable { kind, .. } => *kind,
        }
    }

    /// The cipher, or the error that explains why there is none.
    pub fn cipher(&self) -> Result<&Cipher, StoreError> {
        match self {
            Self::Ready { cipher, .. } => Ok(cipher),
            Self::Unusable { problem, kind } => Err(problem_error(problem, *kind)),
        }
    }
}

pub(crate) fn problem_error(problem: &KeyProblem, kind: KeyStoreKind) -> StoreError {
    match problem {
        KeyProblem::Missing => StoreError::KeyMissing { key_store: kind },
        KeyProblem::Wrong => StoreError::Decrypt { key_store: kind },
        KeyProblem::Unavailable(reason) => StoreError::KeyStore {
            key_store: kind,
            reason: reason.clone(),
        },
    }
}

/// Finds (or on a first run, creates) the key. Runs under the write lock so
/// two processes starting together agree on one key.
pub(crate) fn resolve(conn: &mut Connection, config: &KeyConfig) -> Result<KeyState, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let check: Option<Vec<u8>> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'key_check'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let has_secrets: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE access_token IS NOT NULL \
         OR refresh_token IS NOT NULL OR api_key IS NOT NULL)",
        [],
        |row| row.get(0),
    )?;
    let found = keys::lookup(config);
    let home = found.home(config.mode);

    if let Some(check) = &check {
        for candidate in &found.candidates {
            let Some(key) = &candidate.key else { continue };
            let cipher = Cipher::new(key.clone());
            if cipher.open(check, KEY_CHECK_AAD).is_ok() {
                return Ok(KeyState::Ready {
                    cipher,
                    kind: candidate.kind,
                });
            }
        }
        if has_secrets {
            let (problem, kind) = match (
                found.candidates.first(),
                &found.unavailable,
                &found.keyring_failure,
            ) {
                (Some(candidate), _, _) => (KeyProblem::Wrong, candidate.kind),
                (None, Some(reason), _) => (KeyProblem::Unavailable(reason.clone()), home),
                // Auto mode: the key may well be in the keyring that did not
                // answer; say so rather than "missing".
                (None, None, Some(failure)) => (
                    KeyProblem::Unavailable(format!("{failure}, and there is no key file")),
                    KeyStoreKind::Keyring,
                ),
                (None, None, None) => (KeyProblem::Missing, home),
            };
            return Ok(KeyState::Unusable { problem, kind });
        }
    }

    // Nothing sealed to protect: adopt a valid key, or make one.
    let valid = found
        .candidates
        .iter()
        .find_map(|c| c.key.as_ref().map(|key| (key.clone(), c.kind)));
    let (key, kind) = match valid {
        Some(found) => found,
        None => {
            if let Some(reason) = found.unavailable {
                return Ok(KeyState::Unusable {
                    problem: KeyProblem::Unavailable(reason),
                    kind: home,
                });
            }
            match create(config, home) {
                Ok(made) => made,
                Err(err) => {
                    return Ok(KeyState::Unusable {
                        problem: KeyProblem::Unavailable(err.to_string()),
                        kind: home,
                    });
                }
            }
        }
    };
    let cipher = Cipher::new(key);
    write_check(&tx, &cipher)?;
    tx.commit()?;
    Ok(KeyState::Ready { cipher, kind })
}

/// Replaces the key inside the caller's write transaction: a new key is
/// stored, the key-check rewritten, and every secret sealed with the old
/// key is dropped (its accounts become "needs login"). The caller then
/// writes the fresh login's secrets with the returned cipher.
pub(crate) fn rekey(
    tx: &Transaction<'_>,
    config: &KeyConfig,
    home: KeyStoreKind,
    now: i64,
) -> Result<KeyState, StoreError> {
    let (key, kind) = create(config, home)?;
    let cipher = Cipher::new(key);
    write_check(tx, &cipher)?;
    tx.execute(
        "UPDATE accounts SET access_token = NULL, access_token_expires_at = NULL, \
         refresh_token = NULL, api_key = NULL, \
         state = 'needs_login', needs_login_reason = ?1, updated_at = ?2",
        (
            "the encryption key was replaced after it was lost; log in again",
            now,
        ),
    )?;
    Ok(KeyState::Ready { cipher, kind })
}

/// Makes a key and stores it at `home`; `Auto` falls back to the file when
/// the keyring refuses the write.
fn create(config: &KeyConfig, home: KeyStoreKind) -> Result<(KeyBytes, KeyStoreKind), StoreError> {
    let key = KeyBytes::generate().map_err(|_| StoreError::KeyStore {
        key_store: home,
        reason: "the system random source failed".to_owned(),
    })?;
    match keys::store(config, home, &key) {
        Ok(()) => Ok((key, home)),
        Err(err) if config.mode == KeyMode::Auto && home == KeyStoreKind::Keyring => {
            tracing::warn!(error = %err, "keyring refused the key; using the key file");
            keys::store(config, KeyStoreKind::File, &key)?;
            Ok((key, KeyStoreKind::File))
        }
        Err(err) => Err(err),
    }
}

fn write_check(tx: &Transaction<'_>, cipher: &Cipher) -> Result<(), StoreError> {
    let random = KeyBytes::generate().map_err(|_| StoreError::Invalid("no randomness".into()))?;
    let sealed = cipher
        .seal(random.expose(), KEY_CHECK_AAD)
        .map_err(|_| StoreError::Invalid("sealing the key check failed".into()))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('key_check', ?1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [sealed],
    )?;
    Ok(())
}
