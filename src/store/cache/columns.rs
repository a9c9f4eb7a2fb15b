//! The columns each cache table copies out of a record, read leniently
//! from its JSON text (see `fields.rs`), in the order its statements bind
//! them.

use std::borrow::Cow;

use super::{
    fields::{Fields, Key},
    packed::{Val, Vals},
};
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

pub(super) fn text<'a>(fields: &Fields<'a>, key: Key) -> Val<'a> {
    fields.text(key).map_or(Val::Null, Val::Text)
}

fn either<'a>(fields: &Fields<'a>, a: Key, b: Key) -> Val<'a> {
    match text(fields, a) {
        Val::Null => text(fields, b),
        found => found,
    }
}

fn int<'a>(fields: &Fields<'a>, key: Key) -> Val<'a> {
    fields
        .number(key)
        .map_or(Val::Null, |n| Val::Int(n.round() as i64))
}

/// The first item of a list field, if it is an object.
fn first_of<'a>(fields: &Fields<'a>, key: Key) -> Option<Fields<'a>> {
    Fields::parse(fields.first_item(key)?)
}

/// The columns of a record other than a lead, in [`columns`] order.
pub(super) fn values<'a>(resource: Resource, f: &Fields<'a>) -> Vals<'a> {
    let name = || match either(f, Key::DisplayName, Key::Name) {
        Val::Null => Val::Text(Cow::Borrowed("")),
        found => found,
    };
    match resource {
        Resource::Leads => Vals::new(),
        Resource::Contacts => {
            let email = first_of(f, Key::Emails).map_or(Val::Null, |e| text(&e, Key::Email));
            let phone = first_of(f, Key::Phones)
                .map_or(Val::Null, |p| either(&p, Key::PhoneFormatted, Key::Phone));
            [
                text(f, Key::LeadId),
                name(),
                text(f, Key::Title),
                email,
                phone,
                text(f, Key::DateUpdated),
            ]
            .into_iter()
            .collect()
        }
        Resource::Opportunities => [
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
        ]
        .into_iter()
        .collect(),
        Resource::Tasks => [
            text(f, Key::LeadId),
            text(f, Key::LeadName),
            text(f, Key::Type),
            text(f, Key::Text),
            either(f, Key::DueDate, Key::Date),
            Val::Int(i64::from(f.truthy(Key::IsComplete))),
            text(f, Key::AssignedToName),
            text(f, Key::DateUpdated),
        ]
        .into_iter()
        .collect(),
        Resource::Activities => {
            let summary = [Key::Subject, Key::Note, Key::Text, Key::BodyText, Key::Type]
                .into_iter()
                .map(|key| text(f, key))
                .find(|v| *v != Val::Null)
                .unwrap_or(Val::Null);
            [
                text(f, Key::LeadId),
                text(f, Key::Type),
                summary,
                text(f, Key::UserName),
                text(f, Key::DateCreated),
            ]
            .into_iter()
            .collect()
        }
    }
}
