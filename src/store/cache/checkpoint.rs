//! Checkpointing the WAL beside a sync's writer, not in it.
//!
//! SQLite copies committed pages from the WAL back into the database
//! (a checkpoint) on the connection whose commit crosses the WAL's size
//! limit. During a sync that is the writer, and in a first full sync the
//! copying was a sixth of the writer's time, while the writer is what
//! limits the sync. A [`Checkpointer`] turns that off on the writer and
//! checkpoints from a connection of its own on another thread, after each
//! commit the writer reports (and never while nothing is written, so an
//! idle sync costs no wake-ups); a PASSIVE checkpoint never blocks the
//! writer or a reader, it copies what no reader still needs and leaves the
//! rest for the next.

use std::{
    sync::{Arc, Condvar, Mutex, PoisonError},
    thread::JoinHandle,
};

use super::Cache;
use crate::store::{StoreError, db};

/// Checkpoints the cache's WAL until dropped; then the writer checkpoints
/// as usual again.
pub struct Checkpointer<'a> {
    cache: &'a Cache,
    state: Arc<(Mutex<State>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct State {
    /// Commits reported since the last checkpoint began.
    pending: bool,
    stop: bool,
}

impl<'a> Checkpointer<'a> {
    pub fn start(cache: &'a Cache) -> Result<Self, StoreError> {
        let conn = db::connect(cache.path())?;
        cache.write(|tx| tx.execute_batch("PRAGMA wal_autocheckpoint = 0"))?;
        let state = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let shared = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("cache-checkpoint".into())
            .spawn(move || run(&conn, &shared))
            .map_err(|err| StoreError::io(cache.path(), err))?;
        Ok(Self {
            cache,
            state,
            thread: Some(thread),
        })
    }

    /// Tells the checkpointer the writer committed.
    pub fn committed(&self) {
        let (lock, wake) = &*self.state;
        lock.lock().unwrap_or_else(PoisonError::into_inner).pending = true;
        wake.notify_one();
    }
}

fn run(conn: &rusqlite::Connection, state: &(Mutex<State>, Condvar)) {
    let (lock, wake) = state;
    loop {
        {
            let mut now = lock.lock().unwrap_or_else(PoisonError::into_inner);
            while !now.pending && !now.stop {
                now = wake.wait(now).unwrap_or_else(PoisonError::into_inner);
            }
            if now.stop {
                return;
            }
            now.pending = false;
        }
        // A failed checkpoint loses nothing: the pages stay in the WAL
        // for the next one, or the writer's own.
        if let Err(err) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(%err, "background checkpoint");
        }
    }
}

impl Drop for Checkpointer<'_> {
    fn drop(&mut self) {
        let (lock, wake) = &*self.state;
        lock.lock().unwrap_or_else(PoisonError::into_inner).stop = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Err(err) = self.cache.restore_autocheckpoint() {
            tracing::warn!(%err, "could not restore the WAL's checkpoints");
        }
    }
}
