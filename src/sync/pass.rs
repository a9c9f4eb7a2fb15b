//! The kinds of walk a sync makes over the API, and what each asks for.

use super::SyncError;
use crate::close::records::Resource;

/// Task types Close's `task/` lists only when asked: every type but `lead`,
/// whose tasks come embedded in leads (research/close-api.md, section 3).
pub(crate) const OTHER_TASK_TYPES: [&str; 8] = [
    "incoming_email",
    "email_followup",
    "missed_call",
    "answered_detached_call",
    "voicemail",
    "opportunity_due",
    "incoming_sms",
    "outgoing_call",
];

/// One kind of walk over the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pass {
    /// `lead/`, with contacts, opportunities and lead tasks embedded.
    Leads,
    /// `opportunity/`, when leads are not synced.
    Opportunities,
    /// `task/`: other task types (or all, when leads are not synced).
    Tasks,
}

impl Pass {
    /// The key of its row in `cache_sync_state`.
    pub fn name(self) -> &'static str {
        self.resource().name()
    }

    /// `err`, this pass's failure, led by the pass's name unless it says
    /// it already (`tasks: not allowed for this account (403)`).
    pub fn failure(self, err: &SyncError) -> String {
        let message = err.to_string();
        if message.starts_with(&format!("{}:", self.name())) {
            message
        } else {
            format!("{}: {message}", self.name())
        }
    }

    pub fn resource(self) -> Resource {
        match self {
            Self::Leads => Resource::Leads,
            Self::Opportunities => Resource::Opportunities,
            Self::Tasks => Resource::Tasks,
        }
    }

    /// Records per request: each endpoint's maximum `_limit`.
    pub fn limit(self) -> usize {
        match self {
            Self::Leads => 200,
            Self::Opportunities => 250,
            Self::Tasks => 1000,
        }
    }

    /// Query parameters every request of the pass carries: the task pass
    /// beside a lead pass asks only for the types leads do not embed.
    pub fn params(self, leads_too: bool) -> Vec<(String, String)> {
        match (self, leads_too) {
            (Self::Tasks, true) => vec![("_type__in".into(), OTHER_TASK_TYPES.join(","))],
            (Self::Tasks, false) => vec![("_type".into(), "all".into())],
            _ => Vec::new(),
        }
    }

    /// The passes that bring `resources` up to date.
    pub fn for_resources(resources: &[Resource]) -> Result<Vec<Pass>, SyncError> {
        let all = resources.is_empty();
        let has = |r| all || resources.contains(&r);
        if !all && resources.contains(&Resource::Activities) {
            return Err(SyncError::NotSyncable("activities"));
        }
        let leads = has(Resource::Leads) || has(Resource::Contacts);
        let mut passes = Vec::new();
        if leads {
            passes.push(Pass::Leads);
        }
        if has(Resource::Opportunities) && !leads {
            passes.push(Pass::Opportunities);
        }
        if has(Resource::Tasks) {
            passes.push(Pass::Tasks);
        }
        Ok(passes)
    }
}
