//! The columns each cache table copies out of a record, read leniently
//! from its JSON text (see `fields.rs`), in the order its statements bind
//! them.

use rusqlite::types::Value as Sql;

use super::fields::{Fields, Key};
use crate::resource::Resource;

/// The tables of the records a lead embeds, each with the condition that
/// picks them out of its table: tasks of other types come from `task/`.
pub(super) const EMBEDDED_IN_LEADS: [(&str, &str); 3] = [
    ("cache_contacts", ""),
    ("cache_opportunities", ""),
    ("cache_tasks", " AND task_type = 'lead'"),
];

/// The table that caches `resource`.
pub(super) fn table(resource: Resource) -> &'static str {
    match resource {
        Resource::Leads => "cache_leads",
        Resource::Contacts => "cache_contacts",
        Resource::Opportunities => "cache_opportunities",
        Resource::Tasks => "cache_tasks",
        Resource::Activities => "cache_activities",
    }
}

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

pub(super) fn text(fields: &Fields<'_>, key: Key) -> Sql {
    fields
        .text(key)
        .map_or(Sql::Null, |t| Sql::Text(t.into_owned()))
}

fn either(fields: &Fields<'_>, a: Key, b: Key) -> Sql {
    match text(fields, a) {
        Sql::Null => text(fields, b),
        found => found,
    }
}

fn int(fields: &Fields<'_>, key: Key) -> Sql {
    fields
        .number(key)
        .map_or(Sql::Null, |n| Sql::Integer(n.round() as i64))
}

/// The first item of a list field, if it is an object.
fn first_of<'a>(fields: &Fields<'a>, key: Key) -> Option<Fields<'a>> {
    Fields::parse(fields.first_item(key)?)
}

/// The columns of a record other than a lead, in [`columns`] order.
pub(super) fn values(resource: Resource, f: &Fields<'_>) -> Vec<Sql> {
    let name = || match either(f, Key::DisplayName, Key::Name) {
        Sql::Null => Sql::Text(String::new()),
        found => found,
    };
    match resource {
        Resource::Leads => Vec::new(),
        Resource::Contacts => {
            let email = first_of(f, Key::Emails).map_or(Sql::Null, |e| text(&e, Key::Email));
            let phone = first_of(f, Key::Phones)
                .map_or(Sql::Null, |p| either(&p, Key::PhoneFormatted, Key::Phone));
            vec![
                text(f, Key::LeadId),
                name(),
                text(f, Key::Title),
                email,
                phone,
                text(f, Key::DateUpdated),
            ]
        }
        Resource::Opportunities => vec![
            text(f, Key::LeadId),
            text(f, Key::LeadName),
            text(f, Key::StatusLabel),
            text(f, Key::StatusType),
            int(f, Key::Value),
            text(f, Key::ValueCurrency),
            text(f, Key::ValuePeriod),
            int(f, Key::Confidence),
            text(f, Key::UserName),
            either(f, Key::DateWon, Key::ExpectedDate),
            text(f, Key::DateUpdated),
        ],
        Resource::Tasks => vec![
            text(f, Key::LeadId),
            text(f, Key::LeadName),
            text(f, Key::Type),
            text(f, Key::Text),
            either(f, Key::DueDate, Key::Date),
            Sql::Integer(i64::from(f.truthy(Key::IsComplete))),
            text(f, Key::AssignedToName),
            text(f, Key::DateUpdated),
        ],
        Resource::Activities => {
            let summary = [Key::Subject, Key::Note, Key::Text, Key::BodyText, Key::Type]
                .into_iter()
                .map(|key| text(f, key))
                .find(|v| *v != Sql::Null)
                .unwrap_or(Sql::Null);
            vec![
                text(f, Key::LeadId),
                text(f, Key::Type),
                summary,
                text(f, Key::UserName),
                text(f, Key::DateCreated),
            ]
        }
    }
}
