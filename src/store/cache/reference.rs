//! The reader the cache used before its one-pass scan, kept for tests as
//! the definition of what `prepare` must return: each record parsed with
//! `serde_json` into its members, each child array, child, email and phone
//! parsed again from its own text.

use std::borrow::Cow;

use rusqlite::types::Value as Sql;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Number, value::RawValue};

use super::{
    fields::push_key,
    shape::{EMBEDDED, LeadParts, Prepared, preview},
};
use crate::close::records::Resource;

/// Reads one record of `resource` from its JSON text. A record without an
/// id cannot be cached; the error says so, with the record's start.
pub(super) fn prepare(resource: Resource, text: &str) -> Result<Prepared, String> {
    let fields = Fields::parse(text);
    let Some((fields, id)) = fields.as_ref().and_then(|f| Some((f, f.id()?))) else {
        return Err(format!(
            "a {} record without an id: {}",
            resource.name().trim_end_matches('s'),
            preview(text)
        ));
    };
    if resource == Resource::Leads {
        return Ok(lead(fields, &id, text));
    }
    Ok(Prepared {
        resource,
        id: id.into_owned(),
        values: values(resource, fields),
        raw: text.trim().to_owned(),
        lead: None,
    })
}

/// A lead: its row, its search text, and its embedded children.
///
/// A child array leaves the lead's raw JSON when every item will have a row
/// that export finds again by `lead_id` (and, for tasks, `task_type =
/// 'lead'`, the only ones a lead replaces): a bit per array in `embedded`,
/// as in [`EMBEDDED`]. An array with an odd item stays in the raw.
fn lead(fields: &Fields<'_>, id: &str, text_in: &str) -> Prepared {
    let mut embedded = 0;
    let mut counts = [0i64; 2];
    let mut people = String::new();
    let mut children = Vec::new();
    for (key, bit, _) in EMBEDDED {
        let Some(items) = fields.array(key) else {
            continue;
        };
        let resource = match bit {
            1 => Resource::Contacts,
            2 => Resource::Opportunities,
            _ => Resource::Tasks,
        };
        let mut all = true;
        for item in &items {
            let child = Fields::parse(item.get());
            let child_id = child.as_ref().and_then(Fields::id);
            all &= child.as_ref().is_some_and(|c| {
                child_id.is_some()
                    && c.str("lead_id").as_deref() == Some(id)
                    && (bit != 4 || c.str("_type").as_deref() == Some("lead"))
            });
            let Some(child) = child else { continue };
            if bit == 1 {
                add_person(&child, &mut people);
            }
            // A child without an id is kept inside the lead's raw JSON; it
            // has no row of its own.
            if let Some(child_id) = child_id {
                children.push(Prepared {
                    resource,
                    id: child_id.into_owned(),
                    values: values(resource, &child),
                    raw: item.get().to_owned(),
                    lead: None,
                });
            }
        }
        if bit < 4 {
            counts[bit as usize - 1] = items.len() as i64;
        }
        if all {
            embedded |= bit;
        }
    }
    let raw = if embedded == 0 {
        text_in.trim().to_owned()
    } else {
        without(fields, embedded, text_in.len())
    };
    let name = fields
        .text("display_name")
        .or_else(|| fields.text("name"))
        .unwrap_or_default()
        .into_owned();
    Prepared {
        resource: Resource::Leads,
        id: id.to_owned(),
        values: vec![
            Sql::Text(name.clone()),
            text(fields, "status_label"),
            Sql::Integer(counts[0]),
            Sql::Integer(counts[1]),
            text(fields, "date_created"),
            text(fields, "date_updated"),
            Sql::Integer(embedded),
        ],
        raw,
        lead: Some(Box::new(LeadParts {
            name,
            people,
            children,
        })),
    }
}

/// The lead's JSON without the arrays `embedded` names: its other members
/// in order, each value's text as it came.
fn without(fields: &Fields<'_>, embedded: i64, size: usize) -> String {
    let mut out = String::with_capacity(size);
    out.push('{');
    for (key, value) in fields.members() {
        let left_out = EMBEDDED
            .iter()
            .any(|(name, bit, _)| embedded & bit != 0 && *name == key);
        if left_out {
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        push_key(&mut out, key);
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    out
}

/// Adds a contact's searchable text: names, emails, and phones (also as
/// bare national digits, so "555 01" finds "+1 555-0100").
fn add_person(contact: &Fields<'_>, out: &mut String) {
    if let Some(name) = contact
        .text("display_name")
        .or_else(|| contact.text("name"))
    {
        out.push_str(&name);
        out.push(' ');
    }
    for email in contact.list("emails") {
        if let Some(address) = Fields::parse(email.get()).and_then(|e| e.text("email")) {
            out.push_str(&address);
            out.push(' ');
        }
    }
    for phone in contact.list("phones") {
        if let Some(number) = Fields::parse(phone.get()).and_then(|p| p.text("phone")) {
            let start = out.len();
            out.extend(number.chars().filter(char::is_ascii_digit));
            let digits = out.len() - start;
            out.push(' ');
            if digits > 10 {
                let national = out[out.len() - 11..out.len() - 1].to_owned();
                out.push_str(&national);
                out.push(' ');
            }
        }
    }
}

/// The members of one JSON object, as slices of its text.
struct Fields<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> Fields<'a> {
    /// The object `text` holds; `None` when it holds anything else.
    pub fn parse(text: &'a str) -> Option<Self> {
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// Members in the order they came.
    pub fn members(&self) -> impl Iterator<Item = (&str, &'a RawValue)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), *v))
    }

    /// The value of `key` (the last one, if the key repeats).
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// A string field as it is (`Value::as_str`).
    pub fn str(&self, key: &str) -> Option<Cow<'a, str>> {
        string(self.get(key)?)
    }

    /// A text field, if it is a non-empty string; numbers and booleans as
    /// text (`records::text`).
    pub fn text(&self, key: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(key)?;
        match first(raw) {
            b'"' => string(raw).filter(|s| !s.trim().is_empty()),
            b't' => Some(Cow::Borrowed("true")),
            b'f' => Some(Cow::Borrowed("false")),
            b'-' | b'0'..=b'9' => Some(Cow::Owned(number(raw)?.to_string())),
            _ => None,
        }
    }

    /// A finite number, or a string holding one (`records::number`).
    pub fn number(&self, key: &str) -> Option<f64> {
        let raw = self.get(key)?;
        match first(raw) {
            b'"' => string(raw)?.trim().parse().ok(),
            b'-' | b'0'..=b'9' => number(raw)?.as_f64(),
            _ => None,
        }
        .filter(|n: &f64| n.is_finite())
    }

    /// `true`, a non-zero number, or "true"/"True"/"1".
    pub fn truthy(&self, key: &str) -> bool {
        let Some(raw) = self.get(key) else {
            return false;
        };
        match first(raw) {
            b't' => true,
            b'-' | b'0'..=b'9' => number(raw)
                .and_then(|n| n.as_f64())
                .is_some_and(|n| n != 0.0),
            b'"' => string(raw).is_some_and(|s| matches!(s.trim(), "true" | "True" | "1")),
            _ => false,
        }
    }

    /// The items of a list field; `None` when it is not a list.
    pub fn array(&self, key: &str) -> Option<Vec<&'a RawValue>> {
        let raw = self.get(key)?;
        if first(raw) != b'[' {
            return None;
        }
        serde_json::from_str(raw.get()).ok()
    }

    /// The items of a list field; anything that is not a list counts as
    /// empty (`records::list`).
    pub fn list(&self, key: &str) -> Vec<&'a RawValue> {
        self.array(key).unwrap_or_default()
    }

    /// The record's id: a non-empty string (`records::id`).
    pub fn id(&self) -> Option<Cow<'a, str>> {
        self.str("id").filter(|s| !s.is_empty())
    }
}

fn first(raw: &RawValue) -> u8 {
    raw.get().as_bytes().first().copied().unwrap_or(b' ')
}

fn string(raw: &RawValue) -> Option<Cow<'_, str>> {
    if first(raw) != b'"' {
        return None;
    }
    serde_json::from_str::<Key<'_>>(raw.get()).ok().map(|k| k.0)
}

fn number(raw: &RawValue) -> Option<Number> {
    serde_json::from_str(raw.get()).ok()
}

/// A string, borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Fields<'de>, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(32));
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Fields { members })
            }
        }
        deserializer.deserialize_map(V)
    }
}

fn text(fields: &Fields<'_>, key: &str) -> Sql {
    fields
        .text(key)
        .map_or(Sql::Null, |t| Sql::Text(t.into_owned()))
}

fn either(fields: &Fields<'_>, a: &str, b: &str) -> Sql {
    match text(fields, a) {
        Sql::Null => text(fields, b),
        found => found,
    }
}

fn int(fields: &Fields<'_>, key: &str) -> Sql {
    fields
        .number(key)
        .map_or(Sql::Null, |n| Sql::Integer(n.round() as i64))
}

/// The first item of a list field, if it is an object.
fn first_of<'a>(fields: &Fields<'a>, key: &str) -> Option<Fields<'a>> {
    fields
        .list(key)
        .first()
        .and_then(|v| Fields::parse(v.get()))
}

/// The columns of a record other than a lead, in [`columns`] order.
fn values(resource: Resource, f: &Fields<'_>) -> Vec<Sql> {
    let name = || match either(f, "display_name", "name") {
        Sql::Null => Sql::Text(String::new()),
        found => found,
    };
    match resource {
        Resource::Leads => Vec::new(),
        Resource::Contacts => {
            let email = first_of(f, "emails").map_or(Sql::Null, |e| text(&e, "email"));
            let phone =
                first_of(f, "phones").map_or(Sql::Null, |p| either(&p, "phone_formatted", "phone"));
            vec![
                text(f, "lead_id"),
                name(),
                text(f, "title"),
                email,
                phone,
                text(f, "date_updated"),
            ]
        }
        Resource::Opportunities => vec![
            text(f, "lead_id"),
            text(f, "lead_name"),
            text(f, "status_label"),
            text(f, "status_type"),
            int(f, "value"),
            text(f, "value_currency"),
            text(f, "value_period"),
            int(f, "confidence"),
            text(f, "user_name"),
            either(f, "date_won", "expected_date"),
            text(f, "date_updated"),
        ],
        Resource::Tasks => vec![
            text(f, "lead_id"),
            text(f, "lead_name"),
            text(f, "_type"),
            text(f, "text"),
            either(f, "due_date", "date"),
            Sql::Integer(i64::from(f.truthy("is_complete"))),
            text(f, "assigned_to_name"),
            text(f, "date_updated"),
        ],
        Resource::Activities => {
            let summary = ["subject", "note", "text", "body_text", "_type"]
                .into_iter()
                .map(|key| text(f, key))
                .find(|v| *v != Sql::Null)
                .unwrap_or(Sql::Null);
            vec![
                text(f, "lead_id"),
                text(f, "_type"),
                summary,
                text(f, "user_name"),
                text(f, "date_created"),
            ]
        }
    }
}
