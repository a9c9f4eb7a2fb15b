//! Checking the cache the binary filled against the sandbox's own truth:
//! `close-tui export` lists what was cached, the API (paged by id, with the
//! sandbox's API key) and `/_sandbox/totals` say what exists.

use std::collections::{BTreeSet, HashMap};

use close_tui::sandbox::RunningSandbox;
use serde_json::Value;

use super::Home;

/// The resources `close-tui sync` fills, with the API query that lists all
/// of them and their key in `/_sandbox/totals`.
pub const SYNCED: [(&str, &str, &str); 4] = [
    ("leads", "lead/", "leads"),
    ("contacts", "contact/", "contacts"),
    ("opportunities", "opportunity/", "opportunities"),
    // Close lists only lead tasks unless asked for every kind.
    ("tasks", "task/?_type=all", "tasks"),
];

/// `GET /_sandbox/totals?organization_id=ORG`.
pub async fn totals(sandbox: &RunningSandbox, organization_id: &str) -> Value {
    reqwest::get(format!(
        "{}/_sandbox/totals?organization_id={organization_id}",
        sandbox.info.base_url
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap()
}

/// The ids `close-tui export RESOURCE` prints, in order, duplicates kept.
pub async fn exported_ids(home: &Home, resource: &str) -> Vec<String> {
    let out = home.run(&["export", resource], None).await;
    out.assert_ok();
    out.stdout
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            record["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Every id the API lists at `path` for the API key's organization (the
/// first one), paged plainly.
pub async fn server_ids(sandbox: &RunningSandbox, path: &str) -> BTreeSet<String> {
    let http = reqwest::Client::new();
    let mut ids = BTreeSet::new();
    let mut skip = 0;
    loop {
        let page: Value = http
            .get(format!("{}{path}", sandbox.info.api_url))
            .basic_auth(&sandbox.info.api_key, Some(""))
            .query(&[("_fields", "id"), ("_limit", "100")])
            .query(&[("_skip", skip)])
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let data = page["data"].as_array().unwrap();
        skip += data.len();
        ids.extend(data.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        if !page["has_more"].as_bool().unwrap() {
            return ids;
        }
    }
}

/// Asserts the cache holds every record of the first organization exactly
/// once: no id twice, the same ids the API lists, as many as the totals
/// count. Returns the counts per resource.
pub async fn assert_cache_matches(
    home: &Home,
    sandbox: &RunningSandbox,
    organization_id: &str,
) -> HashMap<&'static str, usize> {
    let totals = totals(sandbox, organization_id).await;
    let mut counts = HashMap::new();
    for (resource, path, key) in SYNCED {
        let exported = exported_ids(home, resource).await;
        let unique: BTreeSet<String> = exported.iter().cloned().collect();
        assert_eq!(unique.len(), exported.len(), "duplicate {resource}");
        let expected = totals[key].as_u64().unwrap() as usize;
        assert_eq!(exported.len(), expected, "{resource}: cached vs totals");
        let listed = server_ids(sandbox, path).await;
        let missing = listed.difference(&unique).count();
        let extra = unique.difference(&listed).count();
        assert_eq!(
            (missing, extra),
            (0, 0),
            "{resource}: ids listed by the API but not cached, and cached but not listed"
        );
        counts.insert(resource, exported.len());
    }
    counts
}
