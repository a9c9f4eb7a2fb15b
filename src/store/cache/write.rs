//! Writing records into the cache: UPSERT by (account, id), so a record
//! fetched twice (overlapping windows, a resumed page) is stored once.
//!
//! A lead replaces its embedded contacts, opportunities and lead-type tasks,
//! so a child deleted in Close disappears with the lead's next update.
//! Tasks of other types come from `task/` and are left alone here.

use rusqlite::{Transaction, params};
use serde_json::Value;

use crate::close::records::{self, Resource, list, number, text};
use crate::store::AccountId;

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

/// Upserts one record of `resource`. A lead also refreshes its children and
/// its search row. A record without an id is returned as [`Rejected`].
pub fn upsert(
    tx: &Transaction<'_>,
    account: &AccountId,
    resource: Resource,
    record: &Value,
) -> rusqlite::Result<Option<Rejected>> {
    let Some(id) = records::id(record) else {
        let reason = format!(
            "a {} record without an id: {}",
            resource.name().trim_end_matches('s'),
            preview(record)
        );
        return Ok(Some(Rejected { resource, reason }));
    };
    let raw = record.to_string();
    let (org, user) = (&account.organization_id, &account.user_id);
    match resource {
        Resource::Leads => upsert_lead(tx, account, id, record, &raw)?,
        Resource::Contacts => {
            let email = list(record, "emails").first().and_then(|e| opt(e, "email"));
            let phones = list(record, "phones");
            let phone = phones
                .first()
                .and_then(|p| opt(p, "phone_formatted").or_else(|| opt(p, "phone")));
            tx.prepare_cached(
                "INSERT INTO cache_contacts (organization_id, user_id, id, lead_id, name, title,
                     email, phone, date_updated, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (organization_id, user_id, id) DO UPDATE SET
                     lead_id = excluded.lead_id, name = excluded.name, title = excluded.title,
                     email = excluded.email, phone = excluded.phone,
                     date_updated = excluded.date_updated, raw = excluded.raw",
            )?
            .execute(params![
                org,
                user,
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
                "INSERT INTO cache_opportunities (organization_id, user_id, id, lead_id, lead_name,
                     status_label, status_type, value_cents, value_currency, value_period,
                     confidence, user_name, close_date, date_updated, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (organization_id, user_id, id) DO UPDATE SET
                     lead_id = excluded.lead_id, lead_name = excluded.lead_name,
                     status_label = excluded.status_label, status_type = excluded.status_type,
                     value_cents = excluded.value_cents, value_currency = excluded.value_currency,
                     value_period = excluded.value_period, confidence = excluded.confidence,
                     user_name = excluded.user_name, close_date = excluded.close_date,
                     date_updated = excluded.date_updated, raw = excluded.raw",
            )?
            .execute(params![
                org,
                user,
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
                "INSERT INTO cache_tasks (organization_id, user_id, id, lead_id, lead_name,
                     task_type, text, due_date, is_complete, assigned_to_name, date_updated, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (organization_id, user_id, id) DO UPDATE SET
                     lead_id = excluded.lead_id, lead_name = excluded.lead_name,
                     task_type = excluded.task_type, text = excluded.text,
                     due_date = excluded.due_date, is_complete = excluded.is_complete,
                     assigned_to_name = excluded.assigned_to_name,
                     date_updated = excluded.date_updated, raw = excluded.raw",
            )?
            .execute(params![
                org,
                user,
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
                "INSERT INTO cache_activities (organization_id, user_id, id, lead_id,
                     activity_type, summary, user_name, date_created, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (organization_id, user_id, id) DO UPDATE SET
                     lead_id = excluded.lead_id, activity_type = excluded.activity_type,
                     summary = excluded.summary, user_name = excluded.user_name,
                     date_created = excluded.date_created, raw = excluded.raw",
            )?
            .execute(params![
                org,
                user,
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
    account: &AccountId,
    id: &str,
    record: &Value,
    raw: &str,
) -> rusqlite::Result<()> {
    let (org, user) = (&account.organization_id, &account.user_id);
    let contacts = list(record, "contacts");
    let opportunities = list(record, "opportunities");
    let name = opt(record, "display_name")
        .or_else(|| opt(record, "name"))
        .unwrap_or_default();
    let rowid: i64 = tx
        .prepare_cached(
            "INSERT INTO cache_leads (organization_id, user_id, id, name, status_label,
                 contact_count, opportunity_count, date_created, date_updated, raw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (organization_id, user_id, id) DO UPDATE SET
                 name = excluded.name, status_label = excluded.status_label,
                 contact_count = excluded.contact_count,
                 opportunity_count = excluded.opportunity_count,
                 date_created = excluded.date_created, date_updated = excluded.date_updated,
                 raw = excluded.raw
             RETURNING rowid",
        )?
        .query_row(
            params![
                org,
                user,
                id,
                name,
                opt(record, "status_label"),
                contacts.len() as i64,
                opportunities.len() as i64,
                opt(record, "date_created"),
                opt(record, "date_updated"),
                raw
            ],
            |row| row.get(0),
        )?;
    tx.prepare_cached("DELETE FROM cache_search WHERE rowid = ?1")?
        .execute([rowid])?;
    tx.prepare_cached("INSERT INTO cache_search (rowid, name, people) VALUES (?1, ?2, ?3)")?
        .execute(params![rowid, name, people(contacts)])?;

    // Children embedded in the lead replace what the cache had for it.
    for (table, extra) in [
        ("cache_contacts", ""),
        ("cache_opportunities", ""),
        ("cache_tasks", " AND task_type = 'lead'"),
    ] {
        tx.prepare_cached(&format!(
            "DELETE FROM {table} WHERE organization_id = ?1 AND user_id = ?2 AND lead_id = ?3{extra}"
        ))?
        .execute(params![org, user, id])?;
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
                upsert(tx, account, resource, child)?;
            }
        }
    }
    Ok(())
}

/// The searchable text of a lead's contacts: names, emails, and phones
/// (also as bare national digits, so "555 01" finds "+1 555-0100").
fn people(contacts: &[Value]) -> String {
    let mut out = String::new();
    for contact in contacts {
        if let Some(name) = text(contact, "display_name").or_else(|| text(contact, "name")) {
            out.push_str(&name);
            out.push(' ');
        }
        for email in list(contact, "emails") {
            if let Some(address) = text(email, "email") {
                out.push_str(&address);
                out.push(' ');
            }
        }
        for phone in list(contact, "phones") {
            if let Some(number) = text(phone, "phone") {
                let digits: String = number.chars().filter(char::is_ascii_digit).collect();
                out.push_str(&digits);
                out.push(' ');
                if digits.len() > 10 {
                    out.push_str(&digits[digits.len() - 10..]);
                    out.push(' ');
                }
            }
        }
    }
    out
}

/// The start of a record, for a report about it; never more than 120 chars.
fn preview(record: &Value) -> String {
    let text = record.to_string();
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
