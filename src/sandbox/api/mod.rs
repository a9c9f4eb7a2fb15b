//! Stand-in for the REST API, so the server core compiles and its tests run.
//! The real module replaces this one at merge; it keeps only the interface
//! the core relies on.

use std::sync::Arc;

use axum::{Extension, Json, Router, routing::get};
use serde_json::{Value, json};

use super::{principal::Principal, state::Sandbox};

/// Routes relative to `/api/v1`.
pub fn router() -> Router<Arc<Sandbox>> {
    Router::new().route("/me/", get(me))
}

/// Unauthenticated test hooks, mounted under `/_sandbox`.
pub fn admin_router() -> Router<Arc<Sandbox>> {
    Router::new()
}

async fn me(Extension(principal): Extension<Principal>) -> Json<Value> {
    Json(json!({
        "id": principal.user_id,
        "organization_id": principal.organization_id,
    }))
}
