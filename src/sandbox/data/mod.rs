//! Deterministic generated Close data: two organizations with members,
//! statuses, pipelines, and leads with contacts, opportunities, tasks and
//! activities.
//!
//! Records live in flat tables and are named by their index; ids are derived
//! from indexes (`ids`). Each organization keeps its rows sorted by date
//! (`OrgIndex`), so a page of a list costs O(limit), not O(rows).
//!
//! Deleted rows stay in the tables, marked in `deleted`, and leave the
//! indexes; what the touch hook did is in the event log (`events`).

mod delete;
mod deleted;
pub mod events;
pub mod generate;
pub mod ids;
pub mod names;
pub mod org;
pub mod records;
pub mod time;
pub mod touch;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use events::{Action, Event, EventLog};
pub use ids::{IdCodec, Kind};
pub use org::{Organization, User};
pub use records::{Activity, Contact, Lead, Opportunity, Task};
pub use time::Ts;

/// One organization's live rows in list order, oldest first (lists read
/// them backwards for newest first). Ties are broken by table index, so
/// every order is total and stable across pages.
#[derive(Debug, Clone, Default)]
pub struct OrgIndex {
    pub leads_by_created: Vec<u32>,
    pub leads_by_updated: Vec<u32>,
    pub contacts: Vec<u32>,
    pub opportunities: Vec<u32>,
    pub tasks: Vec<u32>,
    pub activities: Vec<u32>,
}

pub struct Dataset {
    codec: IdCodec,
    orgs: Vec<Organization>,
    users: Vec<User>,
    leads: Vec<Lead>,
    contacts: Vec<Contact>,
    opportunities: Vec<Opportunity>,
    tasks: Vec<Task>,
    activities: Vec<Activity>,
    index: Vec<OrgIndex>,
    deleted: deleted::Deleted,
    events: EventLog,
    /// Drives the touch hook, so a run of touches is repeatable too.
    touch_rng: ChaCha8Rng,
    /// The newest timestamp handed out; changes are stamped after it.
    clock: Ts,
}

impl Dataset {
    /// The same `seed` and `leads` always give the same records. Leads are
    /// split 60/40 between the two organizations.
    pub fn generate(seed: u64, leads: usize) -> Dataset {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let codec = IdCodec::new(seed);
        let mut users = Vec::new();
        let orgs = org::generate(&mut rng, &codec, &mut users);
        let per_lead = |n: usize, f: f64| (n as f64 * f) as usize;
        let mut data = Dataset {
            codec,
            orgs,
            users,
            leads: Vec::with_capacity(leads),
            contacts: Vec::with_capacity(per_lead(leads, 2.1)),
            opportunities: Vec::with_capacity(per_lead(leads, 1.3)),
            tasks: Vec::with_capacity(per_lead(leads, 0.9)),
            activities: Vec::with_capacity(per_lead(leads, 4.1)),
            index: Vec::new(),
            deleted: deleted::Deleted::default(),
            events: EventLog::default(),
            touch_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x70C4),
            clock: time::ANCHOR,
        };
        let first_org = (leads * 3).div_ceil(5);
        for n in 0..leads {
            let (created, updated) = Dataset::lead_times(&mut rng);
            let org = usize::from(n >= first_org);
            data.push_lead(&mut rng, org, created, updated, None);
        }
        // Keep the generator's stream independent of how touches go later.
        let _ = rng.random::<u64>();
        data.events = EventLog::new(data.orgs.len());
        data.rebuild_index();
        data
    }

    /// Exactly two organizations.
    pub fn organizations(&self) -> &[Organization] {
        &self.orgs
    }

    /// The organization's members; the first is its admin.
    pub fn members(&self, organization_id: &str) -> Vec<&User> {
        self.org_position(organization_id)
            .map(|o| self.users[self.orgs[o].members.clone()].iter().collect())
            .unwrap_or_default()
    }

    /// The position of an organization in `organizations()`.
    pub fn org_position(&self, organization_id: &str) -> Option<usize> {
        self.orgs.iter().position(|o| o.id == organization_id)
    }

    pub fn codec(&self) -> &IdCodec {
        &self.codec
    }

    pub fn users(&self) -> &[User] {
        &self.users
    }

    pub fn user_position(&self, user_id: &str) -> Option<usize> {
        self.users.iter().position(|u| u.id == user_id)
    }

    pub fn leads(&self) -> &[Lead] {
        &self.leads
    }

    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }

    pub fn opportunities(&self) -> &[Opportunity] {
        &self.opportunities
    }

    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    pub fn activities(&self) -> &[Activity] {
        &self.activities
    }

    pub fn org_index(&self, org: usize) -> &OrgIndex {
        &self.index[org]
    }

    /// The table index an id names, if it is a record of that kind that
    /// exists and is not deleted. Callers still check the record's
    /// organization.
    pub fn find(&self, kind: Kind, id: &str) -> Option<usize> {
        let index = self.codec.decode(kind, id)? as usize;
        let len = match kind {
            Kind::Lead => self.leads.len(),
            Kind::Contact => self.contacts.len(),
            Kind::Opportunity => self.opportunities.len(),
            Kind::Task => self.tasks.len(),
            Kind::Activity => self.activities.len(),
            _ => 0,
        };
        (index < len && !self.is_deleted(kind, index)).then_some(index)
    }

    /// What the touch hook logged, per organization.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// The organization a lead-owned row belongs to.
    pub fn lead_org(&self, lead: u32) -> usize {
        usize::from(self.leads[lead as usize].org)
    }

    fn rebuild_index(&mut self) {
        let mut index = vec![OrgIndex::default(); self.orgs.len()];
        for (i, lead) in self.leads.iter().enumerate() {
            let ix = &mut index[usize::from(lead.org)];
            ix.leads_by_created.push(i as u32);
            ix.leads_by_updated.push(i as u32);
        }
        let org_of = |lead: u32| usize::from(self.leads[lead as usize].org);
        for (i, c) in self.contacts.iter().enumerate() {
            index[org_of(c.lead)].contacts.push(i as u32);
        }
        for (i, o) in self.opportunities.iter().enumerate() {
            index[org_of(o.lead)].opportunities.push(i as u32);
        }
        for (i, t) in self.tasks.iter().enumerate() {
            index[org_of(t.lead)].tasks.push(i as u32);
        }
        for (i, a) in self.activities.iter().enumerate() {
            index[org_of(a.lead)].activities.push(i as u32);
        }
        for ix in &mut index {
            ix.leads_by_created
                .sort_unstable_by_key(|&i| (self.leads[i as usize].created, i));
            ix.leads_by_updated
                .sort_unstable_by_key(|&i| (self.leads[i as usize].updated, i));
            ix.contacts
                .sort_unstable_by_key(|&i| (self.contacts[i as usize].created, i));
            ix.opportunities
                .sort_unstable_by_key(|&i| (self.opportunities[i as usize].created, i));
            ix.tasks
                .sort_unstable_by_key(|&i| (self.tasks[i as usize].created, i));
            ix.activities
                .sort_unstable_by_key(|&i| (self.activities[i as usize].created, i));
        }
        self.index = index;
    }
}

#[cfg(test)]
mod tests;
