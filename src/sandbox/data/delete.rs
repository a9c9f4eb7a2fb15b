//! Deleting records through the touch hook, as Close deletes them: a lead
//! takes its contacts, opportunities, tasks and activities with it; a
//! contact, opportunity or task goes alone and bumps its lead, which
//! embeds it; an activity goes alone (leads do not embed activities).
//!
//! A deleted row is marked (`deleted`) and leaves its organization's
//! indexes, so lists, totals and searches never see it, and `find` no
//! longer resolves its id. Every deleted record is logged as a `deleted`
//! event, children of a deleted lead included.

use rand_chacha::ChaCha8Rng;

use super::{
    Dataset, Kind,
    events::{Action, Author},
    time::Ts,
    touch::Touched,
};

/// A lead's `updated` event when one of its contacts goes: Close logs one
/// whenever the lead's `contact_ids` change.
const LEAD_CONTACTS_FIELDS: &[&str] = &["contact_ids", "date_updated", "updated_by"];

impl Dataset {
    /// Deletes `count` random live records of `kind` (lead, contact,
    /// opportunity, task or activity) in the author's organization.
    pub(super) fn delete_random(
        &mut self,
        rng: &mut ChaCha8Rng,
        by: Author,
        kind: Kind,
        count: usize,
        out: &mut Touched,
    ) {
        let rows = self.sample(rng, by.org, kind, count);
        let mut bumped_leads = Vec::new();
        for row in rows {
            let at = self.stamp();
            out.since.get_or_insert(at);
            match kind {
                Kind::Lead => self.delete_lead(by, at, row),
                Kind::Activity => self.delete_activity(by, at, row),
                _ => bumped_leads.push(self.delete_child(by, at, kind, row)),
            }
            out.deleted.push(self.codec.string(kind, row));
        }
        self.unindex_deleted(by.org, kind);
        self.reorder_updated(by.org, &bumped_leads);
    }

    /// Marks a lead and its live children deleted; children are logged
    /// first, so the lead's own event is the newest.
    fn delete_lead(&mut self, by: Author, at: Ts, lead: u32) {
        let l = &self.leads[lead as usize];
        let spans = [
            (Kind::Contact, l.contacts),
            (Kind::Opportunity, l.opportunities),
            (Kind::Task, l.tasks),
            (Kind::Activity, l.activities),
        ];
        for (kind, span) in spans {
            let rows: Vec<usize> = self.live(kind, span).collect();
            for row in rows {
                let object = self.object(kind, row as u32);
                self.deleted.insert(kind, row);
                self.events.log(by, at, Action::Deleted, object, &[]);
            }
        }
        let object = self.object(Kind::Lead, lead);
        self.deleted.insert(Kind::Lead, lead as usize);
        self.events.log(by, at, Action::Deleted, object, &[]);
    }

    /// Marks one activity deleted; its lead does not change.
    fn delete_activity(&mut self, by: Author, at: Ts, row: u32) {
        let object = self.object(Kind::Activity, row);
        self.deleted.insert(Kind::Activity, row as usize);
        self.events.log(by, at, Action::Deleted, object, &[]);
    }

    /// Marks one child deleted and stamps its lead; returns the lead.
    fn delete_child(&mut self, by: Author, at: Ts, kind: Kind, row: u32) -> u32 {
        let object = self.object(kind, row);
        self.deleted.insert(kind, row as usize);
        self.events.log(by, at, Action::Deleted, object, &[]);
        self.bump_lead(object.lead, by, at);
        if kind == Kind::Contact {
            let object = self.object(Kind::Lead, object.lead);
            self.events
                .log(by, at, Action::Updated, object, LEAD_CONTACTS_FIELDS);
        }
        object.lead
    }

    /// Drops deleted rows from the organization's orders that deleting
    /// `kind` can have touched; one pass each, whatever the count.
    fn unindex_deleted(&mut self, org: usize, kind: Kind) {
        let deleted = &self.deleted;
        let ix = &mut self.index[org];
        let live = |kind: Kind| move |row: &u32| !deleted.contains(kind, *row as usize);
        match kind {
            Kind::Contact => ix.contacts.retain(live(Kind::Contact)),
            Kind::Opportunity => ix.opportunities.retain(live(Kind::Opportunity)),
            Kind::Task => ix.tasks.retain(live(Kind::Task)),
            Kind::Activity => ix.activities.retain(live(Kind::Activity)),
            _ => {
                ix.leads_by_created.retain(live(Kind::Lead));
                ix.leads_by_updated.retain(live(Kind::Lead));
                ix.contacts.retain(live(Kind::Contact));
                ix.opportunities.retain(live(Kind::Opportunity));
                ix.tasks.retain(live(Kind::Task));
                ix.activities.retain(live(Kind::Activity));
            }
        }
    }
}
