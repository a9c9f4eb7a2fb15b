//! Schema versions, applied in order through `PRAGMA user_version`.
//!
//! Each step runs in its own IMMEDIATE transaction that re-reads the
//! version first, so two processes opening a fresh database at once apply
//! every step exactly once. Steps are append-only: never edit a released
//! one, add the next.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::error::{StoreError, classify};

/// Step `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // v1: accounts and their sealed secrets, plus a small key/value table.
    r"
    CREATE TABLE accounts (
        organization_id          TEXT NOT NULL,
        user_id                  TEXT NOT NULL,
        organization_name        TEXT NOT NULL,
        user_email               TEXT NOT NULL,
        user_name                TEXT NOT NULL,
        auth_kind                TEXT NOT NULL CHECK (auth_kind IN ('oauth', 'api_key')),
        -- Sealed blobs (see store/cipher.rs), bound to row and column.
        access_token             BLOB,
        access_token_expires_at  INTEGER,  -- unix seconds, UTC
        refresh_token            BLOB,
        api_key                  BLOB,
        last_refresh_at          INTEGER,
        state                    TEXT NOT NULL DEFAULT 'connected'
                                 CHECK (state IN ('connected', 'needs_login')),
        needs_login_reason       TEXT,
        created_at               INTEGER NOT NULL,
        updated_at               INTEGER NOT NULL,
        PRIMARY KEY (organization_id, user_id)
    ) STRICT;
    -- Keys used: active_organization_id, active_user_id, key_check,
    -- created_by (the close-tui version that made the file).
    CREATE TABLE meta (
        key    TEXT PRIMARY KEY NOT NULL,
        value  ANY NOT NULL
    ) STRICT;
    ",
    // v2: the offline cache and its search index.
    include_str!("cache/schema_v2.sql"),
    // v3: indexes set aside during a bulk load.
    include_str!("cache/schema_v3.sql"),
    // v4: named unique keys for the tables a bulk load fills.
    include_str!("cache/schema_v4.sql"),
    // v5: when each cached record was last written.
    include_str!("cache/schema_v5.sql"),
    // v6: from when the event log is read next, on Close's clock.
    include_str!("cache/schema_v6.sql"),
    // v7: no indexes that no screen reads.
    include_str!("cache/schema_v7.sql"),
    // v8: the search index in a file of its own.
    include_str!("cache/schema_v8.sql"),
];

/// The schema version this code writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to `SCHEMA_VERSION`; refuses a newer one.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let sql = |err| classify(path, err);
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        let Some(step) = usize::try_from(version)
            .ok()
            .and_then(|index| MIGRATIONS.get(index))
        else {
            // At the current version (a negative one is rejected below).
            if version < 0 {
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    reason: format!("negative schema version {version}"),
                });
            }
            return Ok(());
        };
        tx.execute_batch(step).map_err(sql)?;
        if version == 0 {
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('created_by', ?1)",
                [concat!("close-tui ", env!("CARGO_PKG_VERSION"))],
            )
            .map_err(sql)?;
        }
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn migrates_once_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn, &path).unwrap();
        assert_eq!(version(&conn), SCHEMA_VERSION);
        migrate(&mut conn, &path).unwrap();
        assert_eq!(version(&conn), SCHEMA_VERSION);
        let rows: i64 = conn
            .query_row(
                "SELECT count(*) FROM meta WHERE key = 'created_by'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rows, 1);
    }

    /// v7 drops the indexes no screen reads, also from a bulk load's list
    /// of indexes to build again, and keeps the others there.
    #[test]
    fn v7_drops_the_unread_indexes_even_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).unwrap();
        for step in &MIGRATIONS[..6] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 6;
             INSERT INTO cache_deferred (name, sql) SELECT name, sql FROM sqlite_schema
                 WHERE name IN ('cache_leads_name', 'cache_leads_updated');
             DROP INDEX cache_leads_name;
             DROP INDEX cache_leads_updated;",
        )
        .unwrap();
        migrate(&mut conn, &path).unwrap();
        let names = |sql: &str| -> Vec<String> {
            let mut stmt = conn.prepare(sql).unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let gone = "('cache_leads_name', 'cache_leads_status', 'cache_opportunities_status')";
        let left = names(&format!(
            "SELECT name FROM sqlite_schema WHERE name IN {gone}"
        ));
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(
            names("SELECT name FROM cache_deferred"),
            ["cache_leads_updated"]
        );
        assert!(
            names("SELECT name FROM sqlite_schema WHERE type = 'index'")
                .contains(&"cache_opportunities_updated".to_owned())
        );
    }

    /// v4 rebuilds three cache tables: rows keep their rowids (the search
    /// rows point at them), the keys are unique indexes, UPSERT works.
    #[test]
    fn v4_keeps_rows_and_rowids_and_names_the_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).unwrap();
        for step in &MIGRATIONS[..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO cache_accounts (id, organization_id, user_id) VALUES (1, 'o', 'u');
             INSERT INTO cache_leads (rowid, account, id, name, raw)
                 VALUES (7, 1, 'lead_a', 'Acme', '{}');
             INSERT INTO cache_contacts (rowid, account, id, lead_id, name, raw)
                 VALUES (3, 1, 'cont_a', 'lead_a', 'Ann', '{}');
             INSERT INTO cache_opportunities (rowid, account, id, lead_id, raw)
                 VALUES (5, 1, 'oppo_a', 'lead_a', '{}');
             INSERT INTO cache_deferred (name, sql)
                 SELECT name, sql FROM sqlite_schema WHERE name = 'cache_leads_updated';
             DROP INDEX cache_leads_updated;",
        )
        .unwrap();
        migrate(&mut conn, &path).unwrap();
        let found: (i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT rowid FROM cache_leads WHERE id = 'lead_a'),
                        (SELECT rowid FROM cache_contacts WHERE id = 'cont_a'),
                        (SELECT rowid FROM cache_opportunities WHERE id = 'oppo_a')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(found, (7, 3, 5));
        let indexes: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name IN ('cache_leads_key',
                     'cache_contacts_key', 'cache_opportunities_key', 'cache_leads_updated')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 4);
        let deferred: i64 = conn
            .query_row("SELECT count(*) FROM cache_deferred", [], |r| r.get(0))
            .unwrap();
        assert_eq!(deferred, 0, "the rebuilt tables' indexes are all back");
        conn.execute(
            "INSERT INTO cache_leads (account, id, name, raw) VALUES (1, 'lead_a', 'New', '{}')
             ON CONFLICT (account, id) DO UPDATE SET name = excluded.name",
            [],
        )
        .unwrap();
        let name: String = conn
            .query_row("SELECT name FROM cache_leads WHERE rowid = 7", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, "New");
    }

    /// v8 moves the search index out of the database; the cache fills
    /// the search file from the records when it first opens.
    #[test]
    fn v8_moves_the_search_index_to_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("close.db");
        let conn = Connection::open(&path).unwrap();
        for step in &MIGRATIONS[..7] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 7;
             INSERT INTO cache_accounts (id, organization_id, user_id) VALUES (1, 'o', 'u');
             INSERT INTO cache_leads (rowid, account, id, name, embedded, raw)
                 VALUES (7, 1, 'lead_a', 'Acme', 1, '{\"id\":\"lead_a\",\"display_name\":\"Acme\"}');
             INSERT INTO cache_search (rowid, name, people) VALUES (7, 'Acme', 'Ann');
             INSERT INTO cache_contacts (account, id, lead_id, name, raw)
                 VALUES (1, 'cont_a', 'lead_a', 'Ann',
                         '{\"id\":\"cont_a\",\"lead_id\":\"lead_a\",\"name\":\"Ann Zed\"}');",
        )
        .unwrap();
        drop(conn);
        let keys = crate::store::KeyConfig::new(crate::store::KeyMode::File, &dir.path().join("k"));
        let store = crate::store::Store::open(&path, keys).unwrap();
        let cache = store.cache().unwrap();
        let hits = cache
            .search(&crate::store::AccountId::new("o", "u"), "zed", 5)
            .unwrap();
        assert_eq!(
            hits.len(),
            1,
            "found by its contact's name, from the records"
        );
        assert_eq!(hits[0].lead_id, "lead_a");
        let left: i64 = Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'cache_search'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
        let err = migrate(&mut conn, &path).unwrap_err();
        assert!(
            matches!(err, StoreError::NewerSchema { found: 99, .. }),
            "{err}"
        );
    }
}
