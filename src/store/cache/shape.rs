//! How a record is reshaped on its way into the cache, read once from its
//! JSON text: the columns its table indexes, its raw JSON (a lead's without
//! the children that have rows of their own), the searchable text of a
//! lead's contacts, and a short preview for reports.
//!
//! Children and records keep the exact text Close sent; only a lead whose
//! child arrays are left out is written again, member by member, with each
//! value's text copied as it came.

use std::borrow::Cow;

use rusqlite::types::ValueRef;

use super::{
    columns::{columns, text, values},
    fields::{Fields, Key, push_key},
    lead::{self, LeadText},
    packed::{Packed, Val, Vals},
};
use crate::resource::Resource;

/// A record ready to be written: its id, its table's columns (in the order
/// of [`columns`]), its raw JSON (all three packed in one string) and, for
/// a lead, what goes with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub(super) resource: Resource,
    packed: Packed,
    pub(super) lead: Option<Box<LeadParts>>,
}

/// What a lead brings besides its own row.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LeadParts {
    /// The search row's second column (its first is the lead's name).
    pub people: String,
    /// Its embedded contacts, opportunities and tasks that have an id, in
    /// the order they came.
    pub children: Vec<Prepared>,
    /// Which of its child arrays it has, in the order of [`EMBEDDED`]: only
    /// those replace the children cached for it.
    pub arrays: [bool; 3],
}

impl Prepared {
    /// A record of `resource` whose raw JSON `raw` holds, with room for
    /// `id` and `vals` after it (see [`Packed::room`]).
    pub(super) fn new(
        resource: Resource,
        raw: String,
        id: &str,
        vals: &Vals<'_>,
        lead: Option<Box<LeadParts>>,
    ) -> Self {
        Self {
            resource,
            packed: Packed::new(raw, id, vals),
            lead,
        }
    }

    /// A record whose raw JSON is `text`, trimmed, copied into a string
    /// that also holds its id and values.
    pub(super) fn copied(resource: Resource, text: &str, id: &str, vals: &Vals<'_>) -> Self {
        let raw = trimmed_with_room(text, Packed::room(id, vals));
        Self::new(resource, raw, id, vals, None)
    }

    pub fn id(&self) -> &str {
        self.packed.id()
    }

    pub(super) fn raw(&self) -> &str {
        self.packed.raw()
    }

    /// Its table's columns, in the order of [`columns`].
    pub(super) fn values(&self) -> impl ExactSizeIterator<Item = ValueRef<'_>> + '_ {
        self.packed.values()
    }

    /// A lead's name, as its `name` column holds it.
    pub(super) fn name(&self) -> &str {
        self.packed.text_at(0).unwrap_or_default()
    }

    pub fn resource(&self) -> Resource {
        self.resource
    }

    /// Takes a lead's embedded children out of it, to be written as records
    /// of their own (the sync bench's two-file writer measures what a
    /// writer split between files would gain).
    pub fn split_off_children(&mut self) -> Vec<Prepared> {
        self.lead
            .as_mut()
            .map(|l| std::mem::take(&mut l.children))
            .unwrap_or_default()
    }

    /// `date_updated`, as the column holds it.
    pub fn date_updated(&self) -> Option<&str> {
        let at = columns(self.resource)
            .iter()
            .position(|c| *c == "date_updated")?;
        self.packed.text_at(at)
    }
}

/// Reads one record of `resource` from its JSON text. A record without an
/// id cannot be cached; the error says so, with the record's start.
pub fn prepare(resource: Resource, text: &str) -> Result<Prepared, String> {
    if text.len() > MAX_RECORD_BYTES {
        return Err(too_large(resource, text.len()));
    }
    let no_id = || without_id(resource, text);
    if resource == Resource::Leads {
        let lead_text = lead::read(text).ok_or_else(no_id)?;
        let id = lead_text.fields.id().ok_or_else(no_id)?;
        return Ok(lead(lead_text, &id, text));
    }
    let fields = Fields::parse(text).ok_or_else(no_id)?;
    let id = fields.id().ok_or_else(no_id)?;
    Ok(Prepared::copied(
        resource,
        text,
        &id,
        &values(resource, &fields),
    ))
}

/// A lead: its row, its search text, and its embedded children.
///
/// A child array leaves the lead's raw JSON when every item will have a row
/// that export finds again by `lead_id` (and, for tasks, `task_type =
/// 'lead'`, the only ones a lead replaces): a bit per array in `embedded`,
/// as in [`EMBEDDED`]. An array with an odd item stays in the raw.
fn lead(lead: LeadText<'_>, id: &str, text_in: &str) -> Prepared {
    let arrays = std::array::from_fn(|at| lead.arrays[at].is_some());
    let mut embedded = 0;
    let mut counts = [0i64; 2];
    for (at, (_, bit, _)) in EMBEDDED.iter().enumerate() {
        let Some(array) = &lead.arrays[at] else {
            continue;
        };
        if *bit < 4 {
            counts[at] = array.len as i64;
        }
        if array.embedded(id) {
            embedded |= bit;
        }
    }
    let fields = &lead.fields;
    let name = fields
        .text(Key::DisplayName)
        .or_else(|| fields.text(Key::Name))
        .unwrap_or_default();
    let vals: Vals<'_> = [
        Val::Text(name),
        text(fields, Key::StatusLabel),
        Val::Int(counts[0]),
        Val::Int(counts[1]),
        text(fields, Key::DateCreated),
        text(fields, Key::DateUpdated),
        Val::Int(embedded),
    ]
    .into_iter()
    .collect();
    let room = Packed::room(id, &vals);
    let raw = if embedded == 0 {
        trimmed_with_room(text_in, room)
    } else {
        without(&lead.members, embedded, room)
    };
    let parts = LeadParts {
        people: lead.people,
        children: lead.children,
        arrays,
    };
    Prepared::new(Resource::Leads, raw, id, &vals, Some(Box::new(parts)))
}

/// `text`, trimmed, in a string with `room` bytes to spare.
fn trimmed_with_room(text: &str, room: usize) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len() + room);
    out.push_str(text);
    out
}

/// The lead's JSON without the arrays `embedded` names: its other members
/// in order, each value's text as it came, with `room` to spare.
fn without(members: &[(Cow<'_, str>, &str)], embedded: i64, room: usize) -> String {
    let left_out = |key: &str| {
        EMBEDDED
            .iter()
            .any(|(name, bit, _)| embedded & bit != 0 && *name == key)
    };
    // Sized to fit (keys with escapes aside): a sync keeps many at once.
    let size = members
        .iter()
        .filter(|(key, _)| !left_out(key))
        .map(|(key, value)| key.len() + value.len() + 4)
        .sum::<usize>();
    let mut out = String::with_capacity(size + 1 + room);
    out.push('{');
    for (key, value) in members {
        if left_out(key) {
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        match key {
            // Read without escapes (nothing in it needs one), or kept as
            // it came (see `Scan::key`).
            Cow::Borrowed(key) => {
                out.push('"');
                out.push_str(key);
                out.push('"');
            }
            Cow::Owned(key) => push_key(&mut out, key),
        }
        out.push(':');
        out.push_str(value);
    }
    out.push('}');
    out
}

/// The lead's child arrays, with their bit in `cache_leads.embedded` and
/// the query that finds their rows again (`?1` account, `?2` lead id), in
/// the order they were written.
pub(crate) const EMBEDDED: [(&str, i64, &str); 3] = [
    (
        "contacts",
        1,
        "SELECT raw FROM cache_contacts WHERE account = ?1 AND lead_id = ?2 ORDER BY rowid",
    ),
    (
        "opportunities",
        2,
        "SELECT raw FROM cache_opportunities WHERE account = ?1 AND lead_id = ?2 ORDER BY rowid",
    ),
    (
        "tasks",
        4,
        "SELECT raw FROM cache_tasks WHERE account = ?1 AND lead_id = ?2 AND task_type = 'lead'
         ORDER BY rowid",
    ),
];

/// Adds a contact's searchable text: names, emails, and phones (also as
/// bare national digits, so "555 01" finds "+1 555-0100").
pub(super) fn add_person(contact: &Fields<'_>, out: &mut String) {
    if let Some(name) = contact
        .text(Key::DisplayName)
        .or_else(|| contact.text(Key::Name))
    {
        out.push_str(&name);
        out.push(' ');
    }
    contact.each(Key::Emails, |email| {
        if let Some(address) = Fields::parse(email).and_then(|e| e.text(Key::Email)) {
            out.push_str(&address);
            out.push(' ');
        }
    });
    contact.each(Key::Phones, |phone| {
        if let Some(number) = Fields::parse(phone).and_then(|p| p.text(Key::Phone)) {
            let start = out.len();
            out.extend(number.chars().filter(char::is_ascii_digit));
            let digits = out.len() - start;
            out.push(' ');
            if digits > 10 {
                let national = out.len() - 11..out.len() - 1;
                out.extend_from_within(national);
                out.push(' ');
            }
        }
    });
}

/// The largest record the cache stores: SQLite's limit on one value
/// (`SQLITE_MAX_LENGTH`, 10^9 bytes), which a larger raw JSON could not be
/// written past. It also keeps a packed record's offsets in 32 bits.
const MAX_RECORD_BYTES: usize = 1_000_000_000;

// A packed record's offsets (u32) reach past a record at the limit, its id
// and its columns' text together.
const _: () = assert!(3 * MAX_RECORD_BYTES < u32::MAX as usize);

/// Why a record of `resource` and `len` bytes cannot be cached.
fn too_large(resource: Resource, len: usize) -> String {
    format!(
        "{} record of {:.1} GB, larger than the cache stores ({} GB)",
        article(resource),
        len as f64 / 1e9,
        MAX_RECORD_BYTES / 1_000_000_000
    )
}

/// "a lead", "an opportunity".
fn article(resource: Resource) -> String {
    let kind = resource.singular();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// Why a record of `resource` cannot be cached: it has no id.
pub(super) fn without_id(resource: Resource, text: &str) -> String {
    format!(
        "{} record without an id: {}",
        article(resource),
        preview(text)
    )
}

/// The start of a record, for a report about it; never more than 120 chars.
pub(super) fn preview(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_too_large_for_the_cache_is_reported_with_its_size() {
        assert_eq!(
            too_large(Resource::Opportunities, 1_234_567_890),
            "an opportunity record of 1.2 GB, larger than the cache stores (1 GB)"
        );
    }
}
