//! The [`Syncer`]: which passes a request needs, and running one pass from
//! a fresh or resumed plan to its finish.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex, PoisonError, atomic::AtomicUsize},
    time::{Duration, Instant},
};

use futures_util::future::{join_all, try_join_all};
use tokio::sync::{Notify, broadcast, mpsc};

use super::{
    SyncError, SyncOptions,
    deletions::{self, Deletions},
    event::{Events, SyncEvent},
    leads,
    pass::Pass,
    plan::{self, Plan},
    ranges,
    worker::Worker,
    writer::Writer,
};
use crate::{
    close::{CloseClient, Credentials, records::Resource},
    store::{
        AccountId,
        cache::{
            Cache, Finished, SyncState, bulk, finish_run, raise_stamp_floor, save_run, written_now,
        },
    },
};

/// How far this machine's clock may run ahead of Close's without a
/// deletion going unseen (see `deletions::since`).
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::hours(1);

#[derive(Debug, Clone, PartialEq)]
pub struct PassReport {
    pub pass: Pass,
    pub records: u64,
    /// Cached records removed because Close deleted them.
    pub removed: u64,
    pub full: bool,
    pub resumed: bool,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    pub passes: Vec<PassReport>,
}

/// Syncs one account's cache. Cheap to build; one per sync is fine.
pub struct Syncer<C> {
    pub(crate) client: CloseClient<C>,
    pub(crate) cache: Arc<Cache>,
    pub(crate) account: AccountId,
    pub(crate) options: SyncOptions,
    pub(crate) events: Events,
}

impl<C: Credentials + 'static> Syncer<C> {
    pub fn new(client: CloseClient<C>, cache: Arc<Cache>, account: AccountId) -> Self {
        Self {
            client,
            cache,
            account,
            options: SyncOptions::default(),
            events: Events::default(),
        }
    }

    pub fn with_options(mut self, options: SyncOptions) -> Self {
        self.options = options;
        self
    }

    pub fn with_events(mut self, events: mpsc::UnboundedSender<SyncEvent>) -> Self {
        self.events = Events::new(events);
        self
    }

    pub fn client(&self) -> &CloseClient<C> {
        &self.client
    }

    /// The cache this syncer fills.
    pub fn cache_handle(&self) -> &Arc<Cache> {
        &self.cache
    }

    /// Brings `resources` (all when empty) up to date: a full pass the
    /// first time, an incremental one after, resuming an unfinished one.
    /// Fails with the first pass's error when any failed; see
    /// [`Syncer::run_each`] for every pass's outcome.
    pub async fn run(&self, resources: &[Resource]) -> Result<SyncReport, SyncError> {
        let passes = self
            .run_each(resources)
            .await?
            .into_iter()
            .map(|(_, outcome)| outcome)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SyncReport { passes })
    }

    /// As [`Syncer::run`], with each pass's own outcome, in pass order: a
    /// pass that failed does not hide what the others did. Fails as a
    /// whole only when `resources` cannot be synced at all.
    pub async fn run_each(
        &self,
        resources: &[Resource],
    ) -> Result<Vec<(Pass, Result<PassReport, SyncError>)>, SyncError> {
        let passes = Pass::for_resources(resources)?;
        let mut client_events = self.client.events();
        let events = self.events.clone();
        // Aborted when `run` ends or is dropped (a cancelled sync).
        let _forward = AbortOnDrop(tokio::spawn(async move {
            loop {
                match client_events.recv().await {
                    Ok(event) => events.from_client(event),
                    // A burst of waits and retries outran the watcher: the
                    // ones missed are stale, the next are not.
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        }));
        let leads_too = passes.contains(&Pass::Leads);
        // Each pass runs to its end: one that fails (a task type this role
        // may not read, say) does not cancel the others' progress.
        let results = join_all(
            passes
                .iter()
                .map(|&pass| self.run_pass(pass, leads_too, false)),
        )
        .await;
        Ok(passes.into_iter().zip(results).collect())
    }

    /// Runs a cache write on a blocking thread and awaits it. Writing
    /// inline would block the thread that also polls the sibling passes
    /// (`run` joins them in one task); if one of those holds the database's
    /// write lock for a token refresh, the write would wait out the busy
    /// timeout for a lock that cannot be released, then fail as "database
    /// is locked".
    async fn write_off_thread<R: Send + 'static>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, SyncError> {
        let cache = Arc::clone(&self.cache);
        Ok(tokio::task::spawn_blocking(move || cache.write(work))
            .await
            .map_err(|_| SyncError::WriterGone)??)
    }

    /// Plans a pass and saves the plan. A first full lead pass into an
    /// empty cache loads in bulk. A `catch_up` pass follows a full one and
    /// is incremental whatever the options say (see `deletions.rs`).
    async fn fresh_plan(
        &self,
        pass: Pass,
        leads_too: bool,
        state: &SyncState,
        catch_up: bool,
    ) -> Result<Plan, SyncError> {
        // A mark past Close's clock came from a record dated in the future
        // (a cache written before marks were capped, see `run_pass`): from
        // there, every later change would be missed.
        let window = match (&state.high_water, self.options.full && !catch_up) {
            (Some(mark), false) => chrono::DateTime::parse_from_rfc3339(mark).ok().map(|t| {
                t.with_timezone(&chrono::Utc).min(self.client.close_now()) - self.options.overlap
            }),
            _ => None,
        };
        // Past the event log's reach, an incremental pass would keep
        // records Close deleted: it runs full, and sweeps.
        let read_from = deletions::ReadFrom {
            events_from: state.events_from.as_deref().and_then(plan::parse_date),
            last_sync: state.last_sync,
            full_started: state.full_started,
        };
        let deletions_since = deletions::since(window, read_from, CLOCK_SKEW);
        let since = window.filter(|_| deletions_since.is_some());
        let mut fresh = match pass {
            Pass::Leads => leads::plan(self, since).await?,
            _ => ranges::plan(self, since, pass.params(leads_too)),
        };
        fresh.deletions_since = deletions_since;
        // After the planning requests: Close's clock is known by now.
        fresh.began = Some(self.client.close_now());
        let may_bulk = pass == Pass::Leads && fresh.full;
        let account = self.account.clone();
        let full_started = state.full_started;
        self.write_off_thread(move |tx| {
            if may_bulk && bulk::cache_is_empty(tx)? {
                fresh.bulk = true;
                bulk::defer_indexes(tx)?;
            }
            fresh.sweep = if fresh.full {
                Some(written_now())
            } else {
                full_started
            };
            let json = serde_json::to_string(&fresh).unwrap_or_default();
            save_run(tx, &account, pass.name(), Some(&json))?;
            Ok(fresh)
        })
        .await
    }

    async fn run_pass(
        &self,
        pass: Pass,
        leads_too: bool,
        catch_up: bool,
    ) -> Result<PassReport, SyncError> {
        let started = Instant::now();
        let state = self.cache.sync_state(&self.account, pass.name())?;
        let saved = state
            .run
            .as_deref()
            .and_then(|json| serde_json::from_str::<Plan>(json).ok())
            // `--full` asked for a full pass: an unfinished incremental
            // one would not drop what Close no longer has.
            .filter(|plan| plan.full || !self.options.full || catch_up)
            // Resumed past the event log's reach, it would miss deletions
            // made in between: planned afresh, it runs full.
            .filter(|plan| plan.deletions_since.is_none_or(deletions::within_reach));
        let resumed = saved.is_some();
        let plan = match saved {
            Some(plan) => plan,
            None => self.fresh_plan(pass, leads_too, &state, catch_up).await?,
        };
        // Rows this pass writes are stamped no earlier than the pass it
        // sweeps for began, even if the clock has gone back since (a
        // catch-up after a first load runs in a later process).
        if let Some(began) = plan.sweep {
            raise_stamp_floor(began);
        }
        if !plan.bulk {
            self.write_off_thread(bulk::restore_orphans).await?;
        }
        self.events.send(SyncEvent::Started {
            resource: pass.resource(),
            total: plan.total,
            full: plan.full,
            resumed,
            catch_up,
        });
        let (full, bulk_load) = (plan.full, plan.bulk);
        let (deletions_since, sweep) = (plan.deletions_since, plan.sweep);
        let planned = plan.began;
        let (scope, object_types) = (
            deletions::scope(pass, &plan.params),
            deletions::object_types(pass, &plan.params),
        );
        let queue = Mutex::new(plan.pending().collect::<VecDeque<_>>());
        let params = plan.params.clone();
        let plan = Arc::new(Mutex::new(plan));
        let (tx, rx) = mpsc::channel(self.options.buffer_pages.max(1));
        let writer = Writer {
            cache: Arc::clone(&self.cache),
            account: self.account.clone(),
            pass: pass.name(),
            resource: pass.resource(),
            plan: Arc::clone(&plan),
            events: self.events.clone(),
            batch_pages: if bulk_load {
                self.options.bulk_batch_pages
            } else {
                self.options.batch_pages
            },
            bulk: bulk_load,
            early_indexes_after: self.options.early_indexes_after,
            wal_limit: self.options.wal_limit,
        }
        .spawn(rx);
        let max_skip = AtomicUsize::new(0);
        let progress = Notify::new();
        let fetched = {
            let workers: Vec<_> = (0..self.options.concurrency.max(1))
                .map(|_| {
                    let worker = Worker {
                        client: &self.client,
                        pass,
                        plan: &plan,
                        queue: &queue,
                        tx: tx.clone(),
                        max_skip: &max_skip,
                        params: params.clone(),
                        progress: &progress,
                    };
                    async move {
                        while let Some(slice) = worker.next_work().await {
                            worker.work(slice).await?;
                        }
                        Ok::<_, SyncError>(())
                    }
                })
                .collect();
            drop(tx);
            try_join_all(workers).await
        };
        // The writer ends once every sender is gone, after its last commit.
        // A writer failure explains the fetchers' `WriterGone`, so it wins.
        let records = writer.await.map_err(|_| SyncError::WriterGone)??;
        fetched?;
        let (high_water, committed) = {
            let plan = plan.lock().unwrap_or_else(PoisonError::into_inner);
            (plan.high_water, plan.done)
        };
        let mut deletions = match deletions_since {
            Some(since) => deletions::deleted_since(&self.client, &object_types, since)
                .await
                .map_err(SyncError::api(pass.resource()))?,
            None => Deletions::default(),
        };
        // A full pass that found records leaves its sweep to the pass that
        // catches up after it; one that found none has nothing that moved.
        let (sweep, full_started) = match (full, sweep) {
            (true, Some(began)) if high_water.is_none() => (Some(began), None),
            (true, began) => (None, began),
            (false, before) => (before, None),
        };
        deletions.sweep = sweep.map(|before| (scope, before));
        // When this pass began on Close's clock, now that its answers have
        // told it (a pass planned before any answer came went by this
        // machine's); a resumed one began earlier still.
        let here = chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
        let began = self.client.close_now() - here;
        let began = planned.map_or(began, |planned| planned.min(began));
        // No later than the pass's start on Close's clock: a record dated
        // in the future (a server or an import whose clock ran ahead) would
        // otherwise start the next pass past changes this one did not see.
        let high_water = high_water.map(|mark| {
            mark.min(began)
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        });
        let began = began.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let account = self.account.clone();
        let events = self.events.clone();
        let removed = self
            .write_off_thread(move |tx| {
                // Unless the writer built them early (see `writer.rs`).
                if bulk_load && bulk::any_deferred(tx)? {
                    events.send(SyncEvent::Indexing {
                        resource: pass.resource(),
                        records: committed,
                    });
                    bulk::restore_indexes(tx)?;
                }
                let removed = deletions.apply(tx, &account)?;
                let end = Finished {
                    high_water: high_water.as_deref(),
                    full,
                    full_started,
                    events_from: Some(&began),
                };
                finish_run(tx, &account, pass.name(), end)?;
                Ok(removed)
            })
            .await?;
        let elapsed = started.elapsed();
        self.events.send(SyncEvent::Finished {
            resource: pass.resource(),
            records,
            elapsed,
        });
        let report = PassReport {
            pass,
            records,
            removed,
            full,
            resumed,
            elapsed,
        };
        // A first load waits for the next sync to catch up; any other full
        // pass catches up at once, so what Close deleted leaves now.
        if full_started.is_none() || bulk_load || catch_up {
            return Ok(report);
        }
        let after = Box::pin(self.run_pass(pass, leads_too, true)).await?;
        Ok(PassReport {
            records: records + after.records,
            removed: after.removed,
            elapsed: started.elapsed(),
            ..report
        })
    }
}

/// A task that ends with its owner.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
