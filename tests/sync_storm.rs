#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui sync` through a storm: the sandbox refuses the first two
//! attempts of every API request, with 429, 500, 502, 503 and 504 in turn.
//! The sync still completes, and the cache holds every record of the
//! organization exactly once.

mod cli_support;

use std::{collections::BTreeMap, time::Instant};

use cli_support::{Home, assert_cache_matches, faults, org_and_email, request_log, sandbox};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_429s_and_5xx_during_sync_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.leads = 1500).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let (organization_id, _, _) = org_and_email(&sandbox, 0);
    let logged_before = request_log(dir.path()).len();

    faults(&sandbox, json!({ "storm": 2 })).await;
    let started = Instant::now();
    let out = home.run(&["sync", "--concurrency", "4"], None).await;
    let elapsed = started.elapsed();
    out.assert_ok();
    faults(&sandbox, json!({ "storm": 0 })).await;

    // The storm hit the sync: every kind of refusal, and every request the
    // sync made was refused twice before it was served.
    let log = request_log(dir.path());
    let api: Vec<_> = log[logged_before..]
        .iter()
        .filter(|line| line["path"].as_str().unwrap().starts_with("/api/v1/"))
        .collect();
    let mut by_status = BTreeMap::new();
    for line in &api {
        *by_status
            .entry(line["status"].as_u64().unwrap())
            .or_insert(0) += 1;
    }
    eprintln!("storm sync in {elapsed:?}: API answers by status {by_status:?}");
    for status in [429, 500, 502, 503, 504] {
        assert!(
            by_status.get(&status).is_some_and(|n| *n > 0),
            "no {status}: {by_status:?}"
        );
    }
    let served = by_status.get(&200).copied().unwrap_or(0);
    let refused: u64 = by_status
        .iter()
        .filter(|(s, _)| **s >= 429)
        .map(|(_, n)| n)
        .sum();
    assert!(served > 0);
    assert_eq!(refused, 2 * served, "{by_status:?}");
    assert_eq!(
        by_status.len(),
        6,
        "nothing but the storm and 200s: {by_status:?}"
    );

    let counts = assert_cache_matches(&home, &sandbox, &organization_id).await;
    eprintln!("cached exactly once: {counts:?}");
    sandbox.stop().await;
}
