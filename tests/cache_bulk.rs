#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A bulk load with its unique keys set aside still stores every record
//! once: a record written again updates its row, and rows left twice by
//! two writers at once are removed when the keys are built again.

use close_tui::{
    close::records::Resource,
    store::{
        AccountId, KeyConfig, KeyMode, Store,
        cache::{
            BulkKeys, Cache, Checkpointer, SearchRows, account_key, bulk, keys_deferred, prepare,
            search_path, upsert, write_bulk,
        },
    },
};
use serde_json::{Value, json};

fn lead(name: &str, contacts: &[(&str, &str)]) -> String {
    let contacts: Vec<Value> = contacts
        .iter()
        .map(|(id, name)| json!({"id": id, "lead_id": "lead_1", "name": name}))
        .collect();
    json!({
        "id": "lead_1", "display_name": name, "date_updated": "2025-01-01T00:00:00Z",
        "contacts": contacts, "opportunities": [], "tasks": [],
    })
    .to_string()
}

fn open_plain() -> (tempfile::TempDir, Store, Cache, AccountId) {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
    let store = Store::open(dir.path().join("close.db"), keys).unwrap();
    let cache = store.cache().unwrap();
    (dir, store, cache, AccountId::new("org", "user"))
}

/// A cache set up for a bulk load, its indexes and keys aside.
fn open() -> (tempfile::TempDir, Store, Cache, AccountId) {
    let opened = open_plain();
    opened.2.write(bulk::defer_indexes).unwrap();
    opened
}

/// Writes the lead `text` as one bulk writer with `keys` would.
fn write(cache: &Cache, account: &AccountId, keys: &mut BulkKeys, text: &str) {
    write_as(cache, account, keys, Resource::Leads, text);
}

/// Writes a record of `resource` as one bulk writer with `keys` would.
fn write_as(
    cache: &Cache,
    account: &AccountId,
    keys: &mut BulkKeys,
    resource: Resource,
    text: &str,
) {
    let record = prepare(resource, text).unwrap();
    cache
        .write(|tx| {
            let key = account_key(tx, account)?;
            let mut search = SearchRows::default();
            write_bulk(tx, key, &record, &mut search, keys)?;
            search.write(tx)
        })
        .unwrap();
}

fn new_keys(cache: &Cache, account: &AccountId) -> BulkKeys {
    cache
        .write(|tx| BulkKeys::load(tx, account_key(tx, account)?))
        .unwrap()
        .expect("the keys are set aside")
}

fn names(cache: &Cache, account: &AccountId) -> (Vec<String>, Vec<String>) {
    let detail = cache.lead(account, "lead_1").unwrap().unwrap();
    let contacts = detail.contacts.iter().map(|c| c.name.clone()).collect();
    let hits = |q: &str| cache.search(account, q, 10).unwrap().len();
    let found = ["First", "Second", "Third"]
        .into_iter()
        .filter(|q| hits(q) > 0)
        .map(str::to_owned)
        .collect();
    (contacts, found)
}

fn count(cache: &Cache, account: &AccountId, resource: Resource) -> usize {
    let mut n = 0;
    cache
        .export_raw(account, resource, |_| {
            n += 1;
            Ok(())
        })
        .unwrap();
    n
}

/// The search index's setting, in its own file beside the database.
fn automerge(cache: &Cache) -> Option<i64> {
    let conn = rusqlite::Connection::open(search_path(cache.path())).unwrap();
    conn.query_row(
        "SELECT v FROM cache_search_config WHERE k = 'automerge'",
        [],
        |row| row.get(0),
    )
    .ok()
}

#[test]
fn a_record_written_again_updates_its_row() {
    let (_dir, _store, cache, account) = open();
    let mut keys = new_keys(&cache, &account);
    write(
        &cache,
        &account,
        &mut keys,
        &lead("First", &[("c1", "Ann"), ("c2", "Bob")]),
    );
    write(
        &cache,
        &account,
        &mut keys,
        &lead("Second", &[("c1", "Ann B")]),
    );
    assert_eq!(count(&cache, &account, Resource::Leads), 1);
    // Bob left the lead in Close. Without its lead_id index the load does
    // not look for him now (a scan of three tables per lead stored again);
    // he goes when the indexes come back, below.
    assert_eq!(count(&cache, &account, Resource::Contacts), 2);
    let (contacts, found) = names(&cache, &account);
    assert!(contacts.contains(&"Ann B".to_owned()), "{contacts:?}");
    assert_eq!(found, ["Second"]);
    // A writer that starts again (a resumed sync) finds what was stored.
    let mut resumed = new_keys(&cache, &account);
    write(
        &cache,
        &account,
        &mut resumed,
        &lead("Third", &[("c1", "Ann C")]),
    );
    assert_eq!(count(&cache, &account, Resource::Leads), 1);
    assert_eq!(count(&cache, &account, Resource::Contacts), 2);

    // The search index does not merge segments while the load runs.
    assert_eq!(automerge(&cache), Some(0));
    assert_eq!(cache.write(bulk::restore_indexes).unwrap(), 10);
    assert_eq!(automerge(&cache), Some(4));
    assert!(!cache.write(|tx| keys_deferred(tx)).unwrap());
    assert_eq!(
        names(&cache, &account),
        (vec!["Ann C".to_owned()], vec!["Third".to_owned()])
    );
    assert_eq!(
        count(&cache, &account, Resource::Contacts),
        1,
        "the children the lead no longer has are gone"
    );
}

#[test]
fn a_child_another_pass_wrote_after_its_lead_was_stored_again_stays() {
    // A resumed first load stores a lead again; before its indexes come
    // back, the opportunity pass (its own writer) stores one of its
    // opportunities later still. Only children older than the lead's last
    // copy are what that copy no longer has.
    let (_dir, _store, cache, account) = open();
    let mut keys = new_keys(&cache, &account);
    let lead = |contacts: &[&str]| {
        let contacts: Vec<Value> = contacts
            .iter()
            .map(|id| json!({"id": id, "lead_id": "lead_1", "name": id}))
            .collect();
        json!({
            "id": "lead_1", "display_name": "Acme", "contacts": contacts,
            "opportunities": [{"id": "o1", "lead_id": "lead_1"}], "tasks": [],
        })
        .to_string()
    };
    write(&cache, &account, &mut keys, &lead(&["c1", "c2"]));
    let mut resumed = new_keys(&cache, &account);
    write(&cache, &account, &mut resumed, &lead(&["c1"]));
    let mut opportunities = new_keys(&cache, &account);
    let o1 = json!({"id": "o1", "lead_id": "lead_1", "value": 5}).to_string();
    write_as(
        &cache,
        &account,
        &mut opportunities,
        Resource::Opportunities,
        &o1,
    );

    cache.write(bulk::restore_indexes).unwrap();
    assert_eq!(count(&cache, &account, Resource::Opportunities), 1);
    assert_eq!(count(&cache, &account, Resource::Contacts), 1, "c2 went");
}

#[test]
fn a_lead_stored_again_without_an_array_keeps_that_arrays_children() {
    // A resumed first load stores a lead again, and this copy's JSON lacks
    // `opportunities` and `tasks`: it says nothing of them, so they stay.
    // Its contacts array has an item with no id (so the array stays in its
    // raw JSON): what it holds still replaces the contacts from before.
    let (_dir, _store, cache, account) = open();
    let mut keys = new_keys(&cache, &account);
    let first = json!({
        "id": "lead_1", "display_name": "Acme",
        "contacts": [
            {"id": "c1", "lead_id": "lead_1", "name": "Ann"},
            {"id": "c2", "lead_id": "lead_1", "name": "Bob"},
        ],
        "opportunities": [{"id": "o1", "lead_id": "lead_1"}],
        "tasks": [{"id": "t1", "lead_id": "lead_1", "_type": "lead"}],
    });
    write(&cache, &account, &mut keys, &first.to_string());
    let again = json!({
        "id": "lead_1", "display_name": "Acme",
        "contacts": [{"id": "c1", "lead_id": "lead_1", "name": "Ann"}, {"name": "no id"}],
    });
    let mut resumed = new_keys(&cache, &account);
    write(&cache, &account, &mut resumed, &again.to_string());

    cache.write(bulk::restore_indexes).unwrap();
    assert_eq!(count(&cache, &account, Resource::Opportunities), 1);
    assert_eq!(count(&cache, &account, Resource::Tasks), 1);
    assert_eq!(count(&cache, &account, Resource::Contacts), 1, "Bob went");
}

#[test]
fn of_two_writers_copies_the_one_written_last_stays() {
    let (_dir, _store, cache, account) = open();
    let (mut one, mut two) = (new_keys(&cache, &account), new_keys(&cache, &account));
    write(&cache, &account, &mut one, &lead("First", &[("c1", "Ann")]));
    write(
        &cache,
        &account,
        &mut two,
        &lead("Second", &[("c1", "Ann B")]),
    );
    // The first writer stores the lead again, over its own older row: the
    // row stored first is now the one written last.
    write(
        &cache,
        &account,
        &mut one,
        &lead("Third", &[("c1", "Ann C")]),
    );

    cache.write(bulk::restore_indexes).unwrap();
    assert_eq!(count(&cache, &account, Resource::Leads), 1);
    assert_eq!(names(&cache, &account).1, ["Third"]);
}

#[test]
fn rows_stored_twice_by_two_writers_are_removed_when_the_keys_come_back() {
    let (_dir, _store, cache, account) = open();
    let (mut one, mut two) = (new_keys(&cache, &account), new_keys(&cache, &account));
    write(&cache, &account, &mut one, &lead("First", &[("c1", "Ann")]));
    write(
        &cache,
        &account,
        &mut two,
        &lead("Second", &[("c1", "Ann B")]),
    );
    assert_eq!(count(&cache, &account, Resource::Leads), 2);

    cache.write(bulk::restore_indexes).unwrap();
    assert_eq!(count(&cache, &account, Resource::Leads), 1);
    assert_eq!(count(&cache, &account, Resource::Contacts), 1);
    // The newer copy stays, and the older one's search row goes with it.
    assert_eq!(
        names(&cache, &account),
        (vec!["Ann B".to_owned()], vec!["Second".to_owned()])
    );
}

/// Commits by the sync's writer leave the WAL to the checkpointer's thread
/// while it runs; the writer checkpoints by itself again after.
#[test]
fn the_checkpointer_copies_the_wal_into_the_file_beside_the_writer() {
    let (_dir, _store, cache, account) = open_plain();
    let file_size = || std::fs::metadata(cache.path()).unwrap().len();
    let write_leads = |from: usize| {
        cache
            .write(|tx| {
                for n in from..from + 200 {
                    let lead = json!({"id": format!("lead_{n}"), "description": "x".repeat(5000)});
                    upsert(tx, &account, Resource::Leads, &lead)?;
                }
                Ok(())
            })
            .unwrap();
    };
    // 1 MB committed stays in the WAL: the writer checkpoints every 64 MB.
    let before = file_size();
    write_leads(0);
    assert!(
        file_size() < before + 500_000,
        "{before} -> {}",
        file_size()
    );

    let checkpoints = Checkpointer::start(&cache, u64::MAX).unwrap();
    write_leads(200);
    checkpoints.committed();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while file_size() < before + 2_000_000 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(file_size() >= before + 2_000_000, "{}", file_size());
    drop(checkpoints);
    assert_eq!(count(&cache, &account, Resource::Leads), 400);
}

/// Exported while the indexes are aside (a first sync loading, or cut
/// short), leads come out whole, as they do once the indexes are back:
/// their children found through the export's own index, not a scan each.
#[test]
fn an_export_while_the_indexes_are_aside_matches_one_after() {
    let (_dir, _store, cache, account) = open();
    let mut keys = new_keys(&cache, &account);
    for n in 0..40 {
        let contacts: Vec<Value> = (0..n % 4)
            .map(|c| json!({"id": format!("cont_{n}_{c}"), "lead_id": format!("lead_{n}"), "name": format!("C {c}")}))
            .collect();
        let tasks: Vec<Value> = (0..n % 3)
            .map(|t| json!({"id": format!("task_{n}_{t}"), "lead_id": format!("lead_{n}"), "_type": "lead", "text": "call"}))
            .collect();
        let text = json!({
            "id": format!("lead_{n}"), "display_name": format!("Lead {n}"),
            "date_updated": "2025-01-01T00:00:00Z",
            "contacts": contacts, "opportunities": [], "tasks": tasks,
        });
        write(&cache, &account, &mut keys, &text.to_string());
    }
    // Another account's children are not this one's.
    let other = AccountId::new("org2", "user2");
    let mut other_keys = new_keys(&cache, &other);
    write(
        &cache,
        &other,
        &mut other_keys,
        &lead("Elsewhere", &[("cont_x", "X")]),
    );

    let export = |cache: &Cache| {
        let mut lines = Vec::new();
        cache
            .export_raw(&account, Resource::Leads, |raw| {
                lines.push(raw.to_owned());
                Ok(())
            })
            .unwrap();
        lines
    };
    let aside = export(&cache);
    assert!(cache.write(|tx| keys_deferred(tx)).unwrap());
    cache.write(bulk::restore_indexes).unwrap();
    let back = export(&cache);
    assert_eq!(aside.len(), 40);
    assert_eq!(aside, back);
    let lead_9: Value = serde_json::from_str(&aside[9]).unwrap();
    assert_eq!(lead_9["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(lead_9["tasks"].as_array().unwrap().len(), 0);
    let lead_5: Value = serde_json::from_str(&aside[5]).unwrap();
    assert_eq!(lead_5["tasks"].as_array().unwrap().len(), 2);
}

/// The writer's page cache, temporary storage and sort helper threads.
fn sort_settings(conn: &rusqlite::Connection) -> rusqlite::Result<(i64, i64, i64)> {
    let get = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0));
    Ok((get("cache_size")?, get("temp_store")?, get("threads")?))
}

/// Sets aside, as if it were an index, a statement that keeps the sort
/// settings it runs under in a table of its own.
fn defer_probe(cache: &Cache) {
    cache
        .write(|tx| {
            tx.execute(
                "INSERT INTO cache_deferred (name, sql) VALUES ('zz_probe',
                 'CREATE TABLE sort_probe AS SELECT
                      (SELECT cache_size FROM pragma_cache_size) AS cache_size,
                      (SELECT temp_store FROM pragma_temp_store) AS temp_store,
                      (SELECT threads FROM pragma_threads) AS threads')",
                [],
            )
        })
        .unwrap();
}

#[test]
fn an_index_build_sorts_in_runs_on_helper_threads_then_puts_the_writer_back() {
    let (_dir, _store, cache, account) = open();
    let first = lead("First", &[("c1", "Ann")]);
    write(&cache, &account, &mut new_keys(&cache, &account), &first);
    let before = cache.write(|tx| sort_settings(tx)).unwrap();
    assert_eq!(before.1, 2, "the writer keeps temporary storage in memory");
    defer_probe(&cache);

    assert_eq!(cache.write(bulk::restore_indexes).unwrap(), 11);
    // SQLite hands sorted runs to its helpers only when it writes them to
    // temporary files, each at most the page cache's size.
    let during = cache
        .write(|tx| {
            tx.query_row(
                "SELECT cache_size, temp_store, threads FROM sort_probe",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
        })
        .unwrap();
    assert_eq!(during, (-4096, 1, 2));
    assert_eq!(cache.write(|tx| sort_settings(tx)).unwrap(), before);
    assert_eq!(names(&cache, &account).1, ["First"]);
}

#[test]
fn an_index_build_that_fails_still_puts_the_writer_back() {
    let (_dir, _store, cache, _account) = open();
    let before = cache.write(|tx| sort_settings(tx)).unwrap();
    cache
        .write(|tx| {
            tx.execute(
                "INSERT INTO cache_deferred (name, sql)
                 VALUES ('zz_broken', 'CREATE INDEX zz_broken ON no_such_table (x)')",
                [],
            )
        })
        .unwrap();
    let err = cache.write(bulk::restore_indexes).unwrap_err();
    assert!(err.to_string().contains("no_such_table"), "{err}");
    assert_eq!(cache.write(|tx| sort_settings(tx)).unwrap(), before);
    assert!(
        cache.write(|tx| bulk::any_deferred(tx)).unwrap(),
        "nothing built: every index still waits"
    );
}
