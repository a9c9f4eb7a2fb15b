//! Removing what a full sync did not see: records Close deleted while the
//! cache could not learn of it from the event log (it keeps 30 days; see
//! `sync/deletions.rs`).
//!
//! Every write stamps its row's `synced` (schema v5). A full pass fetches
//! every record of its scope, so at its end a row of that scope stamped
//! before the pass began was neither fetched by it nor written by anything
//! since: Close no longer has it. Rows from before v5 have no stamp and
//! count as old.

use rusqlite::{Transaction, params};

use super::{columns::EMBEDDED_IN_LEADS, write::AccountKey};

/// The rows one full pass vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Leads with their contacts, opportunities and lead-type tasks (the
    /// lead pass); a lead's activities go with it.
    Leads,
    /// Opportunities (their pass, when leads are not synced).
    Opportunities,
    /// Tasks; of every type, or all but the lead-type ones leads embed.
    Tasks { lead_tasks: bool },
}

const OLD: &str = "account = ?1 AND coalesce(synced, 0) < ?2";

/// Removes `account`'s rows in `scope` last written before `before`
/// (unix microseconds); returns how many records went.
pub fn sweep(
    tx: &Transaction<'_>,
    account: AccountKey,
    scope: Scope,
    before: i64,
) -> rusqlite::Result<u64> {
    let who = params![account, before];
    let delete = |table: &str, extra: &str| -> rusqlite::Result<u64> {
        let sql = format!("DELETE FROM {table} WHERE {OLD}{extra}");
        Ok(tx.execute(&sql, who)? as u64)
    };
    Ok(match scope {
        Scope::Leads => {
            super::search_file::touched(tx)?;
            tx.execute(
                &format!(
                    "DELETE FROM cache_search WHERE rowid IN
                         (SELECT rowid FROM cache_leads WHERE {OLD})"
                ),
                who,
            )?;
            let mut removed = delete("cache_leads", "")?;
            for (table, extra) in EMBEDDED_IN_LEADS {
                removed += delete(table, extra)?;
            }
            tx.execute(
                "DELETE FROM cache_activities WHERE account = ?1 AND lead_id NOT IN
                     (SELECT id FROM cache_leads WHERE account = ?1)",
                [account],
            )?;
            removed
        }
        Scope::Opportunities => delete("cache_opportunities", "")?,
        Scope::Tasks { lead_tasks: true } => delete("cache_tasks", "")?,
        Scope::Tasks { lead_tasks: false } => {
            delete("cache_tasks", " AND task_type IS NOT 'lead'")?
        }
    })
}
