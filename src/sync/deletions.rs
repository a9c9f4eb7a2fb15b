//! Records deleted in Close since the last sync, read from its event log
//! (`GET /event/?object_type=…&action=deleted&date_updated__gte=…`, paged
//! by `_cursor`; research/close-api.md, section 4).
//!
//! A list pass only sees records that exist, so without this a lead
//! deleted in Close stayed cached for good. An incremental pass asks, once
//! its pages are in, for the deletions of its object types since the
//! previous pass, and removes them in the transaction that finishes the
//! pass: a killed sync asks again when it resumes.
//!
//! A full pass cannot learn of deletions that way, and records deleted
//! before it began may be cached: every row it writes is stamped, and the
//! first incremental pass after it (run at once, unless the full pass was
//! the first load of an empty cache) reads the event log from when the
//! full pass began and then removes the rows of its scope stamped before
//! that (`store/cache/sweep.rs`). Only then: a record updated while the
//! full pass ran can move past every page it fetched, and the incremental
//! pass fetches it, stamping its row, before the sweep.
//!
//! Close keeps events for 30 days. A cache left unsynced for longer cannot
//! learn every deletion from it; its next pass runs full instead.

use std::collections::HashSet;

use serde::Deserialize;

use rusqlite::Transaction;

use super::{
    pass::{OTHER_TASK_TYPES, Pass},
    plan::Ts,
};
use crate::{
    close::{ApiError, CloseClient, Credentials, records::Resource},
    store::{
        AccountId,
        cache::{Scope, account_key, forget, sweep},
    },
};

pub use super::reach::{ReadFrom, since, within_reach};

/// Events per request: what Close's own tools ask for.
const LIMIT: usize = 50;

/// Cursor pages one object type may take before the log is called
/// endless: 50,000 pages of 50 deletions is far past any real gap.
const MAX_PAGES: usize = 50_000;

/// What a pass removes at its end: each of its resources with the ids
/// Close deleted, and, after a full pass, what it did not see.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Deletions {
    pub gone: Vec<(Resource, Vec<String>)>,
    /// The pass's scope, and when it began (see [`sweep`]).
    pub sweep: Option<(Scope, i64)>,
}

impl Deletions {
    pub fn is_empty(&self) -> bool {
        self.sweep.is_none() && self.gone.iter().all(|(_, ids)| ids.is_empty())
    }

    /// Removes it all from `account`'s cache; returns how many cached
    /// records went.
    pub fn apply(&self, tx: &Transaction<'_>, account: &AccountId) -> rusqlite::Result<u64> {
        if self.is_empty() {
            return Ok(0);
        }
        let key = account_key(tx, account)?;
        let mut removed = 0;
        for (resource, ids) in &self.gone {
            removed += forget(tx, key, *resource, ids)?;
        }
        if let Some((scope, before)) = self.sweep {
            removed += sweep(tx, key, scope, before)?;
        }
        Ok(removed)
    }
}

/// The rows a full `pass` with these query parameters vouches for.
pub fn scope(pass: Pass, params: &[(String, String)]) -> Scope {
    match pass {
        Pass::Leads => Scope::Leads,
        Pass::Opportunities => Scope::Opportunities,
        Pass::Tasks => Scope::Tasks {
            // Beside a lead pass, the task pass leaves lead tasks to it.
            lead_tasks: !params.iter().any(|(key, _)| key == "_type__in"),
        },
    }
}

/// The event log's object types whose deletions `pass` removes, with the
/// resource each is cached as. Tasks are logged by type (`task.lead`,
/// `task.email_followup`, …): the lead pass removes the lead tasks leads
/// embed, the task pass the types it fetches.
pub fn object_types(pass: Pass, params: &[(String, String)]) -> Vec<(String, Resource)> {
    let tasks = |types: &[&str]| -> Vec<(String, Resource)> {
        types
            .iter()
            .map(|t| (format!("task.{t}"), Resource::Tasks))
            .collect()
    };
    match (pass, scope(pass, params)) {
        (Pass::Leads, _) => {
            let mut out = vec![
                ("lead".to_owned(), Resource::Leads),
                ("contact".to_owned(), Resource::Contacts),
                ("opportunity".to_owned(), Resource::Opportunities),
            ];
            out.extend(tasks(&["lead"]));
            out
        }
        (Pass::Opportunities, _) => vec![("opportunity".to_owned(), Resource::Opportunities)],
        (Pass::Tasks, Scope::Tasks { lead_tasks: false }) => tasks(&OTHER_TASK_TYPES),
        (Pass::Tasks, _) => {
            let mut all = vec!["lead"];
            all.extend(OTHER_TASK_TYPES);
            tasks(&all)
        }
    }
}

#[derive(Deserialize)]
struct EventPage {
    /// Required, as in [`crate::close::records::Page`]: a body without it
    /// is not a page of the log, and deletions must not be missed for it.
    data: Vec<EventRef>,
    #[serde(default)]
    cursor_next: Option<String>,
}

#[derive(Deserialize)]
struct EventRef {
    #[serde(default)]
    object_id: Option<String>,
    #[serde(default)]
    meta: Option<serde_json::Value>,
}

impl EventRef {
    /// A child deleted by a merge of two leads: it may live on under the
    /// destination lead, whose own update brings it (the source lead's
    /// `deleted` event removes what it no longer has).
    fn merged(&self) -> bool {
        self.meta
            .as_ref()
            .is_some_and(|meta| meta.get("merge_destination_lead_id").is_some())
    }
}

/// Every record of these object types (see [`object_types`]) deleted
/// since `since`, each id once. An object type whose log this account may
/// not read (403, 404) is logged and read as empty, so a sync still
/// finishes; other errors fail the pass, which then resumes and asks again.
pub async fn deleted_since<C: Credentials>(
    client: &CloseClient<C>,
    object_types: &[(String, Resource)],
    since: Ts,
) -> Result<Deletions, ApiError> {
    let reads = object_types
        .iter()
        .map(|(object_type, resource)| async move {
            let ids = match read_log(client, object_type, since).await {
                Ok(ids) => ids,
                Err(err @ (ApiError::Forbidden | ApiError::NotFound { .. })) => {
                    tracing::warn!(
                        object_type = object_type.as_str(),
                        error = %err,
                        "the event log cannot be read; these deletions stay cached until a full sync"
                    );
                    Vec::new()
                }
                Err(err) => return Err(err),
            };
            Ok((*resource, ids))
        });
    let gone = futures_util::future::try_join_all(reads).await?;
    Ok(Deletions { gone, sweep: None })
}

/// One object type's deleted ids, newest first, paged by cursor.
async fn read_log<C: Credentials>(
    client: &CloseClient<C>,
    object_type: &str,
    since: Ts,
) -> Result<Vec<String>, ApiError> {
    let since = since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut query = vec![
            ("object_type", object_type.to_owned()),
            ("action", "deleted".to_owned()),
            ("date_updated__gte", since.clone()),
            ("_limit", LIMIT.to_string()),
        ];
        if let Some(cursor) = &cursor {
            query.push(("_cursor", cursor.clone()));
        }
        let page: EventPage = client.get("event/", &query).await?;
        let child = object_type != "lead";
        let kept = page.data.into_iter().filter(|e| !(child && e.merged()));
        for id in kept.filter_map(|e| e.object_id) {
            if seen.insert(id.clone()) {
                ids.push(id);
            }
        }
        match page.cursor_next.filter(|next| !next.is_empty()) {
            // A cursor that does not move would page forever.
            Some(next) if cursor.as_ref() != Some(&next) => cursor = Some(next),
            _ => return Ok(ids),
        }
    }
    Err(ApiError::Decode {
        path: "event/".to_owned(),
        message: format!("the event log did not end after {MAX_PAGES} pages"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pass_asks_for_what_it_writes() {
        let types = |pass, params: &[(&str, &str)]| {
            let params: Vec<(String, String)> = params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            object_types(pass, &params)
                .into_iter()
                .map(|(t, _)| t)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            types(Pass::Leads, &[]),
            ["lead", "contact", "opportunity", "task.lead"]
        );
        assert_eq!(types(Pass::Opportunities, &[]), ["opportunity"]);
        let beside_leads = types(Pass::Tasks, &[("_type__in", "incoming_email,voicemail")]);
        assert_eq!(beside_leads.len(), OTHER_TASK_TYPES.len());
        assert!(!beside_leads.contains(&"task.lead".to_owned()));
        assert!(beside_leads.contains(&"task.email_followup".to_owned()));
        let alone = types(Pass::Tasks, &[("_type", "all")]);
        assert_eq!(alone.len(), OTHER_TASK_TYPES.len() + 1);
        assert!(alone.contains(&"task.lead".to_owned()));
    }

    #[test]
    fn children_deleted_by_a_merge_are_left_to_their_new_lead() {
        let event = |meta: serde_json::Value| EventRef {
            object_id: Some("cont_1".into()),
            meta: Some(meta),
        };
        assert!(event(serde_json::json!({"merge_destination_lead_id": "lead_2"})).merged());
        assert!(!event(serde_json::json!({})).merged());
    }

    #[test]
    fn an_empty_removal_is_empty() {
        let mut d = Deletions::default();
        assert!(d.is_empty());
        d.gone.push((Resource::Leads, Vec::new()));
        assert!(d.is_empty());
        d.gone.push((Resource::Tasks, vec!["task_1".into()]));
        assert!(!d.is_empty());
    }
}
