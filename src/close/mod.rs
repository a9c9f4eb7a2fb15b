//! The Close API client. It knows neither the store nor the OAuth flow: it
//! asks a [`Credentials`] source for its `Authorization` header.

mod client;
mod clock;
mod credentials;
mod error;
mod pacer;
mod paging;
mod ratelimit;
pub mod records;
mod response;
mod retry;
pub mod types;

pub use client::{ClientEvent, CloseClient, USER_AGENT, http_client, network_message};
pub use credentials::{AuthHeader, Credentials, CredentialsError, StaticCredentials};
pub use error::ApiError;
pub use pacer::group_of;
pub use paging::max_skip_of;
pub use ratelimit::{RateLimit, parse_ratelimit, retry_after};
pub use retry::Backoff;
