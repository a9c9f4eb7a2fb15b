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
use crate::paths::{create_private_dir, keep_private};

/// Long enough to wait out another process's token refresh, which holds the
/// write lock for at most the token request's 30 s timeout.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The page size of a new file. The cache stores each record's JSON (a
/// lead is about 1.5 KB, its children 0.5 KB each): in 16 KB pages a bulk
/// load writes a quarter as many WAL frames as in SQLite's default 4 KB,
/// and the writer's CPU per lead fell by a fifth (`cargo bench --bench
/// sync`); 64 KB pages made index inserts dearer again. A file made
/// before keeps its size; SQLite fixes it at creation.
const PAGE_SIZE: u32 = 16 * 1024;

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
    fs::File::open(path)
        .and_then(|file| keep_private(&file))
        .map_err(|err| StoreError::io(path, err))
}

/// Opens a connection to an existing file and sets its per-connection
/// pragmas. Errors that mean "not a database" come back as `Corrupt`.
pub(crate) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|err| classify(path, err))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|err| classify(path, err))?;
    // Only takes effect on a new, empty file (before WAL is set up).
    conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))
        .map_err(|err| classify(path, err))?;
    use_wal(&conn, "main", path)?;
    conn.execute_batch("PRAGMA foreign_keys = ON")
        .map_err(|err| classify(path, err))?;
    Ok(conn)
}

/// Switches the database `schema` of `conn` (the file at `path`) to WAL,
/// with the settings every file of ours has.
pub(crate) fn use_wal(conn: &Connection, schema: &str, path: &Path) -> Result<(), StoreError> {
    // journal_mode is the first statement that reads the header, so a
    // garbage file fails here, before anything is written. While another
    // connection is switching a fresh file to WAL, or migrating it, the
    // switch answers the old mode or "busy" instead of waiting (the busy
    // timeout does not cover it), so it is tried again for a moment.
    let mut answer = Ok(String::new());
    for _ in 0..300 {
        answer = conn.query_row(&format!("PRAGMA {schema}.journal_mode = WAL"), [], |row| {
            row.get(0)
        });
        match &answer {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => break,
            Err(err) if err.sqlite_error_code() != Some(rusqlite::ErrorCode::DatabaseBusy) => {
                break;
            }
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    let mode = answer.map_err(|err| classify(path, err))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: format!("cannot switch to WAL journaling (got {mode})"),
        });
    }
    // A log started again after a long sync is trimmed back to this.
    conn.execute_batch(&format!(
        "PRAGMA {schema}.synchronous = NORMAL; PRAGMA {schema}.journal_size_limit = 67108864;"
    ))
    .map_err(|err| classify(path, err))
}

/// A read of the account tables' b-trees, limited to the first problem
/// found; run once per `Store::open`. Only the small tables holding
/// accounts and keys are checked, so opening stays fast however large the
/// offline cache grows (a damaged cache page surfaces as an error when read).
pub(crate) fn quick_check(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let mut verdict = String::from("ok");
    for table in ["sqlite_schema", "accounts", "meta"] {
        let exists: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_schema WHERE name = ?1 OR ?1 = 'sqlite_schema'",
                [table],
                |row| row.get(0),
            )
            .map_err(|err| classify(path, err))?;
        if !exists {
            continue;
        }
        verdict = conn
            .query_row(&format!("PRAGMA quick_check('{table}')"), [], |row| {
                row.get(0)
            })
            .map_err(|err| classify(path, err))?;
        if verdict != "ok" {
            break;
        }
    }
    if verdict == "ok" {
        Ok(())
    } else {
        Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            reason: verdict,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_size(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA page_size", [], |row| row.get(0))
            .unwrap()
    }

    /// A new file gets the larger pages; one made before keeps its own.
    #[test]
    fn new_files_get_large_pages_and_old_ones_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.db");
        create_file(&fresh).unwrap();
        let conn = connect(&fresh).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        assert_eq!(page_size(&conn), i64::from(PAGE_SIZE));

        let old = dir.path().join("old.db");
        let made = Connection::open(&old).unwrap();
        made.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x)")
            .unwrap();
        drop(made);
        assert_eq!(page_size(&connect(&old).unwrap()), 4096);
    }
}
