//! The Close API client. It knows neither the store nor the OAuth flow: it
//! asks a [`Credentials`] source for its `Authorization` header.

mod client;
mod credentials;
mod error;
mod ratelimit;
pub mod types;

pub use client::{CloseClient, USER_AGENT, http_client, network_message};
pub use credentials::{AuthHeader, Credentials, CredentialsError, StaticCredentials};
pub use error::ApiError;
pub use ratelimit::retry_after;
