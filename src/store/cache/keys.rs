//! The writer's own record of what a bulk load has stored, standing in for
//! the unique (account, id) keys it set aside.
//!
//! Checking a random id against a unique index costs two descents of a
//! b-tree for every row: with five rows to a lead, that was a fifth of the
//! writer's time in a first full sync. While the keys of leads, contacts
//! and opportunities are set aside (see `bulk.rs`), the one writer keeps
//! a hash of each id it stored with the row's rowid, so a record seen again
//! (a window's edge, a resumed page) updates its row instead of adding
//! one. A hash that matches is checked against the row's id, so a
//! collision costs a row, never another record's data; the keys are built
//! again at the end, and a duplicate left by two writers at once is
//! removed then (`bulk::restore_indexes`).

use std::{
    collections::HashMap,
    hash::{BuildHasher, RandomState},
};

use rusqlite::{Connection, OptionalExtension};

use super::write::AccountKey;
use crate::resource::Resource;

/// The tables whose keys a bulk load sets aside, and their key indexes.
pub(crate) const DEFERRED_KEYS: [(Resource, &str, &str); 3] = [
    (Resource::Leads, "cache_leads", "cache_leads_key"),
    (Resource::Contacts, "cache_contacts", "cache_contacts_key"),
    (
        Resource::Opportunities,
        "cache_opportunities",
        "cache_opportunities_key",
    ),
];

/// Hashes of the ids one account has in each table, with their rowids.
#[derive(Debug)]
pub struct BulkKeys {
    account: AccountKey,
    hasher: RandomState,
    rows: [HashMap<u64, i64>; 3],
}

/// Where a record goes: a new row, or the row it had.
pub(crate) enum Slot {
    New,
    Existing(i64),
}

impl BulkKeys {
    /// The keys of `account`'s rows already stored, when the tables' keys
    /// are set aside; `None` when they are in place (UPSERT works).
    pub fn load(conn: &Connection, account: AccountKey) -> rusqlite::Result<Option<Self>> {
        if !keys_deferred(conn)? {
            return Ok(None);
        }
        let mut keys = Self {
            account,
            hasher: RandomState::new(),
            rows: Default::default(),
        };
        for (at, (_, table, _)) in DEFERRED_KEYS.iter().enumerate() {
            let mut stmt =
                conn.prepare(&format!("SELECT rowid, id FROM {table} WHERE account = ?1"))?;
            let mut rows = stmt.query([account])?;
            while let Some(row) = rows.next()? {
                let hash = keys.hasher.hash_one(row.get_ref(1)?.as_str()?);
                keys.rows[at].insert(hash, row.get(0)?);
            }
        }
        Ok(Some(keys))
    }

    /// Whether this record's table is one whose key is set aside.
    pub(crate) fn covers(resource: Resource) -> bool {
        position(resource).is_some()
    }

    /// Where the record with `id` goes in `resource`'s table.
    pub(crate) fn find(
        &self,
        conn: &Connection,
        resource: Resource,
        id: &str,
    ) -> rusqlite::Result<Slot> {
        let Some(at) = position(resource) else {
            return Ok(Slot::New);
        };
        let Some(&rowid) = self.rows[at].get(&self.hasher.hash_one(id)) else {
            return Ok(Slot::New);
        };
        let table = DEFERRED_KEYS[at].1;
        // The hash may be another id's, and the row another account's.
        let same: Option<bool> = conn
            .prepare_cached(&format!(
                "SELECT id = ?2 AND account = ?3 FROM {table} WHERE rowid = ?1"
            ))?
            .query_row(rusqlite::params![rowid, id, self.account], |row| row.get(0))
            .optional()?;
        Ok(if same == Some(true) {
            Slot::Existing(rowid)
        } else {
            Slot::New
        })
    }

    /// Notes that the record with `id` is stored at `rowid`.
    pub(crate) fn stored(&mut self, resource: Resource, id: &str, rowid: i64) {
        if let Some(at) = position(resource) {
            let hash = self.hasher.hash_one(id);
            self.rows[at].insert(hash, rowid);
        }
    }
}

fn position(resource: Resource) -> Option<usize> {
    DEFERRED_KEYS.iter().position(|(r, _, _)| *r == resource)
}

/// Whether the keys of the bulk-loaded tables are set aside right now.
pub fn keys_deferred(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM cache_deferred WHERE name = ?1)",
        [DEFERRED_KEYS[0].2],
        |row| row.get(0),
    )
}
