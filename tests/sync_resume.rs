#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A sync killed midway leaves its plan behind, and the next run resumes
//! from what was committed instead of starting over.

mod sync_support;

use std::{sync::Arc, time::Duration};

use close_tui::{
    close::records::Resource,
    sandbox::SandboxArgs,
    store::AccountId,
    sync::{SyncEvent, SyncOptions, Syncer},
};
use serde_json::json;
use sync_support::{Env, api_client, env, sandbox_args};
use tokio::sync::mpsc;

/// Small commits, so the writer cannot take the whole sync in the few
/// batches it holds when the task is stopped.
fn small_batches() -> SyncOptions {
    SyncOptions {
        concurrency: 2,
        buffer_pages: 1,
        batch_pages: 2,
        bulk_batch_pages: 2,
        ..SyncOptions::default()
    }
}

/// Starts a first full lead sync and stops it once 800 leads are
/// committed; returns the total it planned.
async fn abort_midway(env: &Env) -> u64 {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let syncer = env.syncer().with_options(small_batches()).with_events(tx);
    let task = tokio::spawn(async move { syncer.run(&[Resource::Leads]).await });
    let mut total = 0;
    while let Some(event) = rx.recv().await {
        match event {
            SyncEvent::Started { total: t, .. } => total = t.unwrap(),
            SyncEvent::Progress { done, .. } if done >= 800 => break,
            _ => {}
        }
    }
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    // The writer thread finishes the batch it holds, then stops.
    tokio::time::sleep(Duration::from_millis(200)).await;
    total
}

async fn slow_env() -> Env {
    env(SandboxArgs {
        latency_ms: 5,
        ..sandbox_args(5000)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_aborted_midway_resumes_and_completes() {
    let env = slow_env().await;
    let indexes = env.indexes();
    assert!(
        indexes.contains(&"cache_leads_updated".to_owned()),
        "{indexes:?}"
    );
    let total = abort_midway(&env).await;

    let state = env.cache.sync_state(&env.account, "leads").unwrap();
    assert!(state.run.is_some(), "an unfinished run leaves its plan");
    assert!(state.last_sync.is_none());
    // A first sync into an empty cache builds its secondary indexes and
    // the unique keys of leads, contacts and opportunities at the end;
    // the killed one has not yet. Tasks keep their key throughout.
    let during = env.indexes();
    for gone in [
        "cache_leads_updated",
        "cache_leads_key",
        "cache_contacts_key",
    ] {
        assert!(!during.contains(&gone.to_owned()), "{during:?}");
    }
    let partial = env.cached(Resource::Leads).len() as u64;
    assert!(partial >= 800 && partial < total, "{partial} of {total}");

    let before = env.stats().await["api_requests"].as_u64().unwrap();
    let report = env
        .syncer()
        .with_options(small_batches())
        .run(&[Resource::Leads])
        .await
        .unwrap();
    assert!(report.passes[0].resumed, "{report:?}");
    let requests = env.stats().await["api_requests"].as_u64().unwrap() - before;
    let full_pages = total.div_ceil(200);
    assert!(
        requests < full_pages,
        "resuming made {requests} requests; a full sync needs {full_pages}"
    );
    // Resuming re-reads the page it stopped in: stored once all the same.
    env.assert_complete().await;
    let state = env.cache.sync_state(&env.account, "leads").unwrap();
    assert!(state.run.is_none() && state.last_full_sync.is_some());
    assert_eq!(
        env.indexes(),
        indexes,
        "every index is back once the sync is done"
    );
}

/// While one account's first sync waits to resume with the keys set
/// aside, another account in the same file syncs (twice) and still stores
/// each record once; the first then finishes and puts every index back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_account_syncs_while_a_bulk_load_waits() {
    let env = slow_env().await;
    let indexes = env.indexes();
    abort_midway(&env).await;
    assert!(!env.indexes().contains(&"cache_leads_key".to_owned()));

    let other = AccountId::new(env.account.organization_id.clone(), "user_other");
    let syncer = || {
        Syncer::new(
            api_client(&env.sandbox),
            Arc::clone(&env.cache),
            other.clone(),
        )
        .with_options(small_batches())
    };
    let first = syncer().run(&[Resource::Leads]).await.unwrap();
    assert!(
        first.passes[0].full && !first.passes[0].resumed,
        "{first:?}"
    );
    env.assert_complete_of(&other).await;
    env.touch(json!({"count": 20, "create": 3})).await;
    let again = syncer().run(&[Resource::Leads]).await.unwrap();
    assert!(!again.passes[0].full, "{again:?}");
    env.assert_complete_of(&other).await;
    // The waiting load's keys are still aside: nothing rebuilt them early.
    assert!(!env.indexes().contains(&"cache_leads_key".to_owned()));

    env.syncer()
        .with_options(small_batches())
        .run(&[Resource::Leads])
        .await
        .unwrap();
    env.assert_complete().await;
    env.assert_complete_of(&other).await;
    assert_eq!(env.indexes(), indexes);
}
