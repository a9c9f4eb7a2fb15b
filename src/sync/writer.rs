//! The one thread that writes a pass's pages into the cache.
//!
//! Fetchers send pages through a bounded channel (so memory stays bounded
//! however fast the network is); the writer writes pages as they come, up
//! to a batch or a second, and commits them in one transaction together
//! with the pass's plan. Whatever is in the plan is therefore committed,
//! which is what makes resuming exact.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use serde_json::Value;
use tokio::sync::mpsc;

use super::{
    SyncError,
    event::{Events, SyncEvent},
    plan::{Plan, Ts},
};
use crate::{
    close::records::Resource,
    store::{
        AccountId,
        cache::{Cache, Rejected, SearchRows, account_key, save_run, upsert_deferred},
    },
};

/// Pages committed per transaction at most, and how long a transaction
/// waits for more: large enough to amortise the commit (each one writes
/// out every index page the batch touched, and a 100,000-lead cache's
/// indexes are larger than the page cache), small enough that a kill
/// loses little and the TUI sees progress every second.
const BATCH_PAGES: usize = 16;
const BATCH_TIME: Duration = Duration::from_secs(1);

/// One page for the writer.
#[derive(Debug)]
pub struct PageMsg {
    pub slice: usize,
    pub records: Vec<Value>,
    /// The newest `date_updated` on the page.
    pub cursor: Option<Ts>,
    /// The slice's last page: once committed, the slice is done.
    pub last: bool,
}

pub struct Writer {
    pub cache: Arc<Cache>,
    pub account: AccountId,
    pub pass: &'static str,
    pub resource: Resource,
    pub plan: Arc<Mutex<Plan>>,
    pub events: Events,
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

    fn run(self, mut rx: mpsc::Receiver<PageMsg>) -> Result<u64, SyncError> {
        let runtime = tokio::runtime::Handle::current();
        let mut written = 0u64;
        while let Some(first) = rx.blocking_recv() {
            let started = Instant::now();
            let mut rejected: Vec<Rejected> = Vec::new();
            let mut records = 0u64;
            let (done, total) = self.cache.write(|tx| {
                let key = account_key(tx, &self.account)?;
                let mut search = SearchRows::default();
                let mut progress = Vec::new();
                let mut next = Some(first);
                // Pages are written as they come (so none waits in memory),
                // in one transaction until it holds enough of them.
                while let Some(msg) = next.take() {
                    for record in &msg.records {
                        if let Some(r) =
                            upsert_deferred(tx, key, self.resource, record, &mut search)?
                        {
                            rejected.push(r);
                        }
                    }
                    records += msg.records.len() as u64;
                    progress.push((msg.slice, msg.records.len() as u64, msg.cursor, msg.last));
                    if progress.len() >= BATCH_PAGES {
                        break;
                    }
                    next = match rx.try_recv() {
                        Ok(msg) => Some(msg),
                        Err(mpsc::error::TryRecvError::Disconnected) => None,
                        Err(mpsc::error::TryRecvError::Empty) => {
                            let left = BATCH_TIME.saturating_sub(started.elapsed());
                            runtime
                                .block_on(tokio::time::timeout(left, rx.recv()))
                                .ok()
                                .flatten()
                        }
                    };
                }
                search.write(tx)?;
                let (json, done, total) = {
                    let mut plan = self.plan.lock().unwrap_or_else(PoisonError::into_inner);
                    for (slice, count, cursor, last) in progress {
                        plan.done += count;
                        plan.high_water = plan.high_water.max(cursor);
                        if let Some(slice) = plan.slices.get_mut(slice) {
                            slice.cursor = slice.cursor.max(cursor);
                            slice.done |= last;
                        }
                    }
                    // A plan of plain data always serializes.
                    let json = serde_json::to_string(&*plan).unwrap_or_default();
                    (json, plan.done, plan.total)
                };
                save_run(tx, &self.account, self.pass, Some(&json))?;
                Ok((done, total))
            })?;
            written += records;
            for r in rejected {
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
        Ok(written)
    }
}
