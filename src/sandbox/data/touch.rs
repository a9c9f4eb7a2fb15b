//! Changing and adding records after start-up, for tests of incremental
//! sync (`POST /_sandbox/touch`).
//!
//! Every change is stamped later than anything already in the data set
//! (`Dataset::stamp`), even if the machine's clock is behind the generated
//! history, so "updated since" queries find exactly the touched records.

use rand::seq::index;

use super::{Dataset, Kind, time::Ts};

/// What a touch changed.
#[derive(Debug, Clone, Default)]
pub struct Touched {
    /// Ids of the changed records of the requested kind.
    pub changed: Vec<String>,
    /// Ids of newly created leads.
    pub created: Vec<String>,
    /// The oldest stamp this touch gave out, if it changed anything.
    pub since: Option<Ts>,
}

impl Dataset {
    /// Changes `count` random records of `kind` (lead, contact, opportunity
    /// or task) in organization `org`, and creates `create` new leads. A
    /// changed child also bumps its lead's `date_updated`, since its lead
    /// embeds it. Asking for more records than exist changes them all.
    pub fn touch(&mut self, org: usize, kind: Kind, count: usize, create: usize) -> Touched {
        let mut rng = self.touch_rng.clone();
        let rows: Vec<u32> = {
            let ix = &self.index[org];
            let pool = match kind {
                Kind::Contact => &ix.contacts,
                Kind::Opportunity => &ix.opportunities,
                Kind::Task => &ix.tasks,
                _ => &ix.leads_by_created,
            };
            let amount = count.min(pool.len());
            index::sample(&mut rng, pool.len(), amount)
                .into_iter()
                .map(|i| pool[i])
                .collect()
        };
        let mut out = Touched::default();
        let mut bumped_leads = Vec::with_capacity(rows.len());
        let editor = self.orgs[org].members.start as u16;
        for row in rows {
            let at = self.stamp();
            out.since.get_or_insert(at);
            let r = row as usize;
            let lead = match kind {
                Kind::Contact => {
                    self.contacts[r].updated = at;
                    self.contacts[r].title = Some("Head of Purchasing");
                    self.contacts[r].lead
                }
                Kind::Opportunity => {
                    let o = &mut self.opportunities[r];
                    o.updated = at;
                    o.confidence = (o.confidence + 10).min(100);
                    o.value += 10_000;
                    o.lead
                }
                Kind::Task => {
                    self.tasks[r].updated = at;
                    self.tasks[r].is_complete = !self.tasks[r].is_complete;
                    self.tasks[r].lead
                }
                _ => {
                    let l = &mut self.leads[r];
                    l.description = Some(format!("Updated in the sandbox at {}.", at.0).into());
                    row
                }
            };
            let l = &mut self.leads[lead as usize];
            l.updated = at;
            l.updated_by = editor;
            bumped_leads.push(lead);
            out.changed.push(self.codec.string(kind_or_lead(kind), row));
        }
        self.reorder_updated(org, &bumped_leads);

        for _ in 0..create {
            let at = self.stamp();
            out.since.get_or_insert(at);
            let lead = self.push_lead(&mut rng, org, at, at);
            self.index_new_lead(lead);
            out.created.push(self.codec.string(Kind::Lead, lead));
        }
        self.touch_rng = rng;
        out
    }

    /// A timestamp later than every one handed out so far.
    fn stamp(&mut self) -> Ts {
        self.clock = Ts(Ts::now().0.max(self.clock.0 + 1));
        self.clock
    }

    /// Moves re-stamped leads to the end of the updated order; their new
    /// stamps are the newest, in the order given.
    fn reorder_updated(&mut self, org: usize, leads: &[u32]) {
        if leads.is_empty() {
            return;
        }
        let moved: std::collections::HashSet<u32> = leads.iter().copied().collect();
        let order = &mut self.index[org].leads_by_updated;
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
        order.extend(tail);
    }

    /// Appends a just-created lead and its children to the indexes; they
    /// are the newest rows, so appending keeps every order sorted.
    fn index_new_lead(&mut self, lead: u32) {
        let l = &self.leads[lead as usize];
        let ix = &mut self.index[usize::from(l.org)];
        ix.leads_by_created.push(lead);
        ix.leads_by_updated.push(lead);
        ix.contacts.extend(l.contacts.range().map(|i| i as u32));
        ix.opportunities
            .extend(l.opportunities.range().map(|i| i as u32));
        ix.tasks.extend(l.tasks.range().map(|i| i as u32));
        ix.activities.extend(l.activities.range().map(|i| i as u32));
    }
}

fn kind_or_lead(kind: Kind) -> Kind {
    match kind {
        Kind::Contact | Kind::Opportunity | Kind::Task => kind,
        _ => Kind::Lead,
    }
}
