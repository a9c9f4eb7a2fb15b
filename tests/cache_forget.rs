#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Removing records Close deleted: by id (from the event log) and by the
//! sweep at the end of a full sync. A lead takes its children, activities
//! and search row with it; other accounts and newer rows are left alone.

use close_tui::{
    close::records::Resource,
    store::{
        AccountId, KeyConfig, KeyMode, Store,
        cache::{
            Cache, Scope, account_key, forget, raise_stamp_floor, search_path, sweep, upsert,
            written_now,
        },
    },
};
use serde_json::{Value, json};

fn open() -> (tempfile::TempDir, Store, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
    let store = Store::open(dir.path().join("close.db"), keys).unwrap();
    let cache = store.cache().unwrap();
    (dir, store, cache)
}

fn lead(id: &str, name: &str) -> Value {
    json!({
        "id": id, "display_name": name, "date_updated": "2025-01-01T00:00:00Z",
        "contacts": [{"id": format!("cont_{id}"), "lead_id": id, "name": "Ann Example"}],
        "opportunities": [{"id": format!("oppo_{id}"), "lead_id": id}],
        "tasks": [{"id": format!("task_{id}"), "lead_id": id, "_type": "lead"}],
    })
}

fn store(cache: &Cache, account: &AccountId, resource: Resource, records: &[Value]) {
    cache
        .write(|tx| {
            for record in records {
                assert!(upsert(tx, account, resource, record)?.is_none());
            }
            Ok(())
        })
        .unwrap();
}

/// `sql`'s count, over the database and the search index's file beside it.
fn count(cache: &Cache, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(cache.path()).unwrap();
    let search = search_path(cache.path());
    conn.execute("ATTACH DATABASE ?1 AS search", [search.to_str().unwrap()])
        .unwrap();
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

fn ids(cache: &Cache, account: &AccountId, resource: Resource) -> Vec<String> {
    let mut out = Vec::new();
    cache
        .export_raw(account, resource, |raw| {
            let record: Value = serde_json::from_str(raw).unwrap();
            out.push(record["id"].as_str().unwrap().to_owned());
            Ok(())
        })
        .unwrap();
    out.sort();
    out
}

#[test]
fn a_forgotten_lead_takes_its_children_activities_and_search_row() {
    let (_dir, _store, cache) = open();
    let (me, other) = (AccountId::new("org", "me"), AccountId::new("org", "other"));
    for account in [&me, &other] {
        store(
            &cache,
            account,
            Resource::Leads,
            &[lead("lead_1", "Acme"), lead("lead_2", "Globex")],
        );
    }
    store(
        &cache,
        &me,
        Resource::Activities,
        &[json!({"id": "acti_1", "lead_id": "lead_1", "_type": "Note"})],
    );
    store(
        &cache,
        &me,
        Resource::Tasks,
        &[json!({"id": "task_x", "lead_id": "lead_1", "_type": "email_followup"})],
    );
    assert_eq!(count(&cache, "SELECT count(*) FROM cache_search"), 4);

    let removed = cache
        .write(|tx| {
            let key = account_key(tx, &me)?;
            let ids = ["lead_1".to_owned(), "lead_404".to_owned()];
            forget(tx, key, Resource::Leads, &ids)
        })
        .unwrap();
    assert_eq!(removed, 1, "a lead not cached is passed over");
    assert_eq!(ids(&cache, &me, Resource::Leads), ["lead_2"]);
    assert_eq!(ids(&cache, &me, Resource::Contacts), ["cont_lead_2"]);
    assert_eq!(ids(&cache, &me, Resource::Opportunities), ["oppo_lead_2"]);
    assert_eq!(ids(&cache, &me, Resource::Tasks), ["task_lead_2"]);
    assert!(ids(&cache, &me, Resource::Activities).is_empty());
    assert_eq!(count(&cache, "SELECT count(*) FROM cache_search"), 3);
    // The other account's lead of the same id stays, and is found.
    assert_eq!(ids(&cache, &other, Resource::Leads), ["lead_1", "lead_2"]);
    assert_eq!(cache.search(&other, "acme", 10).unwrap().len(), 1);
    assert!(cache.search(&me, "acme", 10).unwrap().is_empty());

    // A child goes alone.
    cache
        .write(|tx| {
            let key = account_key(tx, &me)?;
            forget(tx, key, Resource::Contacts, &["cont_lead_2".to_owned()])
        })
        .unwrap();
    assert!(ids(&cache, &me, Resource::Contacts).is_empty());
    assert_eq!(ids(&cache, &me, Resource::Leads), ["lead_2"]);
}

#[test]
fn a_sweep_removes_rows_of_its_scope_written_before_it_began() {
    let (_dir, _store, cache) = open();
    let (me, other) = (AccountId::new("org", "me"), AccountId::new("org", "other"));
    let old_task = json!({"id": "task_old", "lead_id": "lead_1", "_type": "email_followup"});
    for account in [&me, &other] {
        store(
            &cache,
            account,
            Resource::Leads,
            &[lead("lead_1", "Acme"), lead("lead_2", "Globex")],
        );
        store(
            &cache,
            account,
            Resource::Tasks,
            std::slice::from_ref(&old_task),
        );
    }
    store(
        &cache,
        &me,
        Resource::Activities,
        &[json!({"id": "acti_1", "lead_id": "lead_1", "_type": "Note"})],
    );
    let began = written_now();
    // The full pass sees lead_2 again (and its children), and a new task.
    store(&cache, &me, Resource::Leads, &[lead("lead_2", "Globex")]);
    let new_task = json!({"id": "task_new", "lead_id": "lead_2", "_type": "email_followup"});
    store(&cache, &me, Resource::Tasks, &[new_task]);

    let swept = |scope| {
        cache
            .write(|tx| sweep(tx, account_key(tx, &me)?, scope, began))
            .unwrap()
    };
    // A task pass beside a lead pass leaves lead tasks to it.
    assert_eq!(swept(Scope::Tasks { lead_tasks: false }), 1);
    assert_eq!(
        ids(&cache, &me, Resource::Tasks),
        ["task_lead_1", "task_lead_2", "task_new"]
    );
    // lead_1, its contact, opportunity and lead task.
    assert_eq!(swept(Scope::Leads), 4);
    assert_eq!(ids(&cache, &me, Resource::Leads), ["lead_2"]);
    assert_eq!(ids(&cache, &me, Resource::Contacts), ["cont_lead_2"]);
    assert_eq!(
        ids(&cache, &me, Resource::Tasks),
        ["task_lead_2", "task_new"]
    );
    assert!(ids(&cache, &me, Resource::Activities).is_empty());
    assert!(cache.search(&me, "acme", 10).unwrap().is_empty());
    assert_eq!(swept(Scope::Leads), 0, "nothing left to sweep");
    // Another account's rows are its own.
    assert_eq!(ids(&cache, &other, Resource::Leads), ["lead_1", "lead_2"]);
    assert_eq!(ids(&cache, &other, Resource::Tasks).len(), 3);
    assert_eq!(count(&cache, "SELECT count(*) FROM cache_search"), 3);

    // A resumed full pass raises the stamps to when it began: a clock that
    // stepped back since cannot make what it writes look older.
    let resumed = written_now() + 60_000_000;
    raise_stamp_floor(resumed);
    store(&cache, &me, Resource::Leads, &[lead("lead_3", "Initech")]);
    assert!(written_now() >= resumed);
    let swept = cache
        .write(|tx| sweep(tx, account_key(tx, &me)?, Scope::Leads, resumed))
        .unwrap();
    assert_eq!(swept, 4, "lead_2 and its children go; lead_3 stays");
    assert_eq!(ids(&cache, &me, Resource::Leads), ["lead_3"]);
}

#[test]
fn a_lead_replaces_only_the_children_arrays_it_has() {
    let (_dir, _store, cache) = open();
    let account = AccountId::new("orga_1", "user_1");
    store(&cache, &account, Resource::Leads, &[lead("lead_1", "Acme")]);
    // The same lead again, without its opportunities and tasks arrays: its
    // contacts are replaced, the rest is not Close's word on them.
    let contacts_only = json!({
        "id": "lead_1", "display_name": "Acme",
        "contacts": [{"id": "cont_2", "lead_id": "lead_1", "name": "Bo"}],
    });
    store(&cache, &account, Resource::Leads, &[contacts_only]);
    assert_eq!(ids(&cache, &account, Resource::Contacts), ["cont_2"]);
    assert_eq!(
        ids(&cache, &account, Resource::Opportunities),
        ["oppo_lead_1"]
    );
    assert_eq!(ids(&cache, &account, Resource::Tasks), ["task_lead_1"]);
    // Empty arrays say there are none.
    let none = json!({
        "id": "lead_1", "display_name": "Acme",
        "contacts": [], "opportunities": [], "tasks": [],
    });
    store(&cache, &account, Resource::Leads, &[none]);
    for resource in [Resource::Contacts, Resource::Opportunities, Resource::Tasks] {
        assert!(ids(&cache, &account, resource).is_empty(), "{resource:?}");
    }
}
