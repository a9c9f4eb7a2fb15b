#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A full sync stores every record exactly once, under faults, rate limits
//! and Close's `max_skip`.

mod sync_support;

use close_tui::{close::records::Resource, sandbox::SandboxArgs};
use sync_support::{env, sandbox_args};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_stores_every_record_once() {
    let env = env(sandbox_args(600)).await;
    let report = env.syncer().run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| p.full && !p.resumed));
    env.assert_complete().await;
    let server = env.server_ids("lead/", &[]).await;
    assert_eq!(env.cached_ids(Resource::Leads), server);
    let tasks = env.server_ids("task/", &[("_type", "all")]).await;
    assert_eq!(env.cached_ids(Resource::Tasks), tasks);
}

/// Close does not publish how many records a page it allows: a Close that
/// allows fewer than the sync asks for refuses the page, and the sync asks
/// for as many as it names from then on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_asks_for_smaller_pages_when_close_allows_fewer() {
    let env = env(SandboxArgs {
        max_limit: 40,
        max_skip: 400,
        ..sandbox_args(1500)
    })
    .await;
    env.syncer().run(&[]).await.unwrap();
    env.assert_complete().await;
    let stats = env.stats().await;
    // 900 leads at 40 a page, plus the tasks, and a refusal or two a path.
    assert!(stats["api_requests"].as_u64().unwrap() < 80, "{stats}");
    let lead = env.cached(Resource::Leads)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let activities = env.syncer().lead_activities(&lead).await.unwrap();
    assert!(!activities.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_survives_a_ten_percent_failure_rate() {
    let env = env(SandboxArgs {
        fail_rate: 0.1,
        ..sandbox_args(3000)
    })
    .await;
    env.syncer().run(&[]).await.unwrap();
    env.assert_complete().await;
    // Whether any 503 fell on this run's few dozen requests is chance;
    // the count is printed for the curious.
    eprintln!("sandbox stats: {}", env.stats().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_stays_within_a_rate_limit_of_ten() {
    let env = env(SandboxArgs {
        rate_limit: 10,
        ..sandbox_args(2000)
    })
    .await;
    env.syncer().run(&[]).await.unwrap();
    env.assert_complete().await;
    let stats = env.stats().await;
    assert!(stats["status_429"].as_u64().unwrap() <= 3, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_of_5000_leads_moves_windows_past_max_skip() {
    let env = env(SandboxArgs {
        max_skip: 1000,
        ..sandbox_args(5000)
    })
    .await;
    let syncer = env.syncer().with_options(close_tui::sync::SyncOptions {
        concurrency: 1,
        ..Default::default()
    });
    syncer.run(&[]).await.unwrap();
    env.assert_complete().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opportunities_alone_split_ranges_deeper_than_max_skip() {
    let env = env(SandboxArgs {
        max_skip: 200,
        ..sandbox_args(3000)
    })
    .await;
    env.syncer().run(&[Resource::Opportunities]).await.unwrap();
    let totals = env.totals().await;
    assert_eq!(
        env.cached(Resource::Opportunities).len() as u64,
        totals["opportunities"].as_u64().unwrap()
    );
    assert!(env.cached(Resource::Leads).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_is_not_a_page_is_retried_then_reported_never_taken_as_the_end() {
    // Every request's first answer is `200 {"error": …}`: read as an empty
    // last page, it would end each slice with nothing. Retried once, the
    // sync is whole.
    let env = env(sandbox_args(3000)).await;
    env.faults(serde_json::json!({"garble": 1})).await;
    env.syncer().run(&[]).await.unwrap();
    env.assert_complete().await;

    // A refusal (429 or 5xx) first does not use up the page's one retry.
    env.faults(serde_json::json!({"storm": 1, "garble": 1}))
        .await;
    let full = || {
        env.syncer().with_options(close_tui::sync::SyncOptions {
            full: true,
            ..Default::default()
        })
    };
    full().run(&[Resource::Leads]).await.unwrap();
    env.faults(serde_json::json!({"storm": 0})).await;
    env.assert_complete().await;

    // Answered so twice, the page is reported with what finds it again.
    env.faults(serde_json::json!({"garble": 2})).await;
    let err = full()
        .run(&[Resource::Leads])
        .await
        .expect_err("a page that cannot be read ends the sync");
    let message = err.to_string();
    assert!(message.contains("cannot read"), "{message}");
    assert!(message.contains("lead/?"), "{message}");
    assert!(message.contains("_skip="), "{message}");
    env.faults(serde_json::json!({"garble": 0})).await;
    env.assert_complete().await;
}
