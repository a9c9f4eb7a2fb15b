//! Close records (JSON) turned into what the screens show: table cells in
//! the order `ui::table::columns` names them, and detail sections.

use serde_json::Value;

use crate::{
    close::records::{Resource, id, list, number, text},
    tui::{
        format,
        model::{DetailSection, RecordDetail, RecordRow},
    },
};

fn s(record: &Value, key: &str) -> String {
    text(record, key)
        .map(|t| t.into_owned())
        .unwrap_or_default()
}

/// `2026-03-01T14:05:00.123+00:00` → `2026-03-01 14:05`.
fn short_date(value: &str) -> String {
    let trimmed: String = value.chars().take(16).collect();
    trimmed.replace('T', " ")
}

fn first(record: &Value, key: &str, field: &str) -> String {
    list(record, key)
        .first()
        .map(|item| s(item, field))
        .unwrap_or_default()
}

fn money_of(record: &Value) -> String {
    match number(record, "value") {
        Some(cents) => format::money(cents as i64, &s(record, "value_currency")),
        None => String::new(),
    }
}

/// The fields API list requests ask for, so pages stay small.
pub fn fields(resource: Resource) -> &'static str {
    match resource {
        Resource::Leads => "id,display_name,name,status_label,contacts,date_updated",
        Resource::Contacts => "id,name,display_name,title,lead_id,emails,phones",
        Resource::Opportunities => {
            "id,lead_name,value,value_currency,status_label,status_type,pipeline_name,confidence,date_won"
        }
        Resource::Tasks | Resource::Activities => "id,date,due_date,text,lead_name,is_complete",
    }
}

pub fn row(resource: Resource, record: &Value) -> Option<RecordRow> {
    let cells = match resource {
        Resource::Leads => vec![
            non_empty(s(record, "display_name"), || s(record, "name")),
            s(record, "status_label"),
            list(record, "contacts").len().to_string(),
            short_date(&s(record, "date_updated")),
        ],
        Resource::Contacts => vec![
            non_empty(s(record, "name"), || s(record, "display_name")),
            s(record, "title"),
            // Its lead's name when the cache had the lead, else its id.
            non_empty(s(record, "lead_name"), || s(record, "lead_id")),
            first(record, "emails", "email"),
            // As the cache keeps it: formatted, when Close formats it.
            non_empty(first(record, "phones", "phone_formatted"), || {
                first(record, "phones", "phone")
            }),
        ],
        Resource::Opportunities => vec![
            s(record, "lead_name"),
            money_of(record),
            s(record, "status_label"),
            s(record, "pipeline_name"),
            number(record, "confidence").map_or_else(String::new, |c| format!("{c}%")),
            short_date(&s(record, "date_won"))
                .chars()
                .take(10)
                .collect(),
        ],
        Resource::Tasks | Resource::Activities => vec![
            non_empty(s(record, "due_date"), || s(record, "date"))
                .chars()
                .take(10)
                .collect(),
            s(record, "text"),
            s(record, "lead_name"),
            if record.get("is_complete").and_then(Value::as_bool) == Some(true) {
                "✓".to_owned()
            } else {
                String::new()
            },
        ],
    };
    Some(RecordRow {
        id: id(record)?.to_owned(),
        cells,
    })
}

fn non_empty(value: String, otherwise: impl FnOnce() -> String) -> String {
    if value.is_empty() { otherwise() } else { value }
}

fn section(title: &str, lines: Vec<String>) -> DetailSection {
    DetailSection {
        title: title.to_owned(),
        lines,
    }
}

/// Labelled values as the tables show them: dates and times (`date_…`,
/// `…_date` keys) short, yes or no for true or false, a confidence in %.
fn pairs(record: &Value, keys: &[(&str, &str)]) -> Vec<String> {
    keys.iter()
        .filter_map(|(label, key)| {
            let value = match record.get(*key) {
                Some(Value::Bool(yes)) => if *yes { "yes" } else { "no" }.to_owned(),
                _ if *key == "confidence" => format!("{}%", number(record, key)?),
                _ if key.starts_with("date_") || key.ends_with("_date") => {
                    short_date(&text(record, key)?)
                }
                _ => text(record, key)?.into_owned(),
            };
            Some(format!("{label:<12} {value}"))
        })
        .collect()
}

fn contact_lines(contact: &Value) -> Vec<String> {
    let mut lines = vec![format!(
        "{}{}",
        non_empty(s(contact, "name"), || "(no name)".to_owned()),
        text(contact, "title").map_or_else(String::new, |t| format!(" — {t}"))
    )];
    for email in list(contact, "emails") {
        lines.push(format!(
            "    ✉ {} ({})",
            s(email, "email"),
            s(email, "type")
        ));
    }
    for phone in list(contact, "phones") {
        let number = non_empty(s(phone, "phone_formatted"), || s(phone, "phone"));
        lines.push(format!("    ☎ {number} ({})", s(phone, "type")));
    }
    lines
}

pub fn detail(resource: Resource, record: &Value) -> RecordDetail {
    let title = non_empty(s(record, "display_name"), || s(record, "name"));
    let sections = match resource {
        Resource::Leads => lead_sections(record),
        Resource::Contacts => vec![
            section("Contact", contact_lines(record)),
            section(
                "Lead",
                pairs(record, &[("Name", "lead_name"), ("Lead id", "lead_id")]),
            ),
        ],
        Resource::Opportunities => vec![section(
            "Opportunity",
            [
                format!("{:<12} {}", "Value", money_of(record)),
                format!("{:<12} {}", "Lead", s(record, "lead_name")),
            ]
            .into_iter()
            .chain(pairs(
                record,
                &[
                    ("Status", "status_label"),
                    ("Pipeline", "pipeline_name"),
                    ("Confidence", "confidence"),
                    ("Close date", "date_won"),
                    ("Contact", "contact_name"),
                    ("Owner", "user_name"),
                    ("Note", "note"),
                ],
            ))
            .collect(),
        )],
        Resource::Tasks | Resource::Activities => vec![section(
            "Task",
            pairs(
                record,
                &[
                    ("Text", "text"),
                    ("Due", "due_date"),
                    ("Lead", "lead_name"),
                    ("Assigned to", "assigned_to_name"),
                    ("Done", "is_complete"),
                ],
            ),
        )],
    };
    // Opportunities and tasks have no name of their own.
    let title = [title, s(record, "text"), s(record, "lead_name")]
        .into_iter()
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    RecordDetail { title, sections }
}

fn lead_sections(lead: &Value) -> Vec<DetailSection> {
    let addresses = list(lead, "addresses")
        .iter()
        .map(|a| {
            [
                "address_1",
                "address_2",
                "city",
                "state",
                "zipcode",
                "country",
            ]
            .iter()
            .filter_map(|k| text(a, k).map(|t| t.into_owned()))
            .collect::<Vec<_>>()
            .join(", ")
        })
        .filter(|line| !line.is_empty())
        .collect();
    vec![
        section(
            "Lead",
            pairs(
                lead,
                &[
                    ("Status", "status_label"),
                    ("URL", "url"),
                    ("Description", "description"),
                    ("Created", "date_created"),
                    ("Updated", "date_updated"),
                ],
            ),
        ),
        section("Addresses", addresses),
        section(
            &format!("Contacts ({})", list(lead, "contacts").len()),
            list(lead, "contacts")
                .iter()
                .flat_map(contact_lines)
                .collect(),
        ),
        section(
            "Opportunities",
            list(lead, "opportunities")
                .iter()
                .map(|o| {
                    format!(
                        "{:<14} {:<10} {} {}",
                        money_of(o),
                        s(o, "status_label"),
                        s(o, "pipeline_name"),
                        number(o, "confidence").map_or_else(String::new, |c| format!("{c}%"))
                    )
                })
                .collect(),
        ),
        section("Custom fields", custom_lines(lead)),
        section(
            "Tasks",
            list(lead, "tasks")
                .iter()
                .map(|t| {
                    let done = t.get("is_complete").and_then(Value::as_bool) == Some(true);
                    format!(
                        "[{}] {} {}",
                        if done { "x" } else { " " },
                        s(t, "date").chars().take(10).collect::<String>(),
                        s(t, "text")
                    )
                })
                .collect(),
        ),
    ]
}

/// Where Close puts a custom field's value on a lead: a top-level key
/// `custom.cf_…` named by the field's id.
const CUSTOM_KEY: &str = "custom.";

/// A lead's custom fields: the `custom` object's, by name, then the values
/// of the top-level `custom.cf_…` keys the object has not shown already,
/// labelled by field id (the lead says nothing more about their names).
/// A value under an id counts as shown when the object has that id as a
/// key, or else an entry of the same value not yet paired with another id.
fn custom_lines(lead: &Value) -> Vec<String> {
    let named: Vec<(&String, &Value)> = lead
        .get("custom")
        .and_then(Value::as_object)
        .map(|fields| fields.iter().collect())
        .unwrap_or_default();
    let by_id: Vec<(&str, &Value)> = lead
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.strip_prefix(CUSTOM_KEY)?, value)))
        .filter(|(id, value)| id.starts_with("cf_") && !value.is_null())
        .collect();
    let mut lines: Vec<String> = named
        .iter()
        .map(|(name, value)| custom_line(name, value))
        .collect();
    // Entries of the object still free to pair with an id by value.
    let mut unpaired: Vec<&Value> = named
        .iter()
        .filter(|(name, _)| !by_id.iter().any(|(id, _)| id == name))
        .map(|(_, value)| *value)
        .collect();
    for (id, value) in by_id {
        if named.iter().any(|(name, _)| *name == id) {
            continue;
        }
        if let Some(i) = unpaired.iter().position(|shown| *shown == value) {
            unpaired.swap_remove(i);
            continue;
        }
        lines.push(custom_line(id, value));
    }
    lines
}

fn custom_line(label: &str, value: &Value) -> String {
    let value = match value {
        Value::String(text) => text.clone(),
        // A multiple-choice field.
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    format!("{label:<20} {value}")
}

/// One timeline line per activity, newest first as Close returns them.
pub fn activity_line(activity: &Value) -> String {
    let kind = s(activity, "_type");
    let what = [
        "subject",
        "note",
        "body_preview",
        "body_text",
        "status",
        "direction",
    ]
    .iter()
    .find_map(|k| text(activity, k))
    .map(|t| t.lines().next().unwrap_or_default().to_owned())
    .unwrap_or_default();
    let when = short_date(&non_empty(s(activity, "activity_at"), || {
        s(activity, "date_created")
    }));
    format!("{when}  {kind:<14} {what}")
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
