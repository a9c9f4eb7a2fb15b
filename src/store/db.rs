//! Opening the SQLite file: private mode from creation, WAL, busy timeout.
//!
//! We create the file ourselves (0600, `create_new`) and then open it
//! without `SQLITE_OPEN_CREATE`, so SQLite never makes a file with the
//! umask's mode. SQLite gives the `-wal` and `-shm` files the main file's
//! permissions, so they are private too.

use std::{fs, io, path::Path, time::Duration};

use rusqlite::{Connection, OpenFlags};

use super::{
    error::{StoreError, classify},
    keyfile::create_new_private,
};
use crate::paths::create_private_dir;

/// Long enough to wait out another process's token refresh, which holds the
/// write lock for at most the token request's 30 s timeout.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// Makes sure the file exists with mode 0600, in a 0700 directory.
pub(crate) fn create_file(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|err| StoreError::io(dir, err))?;
    }
    match create_new_private(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => tighten(path),
        Err(err) => Err(StoreError::io(path, err)),
    }
}

/// An existing database readable by others (made by hand, or by a copy)
/// is made private; tokens in it are encrypted, but account names are not.
fn tighten(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(path).map_err(|err| StoreError::io(path, err))?;
        if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))
                .map_err(|err| StoreError::io(path, err))?;
        }
    }
    Ok(())
}

/// Opens a connection to an existing file and sets its per-connection
/// pragmas. Errors that mean "not a database" come back as `Corrupt`.
pub(crate) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|err| classify(path, err))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|err| classify(path, err))?;
    // journal_mode is the first statement that reads the header, so a
    // garbage file fails here, before anything is written.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|err| classify(path, err))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("cannot switch to WAL journaling (got {mode})"),
        });
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(|err| classify(path, err))?;
    Ok(conn)
}

/// A full read of the file's b-trees, limited to the first problem found.
/// Cheap for an account store; run once per `Store::open`.
pub(crate) fn quick_check(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let verdict: String = conn
        .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
        .map_err(|err| classify(path, err))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: verdict,
        })
    }
}
