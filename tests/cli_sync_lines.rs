#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What `close-tui sync` says on a stderr that is not a terminal (a log, a
//! pipe): plain lines, retries included, and how each pass ended.

mod cli_support;

use std::{collections::HashMap, time::Instant};

use cli_support::{Home, faults, sandbox};
use serde_json::json;

/// A sync riding out failures says so, throttled per endpoint, instead of
/// going quiet while it retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_told_at_most_every_few_seconds_per_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    home.run(&["login", "--api-key"], None).await.assert_ok();
    faults(&sandbox, json!({ "storm": 3 })).await;

    let started = Instant::now();
    let out = home.run(&["sync"], None).await;
    let took = started.elapsed();
    out.assert_ok();
    let mut told: HashMap<&str, u64> = HashMap::new();
    for line in out.stderr.lines() {
        if let Some((endpoint, rest)) = line.split_once(": retrying in ") {
            assert!(rest.contains(" s: "), "{line}");
            *told.entry(endpoint).or_default() += 1;
        }
    }
    assert!(told.contains_key("leads"), "{out:#?}");
    let allowed = took.as_secs() / 5 + 1;
    for (endpoint, count) in &told {
        assert!(
            *count <= allowed,
            "{endpoint}: {count} retry lines in {took:?}: {out:#?}"
        );
    }
    sandbox.stop().await;
}
