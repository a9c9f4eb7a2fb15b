//! Reading every cached record of a resource in one pass, for
//! `close-tui export`: each row is handed to a callback as it is read, so
//! exporting 100,000 leads holds one row in memory, not all of them.
//!
//! A lead comes out whole, as Close sent it: the arrays of children that
//! its stored JSON leaves out are put back from their own rows.

use rusqlite::{Connection, params, types::ValueRef};

use super::{Cache, OF_ACCOUNT, columns::table, keys_deferred, rows, shape::EMBEDDED};
use crate::{
    resource::Resource,
    store::{AccountId, StoreError},
};

/// Why an export stopped: the cache, or the place rows were written to.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

/// The indexed columns of a resource, in CSV order.
pub struct Columns;

impl Columns {
    pub fn of(resource: Resource) -> Vec<&'static str> {
        let list = match resource {
            Resource::Leads => rows::LEAD_COLUMNS,
            Resource::Contacts => rows::CONTACT_COLUMNS,
            Resource::Opportunities => rows::OPPORTUNITY_COLUMNS,
            Resource::Tasks => rows::TASK_COLUMNS,
            Resource::Activities => rows::ACTIVITY_COLUMNS,
        };
        list.split(',').map(str::trim).collect()
    }
}

impl Cache {
    /// How many of the account's cached leads have their activities cached
    /// (activities load per lead, when it is opened).
    pub fn leads_with_activities(&self, account: &AccountId) -> Result<u64, StoreError> {
        self.read(|conn| {
            conn.query_row(
                &format!(
                    "SELECT count(*) FROM cache_leads
                     WHERE {OF_ACCOUNT} AND activities_synced_at IS NOT NULL"
                ),
                params![account.organization_id, account.user_id],
                |row| row.get::<_, i64>(0),
            )
        })
        .map(|n| n.max(0) as u64)
    }

    /// Calls `each` with the raw JSON of every cached record of `resource`,
    /// in the order they were first cached. Returns how many there were.
    pub fn export_raw(
        &self,
        account: &AccountId,
        resource: Resource,
        each: impl FnMut(&str) -> std::io::Result<()>,
    ) -> Result<u64, ExportError> {
        let conn = super::lock(&self.reader);
        // With the indexes set aside (a first sync loading, or one cut
        // short), finding a lead's children scans their tables: a query a
        // lead took minutes for a few thousand. The children's lead ids
        // are indexed once in temp tables of this export's, read in the
        // same transaction as the leads.
        let deferred =
            resource == Resource::Leads && keys_deferred(&conn).map_err(StoreError::from)?;
        if !deferred {
            return export_rows(&conn, account, resource, &EMBEDDED_SQL, each);
        }
        // Rolled back when dropped, however the export ends (an error, a
        // panic in `each`): nothing of the cache was written, and the temp
        // tables made inside it go with it.
        let tx = conn.unchecked_transaction().map_err(StoreError::from)?;
        index_children(&tx, account).map_err(StoreError::from)?;
        export_rows(&tx, account, resource, &INDEXED_HERE_SQL, each)
    }
}

/// [`Cache::export_raw`]'s rows, a lead's children found with `children`.
fn export_rows(
    conn: &Connection,
    account: &AccountId,
    resource: Resource,
    children: &[&str; 3],
    mut each: impl FnMut(&str) -> std::io::Result<()>,
) -> Result<u64, ExportError> {
    let lead = resource == Resource::Leads;
    let extra = if lead { ", account, id, embedded" } else { "" };
    let mut stmt = conn
        .prepare(&format!(
            "SELECT raw{extra} FROM {} WHERE {OF_ACCOUNT} ORDER BY rowid",
            table(resource)
        ))
        .map_err(StoreError::from)?;
    let mut rows = stmt
        .query(params![account.organization_id, account.user_id])
        .map_err(StoreError::from)?;
    let mut count = 0;
    while let Some(row) = rows.next().map_err(StoreError::from)? {
        let raw = row.get_ref(0).map_err(StoreError::from)?;
        let raw = raw.as_str().unwrap_or_default();
        if lead {
            let embedded: i64 = row.get(3).map_err(StoreError::from)?;
            if embedded != 0 {
                let (key, id): (i64, String) = (
                    row.get(1).map_err(StoreError::from)?,
                    row.get(2).map_err(StoreError::from)?,
                );
                let whole = whole_lead_with(conn, key, &id, embedded, raw.to_owned(), children)
                    .map_err(StoreError::from)?;
                each(&whole)?;
                count += 1;
                continue;
            }
        }
        each(raw)?;
        count += 1;
    }
    Ok(count)
}

/// [`EMBEDDED`]'s queries, which the cache's indexes serve.
const EMBEDDED_SQL: [&str; 3] = [EMBEDDED[0].2, EMBEDDED[1].2, EMBEDDED[2].2];

/// The same through [`index_children`]'s temp tables.
const INDEXED_HERE_SQL: [&str; 3] = [
    "SELECT c.raw FROM temp.export_contacts k JOIN cache_contacts c ON c.rowid = k.child
     WHERE k.lead_id = ?2 AND c.account = ?1 ORDER BY k.child",
    "SELECT c.raw FROM temp.export_opportunities k JOIN cache_opportunities c ON c.rowid = k.child
     WHERE k.lead_id = ?2 AND c.account = ?1 ORDER BY k.child",
    "SELECT c.raw FROM temp.export_tasks k JOIN cache_tasks c ON c.rowid = k.child
     WHERE k.lead_id = ?2 AND c.account = ?1 AND c.task_type = 'lead' ORDER BY k.child",
];

/// Indexes the account's children by lead, in temp tables (the
/// connection's own; the cache is only read), made in the caller's
/// transaction and gone when it ends.
fn index_children(conn: &Connection, account: &AccountId) -> rusqlite::Result<()> {
    for name in ["contacts", "opportunities", "tasks"] {
        conn.execute(
            &format!(
                "CREATE TEMP TABLE export_{name} AS
                 SELECT lead_id, rowid AS child FROM cache_{name} WHERE {OF_ACCOUNT}"
            ),
            params![account.organization_id, account.user_id],
        )?;
        conn.execute_batch(&format!(
            "CREATE INDEX temp.export_{name}_lead ON export_{name} (lead_id, child)"
        ))?;
    }
    Ok(())
}

impl Cache {
    /// Calls `each` with the indexed columns ([`Columns::of`]) of every
    /// cached record of `resource`, as text (empty for NULL).
    pub fn export_columns(
        &self,
        account: &AccountId,
        resource: Resource,
        mut each: impl FnMut(&[String]) -> std::io::Result<()>,
    ) -> Result<u64, ExportError> {
        let columns = Columns::of(resource);
        let conn = super::lock(&self.reader);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM {} WHERE {OF_ACCOUNT} ORDER BY rowid",
                columns.join(", "),
                table(resource)
            ))
            .map_err(StoreError::from)?;
        let mut rows = stmt
            .query(params![account.organization_id, account.user_id])
            .map_err(StoreError::from)?;
        let mut fields = vec![String::new(); columns.len()];
        let mut count = 0;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            for (i, field) in fields.iter_mut().enumerate() {
                field.clear();
                match row.get_ref(i).map_err(StoreError::from)? {
                    ValueRef::Null => {}
                    ValueRef::Integer(n) => field.push_str(&n.to_string()),
                    ValueRef::Real(n) => field.push_str(&n.to_string()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        field.push_str(&String::from_utf8_lossy(t))
                    }
                }
            }
            each(&fields)?;
            count += 1;
        }
        Ok(count)
    }
}

/// A lead's stored JSON with the arrays `embedded` names put back, each
/// from its own rows in the order the lead listed them.
pub(crate) fn whole_lead(
    conn: &Connection,
    account: i64,
    id: &str,
    embedded: i64,
    raw: String,
) -> rusqlite::Result<String> {
    whole_lead_with(conn, account, id, embedded, raw, &EMBEDDED_SQL)
}

/// [`whole_lead`], each array's rows found with its query in `children`.
fn whole_lead_with(
    conn: &Connection,
    account: i64,
    id: &str,
    embedded: i64,
    mut raw: String,
    children: &[&str; 3],
) -> rusqlite::Result<String> {
    // The stored JSON is serde_json's compact form of an object with an id,
    // so it ends in '}' and has at least one field before it.
    if embedded == 0 || !raw.ends_with('}') {
        return Ok(raw);
    }
    raw.pop();
    for ((key, bit, _), sql) in EMBEDDED.iter().zip(children) {
        if embedded & bit == 0 {
            continue;
        }
        raw.push_str(&format!(",\"{key}\":["));
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params![account, id])?;
        let mut first = true;
        while let Some(row) = rows.next()? {
            if !first {
                raw.push(',');
            }
            first = false;
            raw.push_str(row.get_ref(0)?.as_str().unwrap_or("null"));
        }
        raw.push(']');
    }
    raw.push('}');
    Ok(raw)
}
