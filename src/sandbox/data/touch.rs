//! Changing, adding and deleting records after start-up, for tests of
//! incremental sync (`POST /_sandbox/touch`).
//!
//! Every change is stamped later than anything already in the data set
//! (`Dataset::stamp`), even if the machine's clock is behind the generated
//! history, so "updated since" queries find exactly the touched records.
//! Each touch call is one request in the event log: its deletions, then
//! its changes, then its creations, in stamp order.

use rand::seq::index;
use rand_chacha::ChaCha8Rng;

use super::{
    Dataset, Kind,
    events::{Action, Author},
    time::Ts,
};

/// What a touch call asks for.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Lead, contact, opportunity, task or activity (deleted only); other
    /// kinds mean lead.
    pub kind: Kind,
    /// Records of `kind` to change.
    pub change: usize,
    /// Leads to create.
    pub create: usize,
    /// Activities of each created lead, if not the usual random few.
    pub activities: Option<u8>,
    /// Records of `kind` to delete.
    pub delete: usize,
    /// Date the changes this far (µs) past the sandbox's clock, as a
    /// server or an import whose clock ran ahead would.
    pub ahead: i64,
}

/// What a touch did.
#[derive(Debug, Clone, Default)]
pub struct Touched {
    /// Ids of the changed records of the requested kind.
    pub changed: Vec<String>,
    /// Ids of newly created leads.
    pub created: Vec<String>,
    /// Ids of the deleted records of the requested kind (a deleted lead's
    /// children are not listed; the event log has them).
    pub deleted: Vec<String>,
    /// The oldest stamp this touch gave out, if it did anything.
    pub since: Option<Ts>,
    /// The `request_id` of the events it logged.
    pub request_id: String,
}

/// The fields a touch changes on each kind, as an event lists them.
const LEAD_FIELDS: &[&str] = &["date_updated", "description", "updated_by"];
const CONTACT_FIELDS: &[&str] = &["date_updated", "title"];
const OPPORTUNITY_FIELDS: &[&str] = &["confidence", "date_updated", "expected_value", "value"];
const TASK_FIELDS: &[&str] = &["date_updated", "is_complete"];

impl Dataset {
    /// Deletes `plan.delete` random live records of `plan.kind` in
    /// organization `org`, changes `plan.change` others, and creates
    /// `plan.create` new leads. A changed or deleted child also bumps its
    /// lead's `date_updated`, since its lead embeds it. Asking for more
    /// records than exist takes them all.
    pub fn touch(&mut self, org: usize, plan: Plan) -> Touched {
        let mut rng = self.touch_rng.clone();
        let kind = kind_or_lead(plan.kind);
        let by = Author {
            org,
            user: self.orgs[org].members.start as u16,
            request: self.events.next_request(),
        };
        let mut out = Touched {
            request_id: self.codec.string(Kind::Request, by.request),
            ..Touched::default()
        };
        // Skipped when zero, so calls without deletions draw the same
        // random numbers as before deleting existed.
        if plan.delete > 0 {
            self.delete_random(&mut rng, by, kind, plan.delete, &mut out);
        }
        if kind != Kind::Activity {
            self.change_random(&mut rng, by, (kind, plan.ahead), plan.change, &mut out);
        }
        for _ in 0..plan.create {
            let at = self.stamp();
            out.since = Some(out.since.map_or(at, |since| since.min(at)));
            let lead = self.push_lead(&mut rng, org, at, at, plan.activities);
            self.index_new_lead(lead);
            let object = self.object(Kind::Lead, lead);
            self.events.log(by, at, Action::Created, object, &[]);
            out.created.push(self.codec.string(Kind::Lead, lead));
        }
        self.touch_rng = rng;
        out
    }

    fn change_random(
        &mut self,
        rng: &mut ChaCha8Rng,
        by: Author,
        (kind, ahead): (Kind, i64),
        count: usize,
        out: &mut Touched,
    ) {
        let rows = self.sample(rng, by.org, kind, count);
        let mut bumped_leads = Vec::with_capacity(rows.len());
        for row in rows {
            // Only the record is dated ahead: the clock and the event log
            // stay, so later changes come before it in date order.
            let logged = self.stamp();
            let at = Ts(logged.0.saturating_add(ahead));
            // The oldest stamp given out: later ones may come before one
            // dated ahead.
            out.since = Some(out.since.map_or(at, |since| since.min(at)));
            let r = row as usize;
            let (lead, fields) = match kind {
                Kind::Contact => {
                    self.contacts[r].updated = at;
                    self.contacts[r].title = Some("Head of Purchasing");
                    (self.contacts[r].lead, CONTACT_FIELDS)
                }
                Kind::Opportunity => {
                    let o = &mut self.opportunities[r];
                    o.updated = at;
                    o.confidence = (o.confidence + 10).min(100);
                    o.value += 10_000;
                    (o.lead, OPPORTUNITY_FIELDS)
                }
                Kind::Task => {
                    self.tasks[r].updated = at;
                    self.tasks[r].is_complete = !self.tasks[r].is_complete;
                    (self.tasks[r].lead, TASK_FIELDS)
                }
                _ => {
                    let l = &mut self.leads[r];
                    l.description = Some(format!("Updated in the sandbox at {}.", at.0).into());
                    (row, LEAD_FIELDS)
                }
            };
            self.bump_lead(lead, by, at);
            bumped_leads.push(lead);
            let object = self.object(kind, row);
            self.events.log(by, logged, Action::Updated, object, fields);
            out.changed.push(self.codec.string(kind, row));
        }
        self.reorder_updated(by.org, &bumped_leads);
    }

    /// Stamps a lead changed by `by` at `at`, as a change to anything it
    /// embeds does.
    pub(super) fn bump_lead(&mut self, lead: u32, by: Author, at: Ts) {
        let l = &mut self.leads[lead as usize];
        l.updated = at;
        l.updated_by = by.user;
    }

    /// `count` distinct random live rows of `kind` (all of them if there
    /// are fewer), in the order drawn.
    pub(super) fn sample(
        &self,
        rng: &mut ChaCha8Rng,
        org: usize,
        kind: Kind,
        count: usize,
    ) -> Vec<u32> {
        let ix = &self.index[org];
        let pool = match kind {
            Kind::Contact => &ix.contacts,
            Kind::Opportunity => &ix.opportunities,
            Kind::Task => &ix.tasks,
            Kind::Activity => &ix.activities,
            _ => &ix.leads_by_created,
        };
        let amount = count.min(pool.len());
        index::sample(rng, pool.len(), amount)
            .into_iter()
            .map(|i| pool[i])
            .collect()
    }

    /// A timestamp later than every one handed out so far.
    pub(super) fn stamp(&mut self) -> Ts {
        self.clock = Ts(Ts::now().0.max(self.clock.0 + 1));
        self.clock
    }

    /// Moves re-stamped leads to their place in the updated order: the
    /// end, unless a lead dated ahead of the clock (`Plan::ahead`) is
    /// there. Leads given together keep their order.
    pub(super) fn reorder_updated(&mut self, org: usize, leads: &[u32]) {
        if leads.is_empty() {
            return;
        }
        let moved: std::collections::HashSet<u32> = leads.iter().copied().collect();
        let mut order = std::mem::take(&mut self.index[org].leads_by_updated);
        order.retain(|i| !moved.contains(i));
        let mut seen = std::collections::HashSet::new();
        // A lead touched twice keeps only its latest position.
        let mut tail: Vec<u32> = leads
            .iter()
            .rev()
            .copied()
            .filter(|l| seen.insert(*l))
            .collect();
        tail.reverse();
        for lead in tail {
            let at = self.leads[lead as usize].updated;
            let place = order.partition_point(|i| self.leads[*i as usize].updated <= at);
            order.insert(place, lead);
        }
        self.index[org].leads_by_updated = order;
    }

    /// Appends a just-created lead and its children to the indexes; they
    /// are the newest rows, so appending keeps every order sorted.
    fn index_new_lead(&mut self, lead: u32) {
        let l = &self.leads[lead as usize];
        // Before any lead dated ahead of the clock (`Plan::ahead`).
        let place = self.index[usize::from(l.org)]
            .leads_by_updated
            .partition_point(|i| self.leads[*i as usize].updated <= l.updated);
        let ix = &mut self.index[usize::from(l.org)];
        ix.leads_by_created.push(lead);
        ix.leads_by_updated.insert(place, lead);
        ix.contacts.extend(l.contacts.range().map(|i| i as u32));
        ix.opportunities
            .extend(l.opportunities.range().map(|i| i as u32));
        ix.tasks.extend(l.tasks.range().map(|i| i as u32));
        ix.activities.extend(l.activities.range().map(|i| i as u32));
    }
}

fn kind_or_lead(kind: Kind) -> Kind {
    match kind {
        Kind::Contact | Kind::Opportunity | Kind::Task | Kind::Activity => kind,
        _ => Kind::Lead,
    }
}
