//! The background sync: issue 4's engine filling the cache, its progress
//! forwarded for the header's gauge.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use tokio::{sync::mpsc, task::AbortHandle};

use super::{Shared, session};
use crate::{
    store::AccountId,
    sync::{SyncError, SyncEvent, Syncer},
    tui::{format, model::SyncProgress, msg::Msg},
};

/// The background sync the app hears from: a new one makes the one before
/// stale (its task is aborted, and what it still says is dropped).
#[derive(Debug, Default)]
pub struct Current(Mutex<Running>);

#[derive(Debug, Default)]
struct Running {
    /// Counts syncs started; only the latest speaks.
    epoch: u64,
    task: Option<AbortHandle>,
    /// The account it syncs, once it knows.
    account: Option<AccountId>,
}

impl Current {
    fn lock(&self) -> std::sync::MutexGuard<'_, Running> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new sync's epoch, and the task of the one it replaces.
    pub fn begin(&self) -> (u64, Option<AbortHandle>) {
        let mut now = self.lock();
        now.epoch += 1;
        now.account = None;
        (now.epoch, now.task.take())
    }

    /// The task of sync `epoch`, unless another began meanwhile.
    pub fn started(&self, epoch: u64, task: AbortHandle) {
        let mut now = self.lock();
        if now.epoch == epoch {
            now.task = Some(task);
        } else {
            task.abort();
        }
    }

    /// Stops the running sync if it syncs `account`; returns its task.
    pub fn stop_for(&self, account: &AccountId) -> Option<AbortHandle> {
        let mut now = self.lock();
        if now.account.as_ref() != Some(account) {
            return None;
        }
        now.epoch += 1;
        now.account = None;
        now.task.take()
    }

    fn syncing(&self, epoch: u64, account: &AccountId) {
        let mut now = self.lock();
        if now.epoch == epoch {
            now.account = Some(account.clone());
        }
    }

    fn is_current(&self, epoch: u64) -> bool {
        self.lock().epoch == epoch
    }

    fn ended(&self, epoch: u64) {
        let mut now = self.lock();
        if now.epoch == epoch {
            now.task = None;
            now.account = None;
        }
    }
}

pub async fn run(shared: Arc<Shared>, epoch: u64) {
    let result = sync(&shared, epoch).await;
    if shared.sync.is_current(epoch) {
        shared.sync.ended(epoch);
        shared.send(Msg::Synced(result));
    }
}

async fn sync(shared: &Arc<Shared>, epoch: u64) -> Result<String, String> {
    let cache = shared
        .cache()
        .await
        .ok_or_else(|| "the local cache is not available".to_owned())?;
    let (account, client) = session::client(shared).await.map_err(|e| e.to_string())?;
    shared.sync.syncing(epoch, &account);
    let (tx, mut events) = mpsc::unbounded_channel();
    let forward = {
        let shared = Arc::clone(shared);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if !shared.sync.is_current(epoch) {
                    continue;
                }
                match event {
                    SyncEvent::Started {
                        resource, total, ..
                    } => shared.send(Msg::Sync(Some(SyncProgress {
                        resource,
                        done: 0,
                        total,
                        indexing: false,
                    }))),
                    SyncEvent::Progress {
                        resource,
                        done,
                        total,
                    } => shared.send(Msg::Sync(Some(SyncProgress {
                        resource,
                        done,
                        total,
                        indexing: false,
                    }))),
                    SyncEvent::Indexing { resource, records } => {
                        shared.send(Msg::Sync(Some(SyncProgress {
                            resource,
                            done: records,
                            total: Some(records),
                            indexing: true,
                        })))
                    }
                    SyncEvent::RateLimited { until, .. } => {
                        let wait = until.saturating_duration_since(std::time::Instant::now());
                        let until =
                            Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                        shared.send(Msg::RateLimited { until });
                    }
                    _ => {}
                }
            }
        })
    };
    let outcomes = Syncer::new(client, cache, account)
        .with_events(tx)
        .run_each(&[])
        .await;
    // The syncer dropped its sender; the forwarder ends after the last event.
    let _ = forward.await;
    let outcomes = outcomes.map_err(|e| format!("sync stopped: {e}"))?;
    // Each pass is told: one that failed does not hide what the others did.
    let (mut records, mut failed, mut unreachable) = (0, Vec::new(), None);
    for (pass, outcome) in &outcomes {
        match outcome {
            Ok(report) => records += report.records,
            Err(err) => {
                if let SyncError::Api { source, .. } = err
                    && super::unreachable(source)
                {
                    unreachable = Some(source.to_string());
                }
                failed.push(pass.failure(err));
            }
        }
    }
    if let Some(reason) = unreachable
        && shared.sync.is_current(epoch)
    {
        shared.send(Msg::Offline(reason));
    }
    let synced = format!("synced: {} updated", format::records(records));
    match failed.len() {
        0 => Ok(synced),
        n if n == outcomes.len() => Err(format!("sync stopped: {}", failed.join("; "))),
        _ => Err(format!("{synced}, but {}", failed.join("; "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> (tokio::task::JoinHandle<()>, AbortHandle) {
        let task = tokio::spawn(std::future::pending::<()>());
        let handle = task.abort_handle();
        (task, handle)
    }

    #[tokio::test]
    async fn a_new_sync_replaces_the_running_one_and_only_it_speaks() {
        let current = Current::default();
        let account = AccountId::new("orga_1", "user_1");
        let (first, handle) = task();
        let (one, none) = current.begin();
        assert!(none.is_none());
        current.started(one, handle);
        current.syncing(one, &account);
        // The account switches: a second sync begins and gets the first's
        // task to stop; the first's news is no longer heard.
        let (two, stale) = current.begin();
        stale.expect("the first sync's task").abort();
        assert!(first.await.unwrap_err().is_cancelled());
        assert!(!current.is_current(one) && current.is_current(two));
        // The first ending late changes nothing for the second.
        current.ended(one);
        current.syncing(two, &account);
        assert!(current.stop_for(&account).is_none(), "no task was started");
    }

    #[tokio::test]
    async fn disconnecting_the_account_being_synced_stops_its_sync() {
        let current = Current::default();
        let (a, b) = (AccountId::new("orga_a", "u"), AccountId::new("orga_b", "u"));
        let (running, handle) = task();
        let (epoch, _) = current.begin();
        current.started(epoch, handle);
        current.syncing(epoch, &a);
        assert!(
            current.stop_for(&b).is_none(),
            "another account's sync runs on"
        );
        assert!(current.is_current(epoch));
        current.stop_for(&a).expect("its task").abort();
        assert!(running.await.unwrap_err().is_cancelled());
        assert!(!current.is_current(epoch), "what it still says is dropped");
    }
}
