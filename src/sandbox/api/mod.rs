//! The REST API under `/api/v1/`, with Close's paths, shapes, paging and
//! errors, and the `/_sandbox` test hooks.
//!
//! The core mounts `router()` behind its auth layer, which puts a
//! `Principal` on every request; every handler answers only from the
//! principal's organization. Handlers hold the data lock while they
//! serialize one response and never across an `.await`.

mod admin;
mod event_page;
mod events;
pub mod json;
mod leads;
mod lists;
mod meta;
pub mod page;
pub mod params;
pub mod query;

use std::sync::{Arc, PoisonError, RwLockReadGuard};

use axum::{
    Extension, Router,
    extract::{Path, RawQuery, State},
    response::Response,
    routing::{get, post},
};

use super::{
    data::{Dataset, Kind},
    error::ApiError,
    principal::Principal,
    state::Sandbox,
};

/// Routes relative to `/api/v1`; nest it there.
pub fn router() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/me/", get(meta::me))
        .route("/organization/{id}/", get(meta::organization))
        .route("/user/", get(meta::users))
        .route("/user/{id}/", get(meta::user))
        .route("/lead/", get(leads::list))
        .route("/lead/{id}/", get(leads::get))
        .route("/contact/", get(lists::contacts))
        .route("/contact/{id}/", get(contact))
        .route("/opportunity/", get(lists::opportunities))
        .route("/opportunity/{id}/", get(opportunity))
        .route("/task/", get(lists::tasks))
        .route("/task/{id}/", get(task))
        .route("/activity/", get(lists::activities))
        .route("/activity/{id}/", get(activity))
        .route("/event/", get(events::list))
        .route("/event/{id}/", get(events::get))
        .route("/pipeline/", get(meta::pipelines))
        .route("/status/lead/", get(meta::lead_statuses))
        .route("/status/opportunity/", get(meta::opportunity_statuses))
}

/// Unauthenticated test hooks, relative to `/_sandbox`: `POST /touch` and
/// `GET /totals`.
pub fn admin_router() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/touch", post(admin::touch))
        .route("/totals", get(admin::totals))
}

/// Reads the data set. A panic elsewhere while holding the lock cannot
/// leave records half-written in a way that matters to readers, so a
/// poisoned lock is still read.
fn read(sb: &Sandbox) -> RwLockReadGuard<'_, Dataset> {
    sb.data.read().unwrap_or_else(PoisonError::into_inner)
}

/// The caller's organization.
fn org_of(ds: &Dataset, principal: &Principal) -> Result<usize, ApiError> {
    ds.org_position(&principal.organization_id)
        .ok_or_else(ApiError::unauthorized)
}

type OneArgs = (
    State<Arc<Sandbox>>,
    Extension<Principal>,
    Path<String>,
    RawQuery,
);

async fn contact(
    (State(sb), Extension(p), Path(id), RawQuery(q)): OneArgs,
) -> Result<Response, ApiError> {
    lists::one(Kind::Contact, sb, p, id, q).await
}

async fn opportunity(
    (State(sb), Extension(p), Path(id), RawQuery(q)): OneArgs,
) -> Result<Response, ApiError> {
    lists::one(Kind::Opportunity, sb, p, id, q).await
}

async fn task(
    (State(sb), Extension(p), Path(id), RawQuery(q)): OneArgs,
) -> Result<Response, ApiError> {
    lists::one(Kind::Task, sb, p, id, q).await
}

async fn activity(
    (State(sb), Extension(p), Path(id), RawQuery(q)): OneArgs,
) -> Result<Response, ApiError> {
    lists::one(Kind::Activity, sb, p, id, q).await
}

#[cfg(test)]
mod tests;
