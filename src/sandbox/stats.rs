//! Counters a test reads back through `GET /_sandbox/stats`, to check what a
//! client did (how often it refreshed, whether it backed off after a 429).
//!
//! Plain relaxed atomics: each is an independent tally, so no ordering
//! between them is promised or needed.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

use super::oauth::GrantType;

#[derive(Default)]
pub struct Stats {
    token_authorization_code: AtomicU64,
    token_refresh_token: AtomicU64,
    token_other: AtomicU64,
    refreshes: AtomicU64,
    revokes: AtomicU64,
    codes_issued: AtomicU64,
    api_requests: AtomicU64,
    status_429: AtomicU64,
    status_503: AtomicU64,
}

/// The JSON `GET /_sandbox/stats` answers.
#[derive(Debug, Clone, Serialize)]
pub struct StatsSnapshot {
    /// Requests to the token endpoint, by `grant_type`.
    pub token_requests: TokenRequests,
    /// Successful refresh-token grants.
    pub refreshes: u64,
    /// Requests to the revoke endpoint that passed client authentication.
    pub revokes: u64,
    /// Authorization codes handed out by the consent page.
    pub codes_issued: u64,
    /// Requests under `/api/v1/`.
    pub api_requests: u64,
    /// 429 answers (rate limits).
    pub status_429: u64,
    /// 503 answers (injected faults, API and token endpoint).
    pub status_503: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenRequests {
    pub authorization_code: u64,
    pub refresh_token: u64,
    pub other: u64,
}

impl Stats {
    pub fn token_request(&self, grant: GrantType) {
        let counter = match grant {
            GrantType::AuthorizationCode => &self.token_authorization_code,
            GrantType::RefreshToken => &self.token_refresh_token,
            GrantType::Other => &self.token_other,
        };
        counter.fetch_add(1, Relaxed);
    }

    pub fn refreshed(&self) {
        self.refreshes.fetch_add(1, Relaxed);
    }

    pub fn revoked(&self) {
        self.revokes.fetch_add(1, Relaxed);
    }

    pub fn code_issued(&self) {
        self.codes_issued.fetch_add(1, Relaxed);
    }

    pub fn api_request(&self) {
        self.api_requests.fetch_add(1, Relaxed);
    }

    pub fn too_many_requests(&self) {
        self.status_429.fetch_add(1, Relaxed);
    }

    pub fn unavailable(&self) {
        self.status_503.fetch_add(1, Relaxed);
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            token_requests: TokenRequests {
                authorization_code: self.token_authorization_code.load(Relaxed),
                refresh_token: self.token_refresh_token.load(Relaxed),
                other: self.token_other.load(Relaxed),
            },
            refreshes: self.refreshes.load(Relaxed),
            revokes: self.revokes.load(Relaxed),
            codes_issued: self.codes_issued.load(Relaxed),
            api_requests: self.api_requests.load(Relaxed),
            status_429: self.status_429.load(Relaxed),
            status_503: self.status_503.load(Relaxed),
        }
    }
}
