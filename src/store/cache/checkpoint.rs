//! Checkpointing the WAL beside a sync's writer, not in it.
//!
//! SQLite copies committed pages from the WAL back into the database
//! (a checkpoint) on the connection whose commit crosses the WAL's size
//! limit. During a sync that is the writer, and in a first full sync the
//! copying was a sixth of the writer's time, while the writer is what
//! limits the sync. A [`Checkpointer`] turns that off on the writer and
//! checkpoints from a connection of its own on another thread, every
//! [`EVERY`]; a PASSIVE checkpoint never blocks the writer or a reader,
//! it copies what no reader still needs and leaves the rest for the next.

use std::{
    path::Path,
    sync::{Arc, Condvar, Mutex, PoisonError},
    thread::JoinHandle,
    time::Duration,
};

use super::Cache;
use crate::store::{StoreError, db};

/// How often the checkpointer runs.
const EVERY: Duration = Duration::from_millis(100);

/// Checkpoints the cache's WAL until dropped; then the writer checkpoints
/// as usual again.
pub struct Checkpointer<'a> {
    cache: &'a Cache,
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl<'a> Checkpointer<'a> {
    pub fn start(cache: &'a Cache) -> Result<Self, StoreError> {
        let conn = db::connect(cache.path())?;
        cache.write(|tx| tx.execute_batch("PRAGMA wal_autocheckpoint = 0"))?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("cache-checkpoint".into())
            .spawn(move || run(&conn, &flag))
            .map_err(|err| StoreError::io(Path::new(cache.path()), err))?;
        Ok(Self {
            cache,
            stop,
            thread: Some(thread),
        })
    }
}

fn run(conn: &rusqlite::Connection, stop: &(Mutex<bool>, Condvar)) {
    let (lock, wake) = stop;
    let mut stopped = lock.lock().unwrap_or_else(PoisonError::into_inner);
    while !*stopped {
        stopped = wake
            .wait_timeout(stopped, EVERY)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        // A failed checkpoint loses nothing: the pages stay in the WAL
        // for the next one, or the writer's own.
        if let Err(err) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(%err, "background checkpoint");
        }
    }
}

impl Drop for Checkpointer<'_> {
    fn drop(&mut self) {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Err(err) = self.cache.restore_autocheckpoint() {
            tracing::warn!(%err, "could not restore the WAL's checkpoints");
        }
    }
}
