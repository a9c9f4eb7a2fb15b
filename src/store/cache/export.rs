//! Reading every cached record of a resource in one pass, for
//! `close-tui export`: each row is handed to a callback as it is read, so
//! exporting 100,000 leads holds one row in memory, not all of them.

use rusqlite::{params, types::ValueRef};

use super::{Cache, rows};
use crate::{
    close::records::Resource,
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

fn table(resource: Resource) -> &'static str {
    match resource {
        Resource::Leads => "cache_leads",
        Resource::Contacts => "cache_contacts",
        Resource::Opportunities => "cache_opportunities",
        Resource::Tasks => "cache_tasks",
        Resource::Activities => "cache_activities",
    }
}

impl Cache {
    /// Calls `each` with the raw JSON of every cached record of `resource`,
    /// in the order they were first cached. Returns how many there were.
    pub fn export_raw(
        &self,
        account: &AccountId,
        resource: Resource,
        mut each: impl FnMut(&str) -> std::io::Result<()>,
    ) -> Result<u64, ExportError> {
        let conn = super::lock(&self.reader);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT raw FROM {} WHERE organization_id = ?1 AND user_id = ?2 ORDER BY rowid",
                table(resource)
            ))
            .map_err(StoreError::from)?;
        let mut rows = stmt
            .query(params![account.organization_id, account.user_id])
            .map_err(StoreError::from)?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let raw = row.get_ref(0).map_err(StoreError::from)?;
            each(raw.as_str().unwrap_or_default())?;
            count += 1;
        }
        Ok(count)
    }

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
                "SELECT {} FROM {} WHERE organization_id = ?1 AND user_id = ?2 ORDER BY rowid",
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
