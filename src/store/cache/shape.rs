//! How a record is reshaped on its way into the cache: a lead's JSON without
//! the children that have rows of their own, the searchable text of its
//! contacts, and a short preview for reports.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::close::records::{self, list, text};

/// The lead's arrays of children that its raw JSON can leave out, because
/// every item will have a row that export finds again by `lead_id` (and,
/// for tasks, `task_type = 'lead'`, the only ones a lead replaces): a bit
/// per array, as in [`EMBEDDED`]. An array with an odd item stays in the raw.
pub(super) fn embedded(record: &Value, lead_id: &str) -> i64 {
    EMBEDDED
        .iter()
        .filter(|(key, bit, _)| {
            let Some(items) = record.get(*key).and_then(Value::as_array) else {
                return false;
            };
            items.iter().all(|item| {
                records::id(item).is_some()
                    && item.get("lead_id").and_then(Value::as_str) == Some(lead_id)
                    && (*bit != 4 || item.get("_type").and_then(Value::as_str) == Some("lead"))
            })
        })
        .map(|(_, bit, _)| bit)
        .sum()
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

/// A lead's fields without the embedded arrays, serialized straight from
/// the parsed record (no copy of the map).
pub(super) struct Without<'a> {
    pub(super) fields: &'a Map<String, Value>,
    pub(super) embedded: i64,
}

impl Serialize for Without<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.fields.iter().filter(|(key, _)| {
            !EMBEDDED
                .iter()
                .any(|(name, bit, _)| self.embedded & bit != 0 && name == key)
        }))
    }
}

/// The searchable text of a lead's contacts: names, emails, and phones
/// (also as bare national digits, so "555 01" finds "+1 555-0100").
pub(super) fn people(contacts: &[Value]) -> String {
    let mut out = String::new();
    for contact in contacts {
        if let Some(name) = text(contact, "display_name").or_else(|| text(contact, "name")) {
            out.push_str(&name);
            out.push(' ');
        }
        for email in list(contact, "emails") {
            if let Some(address) = text(email, "email") {
                out.push_str(&address);
                out.push(' ');
            }
        }
        for phone in list(contact, "phones") {
            if let Some(number) = text(phone, "phone") {
                let digits: String = number.chars().filter(char::is_ascii_digit).collect();
                out.push_str(&digits);
                out.push(' ');
                if digits.len() > 10 {
                    out.push_str(&digits[digits.len() - 10..]);
                    out.push(' ');
                }
            }
        }
    }
    out
}

/// The start of a record, for a report about it; never more than 120 chars.
pub(super) fn preview(record: &Value) -> String {
    let text = record.to_string();
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
