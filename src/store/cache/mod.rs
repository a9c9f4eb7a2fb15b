//! The offline cache: Close records per account, in the same SQLite file
//! as the accounts (schema v2), with a full-text index for search in a
//! file of its own beside it (`search_file.rs`, schema v8).
//!
//! `Cache` has its own two connections, one that writes (sync) and one that
//! reads (the TUI), so a sync committing a batch never makes a screen wait
//! behind the account store's lock; WAL lets the reader see the last commit
//! while the writer works. Like `Store`, it is synchronous: async callers
//! use `spawn_blocking`.

pub mod bulk;
mod checkpoint;
mod columns;
mod export;
mod fields;
mod forget;
mod keys;
mod lead;
mod packed;
mod read;
#[cfg(test)]
mod reader_tests;
#[cfg(test)]
mod reference;
mod rows;
mod scan;
mod search;
mod search_file;
mod shape;
pub mod state;
mod sweep;
mod window;
mod write;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Mutex, MutexGuard, PoisonError, TryLockError},
};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{AccountId, StoreError, db};

pub use checkpoint::Checkpointer;
pub use export::{Columns, ExportError};
pub use forget::forget;
pub use keys::{BulkKeys, keys_deferred};
pub use read::{ListQuery, Sort};
pub use rows::{
    ActivityRow, ContactRow, HitSource, LeadDetail, LeadRow, OpportunityRow, SearchHit, TaskRow,
};
pub use search::fts_query;
pub use search_file::{SearchLoad, path as search_path};
pub use shape::{Prepared, prepare};
pub use state::{Finished, SyncState, finish_run, mark_activities_loaded, now_unix, save_run};
pub use sweep::{Scope, sweep};
pub use write::{
    AccountKey, Rejected, SearchRows, account_key, raise_stamp_floor, upsert, upsert_deferred,
    upsert_keyed, upsert_text, write_bulk, write_prepared, written_now,
};

/// The WHERE term that picks one account's rows, with its ids as `?1` and
/// `?2`: the subquery runs once, and the tables' indexes start with the key.
pub(crate) const OF_ACCOUNT: &str =
    "account = (SELECT id FROM cache_accounts WHERE organization_id = ?1 AND user_id = ?2)";

/// How much WAL the writer lets grow before it checkpoints.
const CHECKPOINT_BYTES: i64 = 64 * 1024 * 1024;

/// Cached `count(*)` answers, valid while the database's `data_version` is
/// unchanged (it moves whenever any connection commits a write).
type CountCache = HashMap<String, (i64, i64)>;

pub struct Cache {
    path: PathBuf,
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    counts: Mutex<CountCache>,
    /// Rows at known positions, for deep pages (`window.rs`).
    positions: Mutex<window::Positions>,
    /// Checkpointers running beside the writer (one per sync pass); the
    /// writer checkpoints itself again once the last one ends.
    checkpointers: Mutex<usize>,
    /// [`Cache::outside_version`] when the cache opened, before anything
    /// was read through it.
    opened_version: i64,
}

impl Cache {
    /// Opens the cache in the database at `path`, which `Store::open` has
    /// already created and migrated.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        db::create_file(&search_file::path(&path))?;
        let mut writer = db::connect(&path)?;
        search_file::attach_or_renew(&writer, &path)?;
        search_file::adopt(&mut writer)?;
        let opened_version = writer.query_row("PRAGMA data_version", [], |row| row.get(0))?;
        // The writer's pages and sort scratch stay in memory (about 16 MB
        // at most, within sync's memory budget), and a sync's WAL is
        // checkpointed every 64 MB rather than SQLite's 1,000 pages, so a
        // page of an index is written back once per many batches, not once
        // per batch.
        writer.execute_batch("PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;")?;
        set_autocheckpoint(&writer)?;
        // Every statement a lead's write runs stays prepared (rusqlite keeps 16).
        writer.set_prepared_statement_cache_capacity(64);
        let reader = db::connect(&path)?;
        search_file::attach(&reader, &path)?;
        Ok(Self {
            path,
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            counts: Mutex::new(HashMap::new()),
            positions: Mutex::default(),
            checkpointers: Mutex::new(0),
            opened_version,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A checkpointer starts: the writer leaves checkpoints to it.
    fn checkpointer_started(&self) -> Result<(), StoreError> {
        let mut running = self
            .checkpointers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        lock(&self.writer).execute_batch("PRAGMA wal_autocheckpoint = 0")?;
        *running += 1;
        Ok(())
    }

    /// A checkpointer ended: once none runs, the writer checkpoints the WAL
    /// itself again (see `checkpoint.rs`).
    fn checkpointer_ended(&self) -> Result<(), StoreError> {
        let mut running = self
            .checkpointers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *running = running.saturating_sub(1);
        if *running == 0 {
            set_autocheckpoint(&lock(&self.writer))?;
        }
        Ok(())
    }

    /// Runs `work` in one transaction on the writing connection, holding
    /// the database's write lock from its start, and commits it; an error
    /// rolls everything back.
    pub fn write<R>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<R>,
    ) -> Result<R, StoreError> {
        let mut conn = lock(&self.writer);
        // IMMEDIATE would take every attached file's lock, the search
        // file's too, which a bulk load's search thread is writing. A
        // statement that writes nothing takes the database's alone,
        // waiting for it as IMMEDIATE does; the search file's is taken
        // when the transaction first writes there.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        tx.execute_batch("UPDATE cache_search_state SET id = id WHERE 0")?;
        let out = work(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `work` with the reading connection.
    pub(crate) fn read<R>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<R>,
    ) -> Result<R, StoreError> {
        let conn = lock(&self.reader);
        Ok(work(&conn)?)
    }

    /// A number that moves whenever a connection other than this cache's
    /// writer commits to the database: another process's sync, login or
    /// logout (and this process's account store), never this cache's own
    /// writes (`PRAGMA data_version` of the writing connection). `None`
    /// while this process is writing: it asks again later, rather than
    /// wait.
    pub fn outside_version(&self) -> Result<Option<i64>, StoreError> {
        let writer = match self.writer.try_lock() {
            Ok(writer) => writer,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return Ok(None),
        };
        Ok(Some(writer.query_row(
            "PRAGMA data_version",
            [],
            |row| row.get(0),
        )?))
    }

    /// Whether a first sync is loading the cache in bulk, its indexes set
    /// aside (`bulk.rs`): lists then read unindexed tables, so a screen
    /// waits for the load to end rather than read them again meanwhile.
    pub fn loading_in_bulk(&self) -> Result<bool, StoreError> {
        self.read(bulk::any_deferred)
    }

    /// [`Cache::outside_version`] as it was when the cache opened: a change
    /// made between then and a first look at the version still counts.
    pub fn opened_version(&self) -> i64 {
        self.opened_version
    }

    /// Forgets everything cached for `account` (records, search rows and
    /// sync state) when it is logged out ([`crate::store::Store::log_out`]).
    pub fn clear(&self, account: &AccountId) -> Result<(), StoreError> {
        // What goes is overwritten, not only unlinked (a logout promises
        // the data is gone from the file); syncs leave this off, as it
        // would zero every index a full sync sets aside.
        lock(&self.writer).execute_batch("PRAGMA secure_delete = ON")?;
        let cleared = self.clear_overwriting(account);
        lock(&self.writer).execute_batch("PRAGMA secure_delete = OFF")?;
        cleared
    }

    fn clear_overwriting(&self, account: &AccountId) -> Result<(), StoreError> {
        self.write(|tx| {
            let who = rusqlite::params![account.organization_id, account.user_id];
            search_file::touched(tx)?;
            let searchable = tx.execute(
                &format!(
                    "DELETE FROM cache_search WHERE rowid IN (SELECT rowid FROM cache_leads
                     WHERE {OF_ACCOUNT})"
                ),
                who,
            )?;
            for table in [
                "cache_leads",
                "cache_contacts",
                "cache_opportunities",
                "cache_tasks",
                "cache_activities",
                "cache_rewritten",
            ] {
                tx.execute(&format!("DELETE FROM {table} WHERE {OF_ACCOUNT}"), who)?;
            }
            tx.execute(
                "DELETE FROM cache_sync_state WHERE organization_id = ?1 AND user_id = ?2",
                who,
            )?;
            // Its unfinished first load, if any, set every account's indexes
            // aside; with its plan gone, they come back now.
            bulk::restore_orphans(tx)?;
            // A contentless index only marks rows deleted: their words stay
            // in its segments until those are merged, which this does (for
            // every account's rows: only when this one had some).
            if searchable > 0 {
                tx.execute(
                    "INSERT INTO cache_search (cache_search) VALUES ('optimize')",
                    [],
                )?;
            }
            Ok(())
        })
    }
}

/// Has `conn` checkpoint the WAL once it holds [`CHECKPOINT_BYTES`].
fn set_autocheckpoint(conn: &Connection) -> rusqlite::Result<()> {
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    conn.execute_batch(&format!(
        "PRAGMA wal_autocheckpoint = {}",
        CHECKPOINT_BYTES / page_size.max(512)
    ))
}

/// A panic while holding a connection cannot leave a half-written state
/// (SQLite rolls back an open transaction), so a poisoned lock is reusable.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(PoisonError::into_inner)
}
