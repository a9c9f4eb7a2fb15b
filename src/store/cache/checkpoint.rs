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
//!
//! The log only starts again from its beginning when a writer begins after
//! a checkpoint has copied all of it, which a writer that never pauses does
//! not wait for: the log grew with every page written. So once it is past
//! its limit, the checkpoint is a RESTART, which holds the writer back
//! until the log is copied, and the writer's next commit starts it again
//! (and trims the file, see `journal_size_limit` in `db.rs`).

use std::{
    path::PathBuf,
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
    /// Starts checkpointing beside the writer; past `wal_limit` bytes of
    /// log, a checkpoint starts the log again.
    pub fn start(cache: &'a Cache, wal_limit: u64) -> Result<Self, StoreError> {
        let conn = db::connect(cache.path())?;
        // A checkpoint with no schema named copies back both files' logs.
        super::search_file::attach(&conn, cache.path())?;
        cache.checkpointer_started()?;
        let state = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let shared = Arc::clone(&state);
        let mut wal = cache.path().as_os_str().to_owned();
        wal.push("-wal");
        let wal = Wal {
            path: PathBuf::from(wal),
            limit: wal_limit,
        };
        let thread = std::thread::Builder::new()
            .name("cache-checkpoint".into())
            .spawn(move || run(&conn, &wal, &shared))
            .map_err(|err| {
                let _ = cache.checkpointer_ended();
                StoreError::io(cache.path(), err)
            })?;
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

/// The log file, and the size past which it is started again.
struct Wal {
    path: PathBuf,
    limit: u64,
}

impl Wal {
    fn too_big(&self) -> bool {
        std::fs::metadata(&self.path).is_ok_and(|meta| meta.len() > self.limit)
    }
}

fn run(conn: &rusqlite::Connection, wal: &Wal, state: &(Mutex<State>, Condvar)) {
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
        // A RESTART waits out every writer of the files it names: only
        // the database's log, which the writer fills; a bulk load's
        // search thread keeps its own file's log short itself.
        let (files, mode) = if wal.too_big() {
            ("main.", "RESTART")
        } else {
            ("", "PASSIVE")
        };
        let sql = format!("PRAGMA {files}wal_checkpoint({mode})");
        if let Err(err) = conn.query_row(&sql, [], |_| Ok(())) {
            tracing::debug!(%err, mode, "background checkpoint");
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
        if let Err(err) = self.cache.checkpointer_ended() {
            tracing::warn!(%err, "could not restore the WAL's checkpoints");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{KeyConfig, KeyMode, Store};

    fn writer_autocheckpoint(cache: &Cache) -> i64 {
        cache
            .write(|tx| tx.query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0)))
            .unwrap()
    }

    #[test]
    fn the_writer_checkpoints_itself_again_only_when_the_last_checkpointer_ends() {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
        let store = Store::open(dir.path().join("close.db"), keys).unwrap();
        let cache = store.cache().unwrap();
        let usual = writer_autocheckpoint(&cache);
        assert!(usual > 0);
        // Two passes of one sync, each with its checkpointer.
        let leads = Checkpointer::start(&cache, u64::MAX).unwrap();
        let tasks = Checkpointer::start(&cache, u64::MAX).unwrap();
        assert_eq!(writer_autocheckpoint(&cache), 0);
        drop(tasks);
        assert_eq!(
            writer_autocheckpoint(&cache),
            0,
            "the lead pass still writes"
        );
        drop(leads);
        assert_eq!(writer_autocheckpoint(&cache), usual);
    }
}
