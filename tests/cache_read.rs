#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What the TUI reads from a synced cache: pages, counts, a lead with its
//! children, lazily loaded activities, search, and account isolation.

mod sync_support;

use close_tui::{
    close::records::Resource,
    store::{
        AccountId,
        cache::{HitSource, ListQuery, Sort, upsert},
    },
    sync::{merge_hits, search_server},
};
use serde_json::json;
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
            Ok(())
        })
        .unwrap();
    let query = ListQuery::default();
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
