//! Where a list's rows are, remembered from the pages already read, so a
//! page deep in a list is found from a nearby known row by its sort key
//! (keyset paging) instead of by `OFFSET`, which steps through every
//! skipped index entry: tens of microseconds per thousand rows, several
//! milliseconds at the end of 100,000 leads.
//!
//! A list's first and last rows are always known (its order, or the
//! reverse order). Each page read adds its first and last rows as hints,
//! so the next page (PgDn, PgUp) starts from one. Hints hold only while
//! the database is unchanged (`PRAGMA data_version`); after any commit the
//! positions may have moved and they are forgotten.

use std::collections::HashMap;

use rusqlite::{Connection, ToSql, types::Value};

use super::read::{ListQuery, table};
use crate::{resource::Resource, store::AccountId};

/// Rows a plain `OFFSET` may step over before a known row is worth using.
pub(super) const NEAR: usize = 200;

/// Hints kept per list, newest first; a handful covers paging back and
/// forth.
const PER_LIST: usize = 16;
/// Lists remembered at once (each lead's children are lists of their
/// own); past this, all are forgotten, so memory stays bounded.
const LISTS: usize = 64;

/// A row at a known position: its sort key (one value per sort column)
/// and rowid.
#[derive(Debug, Clone)]
pub(super) struct Hint {
    pub position: usize,
    pub key: Vec<Value>,
    pub rowid: i64,
}

#[derive(Debug, Default)]
pub(super) struct Positions {
    version: i64,
    lists: HashMap<String, Vec<Hint>>,
}

impl Positions {
    /// The known row nearest to `position` in `list`, with a usable
    /// (non-NULL) key; only when the data is still at `version`.
    pub fn nearest(&mut self, version: i64, list: &str, position: usize) -> Option<Hint> {
        self.at(version);
        self.lists
            .get(list)?
            .iter()
            .filter(|h| !h.key.contains(&Value::Null))
            .min_by_key(|h| h.position.abs_diff(position))
            .cloned()
    }

    /// Remembers rows read at `version`.
    pub fn learn(&mut self, version: i64, list: &str, hints: impl IntoIterator<Item = Hint>) {
        self.at(version);
        if self.lists.len() >= LISTS && !self.lists.contains_key(list) {
            self.lists.clear();
        }
        let known = self.lists.entry(list.to_owned()).or_default();
        for hint in hints {
            known.retain(|h| h.position != hint.position);
            known.insert(0, hint);
        }
        known.truncate(PER_LIST);
    }

    fn at(&mut self, version: i64) {
        if self.version != version {
            self.version = version;
            self.lists.clear();
        }
    }
}

/// What page of which list to read.
pub(super) struct Want<'a> {
    /// Names the list (resource, account and query) for its hints.
    pub list: &'a str,
    pub version: i64,
    pub offset: usize,
    pub limit: usize,
    /// The list's length, when known (deep pages).
    pub total: Option<usize>,
}

/// One list's query, from which each way of reading a page is built.
struct Plan<'a> {
    select: String,
    clause: String,
    /// The sort columns, each maybe with a collation.
    columns: Vec<&'static str>,
    descending: bool,
    args: Vec<&'a dyn ToSql>,
}

type Keyed<T> = Vec<(T, Vec<Value>, i64)>;

impl Plan<'_> {
    /// `limit` rows from `skip` rows after the start of the order (or of
    /// the reverse order), only rows at or beyond `from` in that order.
    fn rows<T>(
        &self,
        conn: &Connection,
        reverse: bool,
        from: Option<(&Hint, bool)>,
        skip: usize,
        limit: usize,
        map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Keyed<T>> {
        let descending = self.descending != reverse;
        let dir = if descending { "DESC" } else { "ASC" };
        let mut sql = format!("{} WHERE {}", self.select, self.clause);
        // LIMIT and OFFSET are parameters, so each way of reading stays
        // one prepared statement whatever the depth.
        let (limit, skip) = (limit as i64, skip as i64);
        let mut args: Vec<&dyn ToSql> = Vec::with_capacity(self.args.len() + 5);
        args.extend(self.args.iter().copied());
        if let Some((hint, inclusive)) = from {
            let op = match (descending, inclusive) {
                (true, true) => "<=",
                (true, false) => "<",
                (false, true) => ">=",
                (false, false) => ">",
            };
            // `args` already holds every parameter before these. The bound
            // on the first column alone lets SQLite seek the index there (it
            // does not for a row value with a collation).
            let first = args.len() + 1;
            let marks: Vec<String> = (first..=first + self.columns.len())
                .map(|n| format!("?{n}"))
                .collect();
            let bound = if descending { "<=" } else { ">=" };
            sql.push_str(&format!(
                " AND {} {bound} ?{first} AND ({}, rowid) {op} ({})",
                self.columns[0],
                self.columns.join(", "),
                marks.join(", ")
            ));
            args.extend(hint.key.iter().map(|v| v as &dyn ToSql));
            args.push(&hint.rowid);
        }
        let order: Vec<String> = self.columns.iter().map(|c| format!("{c} {dir}")).collect();
        sql.push_str(&format!(
            " ORDER BY {}, rowid {dir} LIMIT ?{} OFFSET ?{}",
            order.join(", "),
            args.len() + 1,
            args.len() + 2
        ));
        args.push(&limit);
        args.push(&skip);
        let mut stmt = conn.prepare_cached(&sql)?;
        // The key columns and the rowid come last.
        let rowid = stmt.column_count() - 1;
        let keys = rowid - self.columns.len()..rowid;
        let rows = stmt.query_map(args.as_slice(), |row| {
            let key = keys
                .clone()
                .map(|i| row.get(i))
                .collect::<rusqlite::Result<_>>()?;
            Ok((map(row)?, key, row.get(rowid)?))
        })?;
        let mut out: Keyed<T> = rows.collect::<rusqlite::Result<_>>()?;
        if reverse {
            out.reverse();
        }
        Ok(out)
    }
}

/// Reads rows `[offset, offset + limit)` of a list the cheapest way: from
/// its start, from its end, or from the nearest known row; then remembers
/// the page's first and last rows.
pub(super) fn read<T>(
    conn: &Connection,
    positions: &mut Positions,
    resource: Resource,
    account: &AccountId,
    query: &ListQuery,
    want: &Want<'_>,
    map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let (name, columns) = table(resource);
    let (clause, order, descending, extra) = query.parts(resource);
    let columns_of_key: Vec<&'static str> = order.split(", ").collect();
    let key: Vec<String> = columns_of_key
        .iter()
        .map(|c| format!("t.{}", c.trim_end_matches(" COLLATE NOCASE")))
        .collect();
    let mut args: Vec<&dyn ToSql> = vec![&account.organization_id, &account.user_id];
    args.extend(extra);
    let plan = Plan {
        select: format!(
            "SELECT {columns}, {}, t.rowid FROM {name} t",
            key.join(", ")
        ),
        clause,
        columns: columns_of_key,
        descending,
        args,
    };
    let (offset, limit) = (want.offset, want.limit);
    // From the end: skip what lies after the page, in the reverse order.
    let from_end = want.total.map(|total| {
        let count = limit.min(total.saturating_sub(offset));
        (total.saturating_sub(offset + count), count)
    });
    // Only with one sort column: with two, rows with no value in the second
    // sit inside the order, where a keyset comparison skips them unseen.
    let hint = (offset > NEAR && plan.columns.len() == 1)
        .then(|| positions.nearest(want.version, want.list, offset))
        .flatten();
    let mut rows = None;
    if let Some(hint) = &hint
        && hint.position.abs_diff(offset) < offset.min(from_end.map_or(usize::MAX, |e| e.0))
    {
        rows = from_hint(conn, &plan, hint, want, map)?;
    }
    let rows = match (rows, from_end) {
        (Some(rows), _) => rows,
        (None, Some((skip, count))) if skip < offset => {
            plan.rows(conn, true, None, skip, count, map)?
        }
        (None, _) => plan.rows(conn, false, None, offset, limit, map)?,
    };
    let last = offset + rows.len().saturating_sub(1);
    let ends = [
        rows.first().map(|r| (offset, r)),
        rows.last().map(|r| (last, r)),
    ];
    positions.learn(
        want.version,
        want.list,
        ends.into_iter()
            .flatten()
            .map(|(position, (_, key, rowid))| Hint {
                position,
                key: key.clone(),
                rowid: *rowid,
            }),
    );
    Ok(rows.into_iter().map(|(row, _, _)| row).collect())
}

/// The page read around a known row, or `None` when the rows found there
/// are not certainly the page (fewer than asked before the list's end,
/// which rows with no sort key can cause).
fn from_hint<T>(
    conn: &Connection,
    plan: &Plan<'_>,
    hint: &Hint,
    want: &Want<'_>,
    map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<Keyed<T>>> {
    let (offset, limit) = (want.offset, want.limit);
    let end = offset + limit;
    // Rows before the hint, read backwards from it.
    let mut rows = if offset < hint.position {
        let count = end.min(hint.position) - offset;
        let skip = hint.position.saturating_sub(end);
        let before = plan.rows(conn, true, Some((hint, false)), skip, count, map)?;
        if before.len() < count {
            return Ok(None);
        }
        before
    } else {
        Vec::new()
    };
    // The hint's row and those after it.
    if end > hint.position {
        let start = offset.max(hint.position);
        let count = end - start;
        let after = plan.rows(
            conn,
            false,
            Some((hint, true)),
            start - hint.position,
            count,
            map,
        )?;
        let complete =
            after.len() == count || want.total.is_some_and(|total| start + after.len() == total);
        if !complete {
            return Ok(None);
        }
        rows.extend(after);
    }
    Ok(Some(rows))
}
