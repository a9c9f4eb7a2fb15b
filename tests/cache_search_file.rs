#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The search index lives in a file of its own beside the database: it is
//! private, it belongs to its database, a bulk load writes it from a
//! thread of its own without holding the database back, and whenever it
//! may be behind the records it is filled again from them.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

use close_tui::{
    close::records::Resource,
    store::{
        AccountId, KeyConfig, KeyMode, Store,
        cache::{
            BulkKeys, Cache, SearchLoad, SearchRows, account_key, bulk, prepare, search_path,
            upsert, write_bulk,
        },
    },
};
use rusqlite::Connection;
use serde_json::{Value, json};

fn open(dir: &Path) -> (Store, Cache) {
    let keys = KeyConfig::new(KeyMode::File, &dir.join("config"));
    let store = Store::open(dir.join("close.db"), keys).unwrap();
    let cache = store.cache().unwrap();
    (store, cache)
}

fn account() -> AccountId {
    AccountId::new("org", "user")
}

/// A lead with one contact, found by the contact's email only.
fn lead(n: usize) -> Value {
    json!({
        "id": format!("lead_{n}"), "display_name": format!("Firm {n}"),
        "date_updated": "2025-01-01T00:00:00Z",
        "contacts": [{"id": format!("cont_{n}"), "lead_id": format!("lead_{n}"),
                      "name": "Ann", "emails": [{"email": format!("zed{n}@mail.test")}]}],
        "opportunities": [], "tasks": [],
    })
}

fn cache_leads(cache: &Cache, range: std::ops::Range<usize>) {
    cache
        .write(|tx| {
            for n in range {
                upsert(tx, &account(), Resource::Leads, &lead(n))?;
            }
            Ok(())
        })
        .unwrap();
}

fn found(cache: &Cache, text: &str) -> Vec<String> {
    let mut ids: Vec<String> = cache
        .search(&account(), text, 20)
        .unwrap()
        .into_iter()
        .map(|hit| hit.lead_id)
        .collect();
    ids.sort();
    ids
}

fn search_file(dir: &Path) -> PathBuf {
    search_path(&dir.join("close.db"))
}

#[test]
fn the_index_is_in_a_private_file_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, cache) = open(dir.path());
    cache_leads(&cache, 0..3);
    assert_eq!(found(&cache, "zed1"), ["lead_1"]);
    let mode = std::fs::metadata(search_file(dir.path()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let main = Connection::open(dir.path().join("close.db")).unwrap();
    let in_main: i64 = main
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'cache_search%' AND type = 'table'
               AND name != 'cache_search_state'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(in_main, 0, "the database holds no words of the index");
}

/// A cache write holds the database's lock from its start, and only that
/// one: the bulk load's search thread writes the search file meanwhile
/// (an IMMEDIATE transaction would lock every attached file).
#[test]
fn a_cache_write_locks_the_database_and_leaves_the_search_file_free() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, cache) = open(dir.path());
    let other = Connection::open(search_file(dir.path())).unwrap();
    other.busy_timeout(std::time::Duration::ZERO).unwrap();
    let database = Connection::open(dir.path().join("close.db")).unwrap();
    database.busy_timeout(std::time::Duration::ZERO).unwrap();
    cache
        .write(|tx| {
            let locked = database.execute_batch("BEGIN IMMEDIATE; ROLLBACK");
            assert!(locked.is_err(), "the database is locked from the start");
            upsert(
                tx,
                &account(),
                Resource::Contacts,
                &json!({"id": "cont_x", "name": "X"}),
            )?;
            other.execute_batch("BEGIN IMMEDIATE; ROLLBACK")
        })
        .unwrap();
}

/// A search file left by another database (this one deleted and made
/// again, or restored from a copy), or none at all, is filled again from
/// the records when the cache opens.
#[test]
fn a_search_file_that_is_not_the_databases_is_filled_again() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_store, cache) = open(dir.path());
        cache_leads(&cache, 0..3);
    }
    // Another database's file: its words say lead 1 is "Other".
    let theirs = Connection::open(search_file(dir.path())).unwrap();
    theirs
        .execute_batch(
            "UPDATE search_owner SET owner = 'someone else';
             INSERT INTO cache_search (cache_search) VALUES ('delete-all');
             INSERT INTO cache_search (rowid, name, people) VALUES (1, 'Other', '');",
        )
        .unwrap();
    drop(theirs);
    {
        let (_store, cache) = open(dir.path());
        assert!(found(&cache, "other").is_empty());
        assert_eq!(found(&cache, "zed2"), ["lead_2"]);
        assert_eq!(found(&cache, "firm"), ["lead_0", "lead_1", "lead_2"]);
    }
    for end in ["", "-wal", "-shm"] {
        let mut path = search_file(dir.path()).into_os_string();
        path.push(end);
        let _ = std::fs::remove_file(path);
    }
    let (_store, cache) = open(dir.path());
    assert_eq!(found(&cache, "zed0"), ["lead_0"]);
}

/// A bulk load under way: indexes aside, its search thread started, and
/// `leads` stored as its writer stores them. Returns the load and the
/// search rows the writer would send it next.
fn bulk_load(cache: &Cache, leads: impl Iterator<Item = usize>) -> (SearchLoad, SearchRows) {
    cache.write(bulk::defer_indexes).unwrap();
    let load = SearchLoad::start(cache).unwrap();
    let mut keys = cache
        .write(|tx| BulkKeys::load(tx, account_key(tx, &account())?))
        .unwrap()
        .unwrap();
    let mut rows = SearchRows::default();
    cache
        .write(|tx| {
            let key = account_key(tx, &account())?;
            for n in leads {
                let record = prepare(Resource::Leads, &lead(n).to_string()).unwrap();
                write_bulk(tx, key, &record, &mut rows, &mut keys)?;
            }
            Ok(())
        })
        .unwrap();
    (load, rows)
}

/// A bulk load whose search rows were not all written (the process
/// stopped) leaves its mark, and the load's end fills the index again.
#[test]
fn a_bulk_load_that_stopped_fills_the_index_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, cache) = open(dir.path());
    // Rows that never reach the search thread: lost with the process.
    let (load, _lost) = bulk_load(&cache, 0..3);
    drop(load);
    assert!(found(&cache, "zed1").is_empty());
    cache.write(bulk::restore_indexes).unwrap();
    assert_eq!(found(&cache, "zed1"), ["lead_1"]);
    assert_eq!(found(&cache, "ann"), ["lead_0", "lead_1", "lead_2"]);
}

/// The rows a bulk load sends are written by the search thread, and a
/// load that ends well leaves no mark: its end builds no index again.
#[test]
fn a_bulk_loads_search_rows_arrive_through_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, cache) = open(dir.path());
    let (mut load, rows) = bulk_load(&cache, 0..2);
    load.send(rows).unwrap();
    load.finish(&cache).unwrap();
    assert_eq!(found(&cache, "zed0"), ["lead_0"]);
    let main = Connection::open(dir.path().join("close.db")).unwrap();
    let loading: Option<String> = main
        .query_row("SELECT loading FROM cache_search_state", [], |row| {
            row.get(0)
        })
        .unwrap();
    assert_eq!(loading, None);
}

/// Rows a bulk load's search thread still held when the account logged
/// out are not written: the leads are gone, and their rowids will be
/// other leads' one day.
#[test]
fn a_logout_during_a_bulk_load_leaves_no_words_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (_store, cache) = open(dir.path());
    let (mut load, rows) = bulk_load(&cache, 7..8);
    cache.clear(&account()).unwrap();
    load.send(rows).unwrap();
    load.finish(&cache).unwrap();
    // A lead cached later at the same rowid is found by its own words only.
    cache_leads(&cache, 1..2);
    assert!(
        found(&cache, "zed7").is_empty(),
        "the old lead's words are gone"
    );
    assert!(found(&cache, "ann").len() == 1);
    assert_eq!(found(&cache, "zed1"), ["lead_1"]);
}

/// A transaction that reached one file only (a crash, a power cut, or a
/// database restored from a copy of itself) leaves the files' counts apart:
/// the index is filled again when the cache opens.
#[test]
fn a_search_file_out_of_step_with_the_database_is_filled_again() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_store, cache) = open(dir.path());
        cache_leads(&cache, 0..2);
    }
    // The words of lead 1 were lost with the file's last transaction.
    let file = Connection::open(search_file(dir.path())).unwrap();
    file.execute_batch(
        "DELETE FROM cache_search WHERE rowid = 2;
         UPDATE search_owner SET written = written - 1;",
    )
    .unwrap();
    drop(file);
    let (_store, cache) = open(dir.path());
    assert_eq!(found(&cache, "zed1"), ["lead_1"]);
    // Filled with merging off, as a bulk load fills it; merging is back.
    let automerge: i64 = Connection::open(search_file(dir.path()))
        .unwrap()
        .query_row(
            "SELECT v FROM cache_search_config WHERE k = 'automerge'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(automerge, 4);
}

/// A damaged search file does not stop the cache: it is made again.
#[test]
fn a_damaged_search_file_is_made_again() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_store, cache) = open(dir.path());
        cache_leads(&cache, 0..2);
    }
    for end in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("close.db-search{end}")));
    }
    std::fs::write(search_file(dir.path()), vec![0x5a; 64 * 1024]).unwrap();
    let (_store, cache) = open(dir.path());
    assert_eq!(found(&cache, "zed0"), ["lead_0"]);
    let mode = std::fs::metadata(search_file(dir.path()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
