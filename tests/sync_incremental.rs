#![allow(clippy::unwrap_used, clippy::expect_used)]
//! After a full sync, later syncs fetch only what changed, and find it.

mod sync_support;

use close_tui::close::records::Resource;
use serde_json::json;
use sync_support::{env, sandbox_args};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_sync_picks_up_changed_and_new_records() {
    let env = env(sandbox_args(1500)).await;
    env.syncer().run(&[]).await.unwrap();
    let before = env.stats().await["api_requests"].as_u64().unwrap();

    let leads = env.touch(json!({"count": 15, "create": 4})).await;
    let opps = env
        .touch(json!({"count": 5, "resource": "opportunity"}))
        .await;
    let tasks = env.touch(json!({"count": 5, "resource": "task"})).await;
    let contacts = env.touch(json!({"count": 5, "resource": "contact"})).await;

    let report = env.syncer().run(&[]).await.unwrap();
    assert!(
        report.passes.iter().all(|p| !p.full && !p.resumed),
        "{report:?}"
    );
    let requests = env.stats().await["api_requests"].as_u64().unwrap() - before;
    // Two to plan and one a slice for leads and for tasks, and the event
    // log once an object type: lead, contact, opportunity and lead tasks
    // for the lead pass, the 8 other task types for the task pass.
    assert!(
        requests <= 18,
        "an incremental sync made {requests} requests"
    );
    env.assert_complete().await;

    let cached = env.cached(Resource::Leads);
    let by_id = |id: &serde_json::Value| {
        cached
            .iter()
            .find(|l| l["id"] == *id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    for id in leads["changed"].as_array().unwrap() {
        let description = by_id(id)["description"].as_str().unwrap();
        assert!(
            description.starts_with("Updated in the sandbox"),
            "{description}"
        );
    }
    for id in leads["created"].as_array().unwrap() {
        by_id(id);
    }
    let check = |resource, ids: &serde_json::Value, test: &dyn Fn(&serde_json::Value) -> bool| {
        let records = env.cached(resource);
        for id in ids.as_array().unwrap() {
            let record = records.iter().find(|r| r["id"] == *id).unwrap();
            assert!(test(record), "{record}");
        }
    };
    let opp_records = env.cached(Resource::Opportunities);
    assert!(!opp_records.is_empty());
    check(Resource::Opportunities, &opps["changed"], &|r| {
        r["date_updated"].as_str().unwrap() >= opps["date_updated"].as_str().unwrap()
    });
    check(Resource::Tasks, &tasks["changed"], &|r| {
        r["date_updated"].as_str().unwrap() >= tasks["date_updated"].as_str().unwrap()
    });
    check(Resource::Contacts, &contacts["changed"], &|r| {
        r["title"] == "Head of Purchasing"
    });
}

/// A lead dated a century ahead (a server or an import whose clock ran
/// ahead) is cached, and the changes after it are still found: the mark
/// the next sync starts from stays at Close's present.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_dated_in_the_future_does_not_hide_later_changes() {
    let env = env(sandbox_args(300)).await;
    env.syncer().run(&[Resource::Leads]).await.unwrap();
    let ahead = env
        .touch(json!({"count": 1, "ahead_secs": 3_153_600_000_u64}))
        .await;
    assert!(ahead["date_updated"].as_str().unwrap() > "2100", "{ahead}");
    env.syncer().run(&[Resource::Leads]).await.unwrap();
    let cached = env.cached(Resource::Leads);
    let future = &ahead["changed"][0];
    assert!(
        cached
            .iter()
            .any(|l| l["id"] == *future && l["date_updated"] == ahead["date_updated"])
    );
    let state = env.cache.sync_state(&env.account, "leads").unwrap();
    let mark = state.high_water.unwrap();
    assert!(mark.as_str() < "2100", "the mark went to {mark}");

    for round in 0..2 {
        let later = env.touch(json!({"count": 3})).await;
        let report = env.syncer().run(&[Resource::Leads]).await.unwrap();
        assert!(report.passes.iter().all(|p| !p.full), "{report:?}");
        let cached = env.cached(Resource::Leads);
        for id in later["changed"].as_array().unwrap() {
            let lead = cached.iter().find(|l| l["id"] == *id).unwrap();
            assert!(
                lead["description"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("Updated in the sandbox")),
                "round {round}: the change to {id} was missed"
            );
        }
    }
    env.assert_complete().await;
}

/// The sync's dates go without a zone, in UTC. A Close that read them in
/// the organization's own zone (five hours west) would answer a window
/// five hours later than asked, and every change since would be missed:
/// each request says `x-tz-offset: 0`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_found_whatever_zone_close_reads_dates_in_by_default() {
    let env = env(close_tui::sandbox::SandboxArgs {
        tz_offset: -5.0,
        ..sandbox_args(300)
    })
    .await;
    env.syncer().run(&[]).await.unwrap();
    // Once the cache has seen a change, the next sync asks from minutes ago.
    env.touch(json!({"count": 2})).await;
    env.touch(json!({"count": 2, "resource": "task"})).await;
    env.syncer().run(&[]).await.unwrap();
    let leads = env.touch(json!({"count": 6})).await;
    let tasks = env.touch(json!({"count": 4, "resource": "task"})).await;

    let report = env.syncer().run(&[]).await.unwrap();
    assert!(report.passes.iter().all(|p| !p.full), "{report:?}");
    env.assert_complete().await;
    let cached = env.cached(Resource::Leads);
    for id in leads["changed"].as_array().unwrap() {
        let lead = cached.iter().find(|l| l["id"] == *id).unwrap();
        let description = lead["description"].as_str().unwrap();
        assert!(
            description.starts_with("Updated in the sandbox"),
            "{description}"
        );
    }
    let cached = env.cached(Resource::Tasks);
    for id in tasks["changed"].as_array().unwrap() {
        let task = cached.iter().find(|t| t["id"] == *id).unwrap();
        assert!(
            task["date_updated"].as_str() >= tasks["date_updated"].as_str(),
            "{task}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_at_is_recorded_per_resource() {
    let env = env(sandbox_args(300)).await;
    assert_eq!(
        env.cache.synced_at(&env.account, Resource::Leads).unwrap(),
        None
    );
    env.syncer().run(&[Resource::Leads]).await.unwrap();
    let now = chrono::Utc::now().timestamp();
    for resource in [Resource::Leads, Resource::Contacts, Resource::Opportunities] {
        let at = env
            .cache
            .synced_at(&env.account, resource)
            .unwrap()
            .unwrap();
        assert!((now - at).abs() < 60);
    }
    let state = env.cache.sync_state(&env.account, "leads").unwrap();
    assert!(state.run.is_none() && state.high_water.is_some() && state.last_full_sync.is_some());
}

/// Leads that change while a window pages past them leave it, and every
/// lead after them moves up a place: a sync that paged on would skip as
/// many leads as moved, and (their dates being old) no later incremental
/// sync would find them. Each page starts one lead early to check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_changed_under_a_running_sync_cost_no_neighbour() {
    let env = env(close_tui::sandbox::SandboxArgs {
        latency_ms: 30,
        ..sandbox_args(5000)
    })
    .await;
    let one_worker = close_tui::sync::SyncOptions {
        concurrency: 1,
        ..Default::default()
    };
    // A tenth of the leads, three times over, while pages go by.
    let touched = sync_leads_touching(&env, one_worker, 3, 100, |done, _| done >= 400).await;
    assert_eq!(touched, 3, "the leads changed during the sync");
    // The changed leads themselves now lie past what the sync saw, where
    // the next (incremental) sync finds them.
    env.syncer().run(&[Resource::Leads]).await.unwrap();
    let server = env.server_ids("lead/", &[]).await;
    let cached = env.cached_ids(Resource::Leads);
    let missing: Vec<_> = server.difference(&cached).collect();
    assert!(
        missing.is_empty(),
        "{} leads never cached: {missing:?}",
        missing.len()
    );
    assert_eq!(env.cached(Resource::Leads).len(), server.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_under_constant_change_never_pages_past_a_moved_lead() {
    // Forty leads changed at every page through the last 40 % of a first
    // sync, one page per commit: one slice starts again time after time.
    // It must never page on unchecked (which, past sixteen restarts, once
    // lost a lead for every change behind it: 16 leads here).
    let env = env(close_tui::sandbox::SandboxArgs {
        latency_ms: 20,
        ..sandbox_args(50_000)
    })
    .await;
    let page_by_page = close_tui::sync::SyncOptions {
        concurrency: 1,
        buffer_pages: 1,
        batch_pages: 1,
        bulk_batch_pages: 1,
        ..Default::default()
    };
    let late = |done, total| done >= total * 6 / 10;
    let touched = sync_leads_touching(&env, page_by_page, 60, 40, late).await;
    assert_eq!(touched, 60, "the leads changed during the sync");
    env.syncer().run(&[Resource::Leads]).await.unwrap();
    let server = env.server_ids("lead/", &[]).await;
    let cached = env.cached_ids(Resource::Leads);
    let missing = server.difference(&cached).count();
    assert_eq!(missing, 0, "{missing} leads never cached");
    assert_eq!(cached.len(), server.len());
}

/// Syncs leads with `options`, changing `count` random leads at each
/// progress report that `when(done, total)` accepts, at most `times`
/// times; returns how many times it did.
async fn sync_leads_touching(
    env: &sync_support::Env,
    options: close_tui::sync::SyncOptions,
    times: usize,
    count: usize,
    when: impl Fn(u64, u64) -> bool,
) -> usize {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let syncer = env.syncer().with_options(options).with_events(tx);
    let sync = tokio::spawn(async move { syncer.run(&[Resource::Leads]).await });
    let (mut touched, mut total) = (0, u64::MAX);
    while let Some(event) = rx.recv().await {
        match event {
            close_tui::sync::SyncEvent::Started { total: Some(t), .. } => total = t,
            close_tui::sync::SyncEvent::Progress { done, .. }
                if when(done, total) && touched < times =>
            {
                env.touch(json!({ "count": count })).await;
                touched += 1;
            }
            _ => {}
        }
    }
    sync.await.unwrap().unwrap();
    touched
}
