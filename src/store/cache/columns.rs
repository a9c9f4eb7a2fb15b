//! The columns each cache table copies out of a record, read leniently
//! from its JSON text (see `fields.rs`), in the order its statements bind
//! them.

use rusqlite::types::Value as Sql;

use super::fields::Fields;
use crate::close::records::Resource;

/// The columns of `resource`'s table besides `account`, `id` and `raw`.
pub(super) fn columns(resource: Resource) -> &'static [&'static str] {
    match resource {
        Resource::Leads => &[
            "name",
            "status_label",
            "contact_count",
            "opportunity_count",
            "date_created",
            "date_updated",
            "embedded",
        ],
        Resource::Contacts => &["lead_id", "name", "title", "email", "phone", "date_updated"],
        Resource::Opportunities => &[
            "lead_id",
            "lead_name",
            "status_label",
            "status_type",
            "value_cents",
            "value_currency",
            "value_period",
            "confidence",
            "user_name",
            "close_date",
            "date_updated",
        ],
        Resource::Tasks => &[
            "lead_id",
            "lead_name",
            "task_type",
            "text",
            "due_date",
            "is_complete",
            "assigned_to_name",
            "date_updated",
        ],
        Resource::Activities => &[
            "lead_id",
            "activity_type",
            "summary",
            "user_name",
            "date_created",
        ],
    }
}

pub(super) fn text(fields: &Fields<'_>, key: &str) -> Sql {
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
pub(super) fn values(resource: Resource, f: &Fields<'_>) -> Vec<Sql> {
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
