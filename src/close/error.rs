//! Typed failures of Close API calls.

use std::time::Duration;

use super::credentials::CredentialsError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("Close rejected the request: {}", summary(errors, field_errors))]
    BadRequest {
        errors: Vec<String>,
        field_errors: Vec<(String, String)>,
    },
    #[error("Close rejected the credentials (401)")]
    Unauthorized,
    #[error("your Close plan does not allow this (402)")]
    PaymentRequired,
    #[error("not allowed for this account (403)")]
    Forbidden,
    #[error("not found: {path}")]
    NotFound { path: String },
    #[error("rate limited by Close; retry in {:.1} s", retry_after.as_secs_f64())]
    RateLimited { retry_after: Duration },
    #[error("Close answered {status} for {path}")]
    Server { status: u16, path: String },
    #[error("unexpected answer {status} for {path}")]
    Unexpected { status: u16, path: String },
    #[error("cannot reach Close: {0}")]
    Network(String),
    /// Nothing listens where Close should be: no retry soon will change
    /// that, though a sync still tries a few times.
    #[error("cannot reach Close: {0}")]
    Refused(String),
    #[error("Close sent a response close-tui cannot read ({path}): {message}")]
    Decode { path: String, message: String },
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
}

impl ApiError {
    /// Network trouble and server errors: the request may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Network(_)
                | Self::Refused(_)
                | Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Credentials(CredentialsError::Unavailable(_))
        )
    }
}

fn summary(errors: &[String], field_errors: &[(String, String)]) -> String {
    let mut parts: Vec<String> = errors.to_vec();
    parts.extend(
        field_errors
            .iter()
            .map(|(field, message)| format!("{field}: {message}")),
    );
    if parts.is_empty() {
        "bad request (400)".to_owned()
    } else {
        parts.join("; ")
    }
}
