//! Close's event log: what the touch hook did, one entry per record it
//! created, changed or deleted, kept per organization in the order logged.
//!
//! Every entry is stamped with a `Dataset::stamp` that is no older than
//! the entry before it, so each organization's log is already sorted by
//! date: newest first is the log read backwards, a date bound is a binary
//! search, and a position in the log is a stable paging cursor (new
//! entries only ever go on the end).

use super::{Dataset, Kind, records::ActivityKind, time::Ts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
        }
    }
}

/// One event log entry. The object and its lead are rows; ids are made on
/// the way out, as for every record.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its number across the sandbox, which its id encodes.
    pub number: u32,
    pub at: Ts,
    pub action: Action,
    pub kind: Kind,
    pub row: u32,
    /// `lead`, `contact`, `opportunity`, `task.lead`, `activity.note`, ….
    pub object_type: &'static str,
    pub lead: u32,
    pub user: u16,
    /// The touch call that logged it.
    pub request: u32,
    pub changed_fields: &'static [&'static str],
}

/// What every entry of one touch call shares.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub org: usize,
    pub user: u16,
    pub request: u32,
}

/// The object an entry is about.
#[derive(Debug, Clone, Copy)]
pub struct Object {
    pub kind: Kind,
    pub row: u32,
    pub object_type: &'static str,
    pub lead: u32,
}

#[derive(Debug, Clone, Default)]
pub struct EventLog {
    orgs: Vec<Vec<Event>>,
    next_event: u32,
    next_request: u32,
}

impl EventLog {
    pub fn new(orgs: usize) -> Self {
        Self {
            orgs: vec![Vec::new(); orgs],
            ..Self::default()
        }
    }

    /// A new request number, for one touch call.
    pub fn next_request(&mut self) -> u32 {
        self.next_request += 1;
        self.next_request
    }

    /// Appends an entry; `at` must be no older than the organization's
    /// last one (callers pass fresh stamps).
    pub fn log(
        &mut self,
        by: Author,
        at: Ts,
        action: Action,
        object: Object,
        changed_fields: &'static [&'static str],
    ) {
        let log = &mut self.orgs[by.org];
        debug_assert!(log.last().is_none_or(|e| e.at <= at));
        log.push(Event {
            number: self.next_event,
            at,
            action,
            kind: object.kind,
            row: object.row,
            object_type: object.object_type,
            lead: object.lead,
            user: by.user,
            request: by.request,
            changed_fields,
        });
        self.next_event += 1;
    }

    /// An organization's entries, oldest first.
    pub fn of(&self, org: usize) -> &[Event] {
        self.orgs.get(org).map_or(&[], Vec::as_slice)
    }

    /// The position in `of(org)` of the entry numbered `number`.
    pub fn position(&self, org: usize, number: u32) -> Option<usize> {
        let log = self.of(org);
        log.binary_search_by_key(&number, |e| e.number).ok()
    }
}

impl Dataset {
    /// A record as an event names it; `kind` is a record kind.
    pub(super) fn object(&self, kind: Kind, row: u32) -> Object {
        let r = row as usize;
        let (kind, object_type, lead) = match kind {
            Kind::Contact => (kind, "contact", self.contacts[r].lead),
            Kind::Opportunity => (kind, "opportunity", self.opportunities[r].lead),
            Kind::Task => (
                kind,
                task_object_type(self.tasks[r].kind),
                self.tasks[r].lead,
            ),
            Kind::Activity => {
                let a = &self.activities[r];
                (kind, activity_object_type(a.kind), a.lead)
            }
            _ => (Kind::Lead, "lead", row),
        };
        Object {
            kind,
            row,
            object_type,
            lead,
        }
    }
}

/// Close's `object_type` of a task: `task.` and its `_type`.
pub fn task_object_type(kind: &str) -> &'static str {
    match kind {
        "email_followup" => "task.email_followup",
        "missed_call" => "task.missed_call",
        _ => "task.lead",
    }
}

/// Close's `object_type` of an activity: `activity.` and its `_type`,
/// lower-cased.
pub fn activity_object_type(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Note => "activity.note",
        ActivityKind::Call => "activity.call",
        ActivityKind::Email => "activity.email",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::data::records::TASK_KINDS;

    #[test]
    fn object_types_follow_the_record_types() {
        for kind in TASK_KINDS {
            assert_eq!(task_object_type(kind), format!("task.{kind}"));
        }
        for kind in [ActivityKind::Note, ActivityKind::Call, ActivityKind::Email] {
            let want = format!("activity.{}", kind.type_name().to_lowercase());
            assert_eq!(activity_object_type(kind), want);
        }
    }

    #[test]
    fn numbers_run_across_organizations_and_find_their_entries() {
        let mut log = EventLog::new(2);
        let object = Object {
            kind: Kind::Lead,
            row: 4,
            object_type: "lead",
            lead: 4,
        };
        for (org, t) in [(1, 10), (0, 11), (1, 12)] {
            let by = Author {
                org,
                user: 0,
                request: 1,
            };
            log.log(by, Ts(t), Action::Deleted, object, &[]);
        }
        assert_eq!(log.of(1).len(), 2);
        assert_eq!(log.position(1, 2), Some(1));
        assert_eq!(log.position(1, 1), None);
        assert_eq!(log.position(0, 1), Some(0));
    }
}
