//! The reader the cache used before its one-pass scan, kept for tests as
//! the definition of what `prepare` must return: each record parsed with
//! `serde_json` into its members, each child array, child, email and phone
//! parsed again from its own text.

mod fields;

use std::borrow::Cow;

use rusqlite::types::Value as Sql;

use self::fields::Fields;
use super::{
    fields::push_key,
    packed::{Val, Vals},
    shape::{EMBEDDED, LeadParts, Prepared, without_id},
};
use crate::resource::Resource;

/// Reads one record of `resource` from its JSON text. A record without an
/// id cannot be cached; the error says so, with the record's start.
pub(super) fn prepare(resource: Resource, text: &str) -> Result<Prepared, String> {
    let fields = Fields::parse(text);
    let Some((fields, id)) = fields.as_ref().and_then(|f| Some((f, f.id()?))) else {
        return Err(without_id(resource, text));
    };
    if resource == Resource::Leads {
        return Ok(lead(fields, &id, text));
    }
    Ok(Prepared::copied(
        resource,
        text,
        &id,
        &packed(&values(resource, fields)),
    ))
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
    let mut arrays = [false; 3];
    for (at, (key, bit, _)) in EMBEDDED.into_iter().enumerate() {
        let Some(items) = fields.array(key) else {
            continue;
        };
        arrays[at] = true;
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
                children.push(Prepared::copied(
                    resource,
                    item.get(),
                    &child_id,
                    &packed(&values(resource, &child)),
                ));
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
    let columns = [
        Sql::Text(name),
        text(fields, "status_label"),
        Sql::Integer(counts[0]),
        Sql::Integer(counts[1]),
        text(fields, "date_created"),
        text(fields, "date_updated"),
        Sql::Integer(embedded),
    ];
    let values = packed(&columns);
    let parts = LeadParts {
        people,
        children,
        arrays,
    };
    Prepared::new(Resource::Leads, raw, id, &values, Some(Box::new(parts)))
}

/// The reference's values as the cache packs them.
fn packed(values: &[Sql]) -> Vals<'_> {
    values
        .iter()
        .map(|value| match value {
            Sql::Integer(n) => Val::Int(*n),
            Sql::Text(t) => Val::Text(Cow::Borrowed(t)),
            _ => Val::Null,
        })
        .collect()
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
