//! What the cache hands the TUI: one small struct per list row, built from
//! the indexed columns, plus the lead detail with its children.
//!
//! Every text field is optional or defaulted: records with odd shapes are
//! cached anyway and shown as well as they can be.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRow {
    pub id: String,
    pub name: String,
    pub status_label: Option<String>,
    pub contact_count: i64,
    pub opportunity_count: i64,
    pub date_updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub id: String,
    pub lead_id: Option<String>,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub date_updated: Option<String>,
    /// The lead's name, joined at read time.
    pub lead_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpportunityRow {
    pub id: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub status_label: Option<String>,
    pub status_type: Option<String>,
    /// Close sends values in cents.
    pub value_cents: Option<i64>,
    pub value_currency: Option<String>,
    pub value_period: Option<String>,
    pub confidence: Option<i64>,
    pub user_name: Option<String>,
    pub close_date: Option<String>,
    pub date_updated: Option<String>,
    /// Read from the record's JSON at read time (no column of its own).
    pub pipeline_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub id: String,
    pub lead_id: Option<String>,
    pub lead_name: Option<String>,
    pub task_type: Option<String>,
    pub text: Option<String>,
    pub due_date: Option<String>,
    pub is_complete: bool,
    pub assigned_to_name: Option<String>,
    pub date_updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub id: String,
    pub lead_id: Option<String>,
    pub activity_type: Option<String>,
    pub summary: Option<String>,
    pub user_name: Option<String>,
    pub date_created: Option<String>,
}

/// A lead as the lead screen shows it: its row, its raw record (for fields
/// the row lacks: addresses, custom fields, …) and its children.
#[derive(Debug, Clone)]
pub struct LeadDetail {
    pub lead: LeadRow,
    pub raw: Value,
    pub contacts: Vec<ContactRow>,
    pub opportunities: Vec<OpportunityRow>,
    pub tasks: Vec<TaskRow>,
    /// Empty until the activities were loaded (`activities_synced_at`).
    pub activities: Vec<ActivityRow>,
    pub activities_synced_at: Option<i64>,
}

/// A search hit: a lead, found by its name or by one of its contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub lead_id: String,
    pub name: String,
    pub status_label: Option<String>,
    /// Where the hit came from.
    pub source: HitSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitSource {
    Cache,
    Server,
}

/// Column order used by the `SELECT`s in `read.rs` and by CSV export.
pub(crate) const LEAD_COLUMNS: &str =
    "id, name, status_label, contact_count, opportunity_count, date_updated";
pub(crate) const CONTACT_COLUMNS: &str = "id, lead_id, name, title, email, phone, date_updated";
pub(crate) const OPPORTUNITY_COLUMNS: &str = "id, lead_id, lead_name, status_label, status_type, \
     value_cents, value_currency, value_period, confidence, user_name, close_date, date_updated";
pub(crate) const TASK_COLUMNS: &str = "id, lead_id, lead_name, task_type, text, due_date, \
     is_complete, assigned_to_name, date_updated";
pub(crate) const ACTIVITY_COLUMNS: &str =
    "id, lead_id, activity_type, summary, user_name, date_created";

/// What a list reads: the columns above, plus what a row shows that they
/// lack, found at read time for the rows read only. `t` is the listed
/// table. JSON that SQLite cannot read (nested past its 1,000 levels) has
/// no pipeline, rather than failing the whole list.
pub(crate) const CONTACT_LIST: &str = "t.id, t.lead_id, t.name, t.title, t.email, t.phone, \
     t.date_updated, (SELECT l.name FROM cache_leads l WHERE l.account = t.account \
     AND l.id = t.lead_id)";
pub(crate) const OPPORTUNITY_LIST: &str = "t.id, t.lead_id, t.lead_name, t.status_label, \
     t.status_type, t.value_cents, t.value_currency, t.value_period, t.confidence, t.user_name, \
     t.close_date, t.date_updated, CASE WHEN json_valid(t.raw) \
     THEN json_extract(t.raw, '$.pipeline_name') END";

impl LeadRow {
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            status_label: row.get(2)?,
            contact_count: row.get(3)?,
            opportunity_count: row.get(4)?,
            date_updated: row.get(5)?,
        })
    }
}

impl ContactRow {
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            lead_id: row.get(1)?,
            name: row.get(2)?,
            title: row.get(3)?,
            email: row.get(4)?,
            phone: row.get(5)?,
            date_updated: row.get(6)?,
            lead_name: row.get(7)?,
        })
    }
}

impl OpportunityRow {
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            lead_id: row.get(1)?,
            lead_name: row.get(2)?,
            status_label: row.get(3)?,
            status_type: row.get(4)?,
            value_cents: row.get(5)?,
            value_currency: row.get(6)?,
            value_period: row.get(7)?,
            confidence: row.get(8)?,
            user_name: row.get(9)?,
            close_date: row.get(10)?,
            date_updated: row.get(11)?,
            // A pipeline that is not a string (or none) shows as none.
            pipeline_name: row.get::<_, Option<String>>(12).unwrap_or(None),
        })
    }
}

impl TaskRow {
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            lead_id: row.get(1)?,
            lead_name: row.get(2)?,
            task_type: row.get(3)?,
            text: row.get(4)?,
            due_date: row.get(5)?,
            is_complete: row.get(6)?,
            assigned_to_name: row.get(7)?,
            date_updated: row.get(8)?,
        })
    }
}

impl ActivityRow {
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            lead_id: row.get(1)?,
            activity_type: row.get(2)?,
            summary: row.get(3)?,
            user_name: row.get(4)?,
            date_created: row.get(5)?,
        })
    }
}
