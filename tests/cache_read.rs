#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What the TUI reads from a synced cache: pages, counts, a lead with its
//! children, lazily loaded activities, search, and account isolation.

mod sync_support;

use std::collections::HashMap;

use close_tui::{
    close::records::Resource,
    store::{
        AccountId,
        cache::{HitSource, ListQuery, Sort, upsert},
    },
    sync::{merge_hits, search_server},
    tui::{model::PageRequest, services::cache as service},
};
use serde_json::{Value, json};
use sync_support::{api_client, env, sandbox_args};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_reads_pages_details_and_search_hits() {
    let env = env(sandbox_args(600)).await;
    env.syncer().run(&[]).await.unwrap();
    let (cache, account) = (&env.cache, &env.account);
    let totals = env.totals().await;

    let by_name = ListQuery {
        sort: Sort::Name,
        ..ListQuery::default()
    };
    let count = cache.count(account, Resource::Leads, &by_name).unwrap();
    assert_eq!(count as u64, totals["leads"].as_u64().unwrap());
    let first = cache.leads(account, &by_name, 0, 50).unwrap();
    let second = cache.leads(account, &by_name, 50, 50).unwrap();
    assert_eq!((first.len(), second.len()), (50, 50));
    let names: Vec<String> = first
        .iter()
        .chain(&second)
        .map(|l| l.name.to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "sorted by name");

    let lead = first.iter().find(|l| l.contact_count > 0).unwrap();
    let detail = cache.lead(account, &lead.id).unwrap().unwrap();
    assert_eq!(detail.contacts.len() as i64, lead.contact_count);
    assert!(detail.activities.is_empty() && detail.activities_synced_at.is_none());
    // A record's JSON, as a detail view shows it: what Close answers for it.
    let close = api_client(&env.sandbox);
    let all = ListQuery::default();
    let records = [
        (Resource::Leads, lead.id.clone()),
        (Resource::Contacts, detail.contacts[0].id.clone()),
        (
            Resource::Opportunities,
            cache.opportunities(account, &all, 0, 1).unwrap()[0]
                .id
                .clone(),
        ),
        (
            Resource::Tasks,
            cache.tasks(account, &all, 0, 1).unwrap()[0].id.clone(),
        ),
    ];
    for (resource, id) in records {
        let cached = cache.record(account, resource, &id).unwrap().unwrap();
        let cached: serde_json::Value = serde_json::from_str(&cached).unwrap();
        let live: serde_json::Value = close
            .get(&format!("{}{id}/", resource.path()), &[])
            .await
            .unwrap();
        assert_eq!(cached, live, "{id}");
    }
    assert_eq!(
        cache.record(account, Resource::Leads, "lead_nope").unwrap(),
        None
    );
    let activities = env.syncer().lead_activities(&lead.id).await.unwrap();
    let server = env.server_ids("activity/", &[("lead_id", &lead.id)]).await;
    assert_eq!(activities.len(), server.len());
    let detail = cache.lead(account, &lead.id).unwrap().unwrap();
    assert_eq!(detail.activities.len(), server.len());
    assert!(detail.activities_synced_at.is_some());

    let won = ListQuery {
        status: Some("won".into()),
        ..ListQuery::default()
    };
    let opps = cache.opportunities(account, &won, 0, 1000).unwrap();
    assert!(opps.iter().all(|o| o.status_type.as_deref() == Some("won")));
    assert_eq!(
        cache.count(account, Resource::Opportunities, &won).unwrap() as usize,
        opps.len()
    );

    // Search: a name prefix typed one character at a time, an email, a phone.
    let contact = &detail.contacts[0];
    for end in 1..=lead.name.len().min(6) {
        let hits = cache.search(account, &lead.name[..end], 20).unwrap();
        assert!(!hits.is_empty(), "{}", &lead.name[..end]);
    }
    let exact = cache.search(account, &lead.name, 500).unwrap();
    assert!(exact.iter().any(|h| h.lead_id == lead.id));
    if let Some(email) = &contact.email {
        let prefix = &email[..email.len().min(8)];
        let hits = cache.search(account, prefix, 500).unwrap();
        assert!(hits.iter().any(|h| h.lead_id == lead.id), "{prefix}");
    }
    let with_phone = cache
        .contacts(account, &ListQuery::default(), 0, 1000)
        .unwrap()
        .into_iter()
        .find(|c| c.phone.is_some())
        .unwrap();
    let digits: String = with_phone
        .phone
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let hits = cache.search(account, &digits[1..7], 500).unwrap();
    assert!(
        hits.iter()
            .any(|h| Some(&h.lead_id) == with_phone.lead_id.as_ref())
    );

    // The server's search, merged without duplicates.
    let word = lead.name.split_whitespace().next().unwrap();
    let local = cache.search(account, word, 10).unwrap();
    let remote = search_server(&api_client(&env.sandbox), word, 10)
        .await
        .unwrap();
    assert!(remote.iter().all(|h| h.source == HitSource::Server));
    let merged = merge_hits(local, remote, 20);
    let mut ids: Vec<_> = merged.iter().map(|h| &h.lead_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), merged.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_never_see_each_others_records() {
    let env = env(sandbox_args(300)).await;
    env.syncer().run(&[Resource::Leads]).await.unwrap();
    let other = AccountId::new("orga_other", "user_other");
    env.cache
        .write(|tx| {
            let lead = json!({"id": "lead_other", "name": "Zyxwv Other Org",
                "contacts": [{"id": "cont_other", "name": "Zyxwv Person"}]});
            upsert(tx, &other, Resource::Leads, &lead)?;
            // Odd shapes are stored; a record without an id is reported.
            let odd =
                json!({"id": "lead_odd", "name": null, "contacts": "nope", "date_updated": 5});
            assert!(upsert(tx, &other, Resource::Leads, &odd)?.is_none());
            assert!(upsert(tx, &other, Resource::Leads, &json!({"name": "no id"}))?.is_some());
            // Nested deeper than SQLite's JSON functions go: stored, and
            // listed with what its columns hold.
            let mut deep = json!(1);
            for _ in 0..1001 {
                deep = json!([deep]);
            }
            let opportunity = json!({"id": "oppo_deep", "lead_id": "lead_other",
                "pipeline_name": "Sales", "extra": deep});
            assert!(upsert(tx, &other, Resource::Opportunities, &opportunity)?.is_none());
            Ok(())
        })
        .unwrap();
    let query = ListQuery::default();
    let listed = env.cache.opportunities(&other, &query, 0, 10).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, "oppo_deep");
    assert_eq!(env.cache.count(&other, Resource::Leads, &query).unwrap(), 2);
    assert_eq!(
        env.cache.count(&other, Resource::Contacts, &query).unwrap(),
        1
    );
    assert!(
        env.cache
            .search(&env.account, "zyxwv", 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(env.cache.search(&other, "zyxwv", 10).unwrap().len(), 1);
    assert!(
        env.cache
            .lead(&env.account, "lead_other")
            .unwrap()
            .is_none()
    );
    let mine = env
        .cache
        .count(&env.account, Resource::Leads, &query)
        .unwrap();
    assert_eq!(mine as u64, env.totals().await["leads"].as_u64().unwrap());
    env.cache.clear(&other).unwrap();
    assert_eq!(env.cache.count(&other, Resource::Leads, &query).unwrap(), 0);
    assert_eq!(
        env.cache
            .count(&env.account, Resource::Leads, &query)
            .unwrap(),
        mine
    );
}

fn newest() -> ListQuery {
    ListQuery {
        descending: true,
        ..ListQuery::default()
    }
}

/// A page the TUI shows, read from the cache through the same service the
/// app runs.
fn screen(
    env: &sync_support::Env,
    resource: Resource,
    query: &str,
    limit: usize,
) -> close_tui::tui::model::PageReply {
    let request = PageRequest {
        resource,
        query: query.to_owned(),
        offset: 0,
        limit,
        generation: Default::default(),
    };
    service::page(&env.cache, &env.account, &request, true)
        .unwrap()
        .expect("the cache is synced")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_data_screen_lists_and_searches_the_cache() {
    let env = env(sandbox_args(300)).await;
    env.syncer().run(&[]).await.unwrap();
    let (cache, account) = (&env.cache, &env.account);
    let leads: HashMap<String, String> = cache
        .leads(account, &newest(), 0, 1000)
        .unwrap()
        .into_iter()
        .map(|l| (l.id, l.name))
        .collect();
    let lead_name = |id: &str| leads[id].clone();

    // Contacts: the Lead column names the lead, not its id.
    let contacts = screen(&env, Resource::Contacts, "", 100);
    assert!(!contacts.rows.is_empty());
    let order = service::list_order(Resource::Contacts);
    let listed = cache.contacts(account, &order, 0, 100).unwrap();
    for (row, contact) in contacts.rows.iter().zip(&listed) {
        assert_eq!(row.id, contact.id);
        let lead = contact.lead_id.as_deref().unwrap();
        assert_eq!(row.cells[2], lead_name(lead), "{row:?}");
    }

    // Opportunities: the Pipeline column, from each record's JSON.
    let opportunities = screen(&env, Resource::Opportunities, "", 100);
    let raw: HashMap<String, Value> = env
        .cached(Resource::Opportunities)
        .into_iter()
        .map(|o| (o["id"].as_str().unwrap().to_owned(), o))
        .collect();
    assert!(!opportunities.rows.is_empty());
    for row in &opportunities.rows {
        let pipeline = raw[&row.id]["pipeline_name"].as_str().unwrap();
        assert!(!pipeline.is_empty());
        assert_eq!(row.cells[3], pipeline, "{row:?}");
    }

    // Lead search hits carry their contact count and date like the list.
    // A lead with every kind of child.
    let with_contacts = cache
        .leads(account, &newest(), 0, 300)
        .unwrap()
        .into_iter()
        .find(|l| {
            let detail = cache.lead(account, &l.id).unwrap().unwrap();
            l.contact_count > 1 && l.opportunity_count > 0 && !detail.tasks.is_empty()
        })
        .unwrap();
    let word = with_contacts.name.split_whitespace().next().unwrap();
    let hits = screen(&env, Resource::Leads, word, 50);
    let hit = hits.rows.iter().find(|r| r.id == with_contacts.id).unwrap();
    assert_eq!(hit.cells[2], with_contacts.contact_count.to_string());
    let updated = with_contacts.date_updated.as_deref().unwrap();
    assert_eq!(hit.cells[3], updated[..16].replace('T', " "));

    // Contacts search: by the start of a contact's name, email or phone,
    // from the cache; every hit matches what was typed.
    let detail = cache.lead(account, &with_contacts.id).unwrap().unwrap();
    let contact = detail.contacts.iter().find(|c| c.email.is_some()).unwrap();
    let first = contact.name.split_whitespace().next().unwrap();
    let prefix = &first[..first.len().min(4)];
    let found = screen(&env, Resource::Contacts, prefix, 100);
    assert!(!found.rows.is_empty());
    for row in &found.rows {
        let words = format!(
            "{} {} {} {}",
            row.cells[0], row.cells[2], row.cells[3], row.cells[4]
        )
        .to_lowercase();
        assert!(
            words
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w.starts_with(&prefix.to_lowercase())),
            "{prefix}: {row:?}"
        );
    }
    let full = format!("{} {}", contact.name, contact.email.as_deref().unwrap());
    let exact = screen(&env, Resource::Contacts, &full, 100);
    assert_eq!(exact.rows[0].id, contact.id, "{full}");
    assert!(
        screen(&env, Resource::Contacts, "qqqzzzxxx", 100)
            .rows
            .is_empty()
    );

    // Opportunities and tasks: those of the leads whose name matches.
    let name = &with_contacts.name;
    for (resource, children) in [
        (
            Resource::Opportunities,
            detail
                .opportunities
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>(),
        ),
        (
            Resource::Tasks,
            detail.tasks.iter().map(|t| t.id.clone()).collect(),
        ),
    ] {
        let found = screen(&env, resource, name, 100);
        assert!(!children.is_empty(), "{resource:?}");
        for id in &children {
            assert!(found.rows.iter().any(|r| &r.id == id), "{resource:?} {id}");
        }
    }
}

/// Deep pages are read from the list's end or from rows already read
/// (keyset), not by stepping over every row before them; whichever way,
/// each page must be exactly the rows a plain `OFFSET` gives, also with
/// ties and rows that have no sort key.
#[test]
fn deep_pages_are_the_same_rows_whichever_way_they_are_read() {
    use close_tui::store::{KeyConfig, KeyMode, Store};
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
    let store = Store::open(dir.path().join("close.db"), keys).unwrap();
    let cache = store.cache().unwrap();
    let account = AccountId::new("orga_deep", "user_deep");
    cache
        .write(|tx| {
            for i in 0..1000 {
                let mut lead = json!({"id": format!("lead_{i:04}"),
                    "name": format!("{} Lead {i}", ["alpha", "Beta", "gamma"][i % 3])});
                // Ties, and every seventh lead without a date.
                if i % 7 != 0 {
                    lead["date_updated"] = json!(format!("2026-01-{:02}T00:00:00Z", i % 28 + 1));
                }
                upsert(tx, &account, Resource::Leads, &lead)?;
                // Tasks sort by two columns: done or not, then due date.
                let mut task = json!({"id": format!("task_{i:04}"), "_type": "lead",
                    "lead_id": format!("lead_{i:04}"), "text": "call",
                    "is_complete": i % 3 == 0});
                if i % 5 != 0 {
                    task["due_date"] = json!(format!("2026-02-{:02}", i % 27 + 1));
                }
                upsert(tx, &account, Resource::Tasks, &task)?;
            }
            Ok(())
        })
        .unwrap();
    let ids = |rows: Vec<close_tui::store::cache::LeadRow>| -> Vec<String> {
        rows.into_iter().map(|l| l.id).collect()
    };
    for (sort, descending) in [
        (Sort::Updated, true),
        (Sort::Updated, false),
        (Sort::Name, false),
        (Sort::Name, true),
    ] {
        let query = ListQuery {
            sort,
            descending,
            ..ListQuery::default()
        };
        let all = ids(cache.leads(&account, &query, 0, 5000).unwrap());
        assert_eq!(all.len(), 1000);
        // Jumps to the end and back, paging both ways, and far jumps.
        for offset in [
            960, 975, 990, 1000, 1010, 930, 870, 810, 300, 330, 361, 240, 201, 700, 640, 990, 500,
            560, 620, 619, 450, 999,
        ] {
            let page = ids(cache.leads(&account, &query, offset, 60).unwrap());
            let end = (offset + 60).min(1000);
            let expected = all.get(offset.min(1000)..end).unwrap_or_default();
            assert_eq!(page, expected, "{sort:?} desc={descending} at {offset}");
        }
    }
    let task_ids = |offset, limit| -> Vec<String> {
        let query = ListQuery {
            sort: Sort::Due,
            ..ListQuery::default()
        };
        let rows = cache.tasks(&account, &query, offset, limit).unwrap();
        rows.into_iter().map(|t| t.id).collect()
    };
    let all = task_ids(0, 5000);
    assert_eq!(all.len(), 1000);
    for offset in [950, 900, 250, 310, 700, 640, 999, 400] {
        let end = (offset + 60).min(1000);
        assert_eq!(task_ids(offset, 60), all[offset..end], "tasks at {offset}");
    }
}
