//! The sandbox's OAuth 2.0 authorization server, shaped like Close's:
//! `GET`/`POST /oauth2/authorize/` (the consent page and its answer),
//! `POST /oauth2/token/` and `POST /oauth2/revoke/`.
//!
//! It is strict on purpose: RFC 6749, RFC 7009, RFC 7636 (S256 only) and
//! RFC 9700's refresh-token rotation, so a client that bends a rule fails
//! here before it fails against Close.

mod authorize;
mod client;
mod error;
mod form;
mod token;

use std::sync::Arc;

use axum::{
    Router,
    routing::{get, post},
};

pub use client::constant_time_eq;
pub use error::OAuthError;

use super::state::Sandbox;

pub fn router() -> Router<Arc<Sandbox>> {
    Router::new()
        .route(
            "/oauth2/authorize/",
            get(authorize::consent_page).post(authorize::decision),
        )
        .route("/oauth2/token/", post(token::token))
        .route("/oauth2/revoke/", post(token::revoke))
}

/// A token request's `grant_type`, as counted in stats and written in the
/// request log. Anything unexpected is `Other`, so a client's raw input never
/// reaches the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    Other,
}

impl GrantType {
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("authorization_code") => Self::AuthorizationCode,
            Some("refresh_token") => Self::RefreshToken,
            _ => Self::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::Other => "other",
        }
    }
}
