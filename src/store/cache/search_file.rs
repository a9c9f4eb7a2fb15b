//! The search index in a file of its own, beside the database.
//!
//! SQLite takes one writer per file. With the index in the database, a
//! first full sync's one writer stored every record and then tokenized
//! its lead's names, emails and phones, a quarter of its time. In a file
//! of its own, the index is written by a thread of its own during a bulk
//! load ([`SearchLoad`]), beside the writer that stores the records.
//!
//! Every cache connection attaches the file as `search`, and SQLite finds
//! `cache_search` there by name, so queries join it with the leads as
//! before, and a write outside a bulk load updates both files in one
//! transaction. WAL makes such a transaction atomic in each file, not
//! across the two: the index is derived from the records, so whenever it
//! may be behind them it is filled again from them ([`rebuild`]).
//!
//! The file belongs to one database: both hold the same token
//! (`cache_search_state.owner`, `search_owner`) and the same count of
//! transactions that wrote the index ([`touched`]). A file left by another
//! database (the database deleted and made again), one out of step with
//! it (a crash or power cut that kept a transaction in one file only, a
//! database restored from a copy), a damaged file or none is emptied or
//! made, and filled again from the records when the cache opens.

use std::{
    path::{Path, PathBuf},
    sync::mpsc::{Receiver, SyncSender, sync_channel},
    thread::JoinHandle,
};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::{
    Cache, bulk,
    export::whole_lead,
    keys::keys_deferred,
    shape::{EMBEDDED, prepare},
    write::{SearchRow, SearchRows},
};
use crate::{
    resource::Resource,
    store::{StoreError, db},
};

/// The index: lead names and their contacts' names, emails and phones,
/// as schema_v2.sql made it in the database (a released step, kept as it
/// was; v8 drops it there).
const TABLE: &str = "CREATE VIRTUAL TABLE search.cache_search USING fts5(
    name, people,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3',
    content = '',
    contentless_delete = 1,
    detail = column
)";

/// The search file of the database at `db`: its name with `-search`.
pub fn path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-search");
    PathBuf::from(name)
}

/// Attaches the search file of the database at `db` to `conn` (which has
/// that database open) as `search`. The file must exist (`db::create_file`).
pub(crate) fn attach(conn: &Connection, db: &Path) -> Result<(), StoreError> {
    let file = path(db);
    let name = file.to_str().ok_or_else(|| {
        StoreError::io(
            &file,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the database's path is not UTF-8",
            ),
        )
    })?;
    conn.execute("ATTACH DATABASE ?1 AS search", [name])
        .map_err(|err| super::super::error::classify(&file, err))?;
    db::use_wal(conn, "search", &file)
}

/// [`attach`], first making the file again if it is damaged (its words
/// come from the records; [`adopt`] fills it again).
pub(crate) fn attach_or_renew(conn: &Connection, db: &Path) -> Result<(), StoreError> {
    match attach(conn, db) {
        Err(StoreError::Corrupt { reason, .. }) => {
            tracing::warn!(%reason, "the search index's file is damaged: it is made again");
            let _ = conn.execute_batch("DETACH DATABASE search");
            let file = path(db);
            for end in ["", "-wal", "-shm"] {
                let mut name = file.clone().into_os_string();
                name.push(end);
                match std::fs::remove_file(&name) {
                    Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                        return Err(StoreError::io(name, err));
                    }
                    _ => {}
                }
            }
            db::create_file(&file)?;
            attach(conn, db)
        }
        other => other,
    }
}

/// Makes the search file this database's: creates its index if it has
/// none, and empties and fills it again if it belongs to another database
/// (see the module's docs). Runs once per [`Cache::open`].
pub(crate) fn adopt(conn: &mut Connection) -> rusqlite::Result<()> {
    // Read first, with no lock: opening a cache never waits for a writer
    // in another process unless the file must be filled.
    if owner(conn)?.0 {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (ours, owner) = self::owner(&tx)?;
    if ours {
        return tx.commit();
    }
    tracing::info!("the search index is filled again from the cached records");
    tx.execute_batch(
        "DROP TABLE IF EXISTS search.cache_search;
         DROP TABLE IF EXISTS search.search_owner;
         CREATE TABLE search.search_owner (owner TEXT NOT NULL, written INTEGER NOT NULL)
             STRICT;",
    )?;
    tx.execute_batch(TABLE)?;
    tx.execute(
        "INSERT INTO search.search_owner (owner, written)
         SELECT ?1, written FROM main.cache_search_state",
        [&owner],
    )?;
    if keys_deferred(&tx)? {
        // A bulk load is under way (or was stopped): finding each lead's
        // contacts needs the indexes it set aside, so its end fills the
        // index, once they are back.
        tx.execute("UPDATE cache_search_state SET loading = 'rebuild'", [])?;
    } else {
        rebuild(&tx)?;
    }
    tx.commit()
}

/// Whether the search file is this database's and in step with it, and
/// this database's token.
fn owner(conn: &Connection) -> rusqlite::Result<(bool, String)> {
    let ours: (String, i64) = conn.query_row(
        "SELECT owner, written FROM main.cache_search_state",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let has_owner: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM search.sqlite_schema WHERE name = 'search_owner')",
        [],
        |row| row.get(0),
    )?;
    let theirs: Option<(String, i64)> = if has_owner {
        conn.query_row(
            "SELECT owner, written FROM search.search_owner",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
    } else {
        None
    };
    Ok((theirs.as_ref() == Some(&ours), ours.0))
}

/// Counts a transaction that writes the index, in both files: a cache
/// transaction that writes `cache_search` calls this first.
pub(crate) fn touched(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "UPDATE main.cache_search_state SET written = written + 1;
         UPDATE search.search_owner SET written = written + 1;",
    )
}

/// The `embedded` bit of a lead's contacts (see [`EMBEDDED`]).
const CONTACTS: i64 = EMBEDDED[0].1;

/// Fills the index again from the cached leads and their contacts, as the
/// sync's writer would write each lead's row; returns how many leads.
pub(crate) fn rebuild(tx: &Transaction<'_>) -> rusqlite::Result<u64> {
    tx.execute(
        "INSERT INTO cache_search (cache_search) VALUES ('delete-all')",
        [],
    )?;
    // As in a bulk load: no merging while the rows go in, one
    // segment per thousand leads; merging resumes after.
    bulk::set_automerge(tx, 0)?;
    let mut leads = tx.prepare("SELECT rowid, account, id, embedded, raw FROM cache_leads")?;
    let mut rows = leads.query([])?;
    let mut search = SearchRows::default();
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let id: String = row.get(2)?;
        // Only its contacts bring words: the other arrays stay out.
        let embedded = row.get::<_, i64>(3)? & CONTACTS;
        let text = whole_lead(tx, row.get(1)?, &id, embedded, row.get(4)?)?;
        if let Ok(lead) = prepare(Resource::Leads, &text)
            && let Some(parts) = &lead.lead
        {
            search.push(SearchRow {
                rowid,
                replace: false,
                name: lead.name().to_owned(),
                people: parts.people.clone(),
            });
            count += 1;
        }
        if search.len() >= 1000 {
            search.write(tx)?;
        }
    }
    search.write(tx)?;
    bulk::set_automerge(tx, bulk::AUTOMERGE)?;
    tx.execute_batch(
        "UPDATE main.cache_search_state SET loading = NULL, written = written + 1;
         UPDATE search.search_owner SET written = (SELECT written FROM main.cache_search_state);",
    )?;
    Ok(count)
}

/// Whether the index may lack rows of records a bulk load stored (see
/// `loading` in schema_v8.sql), so the load's end must fill it again.
pub(crate) fn behind(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT loading IS NOT NULL FROM cache_search_state",
        [],
        |row| row.get(0),
    )
}

/// A bulk load's search rows, written into the search file by a thread of
/// its own, a transaction per batch, in the order the batches came.
///
/// It marks the load in the database first (`pending`, or `rebuild` when
/// another load's mark is there: that one may have stopped half-way), and
/// clears its own mark once every row is written ([`SearchLoad::finish`]).
/// A mark left behind makes the load's end fill the index again.
///
/// Rows reach the thread after their leads were committed, so a lead may
/// be gone by the time its row is written (its account logged out), and
/// its rowid may be another lead's one day. Anything else that writes the
/// index meanwhile counts a transaction in the search file ([`touched`]):
/// the thread then writes no more, and the load's end fills the index
/// again from the records.
pub struct SearchLoad {
    file: PathBuf,
    rows: Option<SyncSender<SearchRows>>,
    thread: Option<JoinHandle<Result<Outcome, StoreError>>>,
}

/// How the thread ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Every row it was sent is written.
    Written,
    /// Something else wrote the index meanwhile: rows were left out.
    Stopped,
}

/// Batches on their way to the thread at most: with 32 pages of leads to
/// a batch, a few MB of text.
const QUEUE: usize = 4;

impl SearchLoad {
    pub fn start(cache: &Cache) -> Result<Self, StoreError> {
        let file = path(cache.path());
        let conn = db::connect(&file)?;
        let sql = |err| super::super::error::classify(&file, err);
        cache.write(|tx| {
            tx.execute(
                "UPDATE cache_search_state
                 SET loading = CASE WHEN loading IS NULL THEN 'pending' ELSE 'rebuild' END",
                [],
            )
        })?;
        let written: i64 = conn
            .query_row("SELECT written FROM search_owner", [], |row| row.get(0))
            .map_err(sql)?;
        let (rows, queue) = sync_channel(QUEUE);
        let thread_file = file.clone();
        let thread = std::thread::Builder::new()
            .name("cache-search".into())
            .spawn(move || write_all(conn, &thread_file, written, &queue))
            .map_err(|err| StoreError::io(&file, err))?;
        Ok(Self {
            file,
            rows: Some(rows),
            thread: Some(thread),
        })
    }

    /// Hands a batch's rows to the thread. Their leads must be committed
    /// first: the rows name them by rowid.
    pub fn send(&mut self, batch: SearchRows) -> Result<(), StoreError> {
        let sent = self.rows.as_ref().map(|rows| rows.send(batch));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped on an error: that is the answer.
            _ => self.join().map(drop),
        }
    }

    /// Waits until every row is written, then clears this load's mark, or
    /// leaves the index to be filled again if rows were left out.
    pub fn finish(mut self, cache: &Cache) -> Result<(), StoreError> {
        let sql = match self.join()? {
            Outcome::Written => {
                "UPDATE cache_search_state SET loading = NULL WHERE loading = 'pending'"
            }
            Outcome::Stopped => "UPDATE cache_search_state SET loading = 'rebuild'",
        };
        cache.write(|tx| tx.execute(sql, []))?;
        Ok(())
    }

    fn join(&mut self) -> Result<Outcome, StoreError> {
        self.rows = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(outcome)) => outcome,
            Some(Err(_)) => Err(StoreError::io(
                &self.file,
                std::io::Error::other("the search index's writer stopped"),
            )),
            None => Ok(Outcome::Written),
        }
    }
}

impl Drop for SearchLoad {
    /// Stopped early (the sync failed): what was sent is still written,
    /// and the mark stays for the next load's end.
    fn drop(&mut self) {
        if let Err(err) = self.join() {
            tracing::warn!(%err, "search rows of a bulk load");
        }
    }
}

/// Writes each batch from `queue` while the search file's count of
/// transactions stays at `written` (see [`SearchLoad`]).
fn write_all(
    mut conn: Connection,
    file: &Path,
    written: i64,
    queue: &Receiver<SearchRows>,
) -> Result<Outcome, StoreError> {
    let sql = |err| super::super::error::classify(file, err);
    // A quarter of the writer's pages (`Cache::open`): the index's new
    // segments are written, not read back, while merging is off for the
    // load, and the sync's peak memory stays under its budget.
    conn.execute_batch("PRAGMA cache_size = -4096")
        .map_err(sql)?;
    while let Ok(mut batch) = queue.recv() {
        // The count is read once the lock is held, so nothing writes the
        // index between the check and the rows.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let now: i64 = tx
            .query_row("SELECT written FROM search_owner", [], |row| row.get(0))
            .map_err(sql)?;
        if now != written {
            // Take what is still on its way, so the writer never waits.
            while queue.recv().is_ok() {}
            return Ok(Outcome::Stopped);
        }
        batch
            .write_rows(&tx)
            .and_then(|()| tx.commit())
            .map_err(sql)?;
    }
    Ok(Outcome::Written)
}
