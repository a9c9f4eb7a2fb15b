//! A storm of 429s and 5xx, for tests: while `storm` is N > 0, every
//! distinct API request (method, path and query) is refused its first N
//! attempts, with 429, 500, 502, 503 and 504 in turn, and answered normally
//! from attempt N + 1 on.
//!
//! The same counting serves `garble` (a 200 that is not a page), which
//! ignores the status.
//!
//! Keying on the request rather than rolling dice means every request of a
//! sync meets the storm, yet a client that retries within its budget always
//! gets through: a test can demand a complete sync without being flaky.

use std::{
    collections::HashMap,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed},
    },
};

use axum::http::StatusCode;

/// The answers a storm cycles through.
const STATUSES: [StatusCode; 5] = [
    StatusCode::TOO_MANY_REQUESTS,
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

#[derive(Default)]
pub struct Storm {
    attempts_refused: AtomicU32,
    /// Attempts seen per request, while a storm blows.
    seen: Mutex<HashMap<String, u32>>,
    next: AtomicUsize,
}

impl Storm {
    pub fn new(attempts_refused: u32) -> Self {
        let storm = Self::default();
        storm.attempts_refused.store(attempts_refused, Relaxed);
        storm
    }

    /// Starts (N > 0) or ends (0) a storm; either way attempts are counted
    /// afresh.
    pub fn set(&self, attempts_refused: u32) {
        self.attempts_refused.store(attempts_refused, Relaxed);
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub fn attempts_refused(&self) -> u32 {
        self.attempts_refused.load(Relaxed)
    }

    /// The status to refuse this attempt at `request` with, if any.
    pub fn refuse(&self, request: &str) -> Option<StatusCode> {
        let limit = self.attempts_refused();
        if limit == 0 {
            return None;
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let count = seen.entry(request.to_owned()).or_insert(0);
        if *count >= limit {
            return None;
        }
        *count += 1;
        drop(seen);
        let turn = self.next.fetch_add(1, Relaxed);
        Some(STATUSES[turn % STATUSES.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_is_refused_n_times_then_served() {
        let storm = Storm::new(2);
        let mut refused = Vec::new();
        for _ in 0..4 {
            refused.push(storm.refuse("GET /a"));
        }
        assert!(refused[0].is_some() && refused[1].is_some());
        assert_eq!(refused[2..], [None, None]);
        assert!(
            storm.refuse("GET /b").is_some(),
            "a new request meets it too"
        );
        storm.set(0);
        assert_eq!(storm.refuse("GET /c"), None);
    }

    #[test]
    fn the_answers_cycle_through_429_and_5xx() {
        let storm = Storm::new(1);
        let statuses: Vec<u16> = (0..5)
            .filter_map(|i| storm.refuse(&format!("GET /{i}")))
            .map(|s| s.as_u16())
            .collect();
        assert_eq!(statuses, [429, 500, 502, 503, 504]);
    }
}
