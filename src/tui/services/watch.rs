//! Notices what another process commits to the database (a `close-tui
//! sync` in another terminal, a login or logout in another app), so the
//! screens read it again without a keypress.
//!
//! It asks SQLite every few seconds whether the file changed: a cheap
//! question (`PRAGMA data_version`), answered without reading the file
//! when nothing did, and blind to this app's own writes, which the app
//! knows of already. It starts asking once a screen has opened the cache,
//! and it speaks when a change has settled: the answer moved since it last
//! spoke (or since the cache opened, as a sync elsewhere may end between
//! a screen's first read and the first question) and then held for one
//! more question. A sync elsewhere is so news once it pauses or ends, not
//! every few seconds while it writes.

use std::{sync::Arc, time::Duration};

use super::Shared;
use crate::{
    store::{StoreError, cache::Cache},
    tui::msg::Msg,
};

/// How often the cache is asked. A table shown a few seconds after the
/// data changed is soon enough; more often would only cost wake-ups.
pub const EVERY: Duration = Duration::from_secs(2);

/// Runs until the app is gone, telling it each time the database changed.
pub async fn cache_changes(shared: Arc<Shared>) {
    let tell = Arc::clone(&shared);
    watch(
        move || shared.cache_now(),
        EVERY,
        move |loading| {
            tell.send(Msg::CacheChanged { loading });
            !tell.tx.is_closed()
        },
    )
    .await;
}

/// Every `every`, asks the cache `cache` gives (once there is one) for its
/// version, and calls `changed` once a change has settled, saying whether
/// a bulk load (`Cache::loading_in_bulk`) is under way; stops when
/// `changed` says nobody listens any more.
async fn watch(
    cache: impl Fn() -> Option<Arc<Cache>>,
    every: Duration,
    changed: impl Fn(bool) -> bool,
) {
    // The version last told of (at first, the one the cache opened at),
    // and the one the previous question found.
    let (mut told, mut previous) = (None, None);
    loop {
        tokio::time::sleep(every).await;
        let Some(cache) = cache() else {
            continue;
        };
        let told_of = *told.get_or_insert(cache.opened_version());
        let answer = tokio::task::spawn_blocking(move || {
            let Some(version) = cache.outside_version()? else {
                return Ok(None);
            };
            let loading = version != told_of && cache.loading_in_bulk()?;
            Ok::<_, StoreError>(Some((version, loading)))
        })
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
        // No answer: this app is writing, or the database did not answer.
        let Some((version, loading)) = answer else {
            continue;
        };
        let settled = previous.replace(version) == Some(version);
        if version == told_of || !settled {
            continue;
        }
        if !changed(loading) {
            return;
        }
        told = Some(version);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::store::{KeyConfig, KeyMode, Store};

    /// What the watcher said so far: `loading`, once per message.
    type Said = Arc<Mutex<Vec<bool>>>;

    fn said(said: &Said) -> Vec<bool> {
        said.lock().unwrap().clone()
    }

    async fn until_said(said: &Said, n: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while said.lock().unwrap().len() < n {
            assert!(tokio::time::Instant::now() < deadline, "never told");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // And nothing more for a while.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    #[tokio::test]
    async fn settled_commits_from_elsewhere_are_told_once_and_its_own_never() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("close.db");
        let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
        drop(Store::open(&path, keys).unwrap());
        let cache = Arc::new(Cache::open(&path).unwrap());
        // Another process's connection commits after the cache opened and
        // before the watcher's first look: that counts.
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("CREATE TABLE elsewhere (x);").unwrap();
        let log: Said = Arc::default();
        let (watched, heard) = (Arc::clone(&cache), Arc::clone(&log));
        let watching = tokio::spawn(watch(
            move || Some(Arc::clone(&watched)),
            Duration::from_millis(40),
            move |loading| {
                heard.lock().unwrap().push(loading);
                true
            },
        ));
        until_said(&log, 1).await;
        assert_eq!(said(&log), [false], "once per change");

        // The cache's own writes are not news: the app made them.
        cache
            .write(|tx| tx.execute_batch("INSERT INTO elsewhere VALUES (0);"))
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(said(&log), [false]);

        // Commits coming faster than the questions are news once they stop.
        let writing = std::time::Instant::now();
        while writing.elapsed() < Duration::from_millis(400) {
            other
                .execute_batch("INSERT INTO elsewhere VALUES (1);")
                .unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(said(&log), [false], "not while they come");
        until_said(&log, 2).await;
        assert_eq!(said(&log), [false, false]);

        // A bulk load is told as one, and its end again.
        let bulk = "INSERT INTO cache_deferred (name, sql) VALUES ('i', 'CREATE INDEX i ON elsewhere (x)');
                    INSERT INTO elsewhere VALUES (2);";
        other.execute_batch(bulk).unwrap();
        until_said(&log, 3).await;
        other.execute_batch("DELETE FROM cache_deferred;").unwrap();
        until_said(&log, 4).await;
        assert_eq!(said(&log), [false, false, true, false]);
        watching.abort();
    }
}
