//! The Close REST client: one `reqwest::Client`, credentials from a
//! [`Credentials`] source, pacing per endpoint group, bounded retries, and
//! typed errors.

use std::{
    sync::{Arc, PoisonError},
    time::{Duration, Instant},
};

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;
use url::Url;

use super::{
    clock::ServerClock,
    credentials::{AuthHeader, Credentials},
    error::ApiError,
    pacer::{Pacer, group_of},
    ratelimit::{RateLimit, retry_after},
    response::decode,
    retry::Backoff,
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

/// What the client tells whoever listens (the CLI's progress line, the TUI's
/// status bar) while it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A 429 (or a spent budget) holds this endpoint group until `until`.
    RateLimited { group: String, until: Instant },
    /// A request failed in a way worth repeating; it is retried after `delay`.
    Retrying {
        path: String,
        retry: u32,
        reason: String,
        delay: Duration,
        /// The connection was refused: nothing listens there.
        refused: bool,
    },
}

#[derive(Debug)]
struct Inner<C> {
    http: reqwest::Client,
    api_url: Url,
    credentials: C,
    pacer: Pacer,
    clock: ServerClock,
    backoff: Backoff,
    events: broadcast::Sender<ClientEvent>,
    /// The most records a page Close allows per path, as learnt from its
    /// refusals (see `paging.rs`).
    limits: std::sync::Mutex<std::collections::HashMap<String, usize>>,
}

/// Cheap to clone: clones share the HTTP connection pool, the pacing state
/// and the credentials.
#[derive(Debug)]
pub struct CloseClient<C> {
    inner: Arc<Inner<C>>,
}

impl<C> Clone for CloseClient<C> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C: Credentials> CloseClient<C> {
    /// `api_url` is the API root ending in `/`, like
    /// `https://api.close.com/api/v1/`.
    pub fn new(http: reqwest::Client, api_url: Url, credentials: C) -> Self {
        Self::with_backoff(http, api_url, credentials, Backoff::default())
    }

    pub fn with_backoff(
        http: reqwest::Client,
        api_url: Url,
        credentials: C,
        backoff: Backoff,
    ) -> Self {
        let (events, _) = broadcast::channel(64);
        Self {
            inner: Arc::new(Inner {
                http,
                api_url,
                credentials,
                pacer: Pacer::default(),
                clock: ServerClock::default(),
                backoff,
                events,
                limits: std::sync::Mutex::default(),
            }),
        }
    }

    /// `wanted`, or less if Close refused as many at `path` before.
    pub(super) fn limit_at(&self, path: &str, wanted: usize) -> usize {
        let limits = self
            .inner
            .limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        limits.get(path).map_or(wanted, |cap| wanted.min(*cap))
    }

    /// Remembers that Close allows at most `allowed` records a page at
    /// `path`; returns the cap now in force.
    pub(super) fn lower_limit(&self, path: &str, allowed: usize) -> usize {
        let mut limits = self
            .inner
            .limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let cap = limits.entry(path.to_owned()).or_insert(allowed);
        *cap = (*cap).min(allowed);
        *cap
    }

    pub fn credentials(&self) -> &C {
        &self.inner.credentials
    }

    /// Close's time now, from the `Date` of its latest answer; this
    /// machine's before the first.
    pub fn close_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// Rate-limit waits and retries, as they happen.
    pub fn events(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    /// `GET api_url/path` with query parameters, decoded as `T`.
    ///
    /// A 401 gets one credentials refresh and one retry. Connect errors,
    /// timeouts and 500/502/503/504 are retried with backoff (every call
    /// here is a GET, safe to repeat), up to the backoff's `max_retries`; a
    /// body that cannot be decoded (a page with no `data`, say) is tried
    /// once more, then reported with its query; a 429 waits for the reset
    /// the headers give, up to [`MAX_RATE_LIMITED`] times. Other errors
    /// return at once.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let inner = &*self.inner;
        let url = inner.api_url.join(path).map_err(|err| ApiError::Decode {
            path: path.to_owned(),
            message: err.to_string(),
        })?;
        let group = group_of(path);
        let mut auth = inner.credentials.authorization().await?;
        let mut refreshed = false;
        // Each kind of trouble has its own allowance: a page that cannot be
        // decoded is tried once more and then reported; 429s each wait for
        // the reset, so they may come more often than failures do.
        let (mut retry, mut undecodable, mut limited) = (0, 0, 0);
        loop {
            inner
                .pacer
                .wait(group, |until| {
                    let _ = inner.events.send(ClientEvent::RateLimited {
                        group: group.to_owned(),
                        until,
                    });
                })
                .await;
            let outcome = match self.send(&url, query, &auth).await {
                Ok(response) => self.judge(path, group, response).await,
                Err(err) => Err(err),
            };
            let err = match outcome {
                Ok(value) => return Ok(value),
                Err(err) => err,
            };
            let (delay, count, allowed) = match &err {
                ApiError::Unauthorized if !refreshed => {
                    tracing::debug!(path, "401 from Close; refreshing once");
                    auth = inner.credentials.refresh_after_rejection(&auth).await?;
                    refreshed = true;
                    continue;
                }
                ApiError::RateLimited { retry_after } => {
                    (*retry_after, &mut limited, MAX_RATE_LIMITED)
                }
                ApiError::Decode { .. } => (inner.backoff.delay(retry), &mut undecodable, 1),
                ApiError::Network(_)
                | ApiError::Refused(_)
                | ApiError::Server {
                    status: 500 | 502..=504,
                    ..
                } => (
                    inner.backoff.delay(retry),
                    &mut retry,
                    inner.backoff.max_retries,
                ),
                _ => return Err(err),
            };
            if *count >= allowed {
                return Err(with_query(err, query));
            }
            *count += 1;
            let attempt = *count;
            let _ = inner.events.send(ClientEvent::Retrying {
                path: path.to_owned(),
                retry: attempt,
                reason: err.to_string(),
                delay,
                refused: matches!(err, ApiError::Refused(_)),
            });
            tracing::info!(path, retry = attempt, ?delay, error = %err, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// Reads a response's rate-limit headers, then decodes it. A 429 also
    /// holds the endpoint group and tells listeners how long.
    async fn judge<T: DeserializeOwned>(
        &self,
        path: &str,
        group: &str,
        response: Response,
    ) -> Result<T, ApiError> {
        let inner = &*self.inner;
        let now = Instant::now();
        inner.clock.observe(response.headers(), now);
        if let Some(limit) = RateLimit::from_headers(response.headers()) {
            inner.pacer.observe(group, limit, now);
        }
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            // No wait, or none worth the name (a reset rounded down to 0):
            // a second, rather than asking again at once.
            let wait = retry_after(response.headers())
                .filter(|wait| !wait.is_zero())
                .unwrap_or(Duration::from_secs(1));
            let until = now + wait;
            inner.pacer.block_until(group, until);
            let _ = inner.events.send(ClientEvent::RateLimited {
                group: group.to_owned(),
                until,
            });
            return Err(ApiError::RateLimited { retry_after: wait });
        }
        decode(path, response).await
    }

    async fn send(
        &self,
        url: &Url,
        query: &[(&str, String)],
        auth: &AuthHeader,
    ) -> Result<Response, ApiError> {
        // Dates in filters go without a zone, in UTC: said, so that Close
        // never reads them in another (`x-tz-offset` sets the zone).
        let request = auth.apply(
            self.inner
                .http
                .get(url.clone())
                .query(query)
                .header("x-tz-offset", "0"),
        );
        let started = Instant::now();
        let response = request.send().await.map_err(|err| {
            if is_refused(&err) {
                ApiError::Refused(network_message(&err))
            } else {
                ApiError::Network(network_message(&err))
            }
        })?;
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

/// 429s one request may meet, each waited out, before it gives up.
const MAX_RATE_LIMITED: u32 = 12;

/// A page that could not be decoded, reported with its query (`_skip`,
/// the date window: what it takes to find it again). The query carries no
/// secret: credentials go in a header.
fn with_query(err: ApiError, query: &[(&str, String)]) -> ApiError {
    match err {
        ApiError::Decode { path, message } if !query.is_empty() => {
            let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            ApiError::Decode {
                path: format!("{path}?{}", pairs.join("&")),
                message,
            }
        }
        err => err,
    }
}

/// Whether the connection was refused (nothing listens at the address),
/// as opposed to a name that did not resolve or a network that dropped.
fn is_refused(err: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// A one-line description of a transport failure. reqwest's own message can
/// contain the full URL; ours names only what went wrong and where.
pub fn network_message(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out"
    } else if is_refused(err) {
        "connection refused"
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
