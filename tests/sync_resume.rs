#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A sync killed midway leaves its plan behind, and the next run resumes
//! from what was committed instead of starting over.

mod sync_support;

use std::time::Duration;

use close_tui::{
    close::records::Resource,
    sandbox::SandboxArgs,
    sync::{SyncEvent, SyncOptions},
};
use sync_support::{env, sandbox_args};
use tokio::sync::mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_aborted_midway_resumes_and_completes() {
    let env = env(SandboxArgs {
        latency_ms: 5,
        ..sandbox_args(5000)
    })
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = SyncOptions {
        concurrency: 2,
        buffer_pages: 1,
        // Small commits, so the writer cannot take the whole sync in the
        // few batches it holds when the task is stopped.
        batch_pages: 2,
        bulk_batch_pages: 2,
        ..SyncOptions::default()
    };
    let indexes = env.indexes();
    assert!(
        indexes.contains(&"cache_leads_name".to_owned()),
        "{indexes:?}"
    );
    let syncer = env.syncer().with_options(options.clone()).with_events(tx);
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

    let state = env.cache.sync_state(&env.account, "leads").unwrap();
    assert!(state.run.is_some(), "an unfinished run leaves its plan");
    assert!(state.last_sync.is_none());
    // A first sync into an empty cache builds its secondary indexes at the
    // end; the killed one has not yet.
    assert!(!env.indexes().contains(&"cache_leads_name".to_owned()));
    let partial = env.cached(Resource::Leads).len() as u64;
    assert!(partial >= 800 && partial < total, "{partial} of {total}");

    let before = env.stats().await["api_requests"].as_u64().unwrap();
    let report = env
        .syncer()
        .with_options(options)
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
    env.assert_complete().await;
    let state = env.cache.sync_state(&env.account, "leads").unwrap();
    assert!(state.run.is_none() && state.last_full_sync.is_some());
    assert_eq!(
        env.indexes(),
        indexes,
        "every index is back once the sync is done"
    );
}
