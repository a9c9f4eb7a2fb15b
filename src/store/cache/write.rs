//! Writing records into the cache: UPSERT by (account, id), so a record
//! fetched twice (overlapping windows, a resumed page) is stored once.
//!
//! A lead replaces its embedded contacts, opportunities and lead-type tasks,
//! so a child deleted in Close disappears with the lead's next update.
//! Tasks of other types come from `task/` and are left alone here. The
//! children's JSON is stored in their own rows only, not again inside the
//! lead's (see `embedded` in schema_v2.sql and `export.rs`).

use std::sync::{
    OnceLock,
    atomic::{AtomicI64, Ordering},
};

use rusqlite::{
    Connection, OptionalExtension, ToSql, Transaction, params,
    types::{ToSqlOutput, ValueRef},
};
use serde_json::Value;

use crate::resource::Resource;
use crate::store::AccountId;

use super::{
    columns::{EMBEDDED_IN_LEADS, columns, table},
    keys::{BulkKeys, Slot},
    packed::MAX_COLUMNS,
    search_file,
    shape::{Prepared, prepare},
};

/// A record that could not be cached, with why. Sync reports these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub resource: Resource,
    pub reason: String,
}

/// An account's key in the cache's tables (`cache_accounts.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountKey(i64);

impl rusqlite::ToSql for AccountKey {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

/// The key of `account`, given one the first time it is seen.
pub fn account_key(conn: &Connection, account: &AccountId) -> rusqlite::Result<AccountKey> {
    let who = params![account.organization_id, account.user_id];
    let found = conn
        .prepare_cached(
            "SELECT id FROM cache_accounts WHERE organization_id = ?1 AND user_id = ?2",
        )?
        .query_row(who, |row| row.get(0))
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => conn
            .prepare_cached(
                "INSERT INTO cache_accounts (organization_id, user_id) VALUES (?1, ?2)",
            )?
            .insert(who)?,
    };
    Ok(AccountKey(id))
}

/// Upserts one record of `resource`. A lead also refreshes its children and
/// its search row. A record without an id is returned as [`Rejected`].
pub fn upsert(
    tx: &Transaction<'_>,
    account: &AccountId,
    resource: Resource,
    record: &Value,
) -> rusqlite::Result<Option<Rejected>> {
    upsert_keyed(tx, account_key(tx, account)?, resource, record)
}

/// [`upsert`] for an account whose key the caller already has.
pub fn upsert_keyed(
    tx: &Transaction<'_>,
    account: AccountKey,
    resource: Resource,
    record: &Value,
) -> rusqlite::Result<Option<Rejected>> {
    upsert_text(tx, account, resource, &record.to_string())
}

/// [`upsert_keyed`] that leaves a lead's search row in `search`, for the
/// caller to [write](SearchRows::write) before it commits.
pub fn upsert_deferred(
    tx: &Transaction<'_>,
    account: AccountKey,
    resource: Resource,
    record: &Value,
    search: &mut SearchRows,
) -> rusqlite::Result<Option<Rejected>> {
    upsert_text_deferred(tx, account, resource, &record.to_string(), search)
}

/// [`upsert_keyed`] for a record's JSON text, stored as Close sent it: key
/// order, numbers past `f64` and escapes are kept, which a trip through
/// `serde_json::Value` would lose.
pub fn upsert_text(
    tx: &Transaction<'_>,
    account: AccountKey,
    resource: Resource,
    text: &str,
) -> rusqlite::Result<Option<Rejected>> {
    let mut search = SearchRows::default();
    let rejected = upsert_text_deferred(tx, account, resource, text, &mut search)?;
    search.write(tx)?;
    Ok(rejected)
}

fn upsert_text_deferred(
    tx: &Transaction<'_>,
    account: AccountKey,
    resource: Resource,
    text: &str,
    search: &mut SearchRows,
) -> rusqlite::Result<Option<Rejected>> {
    match prepare(resource, text) {
        Ok(prepared) => {
            write_prepared(tx, account, &prepared, search)?;
            Ok(None)
        }
        Err(reason) => Ok(Some(Rejected { resource, reason })),
    }
}

/// Search rows held back until a batch's other writes are done.
///
/// FTS5 writes its pending terms out as a new segment at every statement
/// savepoint, and each UPSERT opens one; search rows added between upserts
/// made a tiny segment per lead, and merging those was a fifth of the
/// writer's time. Added together at the end, a batch makes one segment.
#[derive(Debug, Default)]
pub struct SearchRows(Vec<SearchRow>);

#[derive(Debug)]
pub(super) struct SearchRow {
    pub rowid: i64,
    /// The lead was cached before, so it has a search row to replace.
    pub replace: bool,
    pub name: String,
    pub people: String,
}

impl SearchRows {
    pub(super) fn push(&mut self, row: SearchRow) {
        self.0.push(row);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes the held rows, in the order they were added, in a cache
    /// transaction (which the search file is attached to).
    pub fn write(&mut self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        search_file::touched(tx)?;
        self.write_rows(tx)
    }

    /// Writes the held rows, in the order they were added, on a
    /// connection to the search file itself (a bulk load's search thread,
    /// which counts nothing: see `search_file.rs`).
    pub(super) fn write_rows(&mut self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for row in self.0.drain(..) {
            if row.replace {
                tx.prepare_cached("DELETE FROM cache_search WHERE rowid = ?1")?
                    .execute([row.rowid])?;
            }
            tx.prepare_cached(
                "INSERT INTO cache_search (rowid, name, people) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![row.rowid, row.name, row.people])?;
        }
        Ok(())
    }
}

/// The statements that write one table, built once.
struct Statements {
    /// Insert or update by (account, id).
    upsert: String,
    /// Insert, with no key to check (a bulk load, see `keys.rs`).
    insert: String,
    /// Update the row at a rowid (`?` after the columns) holding (account, id).
    update_at: String,
    /// Leads: insert a new one, returning its rowid, or nothing.
    insert_new: String,
    /// Leads: update one cached before, returning its rowid.
    update: String,
}

fn statements(resource: Resource) -> &'static Statements {
    static ALL: OnceLock<Vec<Statements>> = OnceLock::new();
    let all = ALL.get_or_init(|| Resource::ALL.iter().map(|&r| build(r)).collect());
    let at = Resource::ALL
        .iter()
        .position(|r| *r == resource)
        .unwrap_or(0);
    &all[at]
}

fn build(resource: Resource) -> Statements {
    let table = table(resource);
    let mut columns: Vec<&str> = columns(resource).to_vec();
    columns.extend(["raw", "synced"]);
    let names = columns.join(", ");
    let marks: Vec<String> = (3..columns.len() + 3).map(|i| format!("?{i}")).collect();
    let marks = marks.join(", ");
    let insert = format!("INSERT INTO {table} (account, id, {names}) VALUES (?1, ?2, {marks})");
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let assign: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 3))
        .collect();
    Statements {
        upsert: format!(
            "{insert} ON CONFLICT (account, id) DO UPDATE SET {}",
            set.join(", ")
        ),
        update_at: format!(
            "UPDATE {table} SET {} WHERE rowid = ?{} AND account = ?1 AND id = ?2",
            assign.join(", "),
            columns.len() + 3
        ),
        insert_new: format!("{insert} ON CONFLICT (account, id) DO NOTHING RETURNING rowid"),
        update: format!(
            "UPDATE {table} SET {} WHERE account = ?1 AND id = ?2 RETURNING rowid",
            assign.join(", ")
        ),
        insert,
    }
}

/// Writes a prepared record (see [`prepare`]); a lead also replaces its
/// children and leaves its search row in `search`.
pub fn write_prepared(
    tx: &Transaction<'_>,
    account: AccountKey,
    record: &Prepared,
    search: &mut SearchRows,
) -> rusqlite::Result<()> {
    write_record(tx, account, record, search, None, written_now())
}

/// [`write_prepared`] while a bulk load has set the keys aside: `keys`
/// finds the rows of records stored before.
pub fn write_bulk(
    tx: &Transaction<'_>,
    account: AccountKey,
    record: &Prepared,
    search: &mut SearchRows,
    keys: &mut BulkKeys,
) -> rusqlite::Result<()> {
    write_record(tx, account, record, search, Some(keys), written_now())
}

/// The newest `synced` stamp handed out in this process, or the floor a
/// full sync raised it to.
static STAMPED: AtomicI64 = AtomicI64::new(0);

/// The `synced` stamp of a row written now (unix microseconds): a full
/// sync removes rows of its scope stamped before it began that it did not
/// write. Never earlier than a stamp handed out before, so a clock that
/// steps back cannot make a row written now look older.
pub fn written_now() -> i64 {
    let now = chrono::Utc::now().timestamp_micros();
    STAMPED.fetch_max(now, Ordering::Relaxed).max(now)
}

/// Stamps from now on are at least `at`: a resumed full sync raises the
/// floor to when it began, whatever this machine's clock says since.
pub fn raise_stamp_floor(at: i64) {
    STAMPED.fetch_max(at, Ordering::Relaxed);
}

fn write_record(
    tx: &Transaction<'_>,
    account: AccountKey,
    record: &Prepared,
    search: &mut SearchRows,
    mut keys: Option<&mut BulkKeys>,
    synced: i64,
) -> rusqlite::Result<()> {
    let sql = statements(record.resource);
    let (id, raw) = (record.id(), record.raw());
    let mut values: [ToSqlOutput<'_>; MAX_COLUMNS] =
        std::array::from_fn(|_| ToSqlOutput::Borrowed(ValueRef::Null));
    let count = record.values().len();
    for (slot, value) in values.iter_mut().zip(record.values()) {
        *slot = ToSqlOutput::Borrowed(value);
    }
    let mut args: Vec<&dyn ToSql> = Vec::with_capacity(count + 5);
    args.push(&account);
    args.push(&id);
    args.extend(values[..count].iter().map(|v| v as &dyn ToSql));
    args.push(&raw);
    args.push(&synced);
    let keyed = keys
        .as_deref_mut()
        .filter(|_| BulkKeys::covers(record.resource));
    let (rowid, new) = match (keyed, &record.lead) {
        (Some(keys), _) => store_keyed(tx, keys, record, sql, &args)?,
        (None, None) => {
            tx.prepare_cached(&sql.upsert)?.execute(args.as_slice())?;
            return Ok(());
        }
        // A new lead has no search row and no children to replace, which
        // spares a full sync four deletes a lead.
        (None, Some(_)) => match tx
            .prepare_cached(&sql.insert_new)?
            .query_row(args.as_slice(), |row| row.get(0))
            .optional()?
        {
            Some(rowid) => (rowid, true),
            None => {
                let rowid = tx
                    .prepare_cached(&sql.update)?
                    .query_row(args.as_slice(), |row| row.get(0))?;
                (rowid, false)
            }
        },
    };
    let Some(lead) = &record.lead else {
        return Ok(());
    };
    if !new && keys.is_some() {
        // Its lead_id indexes are set aside: its children from before are
        // found once they are back (see `bulk::drop_stale_children`).
        tx.prepare_cached("INSERT INTO cache_rewritten (account, lead_id) VALUES (?1, ?2)")?
            .execute(params![account, id])?;
    } else if !new {
        // Children embedded in the lead replace what the cache had for it;
        // an array the lead's JSON lacks says nothing of them.
        for ((table, extra), _) in EMBEDDED_IN_LEADS
            .iter()
            .zip(lead.arrays)
            .filter(|(_, has)| *has)
        {
            tx.prepare_cached(&format!(
                "DELETE FROM {table} WHERE account = ?1 AND lead_id = ?2{extra}"
            ))?
            .execute(params![account, id])?;
        }
    }
    search.0.push(SearchRow {
        rowid,
        replace: !new,
        name: record.name().to_owned(),
        people: lead.people.clone(),
    });
    for child in &lead.children {
        write_record(tx, account, child, search, keys.as_deref_mut(), synced)?;
    }
    Ok(())
}

/// Stores a record whose key is set aside: a new row, or its old row
/// updated. Returns the rowid and whether the row is new.
fn store_keyed(
    tx: &Transaction<'_>,
    keys: &mut BulkKeys,
    record: &Prepared,
    sql: &Statements,
    args: &[&dyn ToSql],
) -> rusqlite::Result<(i64, bool)> {
    match keys.find(tx, record.resource, record.id())? {
        Slot::New => {
            tx.prepare_cached(&sql.insert)?.execute(args)?;
            let rowid = tx.last_insert_rowid();
            keys.stored(record.resource, record.id(), rowid);
            Ok((rowid, true))
        }
        Slot::Existing(rowid) => {
            let mut at_row = args.to_vec();
            at_row.push(&rowid);
            tx.prepare_cached(&sql.update_at)?
                .execute(at_row.as_slice())?;
            Ok((rowid, false))
        }
    }
}
