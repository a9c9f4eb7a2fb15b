//! `GET /oauth2/authorize/` (the consent page) and its form's `POST`.
//!
//! Validation follows RFC 6749 4.1.2.1: while the client or the redirect_uri
//! is in doubt, the answer is an error page and never a redirect; once both
//! are trusted, every other problem goes back to the client as a redirect
//! with `error=…`. The POST repeats every check, because its hidden fields
//! are as untrusted as the original query.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{RawQuery, State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use url::{Host, Url};

use super::form::{Params, is_form};
use crate::sandbox::{pages, state::Sandbox, tokens::CodeGrant};

/// A request whose client and redirect_uri are trusted.
struct Checked<'a> {
    client_id: &'a str,
    redirect_uri: String,
    redirect_uri_sent: bool,
    state: Option<&'a str>,
    code_challenge: Option<&'a str>,
}

/// Why a request cannot go on.
enum Refusal {
    /// Shown to the person at the browser; nothing is sent to the client.
    Page(StatusCode, &'static str, String),
    /// Sent back to the trusted redirect_uri.
    Redirect(Box<Response>),
}

pub async fn consent_page(
    State(sandbox): State<Arc<Sandbox>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match Params::parse(query.unwrap_or_default().as_bytes()) {
        Ok(params) => params,
        Err(why) => return bad_request_page(&why),
    };
    let checked = match check(&sandbox, &params) {
        Ok(checked) => checked,
        Err(refusal) => return refusal.into_response(),
    };
    if sandbox.options.auto_approve {
        return approve_first_user(&sandbox, &checked);
    }
    let hidden: Vec<(&str, &str)> = [
        "client_id",
        "response_type",
        "redirect_uri",
        "state",
        "code_challenge",
        "code_challenge_method",
        "scope",
    ]
    .into_iter()
    .filter_map(|name| params.get(name).map(|value| (name, value)))
    .collect();
    let data = sandbox.read_data();
    let choices: Vec<pages::OrgChoice<'_>> = data
        .organizations()
        .iter()
        .map(|org| pages::OrgChoice {
            id: &org.id,
            name: &org.name,
            acting_as: data
                .members(&org.id)
                .first()
                .map_or_else(String::new, |user| {
                    format!("{} {} <{}>", user.first_name, user.last_name, user.email)
                }),
        })
        .collect();
    pages::consent(checked.client_id, &checked.redirect_uri, &hidden, &choices)
}

pub async fn decision(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let status = rejection.status();
            return pages::error(status, "Bad request", "The form could not be read.");
        }
    };
    if !is_form(&headers) {
        return pages::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Bad request",
            "The consent form must be posted as application/x-www-form-urlencoded.",
        );
    }
    let params = match Params::parse(&body) {
        Ok(params) => params,
        Err(why) => return bad_request_page(&why),
    };
    let checked = match check(&sandbox, &params) {
        Ok(checked) => checked,
        Err(refusal) => return refusal.into_response(),
    };
    let back = |pairs: &[(&str, &str)]| redirect(&checked.redirect_uri, pairs, checked.state);
    match params.get("decision") {
        Some("allow") => {}
        Some("deny") => return back(&[("error", "access_denied")]),
        _ => {
            return back(&[
                ("error", "invalid_request"),
                ("error_description", "decision must be allow or deny"),
            ]);
        }
    }
    let owner = params.get("organization_id").and_then(|org_id| {
        let data = sandbox.read_data();
        let known = data.organizations().iter().any(|org| org.id == org_id);
        let user_id = data.members(org_id).first().map(|user| user.id.clone());
        known
            .then_some(user_id)
            .flatten()
            .map(|user| (org_id, user))
    });
    let Some((organization_id, user_id)) = owner else {
        return back(&[
            ("error", "invalid_request"),
            ("error_description", "organization_id names no organization"),
        ]);
    };
    let code = sandbox.tokens.issue_code(CodeGrant {
        client_id: checked.client_id.to_owned(),
        redirect_uri: checked.redirect_uri.clone(),
        redirect_uri_sent: checked.redirect_uri_sent,
        organization_id: organization_id.to_owned(),
        user_id,
        code_challenge: checked.code_challenge.map(str::to_owned),
    });
    sandbox.stats.code_issued();
    back(&[("code", &code)])
}

/// `--auto-approve`: what pressing Allow for the first organization would
/// do, without the form.
fn approve_first_user(sandbox: &Sandbox, checked: &Checked<'_>) -> Response {
    let owner = {
        let data = sandbox.read_data();
        data.organizations().first().and_then(|org| {
            let user = data.members(&org.id).first()?.id.clone();
            Some((org.id.clone(), user))
        })
    };
    let Some((organization_id, user_id)) = owner else {
        return bad_request_page("The sandbox has no organization to approve for.");
    };
    let code = sandbox.tokens.issue_code(CodeGrant {
        client_id: checked.client_id.to_owned(),
        redirect_uri: checked.redirect_uri.clone(),
        redirect_uri_sent: checked.redirect_uri_sent,
        organization_id,
        user_id,
        code_challenge: checked.code_challenge.map(str::to_owned),
    });
    sandbox.stats.code_issued();
    redirect(&checked.redirect_uri, &[("code", &code)], checked.state)
}

fn check<'a>(sandbox: &Sandbox, params: &'a Params) -> Result<Checked<'a>, Refusal> {
    let options = &sandbox.options;
    let client_id = params.get("client_id").ok_or_else(|| {
        Refusal::Page(
            StatusCode::BAD_REQUEST,
            "Missing client",
            "client_id is required.".to_owned(),
        )
    })?;
    if client_id != options.client_id {
        return Err(Refusal::Page(
            StatusCode::BAD_REQUEST,
            "Unknown client",
            format!("No application with client_id {client_id} is registered."),
        ));
    }
    let (redirect_uri, redirect_uri_sent) = match params.get("redirect_uri") {
        Some(uri) if redirect_allowed(&options.redirect_uris, uri) => (uri.to_owned(), true),
        Some(uri) => {
            return Err(Refusal::Page(
                StatusCode::BAD_REQUEST,
                "Invalid redirect_uri",
                format!("The redirect_uri {uri} is not registered for this application."),
            ));
        }
        None => match options.redirect_uris.as_slice() {
            [only] => (only.clone(), false),
            _ => {
                return Err(Refusal::Page(
                    StatusCode::BAD_REQUEST,
                    "Missing redirect_uri",
                    "redirect_uri is required.".to_owned(),
                ));
            }
        },
    };
    let state = params.get("state");
    let refuse = |error: &str, description: &str| {
        Refusal::Redirect(Box::new(redirect(
            &redirect_uri,
            &[("error", error), ("error_description", description)],
            state,
        )))
    };
    match params.get("response_type") {
        Some("code") => {}
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "response_type must be code",
            ));
        }
        None => return Err(refuse("invalid_request", "response_type is required")),
    }
    let code_challenge = params.get("code_challenge");
    match (code_challenge, params.get("code_challenge_method")) {
        (None, None) => {}
        (None, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method without code_challenge",
            ));
        }
        (Some(_), method) if method != Some("S256") => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
        (Some(challenge), _) if !is_s256_challenge(challenge) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge is not an S256 challenge",
            ));
        }
        (Some(_), _) => {}
    }
    Ok(Checked {
        client_id,
        redirect_uri,
        redirect_uri_sent,
        state,
        code_challenge,
    })
}

/// Exact match against the registered list; with none registered, any
/// loopback http(s) redirect (RFC 8252 7.3).
fn redirect_allowed(registered: &[String], uri: &str) -> bool {
    if !registered.is_empty() {
        return registered.iter().any(|r| r == uri);
    }
    let Ok(url) = Url::parse(uri) else {
        return false;
    };
    let loopback = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        None => false,
    };
    matches!(url.scheme(), "http" | "https")
        && loopback
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none()
}

/// base64url of a SHA-256 digest: 43 characters.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// 302 to `uri` with `pairs` and `state` appended to its query.
fn redirect(uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut url) = Url::parse(uri) else {
        // Registered URIs are operator input and may not parse; say so
        // rather than redirect somewhere odd.
        return bad_request_page("The registered redirect_uri is not a valid URL.");
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    let Ok(location) = HeaderValue::from_str(url.as_str()) else {
        return bad_request_page("The redirect_uri cannot be sent as a header.");
    };
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(header::LOCATION, location);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn bad_request_page(why: &str) -> Response {
    pages::error(StatusCode::BAD_REQUEST, "Bad request", why)
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Page(status, title, message) => pages::error(status, title, &message),
            Refusal::Redirect(response) => *response,
        }
    }
}
