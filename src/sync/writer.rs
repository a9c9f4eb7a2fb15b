//! The one thread that writes a pass's pages into the cache.
//!
//! Fetchers send pages through a bounded channel (so memory stays bounded
//! however fast the network is); the writer takes whatever pages are
//! waiting, up to a batch, and commits them in one transaction together
//! with the pass's plan. Whatever is in the plan is therefore committed,
//! which is what makes resuming exact.

use std::sync::{Arc, Mutex, PoisonError};

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

/// Pages committed per transaction at most: large enough to amortise the
/// commit, small enough that a kill loses little.
const BATCH_PAGES: usize = 8;

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
        let mut written = 0u64;
        while let Some(first) = rx.blocking_recv() {
            let mut batch = vec![first];
            while batch.len() < BATCH_PAGES {
                match rx.try_recv() {
                    Ok(msg) => batch.push(msg),
                    Err(_) => break,
                }
            }
            let mut rejected: Vec<Rejected> = Vec::new();
            let (done, total) = self.cache.write(|tx| {
                let key = account_key(tx, &self.account)?;
                let mut search = SearchRows::default();
                for msg in &batch {
                    for record in &msg.records {
                        if let Some(r) =
                            upsert_deferred(tx, key, self.resource, record, &mut search)?
                        {
                            rejected.push(r);
                        }
                    }
                }
                search.write(tx)?;
                let (json, done, total) = {
                    let mut plan = self.plan.lock().unwrap_or_else(PoisonError::into_inner);
                    for msg in &batch {
                        plan.done += msg.records.len() as u64;
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
                Ok((done, total))
            })?;
            written += batch.iter().map(|m| m.records.len() as u64).sum::<u64>();
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
