//! A pass's fetchers: each takes a queued slice, or cuts one for itself
//! (see `Plan::split_busiest`), and works it to its end.

use std::{
    collections::VecDeque,
    sync::{Mutex, PoisonError, atomic::AtomicUsize},
};

use tokio::sync::{Notify, mpsc};

use super::{
    SyncError, leads,
    pass::Pass,
    plan::{Paging, Plan, Ts},
    ranges,
    writer::PageMsg,
};
use crate::close::{CloseClient, Credentials};

/// What a pass's concurrent workers share.
pub(crate) struct Worker<'a, C> {
    pub client: &'a CloseClient<C>,
    pub pass: Pass,
    pub plan: &'a Mutex<Plan>,
    pub queue: &'a Mutex<VecDeque<usize>>,
    pub tx: mpsc::Sender<PageMsg>,
    /// Close's `max_skip` once a 400 has named it; 0 until then.
    pub max_skip: &'a AtomicUsize,
    pub params: Vec<(String, String)>,
    /// Woken at every page a lead worker fetches and every slice it ends.
    pub progress: &'a Notify,
}

/// The fewest records a lead slice must have left to be cut for an idle
/// worker: fewer are paged sooner by the worker already on them.
const MIN_SPLIT: u64 = 3 * 200;

impl<C> Worker<'_, C> {
    fn next_slice(&self) -> Option<usize> {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }

    /// The next slice to work, once none is queued: a lead pass cuts the
    /// busiest one (see [`Plan::split_busiest`]), waiting for pages until
    /// no slice being paged could still be worth a cut.
    pub async fn next_work(&self) -> Option<usize> {
        if let Some(slice) = self.next_slice() {
            return Some(slice);
        }
        if self.pass != Pass::Leads {
            return None;
        }
        loop {
            let progress = self.progress.notified();
            tokio::pin!(progress);
            progress.as_mut().enable();
            {
                let mut plan = self.plan();
                if let Some(slice) = plan.split_busiest(MIN_SPLIT) {
                    tracing::debug!(slice, "cut a busy lead slice for an idle worker");
                    return Some(slice);
                }
                if !plan.may_split(MIN_SPLIT) {
                    return None;
                }
            }
            progress.await;
        }
    }

    /// Works `slice` to its end.
    pub async fn work(&self, slice: usize) -> Result<(), SyncError>
    where
        C: Credentials,
    {
        if self.pass != Pass::Leads {
            return ranges::run_slice(self, slice).await;
        }
        self.plan().slices[slice]
            .paging
            .get_or_insert_with(Paging::default);
        let result = leads::run_slice(self, slice).await;
        self.plan().slices[slice].paging = None;
        self.progress.notify_waiters();
        result
    }

    /// A lead worker fetched a page of `slice`: the newest date it has
    /// seen, and how many records the server says are left.
    pub fn paged(&self, slice: usize, newest: Option<Ts>, left: Option<u64>) {
        if let Some(paging) = self.plan().slices[slice].paging.as_mut() {
            paging.fetched = paging.fetched.max(newest);
            paging.left = left;
        }
        self.progress.notify_waiters();
    }

    pub fn plan(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub async fn send(&self, msg: PageMsg) -> Result<(), SyncError> {
        self.tx.send(msg).await.map_err(|_| SyncError::WriterGone)
    }
}
