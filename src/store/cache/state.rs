//! Sync state per account and pass: the high-water mark incremental syncs
//! start from, when the last (full) sync finished, and the plan of an
//! unfinished run, so a killed sync resumes.
//!
//! The writers take the caller's transaction, so the sync engine commits a
//! page of records and the progress that page made together.

use rusqlite::{OptionalExtension, Transaction, params};

use super::Cache;
use crate::{
    resource::Resource,
    store::{AccountId, StoreError},
};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    /// Newest `date_updated` a finished run saw (RFC 3339).
    pub high_water: Option<String>,
    pub last_full_sync: Option<i64>,
    pub last_sync: Option<i64>,
    /// The plan of a run that has not finished (sync's own JSON).
    pub run: Option<String>,
    /// When the last full run began (unix microseconds), until an
    /// incremental run has caught up on deletions since then.
    pub full_started: Option<i64>,
    /// From when the next run reads the event log, on Close's clock (RFC
    /// 3339): when the last finished run was planned.
    pub events_from: Option<String>,
}

pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Cache {
    /// The state of one sync pass (`leads`, `opportunities`, `tasks`).
    pub fn sync_state(&self, account: &AccountId, pass: &str) -> Result<SyncState, StoreError> {
        let state = self.read(|conn| {
            conn.prepare_cached(
                "SELECT high_water, last_full_sync, last_sync, run, full_started, events_from
                 FROM cache_sync_state
                 WHERE organization_id = ?1 AND user_id = ?2 AND resource = ?3",
            )?
            .query_row(
                params![account.organization_id, account.user_id, pass],
                |row| {
                    Ok(SyncState {
                        high_water: row.get(0)?,
                        last_full_sync: row.get(1)?,
                        last_sync: row.get(2)?,
                        run: row.get(3)?,
                        full_started: row.get(4)?,
                        events_from: row.get(5)?,
                    })
                },
            )
            .optional()
        })?;
        Ok(state.unwrap_or_default())
    }

    /// When `resource`'s cached records were last brought up to date (unix
    /// seconds), for "synced 5 min ago". Contacts, opportunities and lead
    /// tasks arrive inside leads, so the lead pass counts for them too.
    /// Activities are loaded per lead; see `LeadDetail`.
    pub fn synced_at(
        &self,
        account: &AccountId,
        resource: Resource,
    ) -> Result<Option<i64>, StoreError> {
        let leads = self.sync_state(account, "leads")?.last_sync;
        Ok(match resource {
            Resource::Leads | Resource::Contacts => leads,
            Resource::Opportunities | Resource::Tasks => {
                let own = self.sync_state(account, resource.name())?.last_sync;
                leads.max(own)
            }
            Resource::Activities => None,
        })
    }
}

/// Saves (or clears, with `None`) the plan of the running pass.
pub fn save_run(
    tx: &Transaction<'_>,
    account: &AccountId,
    pass: &str,
    run: Option<&str>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO cache_sync_state (organization_id, user_id, resource, run)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (organization_id, user_id, resource) DO UPDATE SET run = excluded.run",
    )?
    .execute(params![account.organization_id, account.user_id, pass, run])?;
    Ok(())
}

/// How a pass ended, for [`finish_run`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Finished<'a> {
    /// The newest `date_updated` it saw (RFC 3339).
    pub high_water: Option<&'a str>,
    pub full: bool,
    /// See [`SyncState::full_started`].
    pub full_started: Option<i64>,
    /// See [`SyncState::events_from`]; kept as it was when `None`.
    pub events_from: Option<&'a str>,
}

/// Marks a pass finished: clears its plan, moves the high-water mark
/// forward (never back), stamps the time and sets `full_started` and
/// `events_from`.
pub fn finish_run(
    tx: &Transaction<'_>,
    account: &AccountId,
    pass: &str,
    end: Finished<'_>,
) -> rusqlite::Result<()> {
    let now = now_unix();
    tx.prepare_cached(
        "INSERT INTO cache_sync_state (organization_id, user_id, resource, high_water,
             last_full_sync, last_sync, run, full_started, events_from)
         VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 THEN ?6 END, ?6, NULL, ?7, ?8)
         ON CONFLICT (organization_id, user_id, resource) DO UPDATE SET
             high_water = CASE
                 WHEN excluded.high_water IS NULL THEN high_water
                 WHEN high_water IS NULL OR excluded.high_water > high_water
                     THEN excluded.high_water
                 ELSE high_water END,
             last_full_sync = CASE WHEN ?5 THEN ?6 ELSE last_full_sync END,
             last_sync = ?6,
             run = NULL,
             full_started = ?7,
             events_from = coalesce(?8, events_from)",
    )?
    .execute(params![
        account.organization_id,
        account.user_id,
        pass,
        end.high_water,
        end.full,
        now,
        end.full_started,
        end.events_from
    ])?;
    Ok(())
}

/// Records that a lead's activities were loaded just now.
pub fn mark_activities_loaded(
    tx: &Transaction<'_>,
    account: &AccountId,
    lead_id: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE cache_leads SET activities_synced_at = ?4 WHERE account = (SELECT id
             FROM cache_accounts WHERE organization_id = ?1 AND user_id = ?2) AND id = ?3",
    )?
    .execute(params![
        account.organization_id,
        account.user_id,
        lead_id,
        now_unix()
    ])?;
    Ok(())
}
