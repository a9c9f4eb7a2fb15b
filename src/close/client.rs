//! The Close REST client: one `reqwest::Client`, credentials from a
//! [`Credentials`] source, and typed errors.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::{
    credentials::{AuthHeader, Credentials},
    error::ApiError,
    types::{Me, Organization},
};

pub const USER_AGENT: &str = concat!("close-tui/", env!("CARGO_PKG_VERSION"));

/// The one HTTP client configuration close-tui uses for Close: bounded
/// connect and request times, gzip, our User-Agent, and no redirects (an API
/// or token endpoint that redirects is a misconfiguration, and following it
/// could carry credentials elsewhere).
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .build()
}

#[derive(Debug, Clone)]
pub struct CloseClient<C> {
    http: reqwest::Client,
    api_url: Url,
    credentials: C,
}

impl<C: Credentials> CloseClient<C> {
    /// `api_url` is the API root ending in `/`, like
    /// `https://api.close.com/api/v1/`.
    pub fn new(http: reqwest::Client, api_url: Url, credentials: C) -> Self {
        Self {
            http,
            api_url,
            credentials,
        }
    }

    pub fn credentials(&self) -> &C {
        &self.credentials
    }

    /// `GET api_url/path` with query parameters, decoded as `T`. A 401 gets
    /// one refresh and one retry.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let url = self.api_url.join(path).map_err(|err| ApiError::Decode {
            path: path.to_owned(),
            message: err.to_string(),
        })?;
        let auth = self.credentials.authorization().await?;
        let mut response = self.send(&url, query, &auth).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            tracing::debug!(path, "401 from Close; refreshing once and retrying");
            let auth = self.credentials.refresh_after_rejection(&auth).await?;
            response = self.send(&url, query, &auth).await?;
        }
        decode(path, response).await
    }

    async fn send(
        &self,
        url: &Url,
        query: &[(&str, String)],
        auth: &AuthHeader,
    ) -> Result<Response, ApiError> {
        let request = auth.apply(self.http.get(url.clone()).query(query));
        let started = std::time::Instant::now();
        let response = request
            .send()
            .await
            .map_err(|err| ApiError::Network(network_message(&err)))?;
        tracing::debug!(
            path = url.path(),
            status = response.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "GET"
        );
        Ok(response)
    }

    /// The signed-in user, with their organizations.
    pub async fn me(&self) -> Result<Me, ApiError> {
        self.get("me/", &[]).await
    }

    pub async fn organization(&self, id: &str) -> Result<Organization, ApiError> {
        self.get(&format!("organization/{id}/"), &[]).await
    }
}

/// A one-line description of a transport failure. reqwest's own message can
/// contain the full URL; ours names only what went wrong.
pub fn network_message(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_body() || err.is_decode() {
        "the response was cut off"
    } else {
        "request failed"
    };
    match err.url().and_then(|url| url.host_str().map(str::to_owned)) {
        Some(host) => format!("{what} ({host})"),
        None => what.to_owned(),
    }
}

async fn decode<T: DeserializeOwned>(path: &str, response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let path = path.to_owned();
    match status.as_u16() {
        200..=299 => {
            let bytes = response
                .bytes()
                .await
                .map_err(|err| ApiError::Network(network_message(&err)))?;
            serde_json::from_slice(&bytes).map_err(|err| ApiError::Decode {
                path,
                message: err.to_string(),
            })
        }
        400 => Err(bad_request(response).await),
        401 => Err(ApiError::Unauthorized),
        402 => Err(ApiError::PaymentRequired),
        403 => Err(ApiError::Forbidden),
        404 => Err(ApiError::NotFound { path }),
        429 => Err(ApiError::RateLimited {
            retry_after: super::retry_after(response.headers()).unwrap_or(Duration::from_secs(1)),
        }),
        500..=599 => Err(ApiError::Server {
            status: status.as_u16(),
            path,
        }),
        other => Err(ApiError::Unexpected {
            status: other,
            path,
        }),
    }
}

/// Close's 400 bodies: `{"errors": [...], "field-errors": {...}}`, or
/// `{"error": "..."}`.
async fn bad_request(response: Response) -> ApiError {
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let mut errors: Vec<String> = body["errors"]
        .as_array()
        .map(|list| list.iter().map(text_of).collect())
        .unwrap_or_default();
    if let Some(error) = body.get("error") {
        errors.push(text_of(error));
    }
    let field_errors = body["field-errors"]
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(field, message)| (field.clone(), text_of(message)))
                .collect()
        })
        .unwrap_or_default();
    ApiError::BadRequest {
        errors,
        field_errors,
    }
}

fn text_of(value: &serde_json::Value) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string())
}
