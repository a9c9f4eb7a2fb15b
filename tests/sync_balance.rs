#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Leads bunch up in recent months, so the lead pass's date slices end
//! unevenly, and a worker that runs out of slices takes the upper half of
//! the busiest one (`sync_cuts.rs` shows it happens): every lead is still
//! stored exactly once. A first sync that waits on the network builds its
//! indexes early.

mod sync_support;

use close_tui::{close::records::Resource, sandbox::SandboxArgs, sync::SyncEvent};
use sync_support::{env, sandbox_args};

/// Cuts meet Close's `max_skip` (windows that restart from the newest date
/// seen) and a tenth of requests failing: still every lead once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_slices_page_past_max_skip_and_through_failures() {
    let env = env(SandboxArgs {
        latency_ms: 10,
        max_skip: 1000,
        fail_rate: 0.1,
        ..sandbox_args(12_000)
    })
    .await;
    env.syncer().run(&[Resource::Leads]).await.unwrap();
    // The server's ids cannot be listed past `max_skip`; its totals can.
    env.assert_complete().await;
}

/// A first sync that waits on the network more than it writes builds the
/// indexes it set aside as soon as it sees so, keeps them up to date from
/// then on, and so has none left to build at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_bound_first_sync_builds_its_indexes_early() {
    let env = env(SandboxArgs {
        latency_ms: 100,
        ..sandbox_args(5_000)
    })
    .await;
    let indexes = env.indexes();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let syncer = env
        .syncer()
        .with_options(close_tui::sync::SyncOptions {
            concurrency: 4,
            early_indexes_after: std::time::Duration::ZERO,
            ..Default::default()
        })
        .with_events(tx);
    let report = syncer.run(&[Resource::Leads]).await.unwrap();
    drop(syncer);
    assert!(report.passes[0].full, "{report:?}");
    let mut events = Vec::new();
    while let Some(event) = rx.recv().await {
        events.push(event);
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SyncEvent::Indexing { .. })),
        "nothing was left to build at the end: {events:?}"
    );
    assert_eq!(env.indexes(), indexes, "every index is back");
    env.assert_complete().await;
}
