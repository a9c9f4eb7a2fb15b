//! Notices a commit to the database made elsewhere (a `close-tui sync` in
//! another terminal, a login or logout in another app), so the screens
//! read it again without a keypress.
//!
//! It asks SQLite every few seconds whether the file changed: a cheap
//! question of the cache's reading connection, answered without reading
//! the file when nothing did. It starts asking only once a screen has
//! opened the cache, and it speaks only when the answer moved since the
//! last time, or since the cache opened (a sync elsewhere may end between
//! a screen's first read and the first question).

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
        move || {
            tell.send(Msg::CacheChanged);
            !tell.tx.is_closed()
        },
    )
    .await;
}

/// Every `every`, asks the cache `cache` gives (once there is one) for its
/// data version, and calls `changed` when it moved; stops when `changed`
/// says nobody listens any more.
async fn watch(
    cache: impl Fn() -> Option<Arc<Cache>>,
    every: Duration,
    changed: impl Fn() -> bool,
) {
    let mut told = None;
    loop {
        tokio::time::sleep(every).await;
        let Some(cache) = cache() else {
            continue;
        };
        // Whatever was committed since the cache opened (the screen that
        // opened it may have read it before) is a change.
        let seen = *told.get_or_insert(cache.opened_version());
        let answer = tokio::task::spawn_blocking(move || {
            let version = cache.data_version()?;
            // A bulk load elsewhere is news once it ends (that is a commit
            // too): tables read meanwhile would be read unindexed.
            let loading = version != seen && cache.loading_in_bulk()?;
            Ok::<_, StoreError>((version, loading))
        })
        .await
        .ok()
        .and_then(Result::ok);
        let Some((version, false)) = answer else {
            continue;
        };
        if version != seen && !changed() {
            return;
        }
        told = Some(version);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::store::{KeyConfig, KeyMode, Store};

    #[tokio::test]
    async fn commits_from_other_connections_are_noticed_and_nothing_else_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("close.db");
        let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
        drop(Store::open(&path, keys).unwrap());
        let cache = Arc::new(Cache::open(&path).unwrap());
        // Another process's connection commits after the cache opened and
        // before the watcher's first look: that counts.
        let other = rusqlite::Connection::open(&path).unwrap();
        other.execute_batch("CREATE TABLE elsewhere (x);").unwrap();
        let told = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&told);
        let watching = tokio::spawn(watch(
            move || Some(Arc::clone(&cache)),
            Duration::from_millis(20),
            move || counter.fetch_add(1, Ordering::SeqCst) < 10,
        ));
        let told_at_least = |n: usize| {
            let told = Arc::clone(&told);
            async move {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
                while told.load(Ordering::SeqCst) < n {
                    assert!(tokio::time::Instant::now() < deadline, "never noticed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        };
        told_at_least(1).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(told.load(Ordering::SeqCst), 1, "once per change");

        other
            .execute_batch("INSERT INTO elsewhere VALUES (1);")
            .unwrap();
        told_at_least(2).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(told.load(Ordering::SeqCst), 2, "once per change");

        // A bulk load's commits say nothing until it ends.
        let bulk = "INSERT INTO cache_deferred (name, sql) VALUES ('i', 'CREATE INDEX i ON elsewhere (x)');
                    INSERT INTO elsewhere VALUES (2);";
        other.execute_batch(bulk).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        other
            .execute_batch("INSERT INTO elsewhere VALUES (3);")
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(told.load(Ordering::SeqCst), 2, "not while loading");
        other.execute_batch("DELETE FROM cache_deferred;").unwrap();
        told_at_least(3).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(told.load(Ordering::SeqCst), 3, "once when it ends");
        watching.abort();
    }
}
