//! The layer in front of every `/api/v1/` route: injected latency and 503s,
//! authentication (Bearer access token or the API key over HTTP Basic), and
//! rate limits. It hands handlers an `Extension<Principal>` and puts a
//! `RateLimit` header on every response.
//!
//! This runs on every API request, so it allocates little and holds each
//! lock for a single lookup.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};

use super::{
    data::time::{FILTER_OFFSET, offset_hours},
    error::ApiError,
    oauth::constant_time_eq,
    principal::{AuthVia, Principal},
    ratelimit::Verdict,
    state::Sandbox,
};

const RATE_LIMIT: HeaderName = HeaderName::from_static("ratelimit");

pub async fn guard(
    State(sandbox): State<Arc<Sandbox>>,
    mut request: Request,
    next: Next,
) -> Response {
    sandbox.stats.api_request();
    if let Some(delay) = sandbox.faults.latency() {
        tokio::time::sleep(delay).await;
    }
    let limit = sandbox.faults.rate_limit();
    if let Some(status) = storm_refusal(&sandbox, &request) {
        return status;
    }
    if sandbox.faults.api_fails() {
        sandbox.stats.unavailable();
        let error = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service temporarily unavailable.",
        );
        return with_rate_limit(error.into_response(), Verdict::untouched(limit));
    }
    let principal = match authenticate(&sandbox, request.headers()) {
        Ok(principal) => principal,
        Err(challenge) => {
            let mut response = ApiError::unauthorized().into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
            return with_rate_limit(response, Verdict::untouched(limit));
        }
    };
    let verdict = sandbox.limiter.check(
        limit,
        (&principal.organization_id, &principal.user_id),
        endpoint_group(request.uri().path()),
    );
    if !verdict.allowed {
        sandbox.stats.too_many_requests();
        let error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests to this endpoint group; wait for the RateLimit reset.",
        );
        let mut response = with_rate_limit(error.into_response(), verdict);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, verdict.retry_after());
        return response;
    }
    if sandbox.faults.garble.attempts_refused() > 0
        && sandbox
            .faults
            .garble
            .refuse(&request_key(&request))
            .is_some()
    {
        // 200, JSON, and not a page: what a proxy or a broken deploy sends.
        let body = axum::Json(serde_json::json!({"error": "upstream hiccup"}));
        return with_rate_limit(body.into_response(), verdict);
    }
    request.extensions_mut().insert(principal);
    let offset = filter_offset(&sandbox, request.headers());
    let response = FILTER_OFFSET.scope(offset, next.run(request)).await;
    with_rate_limit(response, verdict)
}

/// The zone (µs east of UTC) the request's date filters are read in: its
/// `x-tz-offset` (hours), else the sandbox's `--tz-offset`. Close does not
/// say what it does with a bad value; it is ignored here.
fn filter_offset(sandbox: &Sandbox, headers: &HeaderMap) -> i64 {
    headers
        .get("x-tz-offset")
        .and_then(|value| value.to_str().ok())
        .and_then(offset_hours)
        .unwrap_or_else(|| (sandbox.options.tz_offset * 3_600_000_000.0).round() as i64)
}

/// A storm's answer for this attempt, if it is one to refuse: a 429 that
/// asks for a short wait, or a bare 5xx.
fn storm_refusal(sandbox: &Sandbox, request: &Request) -> Option<Response> {
    if sandbox.faults.storm.attempts_refused() == 0 {
        return None;
    }
    let status = sandbox.faults.storm.refuse(&request_key(request))?;
    if status == StatusCode::TOO_MANY_REQUESTS {
        sandbox.stats.too_many_requests();
        let mut response =
            ApiError::new(status, "Too many requests (injected storm).").into_response();
        let headers = response.headers_mut();
        headers.insert(RATE_LIMIT, HeaderValue::from_static(STORM_RATE_LIMIT));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return Some(response);
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        sandbox.stats.unavailable();
    }
    Some(ApiError::new(status, "Injected server error (storm).").into_response())
}

/// What makes a request distinct for a storm: method, path and query.
fn request_key(request: &Request) -> String {
    let uri = request.uri();
    format!(
        "{} {}?{}",
        request.method(),
        uri.path(),
        uri.query().unwrap_or("")
    )
}

/// The `RateLimit` a storm's 429 carries: wait a fifth of a second.
const STORM_RATE_LIMIT: &str = "limit=100, remaining=0, reset=0.2";

fn with_rate_limit(mut response: Response, verdict: Verdict) -> Response {
    response.headers_mut().insert(RATE_LIMIT, verdict.header());
    response
}

/// The first path segment under `/api/v1/`: `lead`, `contact`, `me`, ….
/// Nested routers may see the path with or without the prefix.
fn endpoint_group(path: &str) -> &str {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    let rest = rest.trim_start_matches('/');
    rest.split('/').next().unwrap_or(rest)
}

/// The caller, or the `WWW-Authenticate` challenge to refuse it with.
fn authenticate(sandbox: &Sandbox, headers: &HeaderMap) -> Result<Principal, HeaderValue> {
    let bearer_challenge = HeaderValue::from_static("Bearer realm=\"api\"");
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(bearer_challenge.clone())?;
    let (scheme, credentials) = value
        .trim()
        .split_once(' ')
        .ok_or(bearer_challenge.clone())?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        let holder = sandbox.tokens.check_access(credentials).ok_or_else(|| {
            HeaderValue::from_static("Bearer realm=\"api\", error=\"invalid_token\"")
        })?;
        return Ok(Principal {
            organization_id: holder.organization_id,
            user_id: holder.user_id,
            via: AuthVia::AccessToken,
        });
    }
    if scheme.eq_ignore_ascii_case("basic") && api_key_matches(sandbox, credentials) {
        let (organization_id, user_id) = sandbox.api_key_owner.clone();
        return Ok(Principal {
            organization_id,
            user_id,
            via: AuthVia::ApiKey,
        });
    }
    Err(bearer_challenge)
}

/// `base64("KEY:")`: the key as the user name and, as Close documents, an
/// empty password.
fn api_key_matches(sandbox: &Sandbox, credentials: &str) -> bool {
    let Ok(decoded) = STANDARD.decode(credentials) else {
        return false;
    };
    let Some(user) = decoded.strip_suffix(b":") else {
        return false;
    };
    constant_time_eq(user, sandbox.api_key.expose().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_is_the_first_segment() {
        assert_eq!(endpoint_group("/api/v1/lead/"), "lead");
        assert_eq!(endpoint_group("/status/lead/"), "status");
        assert_eq!(endpoint_group("/me/"), "me");
        assert_eq!(endpoint_group("/api/v1/event/"), "event");
    }
}
