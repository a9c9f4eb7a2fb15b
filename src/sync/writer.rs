//! The one thread that writes a pass's pages into the cache.
//!
//! Fetchers send pages through a bounded channel (so memory stays bounded
//! however fast the network is); the writer takes whatever pages are
//! waiting, up to a batch, and commits them in one transaction together
//! with the pass's plan. Whatever is in the plan is therefore committed,
//! which is what makes resuming exact.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use serde_json::value::RawValue;
use tokio::sync::mpsc;

use super::{
    SyncError,
    event::{Events, SyncEvent},
    plan::{self, Plan, Ts},
};
use crate::{
    close::records::Resource,
    store::{
        AccountId,
        cache::{
            BulkKeys, Cache, Checkpointer, Prepared, Rejected, SearchLoad, SearchRows, account_key,
            bulk, keys_deferred, prepare, save_run, write_bulk, write_prepared,
        },
    },
};

/// One page for the writer, read by the fetcher that got it (so the
/// writer thread only writes).
#[derive(Debug)]
pub struct PageMsg {
    pub slice: usize,
    pub records: Vec<Prepared>,
    /// Records that cannot be cached, with why.
    pub rejected: Vec<Rejected>,
    /// The newest `date_updated` on the page.
    pub cursor: Option<Ts>,
    /// The slice's last page: once committed, the slice is done.
    pub last: bool,
}

impl PageMsg {
    /// Reads a page's records of `resource` from their JSON text.
    pub fn new(slice: usize, resource: Resource, data: &[Box<RawValue>], last: bool) -> Self {
        let mut records = Vec::with_capacity(data.len());
        let mut rejected = Vec::new();
        for text in data {
            match prepare(resource, text.get()) {
                Ok(record) => records.push(record),
                Err(reason) => rejected.push(Rejected { resource, reason }),
            }
        }
        let cursor = newest(&records);
        Self {
            slice,
            records,
            rejected,
            cursor,
            last,
        }
    }

    /// Drops the records updated at `cut` or later: they belong to the
    /// slice cut off this one while the page was on its way. Returns
    /// whether any were, which means this slice has no more to page.
    pub fn keep_before(&mut self, cut: Ts) -> bool {
        let before = self.records.len();
        self.records.retain(|r| {
            r.date_updated()
                .and_then(plan::parse_date)
                .is_none_or(|t| t < cut)
        });
        self.cursor = newest(&self.records);
        self.records.len() < before
    }

    /// Records on the page, cached or not.
    pub fn len(&self) -> usize {
        self.records.len() + self.rejected.len()
    }
}

/// The newest `date_updated` among `records`.
fn newest(records: &[Prepared]) -> Option<Ts> {
    records
        .iter()
        .filter_map(|r| r.date_updated())
        .filter_map(plan::parse_date)
        .max()
}

pub struct Writer {
    pub cache: Arc<Cache>,
    pub account: AccountId,
    pub pass: &'static str,
    pub resource: Resource,
    pub plan: Arc<Mutex<Plan>>,
    pub events: Events,
    /// Pages committed per transaction at most.
    pub batch_pages: usize,
    /// The pass loads an empty cache in bulk (see `store/cache/bulk.rs`).
    pub bulk: bool,
    /// See [`SyncOptions::early_indexes_after`](super::SyncOptions).
    pub early_indexes_after: Duration,
    /// See [`SyncOptions::wal_limit`](super::SyncOptions).
    pub wal_limit: u64,
}

/// How the writer's time splits between waiting for pages and writing.
#[derive(Debug)]
struct Pace {
    started: Instant,
    waiting: Duration,
    writing: Duration,
}

impl Pace {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            waiting: Duration::ZERO,
            writing: Duration::ZERO,
        }
    }

    /// After `after`, whether the writer waits at least three times as
    /// long as it writes. Keeping the indexes up to date costs a bulk
    /// load's writer about twice its CPU, which then still leaves it idle
    /// half the time.
    fn network_bound(&self, after: Duration) -> bool {
        self.started.elapsed() >= after && self.waiting >= self.writing * 3
    }
}

impl Writer {
    /// Starts the writer on a blocking thread; it ends when every sender is
    /// dropped, returning the number of records it committed.
    pub fn spawn(
        self,
        rx: mpsc::Receiver<PageMsg>,
    ) -> tokio::task::JoinHandle<Result<u64, SyncError>> {
        tokio::task::spawn_blocking(move || self.run(rx))
    }

    fn run(self, rx: mpsc::Receiver<PageMsg>) -> Result<u64, SyncError> {
        if self.bulk {
            self.cache.write(|tx| bulk::size_cache(tx, true))?;
        }
        let checkpoints = Checkpointer::start(&self.cache, self.wal_limit)?;
        let written = self.write_all(rx, &checkpoints);
        drop(checkpoints);
        if self.bulk {
            self.cache.write(|tx| bulk::size_cache(tx, false))?;
        }
        written
    }

    fn write_all(
        &self,
        mut rx: mpsc::Receiver<PageMsg>,
        checkpoints: &Checkpointer<'_>,
    ) -> Result<u64, SyncError> {
        let mut written = 0u64;
        // Set while the tables' unique keys are set aside (a bulk load,
        // this pass's or another account's): see `store/cache/keys.rs`.
        let mut keys: Option<BulkKeys> = None;
        let keyed = matches!(self.resource, Resource::Leads | Resource::Opportunities);
        let mut pace = Pace::new();
        // A sync for a stored login stops writing once that login is gone
        // (logged out here or in another process): its data left with it.
        let logged_in = self.cache.read(|conn| logged_in(conn, &self.account))?;
        // While the keys are set aside, the search rows go to a thread of
        // their own, into the search index's own file.
        let mut search_load = if self.bulk && self.cache.read(keys_deferred)? {
            Some(SearchLoad::start(&self.cache)?)
        } else {
            None
        };
        loop {
            let waited = Instant::now();
            let Some(first) = rx.blocking_recv() else {
                break;
            };
            pace.waiting += waited.elapsed();
            let wrote = Instant::now();
            let mut batch = vec![first];
            while batch.len() < self.batch_pages.max(1) {
                match rx.try_recv() {
                    Ok(msg) => batch.push(msg),
                    Err(_) => break,
                }
            }
            let mut search = SearchRows::default();
            let committed = self.cache.write(|tx| {
                if logged_in && !self::logged_in(tx, &self.account)? {
                    return Ok(None);
                }
                let key = account_key(tx, &self.account)?;
                // Checked in the transaction that writes, so no other
                // writer can set the keys aside or back in between.
                match (keyed && keys_deferred(tx)?, keys.is_some()) {
                    (true, false) => keys = BulkKeys::load(tx, key)?,
                    (false, true) => keys = None,
                    _ => {}
                }
                for msg in &batch {
                    for record in &msg.records {
                        match keys.as_mut() {
                            Some(keys) => write_bulk(tx, key, record, &mut search, keys)?,
                            None => write_prepared(tx, key, record, &mut search)?,
                        }
                    }
                }
                // Through the thread while it runs, so rows stay in order.
                if search_load.is_none() {
                    search.write(tx)?;
                }
                let (json, done, total) = {
                    let mut plan = self.plan.lock().unwrap_or_else(PoisonError::into_inner);
                    for msg in &batch {
                        plan.done += msg.len() as u64;
                        plan.high_water = plan.high_water.max(msg.cursor);
                        if let Some(slice) = plan.slices.get_mut(msg.slice) {
                            slice.cursor = slice.cursor.max(msg.cursor);
                            slice.done |= msg.last;
                        }
                    }
                    // A plan of plain data always serializes.
                    let json = serde_json::to_string(&*plan).unwrap_or_default();
                    (json, plan.done, plan.total)
                };
                save_run(tx, &self.account, self.pass, Some(&json))?;
                Ok(Some((done, total)))
            })?;
            let Some((done, total)) = committed else {
                return Err(SyncError::LoggedOut);
            };
            checkpoints.committed();
            if let Some(load) = search_load.as_mut().filter(|_| !search.is_empty()) {
                load.send(search)?;
            }
            pace.writing += wrote.elapsed();
            if self.bulk && keys.is_some() && pace.network_bound(self.early_indexes_after) {
                if let Some(load) = search_load.take() {
                    load.finish(&self.cache)?;
                }
                let built = self.cache.write(bulk::restore_indexes)?;
                tracing::debug!(
                    built,
                    ?pace,
                    "pages come slower than they are written: indexes built early"
                );
                // The next transaction finds the keys back in place.
                keys = None;
            }
            // Records cached; those refused are reported on their own.
            written += batch.iter().map(|m| m.records.len() as u64).sum::<u64>();
            for r in batch.into_iter().flat_map(|m| m.rejected) {
                tracing::warn!(pass = self.pass, reason = %r.reason, "record not cached");
                self.events.send(SyncEvent::Skipped {
                    resource: r.resource,
                    reason: r.reason,
                });
            }
            self.events.send(SyncEvent::Progress {
                resource: self.resource,
                done,
                total,
            });
        }
        if let Some(load) = search_load {
            load.finish(&self.cache)?;
        }
        Ok(written)
    }
}

/// Whether `account` is a stored login (syncs in tests and benches write
/// for accounts that never logged in).
fn logged_in(conn: &rusqlite::Connection, account: &AccountId) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE organization_id = ?1 AND user_id = ?2)",
        rusqlite::params![account.organization_id, account.user_id],
        |row| row.get(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(dates: &[&str]) -> Vec<Box<RawValue>> {
        dates
            .iter()
            .enumerate()
            .map(|(i, date)| {
                let json = serde_json::json!({
                    "id": format!("lead_{i}"),
                    "display_name": format!("Lead {i}"),
                    "date_updated": date,
                });
                RawValue::from_string(json.to_string()).unwrap()
            })
            .collect()
    }

    #[test]
    fn a_page_cut_on_its_way_keeps_only_what_lies_before_the_cut() {
        let data = page(&[
            "2025-01-01T09:59:59.5Z",
            "2025-01-01T10:00:00Z",
            "2025-01-01T10:30:00Z",
        ]);
        let mut msg = PageMsg::new(3, Resource::Leads, &data, false);
        let cut = plan::parse_date("2025-01-01T10:00:00Z").unwrap();
        assert!(msg.keep_before(cut), "records past the cut end the slice");
        let ids: Vec<&str> = msg.records.iter().map(Prepared::id).collect();
        assert_eq!(ids, ["lead_0"]);
        assert_eq!(msg.cursor, plan::parse_date("2025-01-01T09:59:59.5Z"));

        let mut msg = PageMsg::new(3, Resource::Leads, &data, false);
        let later = plan::parse_date("2025-01-01T11:00:00Z").unwrap();
        assert!(!msg.keep_before(later), "nothing past a later cut");
        assert_eq!(msg.records.len(), 3);
    }
}
