//! Reading the cache a page at a time, for the TUI's lists.
//!
//! Every list is one indexed query with `LIMIT/OFFSET`, ordered by an
//! indexed column with `rowid` as the tie-breaker (so the index gives the
//! order and no sort step runs, even over 100,000 leads). Counts are
//! cached until the database changes.

use rusqlite::{OptionalExtension, ToSql, params};

use super::{
    Cache, OF_ACCOUNT, columns,
    export::whole_lead,
    rows::{
        ACTIVITY_COLUMNS, ActivityRow, CONTACT_LIST, ContactRow, LEAD_COLUMNS, LeadDetail, LeadRow,
        OPPORTUNITY_LIST, OpportunityRow, TASK_COLUMNS, TaskRow,
    },
    window,
};
use crate::{
    resource::Resource,
    store::{AccountId, StoreError},
};

/// Which rows a list shows, and in what order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ListQuery {
    pub sort: Sort,
    pub descending: bool,
    /// Leads: the status label. Opportunities: the status type
    /// (`active`, `won`, `lost`). Ignored elsewhere.
    pub status: Option<String>,
    /// Only the children of this lead (contacts, opportunities, tasks).
    pub lead_id: Option<String>,
    /// Tasks: only those not complete.
    pub open_only: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Most recently updated first when `descending`.
    #[default]
    Updated,
    Name,
    /// Opportunities: value in cents.
    Value,
    /// Tasks: open ones first, then by due date.
    Due,
}

impl ListQuery {
    /// The WHERE clause and ORDER BY for `resource`, with the parameters
    /// after the account's two.
    fn sql(&self, resource: Resource) -> (String, Vec<&dyn ToSql>) {
        let (clause, columns, descending, args) = self.parts(resource);
        let dir = if descending { "DESC" } else { "ASC" };
        let order: Vec<String> = columns.split(", ").map(|c| format!("{c} {dir}")).collect();
        (
            format!("{clause} ORDER BY {}, rowid {dir}", order.join(", ")),
            args,
        )
    }

    /// The WHERE clause, the sort columns (comma-separated; `rowid` breaks
    /// ties) and their direction, and the parameters after the account's
    /// two.
    pub(super) fn parts(
        &self,
        resource: Resource,
    ) -> (String, &'static str, bool, Vec<&dyn ToSql>) {
        let mut clause = String::from(OF_ACCOUNT);
        let mut args: Vec<&dyn ToSql> = Vec::new();
        if let Some(status) = &self.status {
            let column = match resource {
                Resource::Leads => Some("status_label"),
                Resource::Opportunities => Some("status_type"),
                _ => None,
            };
            if let Some(column) = column {
                args.push(status);
                clause.push_str(&format!(" AND {column} = ?{}", args.len() + 2));
            }
        }
        if let Some(lead) = &self.lead_id
            && resource != Resource::Leads
        {
            args.push(lead);
            clause.push_str(&format!(" AND lead_id = ?{}", args.len() + 2));
        }
        if self.open_only && resource == Resource::Tasks {
            clause.push_str(" AND is_complete = 0");
        }
        let column = match (resource, self.sort) {
            (Resource::Leads | Resource::Contacts, Sort::Name) => "name COLLATE NOCASE",
            (Resource::Opportunities, Sort::Name) | (Resource::Tasks, Sort::Name) => {
                "lead_name COLLATE NOCASE"
            }
            (Resource::Opportunities, Sort::Value) => "value_cents",
            // Open tasks first, as the index has them.
            (Resource::Tasks, Sort::Due) => "is_complete, due_date",
            (Resource::Activities, _) => "date_created",
            _ => "date_updated",
        };
        (clause, column, self.descending, args)
    }
}

pub(super) fn table(resource: Resource) -> (&'static str, &'static str) {
    match resource {
        Resource::Leads => ("cache_leads", LEAD_COLUMNS),
        Resource::Contacts => ("cache_contacts", CONTACT_LIST),
        Resource::Opportunities => ("cache_opportunities", OPPORTUNITY_LIST),
        Resource::Tasks => ("cache_tasks", TASK_COLUMNS),
        Resource::Activities => ("cache_activities", ACTIVITY_COLUMNS),
    }
}

/// One page of a list: the total first when the page is deep (so it can
/// be read from the end), then the rows (see `window.rs`).
fn page<T>(
    cache: &Cache,
    resource: Resource,
    account: &AccountId,
    query: &ListQuery,
    offset: usize,
    limit: usize,
    map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let total = if offset > window::NEAR {
        usize::try_from(cache.count(account, resource, query)?).ok()
    } else {
        None
    };
    let list = format!("{}|{account}|{query:?}", resource.name());
    cache.read(|conn| {
        let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut positions = cache.positions.lock().unwrap_or_else(|e| e.into_inner());
        let want = window::Want {
            list: &list,
            version,
            offset,
            limit,
            total,
        };
        window::read(conn, &mut positions, resource, account, query, &want, map)
    })
}

impl Cache {
    pub fn leads(
        &self,
        account: &AccountId,
        query: &ListQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<LeadRow>, StoreError> {
        page(
            self,
            Resource::Leads,
            account,
            query,
            offset,
            limit,
            LeadRow::from_row,
        )
    }

    pub fn contacts(
        &self,
        account: &AccountId,
        query: &ListQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<ContactRow>, StoreError> {
        let r = Resource::Contacts;
        page(self, r, account, query, offset, limit, ContactRow::from_row)
    }

    pub fn opportunities(
        &self,
        account: &AccountId,
        query: &ListQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<OpportunityRow>, StoreError> {
        let r = Resource::Opportunities;
        page(
            self,
            r,
            account,
            query,
            offset,
            limit,
            OpportunityRow::from_row,
        )
    }

    pub fn tasks(
        &self,
        account: &AccountId,
        query: &ListQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<TaskRow>, StoreError> {
        page(
            self,
            Resource::Tasks,
            account,
            query,
            offset,
            limit,
            TaskRow::from_row,
        )
    }

    /// The list rows of the cached leads among `ids`, in that order; ids
    /// not cached are left out.
    pub fn leads_by_id(
        &self,
        account: &AccountId,
        ids: &[String],
    ) -> Result<Vec<LeadRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {LEAD_COLUMNS} FROM cache_leads WHERE {OF_ACCOUNT} AND id = ?3"
            ))?;
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                let who = params![account.organization_id, account.user_id, id];
                if let Some(lead) = stmt.query_row(who, LeadRow::from_row).optional()? {
                    found.push(lead);
                }
            }
            Ok(found)
        })
    }

    /// A lead's cached activities, newest first.
    pub fn activities(
        &self,
        account: &AccountId,
        lead_id: &str,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        let query = ListQuery {
            lead_id: Some(lead_id.to_owned()),
            descending: true,
            ..ListQuery::default()
        };
        let r = Resource::Activities;
        page(
            self,
            r,
            account,
            &query,
            0,
            usize::MAX >> 2,
            ActivityRow::from_row,
        )
    }

    /// How many rows `query` selects; cached until the database changes.
    pub fn count(
        &self,
        account: &AccountId,
        resource: Resource,
        query: &ListQuery,
    ) -> Result<i64, StoreError> {
        let key = format!("{}|{account}|{query:?}", resource.name());
        self.read(|conn| {
            let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
            let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(&(at, n)) = counts.get(&key)
                && at == version
            {
                return Ok(n);
            }
            let (name, _) = table(resource);
            let (clause, extra) = query.sql(resource);
            let clause = clause.split(" ORDER BY").next().unwrap_or_default();
            let mut args: Vec<&dyn ToSql> = vec![&account.organization_id, &account.user_id];
            args.extend(extra);
            let n: i64 = conn
                .prepare_cached(&format!("SELECT count(*) FROM {name} WHERE {clause}"))?
                .query_row(args.as_slice(), |r| r.get(0))?;
            counts.insert(key, (version, n));
            Ok(n)
        })
    }

    /// One cached record's JSON, as Close sent it: a lead whole, with the
    /// children its stored JSON leaves out put back. `None` when it is not
    /// cached.
    pub fn record(
        &self,
        account: &AccountId,
        resource: Resource,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        let name = columns::table(resource);
        let embedded = if resource == Resource::Leads {
            "embedded"
        } else {
            "0"
        };
        self.read(|conn| {
            let found = conn
                .prepare_cached(&format!(
                    "SELECT raw, account, {embedded} FROM {name} WHERE {OF_ACCOUNT} AND id = ?3"
                ))?
                .query_row(
                    params![account.organization_id, account.user_id, id],
                    |row| Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            match found {
                Some((raw, key, embedded)) if resource == Resource::Leads => {
                    whole_lead(conn, key, id, embedded, raw).map(Some)
                }
                other => Ok(other.map(|(raw, ..)| raw)),
            }
        })
    }

    /// One lead with its contacts, opportunities, tasks and (once loaded)
    /// activities.
    pub fn lead(&self, account: &AccountId, id: &str) -> Result<Option<LeadDetail>, StoreError> {
        let found = self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {LEAD_COLUMNS}, raw, activities_synced_at, account, embedded
                 FROM cache_leads WHERE {OF_ACCOUNT} AND id = ?3"
            ))?
            .query_row(
                params![account.organization_id, account.user_id, id],
                |row| {
                    let raw: String = row.get(6)?;
                    let (key, embedded) = (row.get(8)?, row.get(9)?);
                    let raw = whole_lead(conn, key, id, embedded, raw)?;
                    Ok((LeadRow::from_row(row)?, raw, row.get::<_, Option<i64>>(7)?))
                },
            )
            .optional()
        })?;
        let Some((lead, raw, activities_synced_at)) = found else {
            return Ok(None);
        };
        let children = ListQuery {
            lead_id: Some(id.to_owned()),
            sort: Sort::Updated,
            descending: true,
            ..ListQuery::default()
        };
        let all = usize::MAX >> 2;
        Ok(Some(LeadDetail {
            lead,
            raw: serde_json::from_str(&raw).unwrap_or_default(),
            contacts: self.contacts(account, &children, 0, all)?,
            opportunities: self.opportunities(account, &children, 0, all)?,
            tasks: self.tasks(account, &children, 0, all)?,
            activities: self.activities(account, id)?,
            activities_synced_at,
        }))
    }
}
