//! `POST /oauth2/token/` and `POST /oauth2/revoke/`.

use std::sync::Arc;

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{GrantType, OAuthError, client, form::Params};
use crate::sandbox::{
    faults::{TOKEN_HANG, TOKEN_SLOW, TokenMode},
    state::Sandbox,
    tokens::{CodeGrant, InvalidGrant, Issued},
};

/// Close's token response, field for field.
#[derive(Serialize)]
struct TokenResponse {
    token_type: &'static str,
    access_token: String,
    expires_in: u64,
    refresh_token: String,
    scope: &'static str,
    organization_id: String,
    user_id: String,
}

pub async fn token(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let params = read_form(&headers, body);
    let grant = GrantType::parse(params.as_ref().ok().and_then(|p| p.get("grant_type")));
    sandbox.stats.token_request(grant);
    let mut response = match injected_fault(&sandbox).await {
        Some(response) => response,
        None => match params.and_then(|params| exchange(&sandbox, &headers, &params, grant)) {
            Ok(response) => response,
            Err(error) => error.into_response(),
        },
    };
    if sandbox.faults.token_mode() == TokenMode::Slow {
        tokio::time::sleep(TOKEN_SLOW).await;
    }
    response.extensions_mut().insert(grant);
    response
}

pub async fn revoke(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = read_form(&headers, body).and_then(|params| {
        let client_id = client::authenticate(&sandbox, &headers, &params)?;
        let token = params
            .get("token")
            .ok_or_else(|| OAuthError::invalid_request("The token parameter is required."))?;
        sandbox.stats.revoked();
        // RFC 7009 2.2: 200 whether or not the token was known.
        sandbox.tokens.revoke(token, &client_id);
        Ok(StatusCode::OK.into_response())
    });
    if sandbox.faults.token_mode() == TokenMode::Slow {
        tokio::time::sleep(TOKEN_SLOW).await;
    }
    result.unwrap_or_else(IntoResponse::into_response)
}

fn read_form(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Params, OAuthError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            OAuthError::too_large()
        } else {
            OAuthError::invalid_request("The request body could not be read.")
        }
    })?;
    if !super::form::is_form(headers) {
        return Err(OAuthError::invalid_request(
            "The body must be application/x-www-form-urlencoded.",
        ));
    }
    Params::parse(&body).map_err(OAuthError::invalid_request)
}

/// The token endpoint's configured misbehaviour, if any, for this request.
async fn injected_fault(sandbox: &Sandbox) -> Option<Response> {
    let json = |status: StatusCode, error: &'static str, description: &str| {
        Some(OAuthError::server_error(status, error, description).into_response())
    };
    match sandbox.faults.token_mode() {
        TokenMode::Normal | TokenMode::Slow => {}
        TokenMode::Error500 => {
            return json(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Injected failure.",
            );
        }
        TokenMode::Timeout => {
            let mut closing = sandbox.closing.subscribe();
            tokio::select! {
                () = tokio::time::sleep(TOKEN_HANG) => {}
                _ = closing.wait_for(|closing| *closing) => {}
            }
            return json(
                StatusCode::GATEWAY_TIMEOUT,
                "temporarily_unavailable",
                "Injected timeout.",
            );
        }
        TokenMode::Html => {
            let page = "<!doctype html><html><body><h1>Sign in to this network</h1></body></html>";
            return Some(
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response(),
            );
        }
        TokenMode::Truncated => {
            let cut = r#"{"token_type": "Bearer", "access_tok"#;
            return Some(([(header::CONTENT_TYPE, "application/json")], cut).into_response());
        }
    }
    if sandbox.faults.token_fails() {
        sandbox.stats.unavailable();
        return json(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "Injected failure.",
        );
    }
    None
}

fn exchange(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    params: &Params,
    grant: GrantType,
) -> Result<Response, OAuthError> {
    let client_id = client::authenticate(sandbox, headers, params)?;
    let ttl = sandbox.faults.access_ttl();
    let issued = match grant {
        GrantType::AuthorizationCode => {
            let code = params
                .get("code")
                .ok_or_else(|| OAuthError::invalid_request("The code parameter is required."))?;
            sandbox
                .tokens
                .redeem_code(code, &client_id, ttl, |granted| verify(granted, params))
        }
        GrantType::RefreshToken => {
            let refresh_token = params.get("refresh_token").ok_or_else(|| {
                OAuthError::invalid_request("The refresh_token parameter is required.")
            })?;
            let issued = sandbox.tokens.refresh(refresh_token, &client_id, ttl);
            if issued.is_ok() {
                sandbox.stats.refreshed();
            }
            issued
        }
        GrantType::Other => {
            return Err(match params.get("grant_type") {
                None => OAuthError::invalid_request("The grant_type parameter is required."),
                Some(_) => OAuthError::unsupported_grant_type(
                    "Only authorization_code and refresh_token are supported.",
                ),
            });
        }
    };
    let issued = issued.map_err(|InvalidGrant(why)| OAuthError::invalid_grant(why))?;
    Ok(token_response(issued, ttl.as_secs()))
}

/// The token request must repeat the authorization request's redirect_uri,
/// and prove PKCE possession when a challenge was sent.
fn verify(granted: &CodeGrant, params: &Params) -> Result<(), InvalidGrant> {
    match params.get("redirect_uri") {
        Some(uri) if uri != granted.redirect_uri => {
            return Err(InvalidGrant(
                "redirect_uri does not match the authorization request.",
            ));
        }
        None if granted.redirect_uri_sent => {
            return Err(InvalidGrant(
                "redirect_uri is required: the authorization request included it.",
            ));
        }
        _ => {}
    }
    match (&granted.code_challenge, params.get("code_verifier")) {
        (None, None) => Ok(()),
        (Some(_), None) => Err(InvalidGrant("code_verifier is required.")),
        // RFC 9700 2.1.1: a verifier without a challenge is a downgrade.
        (None, Some(_)) => Err(InvalidGrant(
            "code_verifier was sent but the authorization request had no code_challenge.",
        )),
        (Some(challenge), Some(verifier)) => {
            let valid_shape = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if valid_shape && client::constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                Ok(())
            } else {
                Err(InvalidGrant(
                    "code_verifier does not match the code_challenge.",
                ))
            }
        }
    }
}

fn token_response(issued: Issued, expires_in: u64) -> Response {
    let body = TokenResponse {
        token_type: "Bearer",
        access_token: issued.access_token,
        expires_in,
        refresh_token: issued.refresh_token,
        scope: "all.full_access offline_access",
        organization_id: issued.organization_id,
        user_id: issued.user_id,
    };
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
