//! Organizations and what hangs off them: members, lead statuses, pipelines
//! with opportunity statuses, and custom field definitions.

use rand::{RngExt, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use super::{
    ids::{IdCodec, Kind},
    names,
    time::{ANCHOR, MICROS_PER_DAY, Ts},
};

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub date_created: Ts,
    pub currency: &'static str,
    pub lead_statuses: Vec<LeadStatus>,
    pub pipelines: Vec<Pipeline>,
    /// Every pipeline's statuses; `Pipeline::statuses` indexes into this.
    pub opportunity_statuses: Vec<OpportunityStatus>,
    pub custom_fields: Vec<CustomField>,
    /// This organization's rows in `Dataset::users`; the first is the admin.
    pub members: std::ops::Range<usize>,
}

#[derive(Debug, Clone)]
pub struct LeadStatus {
    pub id: String,
    pub label: &'static str,
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: String,
    pub name: &'static str,
    pub statuses: std::ops::Range<usize>,
}

#[derive(Debug, Clone)]
pub struct OpportunityStatus {
    pub id: String,
    pub label: &'static str,
    /// `active`, `won` or `lost`.
    pub status_type: &'static str,
    pub pipeline: usize,
}

#[derive(Debug, Clone)]
pub struct CustomField {
    pub id: String,
    /// `custom.cf_…`, the top-level key Close gives the field's value.
    pub key: String,
    pub name: &'static str,
    /// Close's field type: `choices` or `number`.
    pub field_type: &'static str,
    pub choices: &'static [&'static str],
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// "First Last", kept ready because every record names its users.
    pub display_name: String,
    pub organization_id: String,
    pub membership_id: String,
    /// `admin` for the first member of each organization, else `user`.
    pub role_id: &'static str,
    pub date_created: Ts,
}

const ORG_NAMES: &[&str] = &[
    "Bluebird Software",
    "Northwind Traders",
    "Harbor Logistics",
    "Juniper Health",
    "Copperline Media",
    "Tidewater Energy",
];

const LEAD_STATUSES: &[&str] = &["Potential", "Qualified", "Customer", "Bad Fit", "Canceled"];

const PIPELINES: &[(&str, &[(&str, &str)])] = &[
    (
        "Sales",
        &[
            ("Demo Scheduled", "active"),
            ("Proposal Sent", "active"),
            ("Negotiation", "active"),
            ("Won", "won"),
            ("Lost", "lost"),
        ],
    ),
    (
        "Renewals",
        &[
            ("Up for Renewal", "active"),
            ("Renewed", "won"),
            ("Churned", "lost"),
        ],
    ),
];

pub const INDUSTRIES: &[&str] = &[
    "Software",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Finance",
];
pub const SOURCES: &[&str] = &[
    "Website",
    "Referral",
    "Cold Outreach",
    "Trade Show",
    "Partner",
];

/// The custom fields every organization has, in this order; `Custom` holds
/// their values.
const CUSTOM_FIELDS: &[(&str, &str, &[&str])] = &[
    ("Industry", "choices", INDUSTRIES),
    ("Lead Source", "choices", SOURCES),
    ("Employees", "number", &[]),
];

/// Makes two organizations and their members, appending users to `users`.
pub fn generate(rng: &mut ChaCha8Rng, codec: &IdCodec, users: &mut Vec<User>) -> Vec<Organization> {
    let first = rng.random_range(0..ORG_NAMES.len());
    let second = (first + rng.random_range(1..ORG_NAMES.len())) % ORG_NAMES.len();
    [first, second]
        .into_iter()
        .enumerate()
        .map(|(o, name_index)| {
            let name = ORG_NAMES[name_index];
            let domain = name.to_lowercase().replace(' ', "") + ".example";
            let n = o as u32;
            let date_created = Ts(ANCHOR.0 - rng.random_range(1200..1500) * MICROS_PER_DAY);
            let start = users.len();
            for m in 0..rng.random_range(3..=6usize) {
                let index = users.len() as u32;
                let first_name = *names::FIRST_NAMES.choose(rng).unwrap_or(&"Alex");
                let last_name = *names::LAST_NAMES.choose(rng).unwrap_or(&"Doe");
                let email = format!(
                    "{}.{}{}@{domain}",
                    ascii_lower(first_name),
                    ascii_lower(last_name),
                    index
                );
                users.push(User {
                    id: codec.string(Kind::User, index),
                    email,
                    display_name: format!("{first_name} {last_name}"),
                    first_name: first_name.to_owned(),
                    last_name: last_name.to_owned(),
                    organization_id: codec.string(Kind::Organization, n),
                    membership_id: codec.string(Kind::Membership, index),
                    role_id: if m == 0 { "admin" } else { "user" },
                    date_created: Ts(date_created.0 + (m as i64) * 7 * MICROS_PER_DAY),
                });
            }
            let mut opportunity_statuses = Vec::new();
            let pipelines = PIPELINES
                .iter()
                .enumerate()
                .map(|(p, (pipe_name, statuses))| {
                    let begin = opportunity_statuses.len();
                    for (label, status_type) in statuses.iter() {
                        let index = n * 64 + opportunity_statuses.len() as u32;
                        opportunity_statuses.push(OpportunityStatus {
                            id: codec.string(Kind::OpportunityStatus, index),
                            label,
                            status_type,
                            pipeline: p,
                        });
                    }
                    Pipeline {
                        id: codec.string(Kind::Pipeline, n * 64 + p as u32),
                        name: pipe_name,
                        statuses: begin..opportunity_statuses.len(),
                    }
                })
                .collect();
            Organization {
                id: codec.string(Kind::Organization, n),
                name: name.to_owned(),
                date_created,
                currency: if o == 0 { "USD" } else { "EUR" },
                lead_statuses: LEAD_STATUSES
                    .iter()
                    .enumerate()
                    .map(|(s, label)| LeadStatus {
                        id: codec.string(Kind::LeadStatus, n * 64 + s as u32),
                        label,
                    })
                    .collect(),
                pipelines,
                opportunity_statuses,
                custom_fields: CUSTOM_FIELDS
                    .iter()
                    .enumerate()
                    .map(|(c, (name, field_type, choices))| {
                        let id = codec.string(Kind::CustomField, n * 64 + c as u32);
                        CustomField {
                            key: format!("custom.{id}"),
                            id,
                            name,
                            field_type,
                            choices,
                        }
                    })
                    .collect(),
                members: start..users.len(),
            }
        })
        .collect()
}

/// Lower-cases and drops anything but ASCII letters, for email local parts.
pub fn ascii_lower(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
