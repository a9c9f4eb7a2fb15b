#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `export` writes exactly the cached records: as many, with the same ids,
//! as the sandbox holds.

mod sync_support;

use std::collections::HashSet;

use close_tui::{
    close::records::Resource,
    commands::export::{Format, export},
};
use sync_support::{env, sandbox_args};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_match_the_sandbox_totals_and_ids() {
    let env = env(sandbox_args(800)).await;
    env.syncer().run(&[]).await.unwrap();
    let totals = env.totals().await;
    for (resource, key) in [
        (Resource::Leads, "leads"),
        (Resource::Contacts, "contacts"),
        (Resource::Opportunities, "opportunities"),
        (Resource::Tasks, "tasks"),
    ] {
        let mut jsonl = Vec::new();
        let n = export(
            &env.cache,
            &env.account,
            resource,
            Format::Jsonl,
            &mut jsonl,
        )
        .unwrap();
        let ids: HashSet<String> = String::from_utf8(jsonl)
            .unwrap()
            .lines()
            .map(|line| {
                let record: serde_json::Value = serde_json::from_str(line).unwrap();
                record["id"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(n, totals[key].as_u64().unwrap(), "{key}");
        assert_eq!(ids.len() as u64, n, "{key}: unique ids");

        let mut csv_out = Vec::new();
        let rows = export(
            &env.cache,
            &env.account,
            resource,
            Format::Csv,
            &mut csv_out,
        )
        .unwrap();
        let mut reader = csv::Reader::from_reader(csv_out.as_slice());
        assert_eq!(reader.headers().unwrap().get(0), Some("id"));
        let csv_ids: HashSet<String> = reader
            .records()
            .map(|r| r.unwrap().get(0).unwrap().to_owned())
            .collect();
        assert_eq!(rows, n);
        assert_eq!(csv_ids, ids, "{key}: csv and jsonl agree");
    }
    let server = env.server_ids("lead/", &[]).await;
    assert_eq!(env.cached_ids(Resource::Leads), server);
    let opportunities = env.server_ids("opportunity/", &[]).await;
    assert_eq!(env.cached_ids(Resource::Opportunities), opportunities);
}

/// A lead's children are stored in their own rows; the exported lead still
/// carries them, exactly as the server sent it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_leads_are_the_leads_as_fetched() {
    let env = env(sandbox_args(200)).await;
    env.syncer().run(&[]).await.unwrap();
    let client = sync_support::api_client(&env.sandbox);
    let mut server = std::collections::HashMap::new();
    let mut skip = 0;
    loop {
        let page = client.page("lead/", &[], skip, 100).await.unwrap();
        skip += page.data.len();
        for lead in page.data {
            server.insert(lead["id"].as_str().unwrap().to_owned(), lead);
        }
        if !page.has_more {
            break;
        }
    }
    let cached = env.cached(Resource::Leads);
    assert_eq!(cached.len(), server.len());
    let with_children = cached
        .iter()
        .filter(|l| l["contacts"].as_array().is_some_and(|c| !c.is_empty()))
        .count();
    assert!(with_children > 0);
    for lead in cached {
        let id = lead["id"].as_str().unwrap();
        assert_eq!(&lead, &server[id], "{id}");
    }
}
