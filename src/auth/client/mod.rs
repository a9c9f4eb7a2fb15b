//! The token endpoint: code exchange, refresh and revoke.
//!
//! Requests are `application/x-www-form-urlencoded` with `client_id` and
//! `client_secret` in the body, as Close documents. Answers become a
//! [`TokenResponse`] or a classified [`TokenError`]. Nothing here logs a
//! request or response body.

mod error;

use std::time::Duration;

use reqwest::{StatusCode, header};
use serde::Deserialize;
use url::Url;

pub use error::{TokenError, TransientKind};

use crate::{config::Settings, printable::printable_capped as printable, secret::Secret};

/// Largest answer read from the token endpoint; a token response is ~1 KiB.
const MAX_BODY: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct TokenClientConfig {
    pub token_url: Url,
    pub revoke_url: Url,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub connect_timeout: Duration,
    pub timeout: Duration,
}

impl TokenClientConfig {
    /// From the settings; fails when no client id is configured.
    pub fn from_settings(settings: &Settings) -> Result<Self, TokenError> {
        let client_id = settings.client_id.clone().ok_or_else(|| {
            TokenError::Setup(
                "CLOSE_CLIENT_ID is not set: configure the OAuth app's client id".into(),
            )
        })?;
        Ok(Self {
            token_url: settings.token_url.clone(),
            revoke_url: settings.revoke_url.clone(),
            client_id,
            client_secret: settings.client_secret.clone(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
        })
    }
}

/// What the token endpoint issues. Close's shape: `{token_type,
/// access_token, expires_in, refresh_token, scope, organization_id,
/// user_id}`.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    pub token_type: String,
    pub access_token: Secret,
    /// Seconds from issue; `None` when the server did not say.
    pub expires_in: Option<u64>,
    /// `None` when the server did not rotate it: keep the old one.
    pub refresh_token: Option<Secret>,
    pub scope: Option<String>,
    pub organization_id: Option<String>,
    pub user_id: Option<String>,
}

/// The wire form. No `Debug`, so it can never be printed.
#[derive(Deserialize)]
struct RawToken {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    scope: Option<String>,
    organization_id: Option<String>,
    user_id: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TokenClient {
    http: reqwest::Client,
    config: TokenClientConfig,
}

impl TokenClient {
    pub fn new(config: TokenClientConfig) -> Result<Self, TokenError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("close-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| TokenError::Setup(format!("cannot build the HTTP client: {err}")))?;
        Ok(Self { http, config })
    }

    pub fn config(&self) -> &TokenClientConfig {
        &self.config
    }

    /// `grant_type=authorization_code` with the PKCE verifier.
    pub async fn exchange_code(
        &self,
        code: &Secret,
        verifier: &Secret,
        redirect_uri: &Url,
    ) -> Result<TokenResponse, TokenError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.expose()),
        ];
        let (status, body) = self.post(&self.config.token_url, &form).await?;
        token_from(status, &body)
    }

    /// `grant_type=refresh_token`. Close rotates refresh tokens: the answer's
    /// `refresh_token` replaces the one sent, which is then dead.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenResponse, TokenError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        let (status, body) = self.post(&self.config.token_url, &form).await?;
        token_from(status, &body)
    }

    /// Revokes a token (RFC 7009): any 2xx is success, whatever the body.
    pub async fn revoke(&self, token: &Secret) -> Result<(), TokenError> {
        let form = [("token", token.expose())];
        let (status, body) = self.post(&self.config.revoke_url, &form).await?;
        if status.is_success() {
            return Ok(());
        }
        Err(error_from(status, &body))
    }

    /// Posts the form (client credentials added) and reads at most
    /// `MAX_BODY` bytes of the answer.
    async fn post(
        &self,
        url: &Url,
        fields: &[(&str, &str)],
    ) -> Result<(StatusCode, Vec<u8>), TokenError> {
        let mut form: Vec<(&str, &str)> = vec![("client_id", &self.config.client_id)];
        if let Some(secret) = &self.config.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        form.extend_from_slice(fields);
        let fail = |err: reqwest::Error| TokenError::from_reqwest(&err, self.config.timeout);
        let mut response = self
            .http
            .post(url.clone())
            .header(header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(fail)?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = crate::close::retry_after(response.headers());
            return Err(TokenError::Transient {
                kind: TransientKind::RateLimited,
                status: Some(429),
                retry_after,
                message: format!(
                    "the token endpoint is rate limiting{}",
                    retry_after
                        .map(|d| format!(": retry in {} s", d.as_secs()))
                        .unwrap_or_default()
                ),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(TokenError::transient(
                    TransientKind::InvalidBody,
                    Some(status.as_u16()),
                    format!("the token endpoint's answer is too large (HTTP {status})"),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

/// Decodes a token endpoint's answer from its status and body, exactly as a
/// real exchange or refresh does. Public so the fuzzer can reach it.
pub fn decode_token_response(status: u16, body: &[u8]) -> Result<TokenResponse, TokenError> {
    match StatusCode::from_u16(status) {
        Ok(status) => token_from(status, body),
        Err(_) => Err(TokenError::transient(
            TransientKind::Other,
            Some(status),
            format!("the token endpoint answered an invalid status ({status})"),
        )),
    }
}

/// The longest access-token life believed (a year): a server may say
/// anything, and a date past chrono's range would not be one.
pub const MAX_EXPIRES_IN: u64 = 365 * 24 * 3600;

/// Whether an RFC 6749 error code says the grant or the client is refused,
/// so that retrying cannot help.
fn refuses_grant(error: &str) -> bool {
    matches!(
        error,
        "invalid_grant" | "invalid_client" | "unauthorized_client"
    )
}

/// A token answer: success only for a 2xx JSON body with an access token.
fn token_from(status: StatusCode, body: &[u8]) -> Result<TokenResponse, TokenError> {
    if !status.is_success() {
        return Err(error_from(status, body));
    }
    let raw: RawToken =
        serde_json::from_slice(body).map_err(|_| invalid_body(status.as_u16(), body))?;
    if let Some(error) = raw.error {
        // An error on a 2xx is no OAuth answer (RFC 6749 sends them as
        // 400/401); only one that names a dead grant is taken at its word.
        if refuses_grant(&error) {
            return Err(rejected(
                status.as_u16(),
                Some(error),
                raw.error_description,
            ));
        }
        return Err(TokenError::transient(
            TransientKind::InvalidBody,
            Some(status.as_u16()),
            format!(
                "the token endpoint answered {} with an error ({})",
                status.as_u16(),
                printable(&error, 64)
            ),
        ));
    }
    let malformed = |what: &str| {
        TokenError::transient(
            TransientKind::InvalidBody,
            Some(status.as_u16()),
            format!("the token endpoint answered without {what} (HTTP {status})"),
        )
    };
    let access_token = raw
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| malformed("an access token"))?;
    let token_type = raw.token_type.unwrap_or_else(|| "Bearer".to_owned());
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(malformed("a Bearer token"));
    }
    // Clamped, so a far-off expiry is still a date (and no overflow).
    let expires_in = match raw.expires_in {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) => Some(
            n.as_u64()
                .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                .ok_or_else(|| malformed("a valid expires_in"))?,
        ),
        Some(serde_json::Value::String(s)) => Some(
            s.trim()
                .parse()
                .map_err(|_| malformed("a valid expires_in"))?,
        ),
        Some(_) => return Err(malformed("a valid expires_in")),
    }
    .map(|secs| secs.min(MAX_EXPIRES_IN));
    Ok(TokenResponse {
        token_type,
        access_token: Secret::from(access_token),
        expires_in,
        refresh_token: raw
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(Secret::from),
        scope: raw.scope,
        organization_id: raw.organization_id,
        user_id: raw.user_id,
    })
}

/// A non-2xx answer (429 is handled before the body is read).
fn error_from(status: StatusCode, body: &[u8]) -> TokenError {
    let code = status.as_u16();
    let parsed: Option<RawError> = serde_json::from_slice(body).ok();
    let (error, description) = parsed
        .map(|e| (e.error, e.error_description))
        .unwrap_or((None, None));
    if status.is_server_error() {
        let detail = error
            .map(|e| format!(" ({})", printable(&e, 64)))
            .unwrap_or_default();
        return TokenError::transient(
            TransientKind::Server,
            Some(code),
            format!("the token endpoint failed with HTTP {code}{detail}"),
        );
    }
    // 400 and 401 are how RFC 6749 refuses a grant or a client. Another 4xx
    // (a firewall's 403, a 404 from a proxy) says nothing of the refresh
    // token unless its error names the grant or the client.
    if matches!(code, 400 | 401) || error.as_deref().is_some_and(refuses_grant) {
        return rejected(code, error, description);
    }
    let message = if status.is_redirection() {
        format!("the token endpoint redirected (HTTP {code}): check the token URL setting")
    } else {
        format!("the token endpoint answered HTTP {code}")
    };
    TokenError::transient(TransientKind::Other, Some(code), message)
}

fn rejected(status: u16, error: Option<String>, description: Option<String>) -> TokenError {
    TokenError::Rejected {
        error: error.map(|e| printable(&e, 64)),
        description: description.map(|d| printable(&d, 200)),
        status,
    }
}

fn invalid_body(status: u16, body: &[u8]) -> TokenError {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let html = start.is_some_and(|i| body[i] == b'<');
    let what = if html { "HTML" } else { "invalid JSON" };
    TokenError::transient(
        TransientKind::InvalidBody,
        Some(status),
        format!("the token endpoint answered {what} instead of a token (HTTP {status})"),
    )
}
