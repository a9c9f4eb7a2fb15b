//! Writing records into the cache: UPSERT by (account, id), so a record
//! fetched twice (overlapping windows, a resumed page) is stored once.
//!
//! A lead replaces its embedded contacts, opportunities and lead-type tasks,
//! so a child deleted in Close disappears with the lead's next update.
//! Tasks of other types come from `task/` and are left alone here. The
//! children's JSON is stored in their own rows only, not again inside the
//! lead's (see `embedded` in schema_v2.sql and `export.rs`).

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use crate::close::records::{self, Resource, list, number, text};
use crate::store::AccountId;

use super::shape::{Without, embedded, people, preview};

/// A record that could not be cached, with why. Sync reports these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub resource: Resource,
    pub reason: String,
}

fn opt(record: &Value, key: &str) -> Option<String> {
    text(record, key).map(|s| s.into_owned())
}

fn int(record: &Value, key: &str) -> Option<i64> {
    number(record, key).map(|n| n.round() as i64)
}

fn truthy(record: &Value, key: &str) -> bool {
    match record.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(Value::String(s)) => matches!(s.trim(), "true" | "True" | "1"),
        _ => false,
    }
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
    let mut search = SearchRows::default();
    let rejected = upsert_deferred(tx, account, resource, record, &mut search)?;
    search.write(tx)?;
    Ok(rejected)
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
struct SearchRow {
    rowid: i64,
    /// The lead was cached before, so it has a search row to replace.
    replace: bool,
    name: String,
    people: String,
}

impl SearchRows {
    /// Writes the held rows, in the order they were added.
    pub fn write(&mut self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
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

/// [`upsert_keyed`] that leaves a lead's search row in `search`, for the
/// caller to [write](SearchRows::write) before it commits (the sync writer
/// does so once per batch).
pub fn upsert_deferred(
    tx: &Transaction<'_>,
    account: AccountKey,
    resource: Resource,
    record: &Value,
    search: &mut SearchRows,
) -> rusqlite::Result<Option<Rejected>> {
    let Some(id) = records::id(record) else {
        let reason = format!(
            "a {} record without an id: {}",
            resource.name().trim_end_matches('s'),
            preview(record)
        );
        return Ok(Some(Rejected { resource, reason }));
    };
    let key = account.0;
    if resource == Resource::Leads {
        upsert_lead(tx, account, id, record, search)?;
        return Ok(None);
    }
    let raw = record.to_string();
    match resource {
        Resource::Leads => {}
        Resource::Contacts => {
            let email = list(record, "emails").first().and_then(|e| opt(e, "email"));
            let phones = list(record, "phones");
            let phone = phones
                .first()
                .and_then(|p| opt(p, "phone_formatted").or_else(|| opt(p, "phone")));
            tx.prepare_cached(
                "INSERT INTO cache_contacts (account, id, lead_id, name, title,
                     email, phone, date_updated, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (account, id) DO UPDATE SET
                     lead_id = excluded.lead_id, name = excluded.name, title = excluded.title,
                     email = excluded.email, phone = excluded.phone,
                     date_updated = excluded.date_updated, raw = excluded.raw",
            )?
            .execute(params![
                key,
                id,
                opt(record, "lead_id"),
                opt(record, "display_name")
                    .or_else(|| opt(record, "name"))
                    .unwrap_or_default(),
                opt(record, "title"),
                email,
                phone,
                opt(record, "date_updated"),
                raw
            ])?;
        }
        Resource::Opportunities => {
            tx.prepare_cached(
                "INSERT INTO cache_opportunities (account, id, lead_id, lead_name,
                     status_label, status_type, value_cents, value_currency, value_period,
                     confidence, user_name, close_date, date_updated, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (account, id) DO UPDATE SET
                     lead_id = excluded.lead_id, lead_name = excluded.lead_name,
                     status_label = excluded.status_label, status_type = excluded.status_type,
                     value_cents = excluded.value_cents, value_currency = excluded.value_currency,
                     value_period = excluded.value_period, confidence = excluded.confidence,
                     user_name = excluded.user_name, close_date = excluded.close_date,
                     date_updated = excluded.date_updated, raw = excluded.raw",
            )?
            .execute(params![
                key,
                id,
                opt(record, "lead_id"),
                opt(record, "lead_name"),
                opt(record, "status_label"),
                opt(record, "status_type"),
                int(record, "value"),
                opt(record, "value_currency"),
                opt(record, "value_period"),
                int(record, "confidence"),
                opt(record, "user_name"),
                opt(record, "date_won").or_else(|| opt(record, "expected_date")),
                opt(record, "date_updated"),
                raw
            ])?;
        }
        Resource::Tasks => {
            tx.prepare_cached(
                "INSERT INTO cache_tasks (account, id, lead_id, lead_name,
                     task_type, text, due_date, is_complete, assigned_to_name, date_updated, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (account, id) DO UPDATE SET
                     lead_id = excluded.lead_id, lead_name = excluded.lead_name,
                     task_type = excluded.task_type, text = excluded.text,
                     due_date = excluded.due_date, is_complete = excluded.is_complete,
                     assigned_to_name = excluded.assigned_to_name,
                     date_updated = excluded.date_updated, raw = excluded.raw",
            )?
            .execute(params![
                key,
                id,
                opt(record, "lead_id"),
                opt(record, "lead_name"),
                opt(record, "_type"),
                opt(record, "text"),
                opt(record, "due_date").or_else(|| opt(record, "date")),
                truthy(record, "is_complete"),
                opt(record, "assigned_to_name"),
                opt(record, "date_updated"),
                raw
            ])?;
        }
        Resource::Activities => {
            let summary = ["subject", "note", "text", "body_text", "_type"]
                .into_iter()
                .find_map(|key| opt(record, key));
            tx.prepare_cached(
                "INSERT INTO cache_activities (account, id, lead_id,
                     activity_type, summary, user_name, date_created, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (account, id) DO UPDATE SET
                     lead_id = excluded.lead_id, activity_type = excluded.activity_type,
                     summary = excluded.summary, user_name = excluded.user_name,
                     date_created = excluded.date_created, raw = excluded.raw",
            )?
            .execute(params![
                key,
                id,
                opt(record, "lead_id"),
                opt(record, "_type"),
                summary,
                opt(record, "user_name"),
                opt(record, "date_created"),
                raw
            ])?;
        }
    }
    Ok(None)
}

fn upsert_lead(
    tx: &Transaction<'_>,
    account: AccountKey,
    id: &str,
    record: &Value,
    search: &mut SearchRows,
) -> rusqlite::Result<()> {
    let key = account.0;
    let contacts = list(record, "contacts");
    let opportunities = list(record, "opportunities");
    let name = opt(record, "display_name")
        .or_else(|| opt(record, "name"))
        .unwrap_or_default();
    let embedded = embedded(record, id);
    let raw = match record.as_object() {
        Some(fields) if embedded != 0 => serde_json::to_string(&Without { fields, embedded })
            .unwrap_or_else(|_| record.to_string()),
        _ => record.to_string(),
    };
    // Whether the lead was cached before: a new one has no search row and
    // no children to replace, which spares a full sync four deletes a lead.
    let before: Option<i64> = tx
        .prepare_cached("SELECT rowid FROM cache_leads WHERE account = ?1 AND id = ?2")?
        .query_row(params![key, id], |row| row.get(0))
        .optional()?;
    let rowid: i64 = tx
        .prepare_cached(
            "INSERT INTO cache_leads (account, id, name, status_label, contact_count,
                 opportunity_count, date_created, date_updated, embedded, raw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (account, id) DO UPDATE SET
                 name = excluded.name, status_label = excluded.status_label,
                 contact_count = excluded.contact_count,
                 opportunity_count = excluded.opportunity_count,
                 date_created = excluded.date_created, date_updated = excluded.date_updated,
                 embedded = excluded.embedded, raw = excluded.raw
             RETURNING rowid",
        )?
        .query_row(
            params![
                key,
                id,
                name,
                opt(record, "status_label"),
                contacts.len() as i64,
                opportunities.len() as i64,
                opt(record, "date_created"),
                opt(record, "date_updated"),
                embedded,
                raw
            ],
            |row| row.get(0),
        )?;
    search.0.push(SearchRow {
        rowid,
        replace: before.is_some(),
        people: people(contacts),
        name,
    });
    if before.is_some() {
        // Children embedded in the lead replace what the cache had for it.
        for (table, extra) in [
            ("cache_contacts", ""),
            ("cache_opportunities", ""),
            ("cache_tasks", " AND task_type = 'lead'"),
        ] {
            tx.prepare_cached(&format!(
                "DELETE FROM {table} WHERE account = ?1 AND lead_id = ?2{extra}"
            ))?
            .execute(params![key, id])?;
        }
    }
    let children = [
        (Resource::Contacts, contacts),
        (Resource::Opportunities, opportunities),
        (Resource::Tasks, list(record, "tasks")),
    ];
    for (resource, items) in children {
        for child in items {
            // A child without an id is kept inside the lead's raw JSON; it
            // has no row of its own.
            if records::id(child).is_some() {
                upsert_deferred(tx, account, resource, child, search)?;
            }
        }
    }
    Ok(())
}
