//! Per-principal, per-endpoint-group rate limits, reported the way Close
//! reports them: `RateLimit: limit=N, remaining=R, reset=S` on every API
//! response, plus `Retry-After` on a 429.
//!
//! Each (principal, group) pair gets a fixed one-second window. Windows live
//! in one map behind a `Mutex`, keyed by a 64-bit hash so the hot path
//! neither allocates nor holds the lock for more than one lookup.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use axum::http::HeaderValue;

const WINDOW: Duration = Duration::from_secs(1);

/// What the header says when rate limiting is off: a limit no test or demo
/// comes near, so clients that read the header see a well-formed one.
const GENEROUS: HeaderValue = HeaderValue::from_static("limit=10000, remaining=9999, reset=1.000");

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<u64, Window>>,
}

struct Window {
    start: Instant,
    count: u32,
}

/// The outcome of one check, and the headers that describe it.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub allowed: bool,
    limit: u32,
    remaining: u32,
    reset: Duration,
}

impl RateLimiter {
    /// Counts one request by `principal` to `group` against `limit` per
    /// second; `limit == 0` means no limit.
    pub fn check(&self, limit: u32, principal: (&str, &str), group: &str) -> Verdict {
        if limit == 0 {
            return Verdict::unlimited();
        }
        let mut hasher = DefaultHasher::new();
        (principal, group).hash(&mut hasher);
        let key = hasher.finish();
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(key).or_insert(Window {
            start: now,
            count: 0,
        });
        if now.duration_since(window.start) >= WINDOW {
            window.start = now;
            window.count = 0;
        }
        let reset = WINDOW.saturating_sub(now.duration_since(window.start));
        let allowed = window.count < limit;
        if allowed {
            window.count += 1;
        }
        Verdict {
            allowed,
            limit,
            remaining: limit.saturating_sub(window.count),
            reset,
        }
    }
}

impl Verdict {
    pub fn unlimited() -> Self {
        Self {
            allowed: true,
            limit: 0,
            remaining: 0,
            reset: WINDOW,
        }
    }

    /// A verdict for a request that was not counted (refused before the
    /// limiter ran): the full limit remains.
    pub fn untouched(limit: u32) -> Self {
        Self {
            allowed: true,
            limit,
            remaining: limit,
            reset: WINDOW,
        }
    }

    /// The `RateLimit` header value.
    pub fn header(&self) -> HeaderValue {
        if self.limit == 0 {
            return GENEROUS;
        }
        let text = format!(
            "limit={}, remaining={}, reset={:.3}",
            self.limit,
            self.remaining,
            self.reset.as_secs_f64()
        );
        HeaderValue::from_str(&text).unwrap_or(GENEROUS)
    }

    /// The `Retry-After` header value: the reset rounded up to whole seconds,
    /// at least one.
    pub fn retry_after(&self) -> HeaderValue {
        let secs = self.reset.as_secs_f64().ceil().max(1.0) as u64;
        HeaderValue::from(secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_the_limit_then_refuses() {
        let limiter = RateLimiter::default();
        let who = ("orga_1", "user_1");
        for expected_remaining in [1, 0] {
            let verdict = limiter.check(2, who, "lead");
            assert!(verdict.allowed);
            assert_eq!(verdict.remaining, expected_remaining);
        }
        let refused = limiter.check(2, who, "lead");
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after(), HeaderValue::from(1u64));
        // Another group has its own window.
        assert!(limiter.check(2, who, "contact").allowed);
    }

    #[test]
    fn the_header_has_close_format() {
        let header = Verdict::untouched(5).header();
        assert_eq!(header, "limit=5, remaining=5, reset=1.000");
        assert_eq!(Verdict::unlimited().header(), GENEROUS);
    }
}
