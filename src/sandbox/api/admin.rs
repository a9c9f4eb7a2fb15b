//! Unauthenticated test hooks under `/_sandbox`: change, create and
//! delete records so an incremental sync has something to find, and count
//! records so a sync or export can be checked against the truth.

use std::sync::{Arc, PoisonError};

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{page, params::Params, read};
use crate::sandbox::{
    data::{Dataset, Kind, touch::Plan},
    error::ApiError,
    state::Sandbox,
};

/// Creating or deleting more than this many records in one call is
/// refused, so a typo cannot exhaust memory or empty the data set.
const MAX_CREATE: usize = 10_000;
/// About 317 years: past the year 2262, where nanosecond clocks end.
const MAX_AHEAD_SECS: u64 = 10_000_000_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TouchRequest {
    organization_id: Option<String>,
    /// Records to change: 1 unless given, or 0 when the call deletes.
    count: Option<usize>,
    resource: Option<String>,
    #[serde(default)]
    create: usize,
    /// Activities each created lead gets, instead of the usual 2 to 6.
    activities: Option<usize>,
    delete: Option<usize>,
    /// Dates the changes this many seconds past the sandbox's clock.
    #[serde(default)]
    ahead_secs: u64,
}

/// `POST /_sandbox/touch`: `{"organization_id"?, "resource"?, "count"?,
/// "create"?, "activities"?, "delete"?, "ahead_secs"?}`. Activities
/// (`"activity"`) can only be deleted; `activities` gives each created lead
/// that many (at most 255), for a lead whose activities take several
/// pages; `ahead_secs` dates the changes that far in the future (at most
/// 10^10 s), as a server whose clock ran ahead would. Answers with the ids it changed, created and
/// deleted, the oldest stamp it gave out (`date_updated`) and the
/// `request_id` of its events.
pub async fn touch(State(sb): State<Arc<Sandbox>>, body: Bytes) -> Result<Response, ApiError> {
    let req: TouchRequest = serde_json::from_slice(if body.is_empty() { b"{}" } else { &body })
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?;
    let resource = req.resource.as_deref().unwrap_or("lead");
    let kind = match resource {
        "lead" => Kind::Lead,
        "contact" => Kind::Contact,
        "opportunity" => Kind::Opportunity,
        "task" => Kind::Task,
        "activity" => Kind::Activity,
        other => {
            return Err(ApiError::bad_request(format!(
                "Unknown resource '{other}'; use lead, contact, opportunity, task or activity."
            )));
        }
    };
    if kind == Kind::Activity && req.count.is_some_and(|n| n > 0) {
        return Err(ApiError::bad_request(
            "Activities can only be deleted: give delete, not count.",
        ));
    }
    let activities =
        match req.activities {
            None => None,
            Some(n) => Some(u8::try_from(n).map_err(|_| {
                ApiError::bad_request(format!("activities is at most {}.", u8::MAX))
            })?),
        };
    for (name, value) in [("create", req.create), ("delete", req.delete.unwrap_or(0))] {
        if value > MAX_CREATE {
            return Err(ApiError::bad_request(format!(
                "{name} is at most {MAX_CREATE}."
            )));
        }
    }
    if req.ahead_secs > MAX_AHEAD_SECS {
        return Err(ApiError::bad_request(format!(
            "ahead_secs is at most {MAX_AHEAD_SECS}."
        )));
    }
    let plan = Plan {
        kind,
        // A call that only deletes changes nothing else.
        change: req
            .count
            .unwrap_or(if req.delete.is_some() { 0 } else { 1 }),
        create: req.create,
        activities,
        delete: req.delete.unwrap_or(0),
        // At most 10^16 µs: no overflow.
        ahead: req.ahead_secs as i64 * 1_000_000,
    };
    let mut ds = sb.data.write().unwrap_or_else(PoisonError::into_inner);
    let org = match &req.organization_id {
        None => 0,
        Some(id) => ds
            .org_position(id)
            .ok_or_else(|| ApiError::bad_request(format!("Unknown organization '{id}'.")))?,
    };
    let out = ds.touch(org, plan);
    let body = json!({
        "organization_id": ds.organizations()[org].id,
        "resource": resource,
        "changed": out.changed,
        "created": out.created,
        "deleted": out.deleted,
        "date_updated": out.since,
        "request_id": out.request_id,
    });
    drop(ds);
    page::one(body)
}

/// `GET /_sandbox/totals[?organization_id=…]`: one organization's counts,
/// or `{"organizations": [...]}` with each organization's.
pub async fn totals(
    State(sb): State<Arc<Sandbox>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let ds = read(&sb);
    let body = match params.get("organization_id") {
        Some(id) => {
            let org = ds.org_position(id).ok_or_else(ApiError::not_found)?;
            counts(&ds, org)
        }
        None => json!({
            "organizations": (0..ds.organizations().len()).map(|o| counts(&ds, o)).collect::<Vec<_>>()
        }),
    };
    page::one(body)
}

fn counts(ds: &Dataset, org: usize) -> Value {
    let ix = ds.org_index(org);
    let lead_tasks = ix
        .tasks
        .iter()
        .filter(|&&t| ds.tasks()[t as usize].kind == "lead")
        .count();
    json!({
        "organization_id": ds.organizations()[org].id,
        "leads": ix.leads_by_created.len(),
        "contacts": ix.contacts.len(),
        "opportunities": ix.opportunities.len(),
        "tasks": ix.tasks.len(),
        "lead_tasks": lead_tasks,
        "activities": ix.activities.len(),
        "users": ds.organizations()[org].members.len(),
    })
}
