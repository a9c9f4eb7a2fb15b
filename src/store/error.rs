//! `StoreError`: everything that can go wrong in the account store.
//!
//! No variant carries a secret: the cipher reports only which column failed,
//! and keyring errors are reduced to their message, which never holds data.

use std::path::PathBuf;

use super::keys::KeyStoreKind;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file at `path` is not a usable SQLite database. It is left in
    /// place so the user (or a bug report) can inspect it.
    #[error("the database {path} is unreadable ({reason}); it was left in place")]
    Corrupt { path: PathBuf, reason: String },
    #[error("database error: {}", describe_sqlite(.0))]
    Sqlite(#[from] rusqlite::Error),
    /// A stored secret did not decrypt: the key is not the one that sealed
    /// it, or the blob was altered or moved to another row.
    #[error("stored credentials cannot be decrypted (key from {key_store})")]
    Decrypt { key_store: KeyStoreKind },
    /// The database holds encrypted secrets but no key was found.
    #[error("encryption key is missing from the {key_store} (was it deleted?)")]
    KeyMissing { key_store: KeyStoreKind },
    /// The keyring or key file could not be read or written.
    #[error("{key_store} error: {reason}")]
    KeyStore {
        key_store: KeyStoreKind,
        reason: String,
    },
    #[error(
        "the database {path} has schema version {found}, newer than this close-tui knows \
         ({known}); upgrade close-tui or use another --db"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("no stored account for organization {organization_id}, user {user_id}")]
    NotFound {
        organization_id: String,
        user_id: String,
    },
    /// A setting of the key store (`CLOSE_TUI_KEY_STORE`) is not one we
    /// know: the user's mistake, not a lost login.
    #[error("{0}")]
    Setting(String),
    /// A row holds a value this code never writes (e.g. an unknown state).
    #[error("the database holds an invalid value: {0}")]
    Invalid(String),
}

impl StoreError {
    /// True when the stored credentials cannot be used and the account
    /// should be shown as "needs login" with this error's message as the
    /// reason, rather than failing the command.
    pub fn means_signed_out(&self) -> bool {
        matches!(
            self,
            Self::Decrypt { .. }
                | Self::KeyMissing { .. }
                | Self::KeyStore { .. }
                | Self::Corrupt { .. }
        )
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// Maps SQLite's "this is not a database" answers to `Corrupt`, so callers
/// can tell a damaged file from a transient failure such as a busy timeout,
/// and a disk that refuses writes to an I/O error that names the file.
pub(crate) fn classify(path: &std::path::Path, err: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: err.to_string(),
        },
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::ReadOnly
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure,
        ) => StoreError::io(path, std::io::Error::other(describe_sqlite(&err))),
        _ => StoreError::Sqlite(err),
    }
}

/// SQLite's message, plus what to check when the disk refused a write. A
/// full disk often shows up as a bare "disk I/O error" (SQLite's shared
/// memory file cannot grow), and a read-only one as "unable to open
/// database file", neither of which says what to do.
fn describe_sqlite(err: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    let hint = match err.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => "free some disk space and try again",
        Some(ErrorCode::SystemIoFailure) => "check that the disk is not full, read-only or failing",
        Some(ErrorCode::ReadOnly) => "the database or its directory is read-only",
        Some(ErrorCode::CannotOpen) => {
            "check that its directory is writable and the disk is not read-only or full"
        }
        _ => return err.to_string(),
    };
    format!("{err}: {hint}")
}
