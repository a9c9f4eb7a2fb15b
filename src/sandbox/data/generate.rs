//! Generates one lead with its contacts, opportunities, tasks and
//! activities, appending them to the data set's tables.
//!
//! Some records are deliberately messy (no description, no contacts, a
//! contact without phones) because real Close data is.

use rand::{Rng, RngExt};

use super::{
    Dataset, names,
    org::ascii_lower,
    records::{
        Activity, ActivityKind, Address, Contact, Custom, Email, Lead, Opportunity, Phone, Span,
        TASK_KINDS, Task,
    },
    time::{ANCHOR, MICROS_PER_DAY, Ts},
};

const THREE_YEARS: i64 = 3 * 365 * MICROS_PER_DAY;
const MICROS_PER_SECOND: i64 = 1_000_000;

fn pick<R: Rng + ?Sized, T: Copy>(rng: &mut R, items: &[T]) -> T {
    // Every list passed here is a non-empty constant.
    items[rng.random_range(0..items.len())]
}

/// A time in `[from, to]`, at millisecond precision as Close's dates are.
fn between<R: Rng + ?Sized>(rng: &mut R, from: Ts, to: Ts) -> Ts {
    let t = if to.0 > from.0 {
        rng.random_range(from.0..=to.0)
    } else {
        from.0
    };
    Ts((t / 1000 * 1000).max(from.0))
}

impl Dataset {
    /// Appends one lead of organization `org`, created at `created` (and
    /// last updated at `updated`), with its children (`activities` of them
    /// activities if given, else 2 to 6); returns its index.
    pub(super) fn push_lead<R: Rng + ?Sized>(
        &mut self,
        rng: &mut R,
        org: usize,
        created: Ts,
        updated: Ts,
        activities: Option<u8>,
    ) -> u32 {
        let index = self.leads.len() as u32;
        let members = self.orgs[org].members.clone();
        let member = |rng: &mut R| rng.random_range(members.clone()) as u16;
        let company = format!(
            "{} {}",
            pick(rng, names::COMPANY_WORDS),
            pick(rng, names::COMPANY_KINDS)
        );
        let name = if rng.random_bool(0.5) {
            format!("{company} {}", pick(rng, names::COMPANY_SUFFIXES))
        } else {
            company.clone()
        };
        let domain = format!(
            "{}.{}",
            ascii_lower(&company),
            pick(rng, names::DOMAIN_TLDS)
        );
        let created_by = member(rng);

        let contacts_start = self.contacts.len() as u32;
        let n_contacts = if rng.random_bool(0.05) {
            0
        } else {
            rng.random_range(1..=3)
        };
        for _ in 0..n_contacts {
            let first = pick(rng, names::FIRST_NAMES);
            let last = pick(rng, names::LAST_NAMES);
            let c_created = between(rng, created, updated);
            let emails = match rng.random_range(0..10) {
                0 => Vec::new(),
                1 | 2 => vec![
                    email(
                        &format!("{}.{}@{domain}", ascii_lower(first), ascii_lower(last)),
                        "office",
                    ),
                    email(
                        &format!("{}@gmail.com", ascii_lower(first) + &ascii_lower(last)),
                        "home",
                    ),
                ],
                _ => vec![email(&format!("{}@{domain}", ascii_lower(first)), "office")],
            };
            let phones = match rng.random_range(0..7) {
                0 => Vec::new(),
                1 => vec![phone(rng, "office"), phone(rng, "mobile")],
                _ => {
                    let kind = pick(rng, &["office", "mobile", "direct"]);
                    vec![phone(rng, kind)]
                }
            };
            let urls = if rng.random_bool(0.1) {
                vec![
                    format!(
                        "https://linkedin.com/in/{}{}",
                        ascii_lower(first),
                        ascii_lower(last)
                    )
                    .into(),
                ]
            } else {
                Vec::new()
            };
            self.contacts.push(Contact {
                lead: index,
                name: format!("{first} {last}").into(),
                title: rng.random_bool(0.7).then(|| pick(rng, names::TITLES)),
                emails: emails.into(),
                phones: phones.into(),
                urls: urls.into(),
                created: c_created,
                updated: between(rng, c_created, updated),
                created_by,
            });
        }
        let contact_of = |rng: &mut R| {
            (n_contacts > 0).then(|| contacts_start + rng.random_range(0..n_contacts))
        };

        let org_statuses = self.orgs[org].opportunity_statuses.len();
        let currency = self.orgs[org].currency;
        let opportunities_start = self.opportunities.len() as u32;
        let n_opportunities = pick(rng, &[0u8, 0, 1, 1, 1, 2, 2, 3]);
        for _ in 0..n_opportunities {
            let o_created = between(rng, created, updated);
            let status = rng.random_range(0..org_statuses) as u8;
            let close_days = rng.random_range(-200..120);
            self.opportunities.push(Opportunity {
                lead: index,
                contact: contact_of(rng),
                status,
                value: rng.random_range(10..2_500u64) * 10_000,
                currency: if rng.random_bool(0.9) {
                    currency
                } else {
                    pick(rng, names::CURRENCIES)
                },
                period: pick(rng, &["one_time", "one_time", "monthly", "annual"]),
                confidence: pick(rng, &[10, 25, 50, 75, 90]),
                note: rng
                    .random_bool(0.6)
                    .then(|| pick(rng, names::NOTE_TEXTS).into()),
                user: member(rng),
                created: o_created,
                updated: between(rng, o_created, updated),
                close_date: rng
                    .random_bool(0.85)
                    .then(|| Ts(o_created.0 + close_days * MICROS_PER_DAY).date()),
            });
        }

        let tasks_start = self.tasks.len() as u32;
        let n_tasks = pick(rng, &[0u8, 0, 1, 1, 2]);
        for _ in 0..n_tasks {
            let t_created = between(rng, created, updated);
            self.tasks.push(Task {
                lead: index,
                contact: contact_of(rng),
                kind: if rng.random_bool(0.85) {
                    TASK_KINDS[0]
                } else {
                    pick(rng, &TASK_KINDS[1..])
                },
                text: pick(rng, names::TASK_TEXTS),
                date: Ts(t_created.0 + rng.random_range(0..30) * MICROS_PER_DAY).date(),
                is_complete: rng.random_bool(0.4),
                assigned_to: member(rng),
                created: t_created,
                updated: between(rng, t_created, updated),
            });
        }

        let activities_start = self.activities.len() as u32;
        let n_activities = activities.unwrap_or_else(|| rng.random_range(2..=6u8));
        let activity_end = Ts(updated.0.max(ANCHOR.0 - MICROS_PER_DAY));
        for i in 0..n_activities {
            let a_created = match activities {
                // A busy lead's, a second apart up to its last: a list of
                // them pages by date past max_skip, as a long history does.
                Some(n) => Ts(activity_end.0 - i64::from(n - 1 - i) * MICROS_PER_SECOND),
                None => between(rng, created, activity_end),
            };
            let kind = pick(
                rng,
                &[ActivityKind::Note, ActivityKind::Call, ActivityKind::Email],
            );
            self.activities.push(Activity {
                lead: index,
                contact: contact_of(rng),
                kind,
                user: member(rng),
                created: a_created,
                updated: between(rng, a_created, Ts(a_created.0 + MICROS_PER_DAY)),
                text: pick(rng, names::NOTE_TEXTS),
                subject: pick(rng, names::EMAIL_SUBJECTS),
                outgoing: rng.random_bool(0.6),
                duration: if rng.random_bool(0.2) {
                    0
                } else {
                    rng.random_range(15..2400)
                },
            });
        }

        let (city, state, country) = pick(rng, names::CITIES);
        self.leads.push(Lead {
            org: org as u8,
            status: pick(rng, &[0u8, 0, 0, 1, 1, 2, 3, 4]),
            name: name.into(),
            description: rng.random_bool(0.8).then(|| {
                format!(
                    "{} They found us via {}.",
                    pick(rng, names::NOTE_TEXTS),
                    pick(rng, super::org::SOURCES)
                )
                .into()
            }),
            url: rng
                .random_bool(0.7)
                .then(|| format!("https://{domain}").into()),
            created,
            updated,
            created_by,
            updated_by: member(rng),
            address: rng.random_bool(0.8).then(|| Address {
                address_1: format!(
                    "{} {}",
                    rng.random_range(1..2000),
                    pick(rng, names::STREETS)
                )
                .into(),
                city,
                state,
                country,
                zipcode: rng.random_range(10_000..99_999),
                label: "business",
            }),
            custom: Custom {
                industry: rng
                    .random_bool(0.8)
                    .then(|| rng.random_range(0..super::org::INDUSTRIES.len()) as u8),
                source: rng
                    .random_bool(0.7)
                    .then(|| rng.random_range(0..super::org::SOURCES.len()) as u8),
                employees: rng.random_bool(0.6).then(|| rng.random_range(1..5000)),
            },
            contacts: Span {
                start: contacts_start,
                len: n_contacts as u8,
            },
            opportunities: Span {
                start: opportunities_start,
                len: n_opportunities,
            },
            tasks: Span {
                start: tasks_start,
                len: n_tasks,
            },
            activities: Span {
                start: activities_start,
                len: n_activities,
            },
        });
        index
    }

    /// Random creation and update times for a generated lead.
    pub(super) fn lead_times<R: Rng + ?Sized>(rng: &mut R) -> (Ts, Ts) {
        let created = between(
            rng,
            Ts(ANCHOR.0 - THREE_YEARS),
            Ts(ANCHOR.0 - MICROS_PER_DAY),
        );
        let updated = if rng.random_bool(0.2) {
            created
        } else {
            between(rng, created, ANCHOR)
        };
        (created, updated)
    }
}

fn email(address: &str, kind: &'static str) -> Email {
    Email {
        email: address.into(),
        kind,
    }
}

fn phone<R: Rng + ?Sized>(rng: &mut R, kind: &'static str) -> Phone {
    let area = rng.random_range(201..990u64);
    Phone {
        national: area * 10_000_000 + 5_550_000 + rng.random_range(0..10_000u64),
        kind,
    }
}
