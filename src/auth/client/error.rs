//! Token-endpoint failures, sorted into the two kinds the TokenManager acts
//! on: `Rejected` (the grant is dead: sign in again) and `Transient` (keep
//! the credentials and retry later).
//!
//! Messages never contain a response body, since a body may hold a token;
//! only the RFC 6749 `error` code and `error_description` are shown, made
//! printable.

use std::time::Duration;

/// Why a transient failure happened, for backoff decisions and wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransientKind {
    /// No connection could be made (DNS, refused, TLS).
    Connect,
    /// No complete answer in time.
    Timeout,
    /// HTTP 429.
    RateLimited,
    /// HTTP 5xx.
    Server,
    /// A 2xx (or error) answer that is not the expected JSON: HTML from a
    /// proxy, a cut-off body, and the like.
    InvalidBody,
    /// Anything else on the way: a redirect, an unexpected status, a
    /// connection dropped mid-answer.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The server refused the grant or the client: an RFC 6749 error, or
    /// any 400/401. Only this means "needs login".
    #[error("the token endpoint refused the request{}{} (HTTP {status})",
        error.as_deref().map(|e| format!(": {e}")).unwrap_or_default(),
        description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rejected {
        error: Option<String>,
        description: Option<String>,
        status: u16,
    },
    /// Worth retrying; the credentials stay.
    #[error("{message}")]
    Transient {
        kind: TransientKind,
        status: Option<u16>,
        retry_after: Option<Duration>,
        message: String,
    },
    /// The client itself cannot be set up (e.g. no client id configured).
    #[error("{0}")]
    Setup(String),
}

impl TokenError {
    /// True for `invalid_grant`: the code or refresh token is spent,
    /// expired or revoked.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Self::Rejected { error: Some(e), .. } if e == "invalid_grant")
    }

    /// True when the account needs a new login; false for anything that
    /// may work when tried again.
    pub fn needs_login(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. })
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Transient { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(super) fn transient(kind: TransientKind, status: Option<u16>, message: String) -> Self {
        Self::Transient {
            kind,
            status,
            retry_after: None,
            message,
        }
    }

    /// A reqwest failure, worded without the request (whose body holds
    /// secrets) and without reqwest's own message chain.
    pub(super) fn from_reqwest(err: &reqwest::Error, timeout: Duration) -> Self {
        let endpoint = endpoint_name(err.url());
        let (kind, message) = if err.is_timeout() {
            (
                TransientKind::Timeout,
                format!("{endpoint} did not answer within {} s", timeout.as_secs()),
            )
        } else if err.is_connect() {
            (
                TransientKind::Connect,
                format!(
                    "cannot connect to {endpoint}{}",
                    err.url()
                        .and_then(|u| u.host_str())
                        .map(|h| format!(" at {h}"))
                        .unwrap_or_default()
                ),
            )
        } else if err.is_body() || err.is_decode() {
            (
                TransientKind::InvalidBody,
                format!("{endpoint}'s answer was cut off"),
            )
        } else {
            (
                TransientKind::Other,
                format!("the request to {endpoint} failed on the way"),
            )
        };
        Self::transient(kind, err.status().map(|s| s.as_u16()), message)
    }
}

/// Which OAuth endpoint a failed request went to, for messages: the
/// client posts to the token endpoint and, on logout, to the revoke one,
/// whose URL ends in `revoke/` (Close's and the sandbox's).
fn endpoint_name(url: Option<&reqwest::Url>) -> &'static str {
    let last = url
        .and_then(|u| u.path_segments())
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()));
    if last == Some("revoke") {
        "the revoke endpoint"
    } else {
        "the token endpoint"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_wording_and_helpers() {
        let err = TokenError::Rejected {
            error: Some("invalid_grant".into()),
            description: Some("expired".into()),
            status: 400,
        };
        assert_eq!(
            err.to_string(),
            "the token endpoint refused the request: invalid_grant (expired) (HTTP 400)"
        );
        assert!(err.is_invalid_grant() && err.needs_login() && !err.is_transient());
        let bare = TokenError::Rejected {
            error: None,
            description: None,
            status: 401,
        };
        assert_eq!(
            bare.to_string(),
            "the token endpoint refused the request (HTTP 401)"
        );
        assert!(!bare.is_invalid_grant() && bare.needs_login());
    }

    #[test]
    fn messages_name_the_endpoint_the_request_went_to() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        let revoke = url("https://api.close.com/oauth2/revoke/");
        let token = url("https://api.close.com/oauth2/token/");
        assert_eq!(endpoint_name(Some(&revoke)), "the revoke endpoint");
        assert_eq!(endpoint_name(Some(&token)), "the token endpoint");
        assert_eq!(endpoint_name(None), "the token endpoint");
    }
}
