//! The SQLite floor under the cache writer: the least any cache that keeps
//! each record's JSON as a row of its own can cost. The same lead pages go
//! into a plain file, one row per lead and one per contact, opportunity and
//! task, each its id and raw JSON appended to a rowid table, and nothing
//! else: no key to look up (so no upsert), no columns, no index, no search
//! text. Same page size (16 KB), journal and sync settings as the store's
//! new files, same transaction size as a bulk load. (With the id as a `WITHOUT ROWID` primary key it
//! costs several times more than the real writer, so that is no floor.)
//!
//! What it prints is the budget question for the sync's throughput target:
//! the cache writer cannot cost less than this per lead.

use rusqlite::{Connection, params};
use serde_json::{Value, value::RawValue};

use super::thread_cpu;

/// (id, raw JSON) of a lead and of each of its children.
fn rows_of(lead: &RawValue) -> Vec<(String, String)> {
    let value: Value = serde_json::from_str(lead.get()).unwrap_or_default();
    let mut rows = vec![(
        value["id"].as_str().unwrap_or_default().to_owned(),
        lead.get().to_owned(),
    )];
    for key in ["contacts", "opportunities", "tasks"] {
        for child in value[key].as_array().into_iter().flatten() {
            let id = child["id"].as_str().unwrap_or_default().to_owned();
            rows.push((id, child.to_string()));
        }
    }
    rows
}

/// Inserts `pages` of leads as keyed rows, 32 pages per transaction, and
/// prints the CPU time per lead and per row.
pub fn measure(pages: &[Vec<Box<RawValue>>]) {
    // Split outside the timed part: the floor is SQLite's share alone.
    let batches: Vec<Vec<Vec<(String, String)>>> = pages
        .chunks(32)
        .map(|batch| batch.iter().flatten().map(|lead| rows_of(lead)).collect())
        .collect();
    let leads: usize = batches.iter().map(Vec::len).sum();
    let rows: usize = batches.iter().flatten().map(Vec::len).sum();
    for round in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("floor.db")).unwrap();
        conn.execute_batch(
            "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE TABLE leads (id TEXT NOT NULL, raw TEXT NOT NULL);
             CREATE TABLE children (id TEXT NOT NULL, lead TEXT NOT NULL, raw TEXT NOT NULL);",
        )
        .unwrap();
        let cpu = thread_cpu();
        for batch in &batches {
            let tx = conn.transaction().unwrap();
            {
                let mut lead_row = tx
                    .prepare_cached("INSERT INTO leads VALUES (?1, ?2)")
                    .unwrap();
                let mut child_row = tx
                    .prepare_cached("INSERT INTO children VALUES (?1, ?2, ?3)")
                    .unwrap();
                for lead in batch {
                    let (id, raw) = &lead[0];
                    lead_row.execute(params![id, raw]).unwrap();
                    for (child, raw) in &lead[1..] {
                        child_row.execute(params![child, id, raw]).unwrap();
                    }
                }
            }
            tx.commit().unwrap();
        }
        let cpu = (thread_cpu() - cpu).as_secs_f64();
        println!(
            "SQLite floor {round}: {leads} leads appended as {rows} rows of raw JSON, \
             no key, index or search: CPU {:.1} µs/lead ({:.1} µs/row)",
            cpu * 1e6 / leads as f64,
            cpu * 1e6 / rows as f64
        );
    }
}
