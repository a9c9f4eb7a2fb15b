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

/// CSV is opened in spreadsheets: a text cell that would run as a formula
/// is written as text (`'=…`), numbers and plain text as they are; with
/// `csv-raw`, every cell as cached. Escape sequences go, so a CSV shown
/// on a terminal cannot steer it.
#[test]
fn csv_cells_that_a_spreadsheet_would_run_are_written_as_text() {
    use close_tui::store::{AccountId, KeyConfig, KeyMode, Store, cache::upsert};
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
    let store = Store::open(dir.path().join("close.db"), keys).unwrap();
    let cache = store.cache().unwrap();
    let account = AccountId::new("orga_1", "user_1");
    let lead = serde_json::json!({
        "id": "lead_1", "display_name": "=HYPERLINK(\"http://evil.example\",\"x\")",
        "contacts": [
            {"id": "cont_1", "lead_id": "lead_1", "name": "@SUM(A1)",
             "phones": [{"phone": "+1 555-0100"}]},
            {"id": "cont_2", "lead_id": "lead_1", "name": "Ann, \"the\" Lee",
             "title": "-5"},
            {"id": "cont_3", "lead_id": "lead_1", "name": "Bo\u{1b}]0;x\u{7}b \u{9b}2J",
             "title": "line 1\nline 2"},
        ],
    });
    cache
        .write(|tx| {
            assert!(upsert(tx, &account, Resource::Leads, &lead)?.is_none());
            Ok(())
        })
        .unwrap();
    let cells = |resource, format| {
        let mut out = Vec::new();
        export(&cache, &account, resource, format, &mut out).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    };
    let column = |(header, rows): &(Vec<String>, Vec<Vec<String>>), name: &str| -> Vec<String> {
        let at = header.iter().position(|h| h == name).unwrap();
        rows.iter().map(|r| r[at].clone()).collect()
    };

    let leads = cells(Resource::Leads, Format::Csv);
    assert_eq!(
        column(&leads, "name"),
        ["'=HYPERLINK(\"http://evil.example\",\"x\")"]
    );
    let contacts = cells(Resource::Contacts, Format::Csv);
    assert_eq!(
        column(&contacts, "name"),
        ["'@SUM(A1)", "Ann, \"the\" Lee", "Bo]0;xb 2J"]
    );
    assert_eq!(column(&contacts, "phone"), ["'+1 555-0100", "", ""]);
    assert_eq!(
        column(&contacts, "title"),
        ["", "-5", "line 1\nline 2"],
        "a number stays one, and so do line breaks"
    );

    let raw = cells(Resource::Contacts, Format::CsvRaw);
    assert_eq!(
        column(&raw, "name"),
        [
            "@SUM(A1)",
            "Ann, \"the\" Lee",
            "Bo\u{1b}]0;x\u{7}b \u{9b}2J"
        ]
    );
    assert_eq!(column(&raw, "phone"), ["+1 555-0100", "", ""]);
}
