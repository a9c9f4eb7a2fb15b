#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A busy lead's activities, over several pages: every one is loaded, and
//! activities deleted while the pages go by cost none of their neighbours.

mod sync_support;

use std::{collections::HashSet, time::Duration};

use serde_json::json;
use sync_support::{env, sandbox_args};

/// Activities of the busy lead: three pages of 100.
const BUSY: usize = 250;

/// Latency on every API request while the lead loads, so the deletion
/// lands between its first page and its second.
const LATENCY_MS: u64 = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_leads_activities_survive_deletions_while_they_load() {
    let env = env(sandbox_args(30)).await;
    let created = env
        .touch(json!({"create": 1, "count": 0, "activities": BUSY}))
        .await;
    let lead = created["created"][0].as_str().unwrap().to_owned();

    // Every page of them, once, each stored as the text Close sent.
    let loaded = env.syncer().lead_activities(&lead).await.unwrap();
    assert_eq!(loaded.len(), BUSY);
    assert_eq!(
        ids(&loaded),
        env.server_ids("activity/", &[("lead_id", &lead)]).await
    );
    let client = sync_support::api_client(&env.sandbox);
    let mut sent = HashSet::new();
    for skip in (0..BUSY).step_by(100) {
        let q = [("lead_id", lead.clone())];
        let page = client.raw_page("activity/", &q, skip, 100).await.unwrap();
        sent.extend(page.data.iter().map(|raw| raw.get().to_owned()));
    }
    let conn = rusqlite::Connection::open(env.cache.path()).unwrap();
    let stored: HashSet<String> = conn
        .prepare("SELECT raw FROM cache_activities WHERE lead_id = ?1")
        .unwrap()
        .query_map([&lead], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored.len(), BUSY);
    let changed = stored.difference(&sent).count();
    assert_eq!(changed, 0, "stored other than sent (key order and all)");

    // Now some go while the lead loads again: after its first page (the
    // newest 100), before its second. Each one among the first 100 moves
    // an activity the first page did not have into it.
    env.faults(json!({"latency_ms": LATENCY_MS})).await;
    let syncer = env.syncer();
    let loading = {
        let lead = lead.clone();
        tokio::spawn(async move { syncer.lead_activities(&lead).await })
    };
    tokio::time::sleep(Duration::from_millis(LATENCY_MS * 3 / 2)).await;
    let deleted = env
        .touch(json!({"resource": "activity", "delete": 60}))
        .await;
    let loaded = loading.await.unwrap().unwrap();
    env.faults(json!({"latency_ms": 0})).await;

    let deleted: HashSet<String> = deleted["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    let left = env.server_ids("activity/", &[("lead_id", &lead)]).await;
    assert!(left.len() < BUSY, "some of the busy lead's activities went");
    let loaded = ids(&loaded);
    let missing: Vec<_> = left.difference(&loaded).collect();
    assert!(missing.is_empty(), "never loaded: {missing:?}");
    // What was read again after the move is what Close still has.
    assert!(loaded.is_disjoint(&deleted), "the window was read again");
    let cached = env.cache.activities(&env.account, &lead).unwrap();
    assert_eq!(ids(&cached), left, "the cache holds what Close has");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_leads_activities_page_by_date_past_max_skip() {
    // Pages of 100 reach only the newest 200 when `_skip` stops at 100:
    // the rest are read in a window of what was created before them.
    // And whatever order Close would list them in by default: the sync
    // asks for newest first.
    let env = env(close_tui::sandbox::SandboxArgs {
        max_skip: 100,
        activities_oldest_first: true,
        ..sandbox_args(30)
    })
    .await;
    let created = env
        .touch(json!({"create": 1, "count": 0, "activities": BUSY}))
        .await;
    let lead = created["created"][0].as_str().unwrap().to_owned();

    let loaded = env.syncer().lead_activities(&lead).await.unwrap();
    assert_eq!(ids(&loaded).len(), BUSY, "every one, once");
    let cached = env.cache.activities(&env.account, &lead).unwrap();
    assert_eq!(cached.len(), BUSY);
    assert!(
        cached
            .iter()
            .all(|a| a.lead_id.as_deref() == Some(lead.as_str()))
    );
}

fn ids(rows: &[close_tui::store::cache::ActivityRow]) -> HashSet<String> {
    rows.iter().map(|a| a.id.clone()).collect()
}
