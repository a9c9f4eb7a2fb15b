//! Removing records Close deleted (the sync reads them from Close's event
//! log, see `sync/deletions.rs`).
//!
//! A deleted lead takes its contacts, opportunities, tasks, activities and
//! search row with it, as Close deletes them with it. A deleted child goes
//! alone; Close updates its lead too (its `contact_ids` change), and the
//! lead's next fetch rewrites its search row.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{columns::table, write::AccountKey};
use crate::resource::Resource;

/// Tables whose rows name their lead in `lead_id`.
const CHILD_TABLES: [&str; 4] = [
    "cache_contacts",
    "cache_opportunities",
    "cache_tasks",
    "cache_activities",
];

/// Removes `account`'s records of `resource` with these ids; returns how
/// many were cached. Ids that are not cached are passed over.
pub fn forget(
    tx: &Transaction<'_>,
    account: AccountKey,
    resource: Resource,
    ids: &[String],
) -> rusqlite::Result<u64> {
    let mut removed = 0;
    for id in ids {
        if resource == Resource::Leads {
            let rowid: Option<i64> = tx
                .prepare_cached("SELECT rowid FROM cache_leads WHERE account = ?1 AND id = ?2")?
                .query_row(params![account, id], |row| row.get(0))
                .optional()?;
            let Some(rowid) = rowid else { continue };
            super::search_file::touched(tx)?;
            tx.prepare_cached("DELETE FROM cache_search WHERE rowid = ?1")?
                .execute([rowid])?;
            for child in CHILD_TABLES {
                tx.prepare_cached(&format!(
                    "DELETE FROM {child} WHERE account = ?1 AND lead_id = ?2"
                ))?
                .execute(params![account, id])?;
            }
        }
        removed += tx
            .prepare_cached(&format!(
                "DELETE FROM {} WHERE account = ?1 AND id = ?2",
                table(resource)
            ))?
            .execute(params![account, id])? as u64;
    }
    Ok(removed)
}
