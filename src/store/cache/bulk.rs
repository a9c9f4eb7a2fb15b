//! Loading an empty cache in bulk.
//!
//! A first full sync writes every lead, contact, opportunity and task in
//! an order unrelated to the TUI's indexes (by name, by status, by lead),
//! so each row would land on a random page of each index: at 100,000 leads
//! that was most of the writer's time. Into an empty cache, the sync sets
//! those indexes aside (their DDL is kept in `cache_deferred`, in the
//! transaction that saves the pass's plan) and builds them again at the
//! end, each from one sort, in the transaction that finishes the pass. The
//! unique (account, id) keys of leads, contacts and opportunities go too;
//! meanwhile the writer finds a record fetched twice through its own table
//! of ids (`keys.rs`), so it is still stored once. Tasks keep theirs (the
//! task pass writes them at the same time). A lead fetched again (a
//! window's edge, a resumed page) is noted in `cache_rewritten`, and the
//! children its earlier copy had and it has not are removed once the
//! indexes are back: looking for them then, by a scan of three tables,
//! took about 125 ms a lead at 100,000 leads.
//!
//! A killed sync resumes its plan, and with it the deferral. Any other pass
//! first puts back indexes no bulk plan is waiting for (after a logout
//! cleared the plan, say).

use rusqlite::{Connection, OptionalExtension, Transaction};

use super::{columns::EMBEDDED_IN_LEADS, keys::DEFERRED_KEYS, search_file, shape::EMBEDDED};

/// The writer's page cache while loading in bulk, and after (KiB): the
/// unique keys of 100,000 leads and their children take about 20 MB, and
/// each lands on a random page, so during the load they should all stay
/// in memory; after it, the usual 16 MB is plenty.
const BULK_CACHE_KIB: u32 = 48 * 1024;
const USUAL_CACHE_KIB: u32 = 16 * 1024;

/// Sizes the writing connection's page cache for a bulk load, or back.
pub fn size_cache(tx: &Transaction<'_>, bulk: bool) -> rusqlite::Result<()> {
    let kib = if bulk {
        BULK_CACHE_KIB
    } else {
        USUAL_CACHE_KIB
    };
    // PRAGMA takes no bound parameters; the value is our own constant.
    tx.execute_batch(&format!("PRAGMA cache_size = -{kib}"))
}

/// The tables a lead pass fills.
const TABLES: [&str; 4] = [
    "cache_leads",
    "cache_contacts",
    "cache_opportunities",
    "cache_tasks",
];

/// Whether a full lead pass may load in bulk: no account has a lead cached.
pub fn cache_is_empty(conn: &Connection) -> rusqlite::Result<bool> {
    let any: Option<i64> = conn
        .query_row("SELECT 1 FROM cache_leads LIMIT 1", [], |row| row.get(0))
        .optional()?;
    Ok(any.is_none())
}

/// Drops the secondary indexes of the lead pass's tables, keeping their DDL.
pub fn defer_indexes(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    set_automerge(tx, 0)?;
    let mut found: Vec<(String, String)> = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = ?1",
        )?;
        for table in TABLES {
            let rows = stmt.query_map([table], |row| Ok((row.get(0)?, row.get(1)?)))?;
            for row in rows {
                found.push(row?);
            }
        }
    }
    for (name, sql) in found {
        tx.execute(
            "INSERT OR REPLACE INTO cache_deferred (name, sql) VALUES (?1, ?2)",
            [&name, &sql],
        )?;
        // The name comes from sqlite_schema; quoted all the same.
        tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(())
}

/// Helper threads each index build may sort with.
const SORT_THREADS: i64 = 2;

/// The page cache while indexes are built (KiB), which is also the size
/// of each sorted run: SQLite's least at 16 KB pages.
const SORT_RUN_KIB: i64 = 4 * 1024;

/// The writer's settings an index build changes, to put back after it.
///
/// SQLite sorts an index's keys on its helper threads only in runs it
/// writes out to temporary files, each at most the page cache's size.
/// The writer keeps its temporary storage in memory, and then SQLite
/// sorts everything in one run on the writing thread: `PRAGMA threads`
/// did nothing, and sorting was half of the build while the other core
/// idled. For the build, storage is files (SQLite's own: created 0600
/// and deleted as they are opened) and the cache is one run's size, so
/// the helpers sort runs while the writer reads the table, and merge
/// them while it builds the index. At 100,000 leads the build went from
/// 2.7–3.6 s on one core to 2.1–2.5 s on about 1.3.
pub struct SortInRuns {
    cache_size: i64,
    temp_store: i64,
}

impl SortInRuns {
    pub fn start(conn: &Connection) -> rusqlite::Result<Self> {
        let saved = Self {
            cache_size: pragma(conn, "cache_size")?,
            temp_store: pragma(conn, "temp_store")?,
        };
        // PRAGMA takes no bound parameters; the values are our own.
        conn.execute_batch(&format!(
            "PRAGMA threads = {SORT_THREADS}; PRAGMA cache_size = -{SORT_RUN_KIB};"
        ))?;
        set_temp_store(conn, 1);
        Ok(saved)
    }

    /// Puts the writer's settings back, whatever the build's outcome:
    /// each is tried even if one before it fails.
    pub fn end(self, conn: &Connection) -> rusqlite::Result<()> {
        set_temp_store(conn, self.temp_store);
        let threads = conn.execute_batch("PRAGMA threads = 0");
        // PRAGMA takes no bound parameters; the value is SQLite's own.
        let cache = conn.execute_batch(&format!("PRAGMA cache_size = {}", self.cache_size));
        threads.and(cache)
    }
}

/// Sets where temporary storage goes (1 files, 2 memory). SQLite refuses
/// inside a transaction once the connection has temporary tables open,
/// which the writer never makes; the build is then only slower.
fn set_temp_store(conn: &Connection, store: i64) {
    if let Err(err) = conn.execute_batch(&format!("PRAGMA temp_store = {store}")) {
        tracing::debug!(%err, store, "temporary storage left as it was");
    }
}

fn pragma(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    conn.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
}

/// FTS5's default: merge a level's segments once it has 4 of them.
pub(super) const AUTOMERGE: i64 = 4;

/// How eagerly the search index merges its segments as it is written.
/// A bulk load turns merging off (every batch adds one segment, and FTS5
/// still merges a level that reaches 16), which saved a twentieth of the
/// writer's time; the end of the load turns it back on.
pub(super) fn set_automerge(tx: &Transaction<'_>, segments: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO cache_search (cache_search, rank) VALUES ('automerge', ?1)",
        [segments],
    )?;
    Ok(())
}

/// Builds every deferred index again; returns how many. The unique keys
/// come first: the writer stored every record once (see `keys.rs`), but
/// two writers loading the same account at once may each have stored one,
/// and a key that finds two rows keeps the newer and is built again.
pub fn restore_indexes(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    let mut deferred: Vec<(String, String)> = {
        let mut stmt = tx.prepare("SELECT name, sql FROM cache_deferred ORDER BY rowid")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    deferred.sort_by_key(|(name, _)| table_of_key(name).is_none());
    let sorting = SortInRuns::start(tx)?;
    let built = build(tx, &deferred);
    // The build's own error, if any, is the one to report.
    let ended = sorting.end(tx);
    built?;
    ended?;
    tx.execute("DELETE FROM cache_deferred", [])?;
    drop_stale_children(tx)?;
    // A load that stopped before its search rows were all written (see
    // `search_file.rs`): the index is filled again, now that each lead's
    // contacts are found by their index.
    if search_file::behind(tx)? {
        let leads = search_file::rebuild(tx)?;
        tracing::info!(
            leads,
            "search index filled again after a bulk load that stopped"
        );
    }
    set_automerge(tx, AUTOMERGE)?;
    Ok(deferred.len())
}

/// Runs each index's DDL; a unique key that finds a record stored twice
/// drops the older copy and is built again.
fn build(tx: &Transaction<'_>, deferred: &[(String, String)]) -> rusqlite::Result<()> {
    for (name, sql) in deferred {
        match (tx.execute_batch(sql), table_of_key(name)) {
            (Err(err), Some(table)) if is_constraint(&err) => {
                drop_duplicates(tx, table)?;
                tx.execute_batch(sql)?;
            }
            (result, _) => result?,
        }
    }
    Ok(())
}

/// Removes the children a lead stored again during the load no longer
/// has. A lead's children are written with it, under its `synced` stamp;
/// one stamped earlier came with an earlier copy of the lead. One stamped
/// later was written since by another pass (opportunities, tasks), which
/// found it in Close: it stays. Only the arrays the lead's last copy has
/// say which children it has: those it left out of its raw JSON (its
/// `embedded` bits) and those still in it. An array it lacks says nothing,
/// as when a lead is written outside a bulk load (`write.rs`).
fn drop_stale_children(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    if !tx
        .prepare("SELECT EXISTS (SELECT 1 FROM cache_rewritten)")?
        .query_row([], |row| row.get::<_, bool>(0))?
    {
        return Ok(());
    }
    for ((table, extra), (array, bit, _)) in EMBEDDED_IN_LEADS.into_iter().zip(EMBEDDED) {
        tx.execute(
            &format!(
                "DELETE FROM {table} WHERE rowid IN (
                     SELECT c.rowid FROM cache_rewritten r
                     JOIN cache_leads l ON l.account = r.account AND l.id = r.lead_id
                     JOIN {table} c ON c.account = r.account AND c.lead_id = r.lead_id
                     WHERE coalesce(c.synced, 0) < l.synced{extra}
                       AND (l.embedded & {bit} != 0 OR CASE WHEN json_valid(l.raw)
                            THEN json_type(l.raw, '$.{array}') END = 'array'))"
            ),
            [],
        )?;
    }
    tx.execute("DELETE FROM cache_rewritten", [])?;
    Ok(())
}

/// The table whose unique key the index `name` is, if it is one.
fn table_of_key(name: &str) -> Option<&'static str> {
    DEFERRED_KEYS
        .iter()
        .find(|(_, _, key)| *key == name)
        .map(|(_, table, _)| *table)
}

fn is_constraint(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
}

/// Keeps the newest row of each (account, id) in `table` (one of
/// [`DEFERRED_KEYS`]'): the one written last (`synced`), the one stored
/// last among equals. A dropped lead's search row goes with it.
fn drop_duplicates(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<()> {
    let older = format!(
        "SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY account, id
             ORDER BY coalesce(synced, 0) DESC, rowid DESC) AS newest FROM {table})
         WHERE newest > 1"
    );
    if table == "cache_leads" {
        search_file::touched(tx)?;
        tx.execute(
            &format!("DELETE FROM cache_search WHERE rowid IN ({older})"),
            [],
        )?;
    }
    let dropped = tx.execute(&format!("DELETE FROM {table} WHERE rowid IN ({older})"), [])?;
    tracing::warn!(table, dropped, "records stored twice during a bulk load");
    Ok(())
}

/// Whether some unfinished pass is loading in bulk (its plan says so).
pub fn bulk_pending(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM cache_sync_state WHERE run IS NOT NULL
             AND CASE WHEN json_valid(run) THEN json_extract(run, '$.bulk') END = 1)",
        [],
        |row| row.get(0),
    )
}

/// Whether any index is set aside, waiting to be built.
pub fn any_deferred(conn: &Connection) -> rusqlite::Result<bool> {
    let any: Option<i64> = conn
        .query_row("SELECT 1 FROM cache_deferred LIMIT 1", [], |row| row.get(0))
        .optional()?;
    Ok(any.is_some())
}

/// Puts back deferred indexes that no unfinished bulk pass will build.
pub fn restore_orphans(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    if !any_deferred(tx)? || bulk_pending(tx)? {
        return Ok(0);
    }
    restore_indexes(tx)
}
