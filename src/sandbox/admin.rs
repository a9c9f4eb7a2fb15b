//! The core's test hooks under `/_sandbox/`: read and change the injected
//! faults, and read the counters. They need no authentication: the sandbox
//! is a local test tool, and tests must reach them without a token.
//!
//! - `GET /_sandbox/faults` → the current settings.
//! - `POST /_sandbox/faults` with JSON, any of `latency_ms`, `fail_rate`,
//!   `token_fail_rate`, `token_mode` (`normal`, `error500`, `timeout`,
//!   `html`, `truncated`, `slow`), `rate_limit`, `access_ttl`, `storm` (refuse the
//!   first N attempts of every distinct API request with 429/5xx), `garble`
//!   (answer its first N attempts 200 with a JSON object that is not a
//!   page) → the new settings.
//! - `GET /_sandbox/stats` → the counters.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{State, rejection::JsonRejection},
    response::{IntoResponse, Response},
    routing::get,
};

use super::{
    error::ApiError,
    faults::{FaultSettings, FaultUpdate},
    state::Sandbox,
    stats::StatsSnapshot,
};

pub fn router() -> Router<Arc<Sandbox>> {
    Router::new()
        .route("/faults", get(faults).post(set_faults))
        .route("/stats", get(stats))
}

async fn faults(State(sandbox): State<Arc<Sandbox>>) -> Json<FaultSettings> {
    Json(sandbox.faults.settings())
}

async fn set_faults(
    State(sandbox): State<Arc<Sandbox>>,
    update: Result<Json<FaultUpdate>, JsonRejection>,
) -> Response {
    let Json(update) = match update {
        Ok(update) => update,
        Err(rejection) => {
            return ApiError::new(rejection.status(), rejection.body_text()).into_response();
        }
    };
    match sandbox.faults.update(&update) {
        Ok(settings) => Json(settings).into_response(),
        Err(why) => ApiError::bad_request(why).into_response(),
    }
}

async fn stats(State(sandbox): State<Arc<Sandbox>>) -> Json<StatsSnapshot> {
    Json(sandbox.stats.snapshot())
}
