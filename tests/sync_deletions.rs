#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Records deleted in Close leave the cache: an incremental sync reads
//! them from Close's event log; a full sync, or one past the event log's
//! 30 days, removes what it did not see.

mod sync_support;

use std::collections::HashSet;

use close_tui::{
    close::records::Resource,
    sandbox::SandboxArgs,
    store::cache::{search_path, upsert},
    sync::SyncOptions,
};
use serde_json::{Value, json};
use sync_support::{Env, env, sandbox_args};

fn ids(touched: &Value, key: &str) -> Vec<String> {
    touched[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect()
}

/// Asserts the cache holds exactly the sandbox's leads, contacts,
/// opportunities and tasks, by id.
async fn assert_same_ids(env: &Env) {
    for (resource, path, extra) in [
        (Resource::Leads, "lead/", None),
        (Resource::Contacts, "contact/", None),
        (Resource::Opportunities, "opportunity/", None),
        (Resource::Tasks, "task/", Some(("_type", "all"))),
    ] {
        let extra: Vec<(&str, &str)> = extra.into_iter().collect();
        let server = env.server_ids(path, &extra).await;
        assert_eq!(env.cached_ids(resource), server, "{path}");
    }
}

/// Rows of `table` in the cache file for leads in `leads`.
fn rows_of_leads(env: &Env, table: &str, leads: &[String]) -> usize {
    let conn = rusqlite::Connection::open(env.cache.path()).unwrap();
    leads
        .iter()
        .map(|id| {
            conn.query_row(
                &format!("SELECT count(*) FROM {table} WHERE lead_id = ?1"),
                [id],
                |row| row.get::<_, i64>(0),
            )
            .unwrap() as usize
        })
        .sum()
}

fn search_rows(env: &Env) -> usize {
    // The index has a file of its own, beside the database.
    let conn = rusqlite::Connection::open(search_path(env.cache.path())).unwrap();
    conn.query_row("SELECT count(*) FROM cache_search", [], |row| {
        row.get::<_, i64>(0)
    })
    .unwrap() as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_sync_removes_what_close_deleted() {
    let env = env(sandbox_args(1500)).await;
    env.syncer().run(&[]).await.unwrap();
    let doomed = env.touch(json!({"delete": 6})).await;
    let doomed = ids(&doomed, "deleted");
    // One was opened in the TUI before, so its activities are cached too.
    let note = json!({"id": "acti_opened", "lead_id": doomed[0], "_type": "Note"});
    env.cache
        .write(|tx| upsert(tx, &env.account, Resource::Activities, &note))
        .unwrap();
    assert_eq!(rows_of_leads(&env, "cache_activities", &doomed), 1);
    let mut gone = Vec::new();
    for resource in ["contact", "opportunity", "task"] {
        let touched = env.touch(json!({"delete": 4, "resource": resource})).await;
        gone.extend(ids(&touched, "deleted"));
    }
    assert_eq!(doomed.len() + gone.len(), 18);

    let report = env.syncer().run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| !p.full), "{report:?}");
    let removed: u64 = report.passes.iter().map(|p| p.removed).sum();
    assert!(removed >= 6, "{report:?}");
    assert_same_ids(&env).await;
    let leads = env.cached_ids(Resource::Leads);
    assert!(doomed.iter().all(|id| !leads.contains(id)));
    for table in [
        "cache_contacts",
        "cache_opportunities",
        "cache_tasks",
        "cache_activities",
    ] {
        assert_eq!(rows_of_leads(&env, table, &doomed), 0, "{table}");
    }
    // Their search rows went with them: one a cached lead.
    assert_eq!(search_rows(&env), leads.len());

    // Nothing more to remove the next time.
    let report = env.syncer().run(&[]).await.unwrap();
    assert_eq!(report.passes.iter().map(|p| p.removed).sum::<u64>(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_removes_what_it_did_not_see() {
    let env = env(sandbox_args(900)).await;
    env.syncer().run(&[]).await.unwrap();
    let doomed = ids(&env.touch(json!({"delete": 5})).await, "deleted");
    let tasks = ids(
        &env.touch(json!({"delete": 5, "resource": "task"})).await,
        "deleted",
    );

    let full = env.syncer().with_options(SyncOptions {
        full: true,
        ..SyncOptions::default()
    });
    let report = full.run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| p.full), "{report:?}");
    assert_same_ids(&env).await;
    let leads = env.cached_ids(Resource::Leads);
    assert!(doomed.iter().all(|id| !leads.contains(id)));
    let cached_tasks = env.cached_ids(Resource::Tasks);
    assert!(tasks.iter().all(|id| !cached_tasks.contains(id)));
    assert_eq!(search_rows(&env), leads.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_unsynced_past_the_event_logs_reach_runs_full_and_sweeps() {
    let env = env(sandbox_args(900)).await;
    env.syncer().run(&[]).await.unwrap();
    // As if the last sync were 40 days ago: its deletions are past the
    // event log's 30 days.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(40);
    let conn = rusqlite::Connection::open(env.cache.path()).unwrap();
    conn.execute(
        "UPDATE cache_sync_state SET last_sync = ?1, high_water = ?2, events_from = ?2",
        rusqlite::params![long_ago.timestamp(), long_ago.to_rfc3339()],
    )
    .unwrap();
    let doomed = ids(&env.touch(json!({"delete": 5})).await, "deleted");

    let report = env.syncer().run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| p.full), "{report:?}");
    assert_same_ids(&env).await;
    let leads = env.cached_ids(Resource::Leads);
    assert!(doomed.iter().all(|id| !leads.contains(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opportunities_and_tasks_synced_alone_lose_what_close_deleted() {
    let env = env(sandbox_args(900)).await;
    let alone = [Resource::Opportunities, Resource::Tasks];
    env.syncer().run(&alone).await.unwrap();
    let mut doomed = Vec::new();
    for resource in ["opportunity", "task"] {
        let touched = env.touch(json!({"delete": 4, "resource": resource})).await;
        doomed.extend(ids(&touched, "deleted"));
    }

    let report = env.syncer().run(&alone).await.unwrap();
    assert!(report.passes.iter().all(|p| !p.full), "{report:?}");
    // No lead pass rewrote their leads: the event log removed all eight.
    assert_eq!(report.passes.iter().map(|p| p.removed).sum::<u64>(), 8);
    let cached: HashSet<String> = env
        .cached_ids(Resource::Opportunities)
        .into_iter()
        .chain(env.cached_ids(Resource::Tasks))
        .collect();
    assert!(doomed.iter().all(|id| !cached.contains(id)));
    let opportunities = env.server_ids("opportunity/", &[]).await;
    assert_eq!(env.cached_ids(Resource::Opportunities), opportunities);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_load_leaves_its_sweep_to_the_next_sync() {
    let env = env(sandbox_args(900)).await;
    // Opportunities cached on their own, some deleted before the first
    // lead sync loads the (lead-less) cache in bulk.
    env.syncer().run(&[Resource::Opportunities]).await.unwrap();
    let doomed = ids(
        &env.touch(json!({"delete": 3, "resource": "opportunity"}))
            .await,
        "deleted",
    );
    let report = env.syncer().run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| p.full), "{report:?}");
    let cached = env.cached_ids(Resource::Opportunities);
    assert!(
        doomed.iter().all(|id| cached.contains(id)),
        "a first load does not sweep"
    );

    let report = env.syncer().run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| !p.full), "{report:?}");
    assert_same_ids(&env).await;
    let cached = env.cached_ids(Resource::Opportunities);
    assert!(doomed.iter().all(|id| !cached.contains(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletions_are_read_through_a_flaky_api() {
    let env = env(SandboxArgs {
        fail_rate: 0.2,
        ..sandbox_args(900)
    })
    .await;
    env.syncer().run(&[]).await.unwrap();
    let doomed = ids(&env.touch(json!({"delete": 5})).await, "deleted");
    let tasks = env.touch(json!({"delete": 5, "resource": "task"})).await;

    // A fifth of the requests, event log included, fail once or more and
    // are retried.
    env.syncer().run(&[]).await.unwrap();
    assert_same_ids(&env).await;
    let cached = env.cached_ids(Resource::Leads);
    assert!(doomed.iter().all(|id| !cached.contains(id)));
    let cached = env.cached_ids(Resource::Tasks);
    assert!(ids(&tasks, "deleted").iter().all(|id| !cached.contains(id)));
    eprintln!("sandbox stats: {}", env.stats().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_machine_clock_ahead_of_closes_still_reads_every_deletion() {
    let env = env(sandbox_args(300)).await;
    env.syncer().run(&[]).await.unwrap();
    env.syncer().run(&[]).await.unwrap();
    // The last sync finished while this machine's clock ran 3 h ahead:
    // reading the log from "an hour before it finished" would start two
    // hours in Close's future.
    let conn = rusqlite::Connection::open(env.cache.path()).unwrap();
    conn.execute(
        "UPDATE cache_sync_state SET last_sync = last_sync + 3 * 3600",
        [],
    )
    .unwrap();
    let doomed = ids(&env.touch(json!({"delete": 3})).await, "deleted");
    let report = env.syncer().run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| !p.full), "{report:?}");
    let leads = env.cached_ids(Resource::Leads);
    let kept: Vec<_> = doomed.iter().filter(|id| leads.contains(*id)).collect();
    assert!(kept.is_empty(), "deleted in Close, still cached: {kept:?}");
    assert_same_ids(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_set_back_after_a_first_load_sweeps_nothing_live() {
    let env = env(sandbox_args(300)).await;
    env.syncer().run(&[]).await.unwrap();
    // The first load ran with the clock 3 h ahead (its start and its rows'
    // stamps say so); the clock has been put right since. The next sync
    // catches up and sweeps what the load did not write: not what it
    // writes itself.
    let conn = rusqlite::Connection::open(env.cache.path()).unwrap();
    let shift = 3i64 * 3600 * 1_000_000;
    conn.execute(
        "UPDATE cache_sync_state SET full_started = full_started + ?1
         WHERE full_started IS NOT NULL",
        [shift],
    )
    .unwrap();
    for table in [
        "cache_leads",
        "cache_contacts",
        "cache_opportunities",
        "cache_tasks",
    ] {
        conn.execute(&format!("UPDATE {table} SET synced = synced + ?1"), [shift])
            .unwrap();
    }
    env.touch(json!({"count": 5})).await;
    env.syncer().run(&[]).await.unwrap();
    assert_same_ids(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_left_past_the_event_logs_reach_is_not_resumed() {
    let env = env(sandbox_args(300)).await;
    env.syncer().run(&[]).await.unwrap();
    env.syncer().run(&[]).await.unwrap();
    // An incremental sync was killed, and the machine then slept 40 days:
    // its plan would read deletions from before what the log still holds.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(40);
    let conn = rusqlite::Connection::open(env.cache.path()).unwrap();
    let plan = json!({
        "full": false, "total": null, "done": 0, "high_water": null,
        "slices": [], "deletions_since": long_ago,
    });
    conn.execute(
        "UPDATE cache_sync_state SET run = ?1, last_sync = ?2, events_from = ?3",
        rusqlite::params![
            plan.to_string(),
            long_ago.timestamp(),
            long_ago.to_rfc3339()
        ],
    )
    .unwrap();
    let doomed = ids(&env.touch(json!({"delete": 4})).await, "deleted");
    let report = env.syncer().run(&[]).await.unwrap();
    assert!(
        report.passes.iter().all(|p| p.full && !p.resumed),
        "{report:?}"
    );
    let leads = env.cached_ids(Resource::Leads);
    assert!(doomed.iter().all(|id| !leads.contains(id)));
    assert_same_ids(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_full_does_not_resume_an_incremental_plan() {
    let env = env(sandbox_args(300)).await;
    env.syncer().run(&[]).await.unwrap();
    env.syncer().run(&[]).await.unwrap();
    let conn = rusqlite::Connection::open(env.cache.path()).unwrap();
    let plan = json!({
        "full": false, "total": null, "done": 0, "high_water": null, "slices": [],
    });
    conn.execute("UPDATE cache_sync_state SET run = ?1", [plan.to_string()])
        .unwrap();
    let full = env.syncer().with_options(SyncOptions {
        full: true,
        ..SyncOptions::default()
    });
    let report = full.run(&[]).await.unwrap();
    assert!(
        report.passes.iter().all(|p| p.full && !p.resumed),
        "{report:?}"
    );
}
