//! Client-side pacing per endpoint group, driven by Close's rate-limit
//! headers, so a long sync rarely meets a 429.
//!
//! Close limits requests per endpoint group (research/close-api.md, section
//! 4). After each response we know how much budget the group has left and
//! when the window resets; when the budget runs low we spread the remaining
//! requests over the rest of the window instead of spending them at once.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::ratelimit::RateLimit;

/// Below this share of the limit, requests are spread out evenly.
const LOW_WATER: f64 = 0.2;

#[derive(Debug, Default)]
pub struct Pacer {
    not_before: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    /// How long a request to `group` should wait before it is sent.
    pub fn wait_for(&self, group: &str, now: Instant) -> Duration {
        let map = self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        map.get(group)
            .map(|at| at.saturating_duration_since(now))
            .unwrap_or_default()
    }

    /// Sleeps until `group` may send again.
    pub async fn wait(&self, group: &str) {
        let wait = self.wait_for(group, Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Learns from a response's rate-limit headers.
    pub fn observe(&self, group: &str, limit: RateLimit, now: Instant) {
        let (Some(remaining), Some(reset)) = (limit.remaining, limit.reset) else {
            return;
        };
        let reset = Duration::from_secs_f64(reset.clamp(0.0, 3600.0));
        let low = limit.limit.map(|l| l * LOW_WATER).unwrap_or(2.0).max(1.0);
        let gap = if remaining < 1.0 {
            reset
        } else if remaining <= low {
            reset.div_f64(remaining + 1.0)
        } else {
            return;
        };
        self.push_back(group, now + gap);
    }

    /// Holds `group` until `until` (after a 429).
    pub fn block_until(&self, group: &str, until: Instant) {
        self.push_back(group, until);
    }

    fn push_back(&self, group: &str, until: Instant) {
        let mut map = self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        let slot = map.entry(group.to_owned()).or_insert(until);
        *slot = (*slot).max(until);
    }
}

/// The endpoint group of an API path: its first segment (`lead/123/` →
/// `lead`), which is how Close groups most endpoints.
pub fn group_of(path: &str) -> &str {
    path.trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(limit: f64, remaining: f64, reset: f64) -> RateLimit {
        RateLimit {
            limit: Some(limit),
            remaining: Some(remaining),
            reset: Some(reset),
        }
    }

    #[test]
    fn plenty_of_budget_means_no_wait() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe("lead", limit(100.0, 80.0, 1.0), now);
        assert_eq!(pacer.wait_for("lead", now), Duration::ZERO);
    }

    #[test]
    fn a_spent_budget_waits_for_the_reset() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe("lead", limit(10.0, 0.0, 0.5), now);
        assert_eq!(pacer.wait_for("lead", now), Duration::from_millis(500));
        assert_eq!(pacer.wait_for("contact", now), Duration::ZERO);
    }

    #[test]
    fn a_low_budget_is_spread_over_the_window() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe("lead", limit(10.0, 1.0, 1.0), now);
        assert_eq!(pacer.wait_for("lead", now), Duration::from_millis(500));
    }

    #[test]
    fn groups_come_from_the_first_path_segment() {
        assert_eq!(group_of("lead/"), "lead");
        assert_eq!(group_of("/lead/lead_abc/"), "lead");
        assert_eq!(group_of("status/lead/"), "status");
        assert_eq!(group_of("me/"), "me");
    }
}
