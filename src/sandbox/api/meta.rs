//! The small, organization-level endpoints: `me/`, `organization/{id}/`,
//! `user/`, `pipeline/`, `status/lead/` and `status/opportunity/`.
//!
//! These are few records each, so they are built as `serde_json::Value`.
//! Lists keep the organization's order (members: admin first; statuses
//! and pipelines as configured).

use std::sync::Arc;

use axum::{
    Extension,
    extract::{Path, RawQuery, State},
    http::StatusCode,
    response::Response,
};
use serde_json::{Value, json};

use super::{
    org_of,
    page::{self, Page},
    params::{self, Fields, Params},
    read,
};
use crate::sandbox::{
    data::{Dataset, Organization, User},
    error::ApiError,
    principal::Principal,
    state::Sandbox,
};

type Query = (State<Arc<Sandbox>>, Extension<Principal>, RawQuery);

fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "display_name": u.display_name,
        "image": null,
        "phone": null,
        "organizations": [u.organization_id],
        "date_created": u.date_created,
        "date_updated": u.date_created,
        "email_verified_at": u.date_created,
        "last_used_timezone": "UTC",
    })
}

fn pipeline_json(o: &Organization, p: &crate::sandbox::data::org::Pipeline) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "organization_id": o.id,
        "statuses": o.opportunity_statuses[p.statuses.clone()].iter().map(|s| opp_status_json(o, s)).collect::<Vec<_>>(),
    })
}

fn opp_status_json(o: &Organization, s: &crate::sandbox::data::org::OpportunityStatus) -> Value {
    json!({
        "id": s.id,
        "label": s.label,
        "type": s.status_type,
        "status_type": s.status_type,
        "pipeline_id": o.pipelines[s.pipeline].id,
        "organization_id": o.id,
    })
}

fn lead_statuses_json(o: &Organization) -> Vec<Value> {
    o.lead_statuses
        .iter()
        .map(|s| json!({ "id": s.id, "label": s.label, "organization_id": o.id }))
        .collect()
}

/// Keeps only the `_fields` keys of a top-level object.
fn trim(mut value: Value, fields: Option<&Fields>) -> Value {
    if let (Some(fields), Value::Object(map)) = (fields, &mut value) {
        map.retain(|k, _| fields.has(k));
    }
    value
}

fn list(items: Vec<Value>, params: &Params, max_skip: usize) -> Result<Response, ApiError> {
    let paging = params.paging(params::SMALL, max_skip, 0)?;
    let fields = params.fields();
    let page = Page::collect(0..items.len(), paging, false);
    page.respond(|i| trim(items[i].clone(), fields.as_ref()))
}

pub async fn me((State(sb), Extension(p), RawQuery(raw)): Query) -> Result<Response, ApiError> {
    let fields = Params::parse(raw.as_deref())?.fields();
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let user = ds
        .members(&ds.organizations()[org].id)
        .into_iter()
        .find(|u| u.id == p.user_id)
        .ok_or_else(ApiError::unauthorized)?;
    let mut body = user_json(user);
    let orgs: Vec<&Organization> = ds
        .organizations()
        .iter()
        .filter(|o| ds.members(&o.id).iter().any(|m| m.id == user.id))
        .collect();
    body["organizations"] = json!(
        orgs.iter()
            .map(|o| json!({"id": o.id, "name": o.name}))
            .collect::<Vec<_>>()
    );
    body["memberships"] = json!(
        orgs.iter()
            .map(|o| json!({
                "id": user.membership_id,
                "organization_id": o.id,
                "user_id": user.id,
                "role_id": user.role_id,
            }))
            .collect::<Vec<_>>()
    );
    page::one(trim(body, fields.as_ref()))
}

pub async fn organization(
    State(sb): State<Arc<Sandbox>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let fields = Params::parse(raw.as_deref())?.fields();
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    match ds.org_position(&id) {
        None => return Err(ApiError::not_found()),
        Some(other) if other != org => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "You don't have access to this organization.",
            ));
        }
        Some(_) => {}
    }
    page::one(trim(organization_json(&ds, org), fields.as_ref()))
}

fn organization_json(ds: &Dataset, org: usize) -> Value {
    let o = &ds.organizations()[org];
    let memberships: Vec<Value> = ds
        .members(&o.id)
        .iter()
        .map(|u| {
            json!({
                "id": u.membership_id,
                "organization_id": o.id,
                "user_id": u.id,
                "user_email": u.email,
                "user_full_name": u.display_name,
                "user_first_name": u.first_name,
                "user_last_name": u.last_name,
                "role_id": u.role_id,
                "date_created": u.date_created,
            })
        })
        .collect();
    json!({
        "id": o.id,
        "name": o.name,
        "currency": o.currency,
        "date_created": o.date_created,
        "date_updated": o.date_created,
        "memberships": memberships,
        "inactive_memberships": [],
        "lead_statuses": lead_statuses_json(o),
        "opportunity_statuses": o.opportunity_statuses.iter().map(|s| opp_status_json(o, s)).collect::<Vec<_>>(),
        "pipelines": o.pipelines.iter().map(|p| pipeline_json(o, p)).collect::<Vec<_>>(),
        "lead_custom_fields": o.custom_fields.iter().map(|c| json!({
            "id": c.id,
            "name": c.name,
            "type": c.field_type,
            "choices": c.choices,
            "accepts_multiple_values": false,
        })).collect::<Vec<_>>(),
    })
}

pub async fn users((State(sb), Extension(p), RawQuery(raw)): Query) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let items = ds
        .members(&ds.organizations()[org].id)
        .into_iter()
        .map(user_json)
        .collect();
    list(items, &params, sb.options.max_skip)
}

pub async fn user(
    State(sb): State<Arc<Sandbox>>,
    Extension(p): Extension<Principal>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let fields = Params::parse(raw.as_deref())?.fields();
    let ds = read(&sb);
    let org = org_of(&ds, &p)?;
    let user = ds
        .members(&ds.organizations()[org].id)
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(ApiError::not_found)?;
    page::one(trim(user_json(user), fields.as_ref()))
}

pub async fn pipelines(
    (State(sb), Extension(p), RawQuery(raw)): Query,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let ds = read(&sb);
    let o = &ds.organizations()[org_of(&ds, &p)?];
    let items = o
        .pipelines
        .iter()
        .map(|pipe| pipeline_json(o, pipe))
        .collect();
    list(items, &params, sb.options.max_skip)
}

pub async fn lead_statuses(
    (State(sb), Extension(p), RawQuery(raw)): Query,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let ds = read(&sb);
    let o = &ds.organizations()[org_of(&ds, &p)?];
    list(lead_statuses_json(o), &params, sb.options.max_skip)
}

pub async fn opportunity_statuses(
    (State(sb), Extension(p), RawQuery(raw)): Query,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref())?;
    let ds = read(&sb);
    let o = &ds.organizations()[org_of(&ds, &p)?];
    let items = o
        .opportunity_statuses
        .iter()
        .map(|s| opp_status_json(o, s))
        .collect();
    list(items, &params, sb.options.max_skip)
}
