//! Fills the offline cache from the Close API.
//!
//! One [`Syncer`] per account runs *passes*: the lead pass (leads with their
//! embedded contacts, opportunities and lead-type tasks, one request per
//! 200 leads), a task pass for the task types leads do not embed, and an
//! opportunity pass when opportunities are synced without leads.
//! Activities load per lead when a lead is opened ([`Syncer::lead_activities`]).
//!
//! Each pass splits its date range into slices worked concurrently; pages
//! stream through a bounded channel into one writer thread that commits
//! them, with the pass's progress, in batched transactions. See `leads.rs`
//! for how deep paging avoids Close's `max_skip`, `ranges.rs` for the
//! other lists, and `plan.rs` for resuming.

mod activities;
mod dates;
mod deletions;
mod engine;
mod event;
mod leads;
mod overlap;
mod pass;
mod plan;
mod ranges;
mod reach;
mod search;
mod worker;
mod writer;

use std::time::Duration;

pub use engine::{SyncReport, Syncer};
pub use event::{Events, SyncEvent};
pub use pass::Pass;
pub use search::{free_text, merge_hits, merged_page, search, search_server};

use crate::{close::ApiError, close::records::Resource, store::StoreError};

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Slices (and so requests) in flight per pass.
    pub concurrency: usize,
    /// How far before the last high-water mark an incremental sync starts,
    /// for clock skew and records committed late on the server.
    pub overlap: Duration,
    /// Ignore the high-water mark and fetch everything.
    pub full: bool,
    /// Pages buffered between the fetchers and the writer (bounds memory).
    pub buffer_pages: usize,
    /// Pages the writer commits in one transaction at most: more amortise
    /// the commit, fewer lose less to a kill.
    pub batch_pages: usize,
    /// The same while a first sync loads an empty cache in bulk: larger
    /// commits write each page of the unique keys (which every record
    /// touches at random) fewer times.
    pub bulk_batch_pages: usize,
    /// A bulk load whose writer has spent this long mostly waiting for
    /// pages (the network is the limit, not the cache) builds its indexes
    /// there and then, and keeps them up to date from then on: the sync
    /// ends without a rebuild, and browsing meanwhile reads indexed tables.
    pub early_indexes_after: Duration,
    /// The write-ahead log's size past which the sync's checkpointer
    /// resets it (the writer waits for that moment): checkpoints beside a
    /// writer that never pauses never get to start the log again, and it
    /// grew past the database's own size.
    pub wal_limit: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            overlap: Duration::from_secs(300),
            full: false,
            buffer_pages: 8,
            batch_pages: 8,
            bulk_batch_pages: 32,
            early_indexes_after: Duration::from_secs(3),
            wal_limit: 256 * 1024 * 1024,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{resource}: {source}")]
    Api {
        resource: &'static str,
        #[source]
        source: ApiError,
    },
    #[error("cache: {0}")]
    Store(#[from] StoreError),
    /// More records share one `date_updated` than Close lets us page past.
    #[error(
        "{resource}: more than {max_skip} records share the time {at}; \
         the window cannot move forward"
    )]
    Stuck {
        resource: &'static str,
        at: String,
        max_skip: usize,
    },
    /// Records kept moving under one window's first pages (changed or
    /// deleted in Close as fast as they were read); what was read is kept,
    /// and the next sync resumes.
    #[error(
        "{resource}: records kept changing under the sync; what it read is kept, \
         run it again to finish"
    )]
    Unsettled { resource: &'static str },
    #[error("{0} cannot be synced on its own; it loads per lead when a lead is opened")]
    NotSyncable(&'static str),
    /// The account was logged out while it synced; what it wrote went
    /// with it.
    #[error("the account was logged out; the sync stopped")]
    LoggedOut,
    /// The writer thread stopped (it panicked, or the runtime is shutting
    /// down).
    #[error("the cache writer stopped unexpectedly")]
    WriterGone,
}

impl SyncError {
    pub(crate) fn api(resource: Resource) -> impl FnOnce(ApiError) -> SyncError {
        move |source| SyncError::Api {
            resource: resource.name(),
            source,
        }
    }
}
