//! How the API client gets its `Authorization` header, without knowing about
//! OAuth: the token manager implements [`Credentials`], so `close` never
//! imports `auth`.

use std::future::Future;

use crate::secret::Secret;

/// One way of authenticating a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthHeader {
    /// An OAuth access token, sent as `Authorization: Bearer …`.
    Bearer(Secret),
    /// An API key, sent as HTTP Basic with the key as the user name.
    ApiKey(Secret),
}

impl AuthHeader {
    pub(crate) fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Self::Bearer(token) => request.bearer_auth(token.expose()),
            Self::ApiKey(key) => request.basic_auth(key.expose(), Some("")),
        }
    }
}

/// Why no credentials could be had. The message is shown to the user.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CredentialsError {
    /// The account must sign in again (refresh token rejected, no secrets).
    #[error("needs login: {0}")]
    NeedsLogin(String),
    /// The token endpoint could not be reached or failed; retrying may help.
    #[error("cannot refresh the access token: {0}")]
    Unavailable(String),
}

/// A source of fresh credentials.
pub trait Credentials: Send + Sync {
    /// A header that is valid now (refreshing first if the token is close to
    /// expiry).
    fn authorization(&self) -> impl Future<Output = Result<AuthHeader, CredentialsError>> + Send;

    /// Called after a 401 with the header that was rejected. Implementations
    /// refresh once (single-flight) unless someone already replaced that
    /// header, and return the header to retry with.
    fn refresh_after_rejection(
        &self,
        rejected: &AuthHeader,
    ) -> impl Future<Output = Result<AuthHeader, CredentialsError>> + Send;
}

/// Fixed credentials: an API key, or a token known to be valid (tests).
#[derive(Debug, Clone)]
pub struct StaticCredentials(pub AuthHeader);

impl Credentials for StaticCredentials {
    async fn authorization(&self) -> Result<AuthHeader, CredentialsError> {
        Ok(self.0.clone())
    }

    async fn refresh_after_rejection(
        &self,
        _rejected: &AuthHeader,
    ) -> Result<AuthHeader, CredentialsError> {
        Err(CredentialsError::NeedsLogin(
            "the API key was rejected".to_owned(),
        ))
    }
}

/// Shared credentials, e.g. one token manager behind several clients.
impl<T: Credentials> Credentials for std::sync::Arc<T> {
    fn authorization(&self) -> impl Future<Output = Result<AuthHeader, CredentialsError>> + Send {
        (**self).authorization()
    }

    fn refresh_after_rejection(
        &self,
        rejected: &AuthHeader,
    ) -> impl Future<Output = Result<AuthHeader, CredentialsError>> + Send {
        (**self).refresh_after_rejection(rejected)
    }
}
