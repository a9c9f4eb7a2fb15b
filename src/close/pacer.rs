//! Client-side pacing per endpoint group, driven by Close's rate-limit
//! headers, so a long sync rarely meets a 429.
//!
//! Close limits requests per endpoint group (research/close-api.md, section
//! 4). After each response we know how much budget the group has left and
//! when the window resets. Each request takes one unit of that budget as it
//! leaves, so concurrent requests cannot all spend the same last unit; when
//! the budget is spent we wait for the reset, and then start the next window
//! with the full limit rather than waiting for a response to say so. When
//! the budget runs low we spread the remaining requests over the rest of the
//! window instead of spending them at once.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::ratelimit::RateLimit;

/// Below this share of the limit, requests are spread out evenly.
const LOW_WATER: f64 = 0.2;

/// A response whose window ends this much later than the one we know is
/// from the next window (responses from one window differ by their latency).
const NEXT_WINDOW: Duration = Duration::from_millis(250);

/// Sent this long after a window's estimated end, so rounding in the
/// reset header (milliseconds) never puts a request before the reset.
const MARGIN: Duration = Duration::from_millis(2);

/// While a spent budget's reset is unknown (the next window's first answers
/// are still in flight), look again this often.
const UNKNOWN_RESET: Duration = Duration::from_millis(10);

/// A spent budget whose reset stays unknown this long lets one request go
/// to ask: no answer may be on its way to tell (none was in flight, or its
/// answers were taken for the old window's), and waiting on would be
/// waiting for ever.
const PROBE_AFTER: Duration = Duration::from_secs(1);

/// A wait at least this long is told to whoever listens, so a sync held by
/// a spent budget is seen waiting, not frozen.
pub const VISIBLE_WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct Pacer {
    groups: Mutex<HashMap<String, Group>>,
}

/// What we know of one group's window.
#[derive(Debug)]
struct Group {
    /// Nothing is sent before this (a 429's wait, or spreading).
    not_before: Instant,
    /// Requests the window still allows, less those already sent; `None`
    /// when the headers never said.
    budget: Option<f64>,
    limit: Option<f64>,
    /// When the current window ends; `None` once it has, until an answer
    /// from the next one says when that ends.
    reset_at: Option<Instant>,
    /// When the window before ended: answers still in flight from it are
    /// not mistaken for the next one's.
    last_reset: Option<Instant>,
    /// Since when a spent budget has waited with no known reset.
    unknown_since: Option<Instant>,
}

impl Group {
    fn new(now: Instant) -> Self {
        Self {
            not_before: now,
            budget: None,
            limit: None,
            reset_at: None,
            last_reset: None,
            unknown_since: None,
        }
    }

    /// How long a request must wait at `now`; zero means it may go, and
    /// then it has taken its unit of budget.
    fn take(&mut self, now: Instant) -> Duration {
        if self.reset_at.is_some_and(|at| at + MARGIN <= now) {
            // The window is over: the next one allows the full limit, or,
            // when no answer ever said the limit, whatever the next answer
            // says (a budget kept at zero would never send that request).
            self.last_reset = self.reset_at.take();
            self.budget = self.limit.filter(|limit| *limit >= 1.0);
        }
        if self.not_before > now {
            return self.not_before - now;
        }
        let Some(budget) = self.budget else {
            return Duration::ZERO;
        };
        if budget < 1.0 {
            if let Some(at) = self.reset_at {
                return (at + MARGIN).saturating_duration_since(now).max(MARGIN);
            }
            let since = *self.unknown_since.get_or_insert(now);
            if now < since + PROBE_AFTER {
                return UNKNOWN_RESET;
            }
            // One request goes to ask; its answer starts the next window.
            self.unknown_since = None;
            return Duration::ZERO;
        }
        let left = budget - 1.0;
        self.budget = Some(left);
        if let Some(at) = self.reset_at
            && left <= self.low()
        {
            self.not_before = now + at.saturating_duration_since(now).div_f64(left + 1.0);
        }
        Duration::ZERO
    }

    fn low(&self) -> f64 {
        self.limit.map(|l| l * LOW_WATER).unwrap_or(2.0).max(1.0)
    }
}

impl Pacer {
    /// How long a request to `group` should wait before it is sent, if it
    /// were sent now (this takes no budget; [`Pacer::wait`] does).
    #[cfg(test)]
    pub fn wait_for(&self, group: &str, now: Instant) -> Duration {
        let map = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let Some(g) = map.get(group) else {
            return Duration::ZERO;
        };
        let spent = g.budget.is_some_and(|b| b < 1.0) && g.reset_at.is_none_or(|at| at > now);
        let until = match (spent, g.reset_at) {
            (true, Some(at)) => at.max(g.not_before),
            _ => g.not_before,
        };
        until.saturating_duration_since(now)
    }

    /// Sleeps until `group` may send again, and takes a unit of its budget.
    /// A sleep of [`VISIBLE_WAIT`] or more is told to `waiting` first, with
    /// when it ends.
    pub async fn wait(&self, group: &str, waiting: impl Fn(Instant)) {
        loop {
            let (wait, now) = {
                let mut map = self.groups.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                match map.get_mut(group) {
                    Some(g) => (g.take(now), now),
                    None => (Duration::ZERO, now),
                }
            };
            if wait.is_zero() {
                return;
            }
            if wait >= VISIBLE_WAIT {
                waiting(now + wait);
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Learns from a response's rate-limit headers.
    pub fn observe(&self, group: &str, limit: RateLimit, now: Instant) {
        let (Some(remaining), Some(reset)) = (limit.remaining, limit.reset) else {
            return;
        };
        let at = now + Duration::from_secs_f64(reset.clamp(0.0, 3600.0));
        let mut map = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let g = map
            .entry(group.to_owned())
            .or_insert_with(|| Group::new(now));
        g.limit = limit.limit.or(g.limit);
        g.unknown_since = None;
        match g.reset_at {
            // A later window than the one we know: its count is the server's.
            Some(known) if at > known + NEXT_WINDOW => {
                g.reset_at = Some(at);
                g.budget = Some(remaining);
            }
            // The same window: what we sent since may not have been counted
            // yet, so the smaller budget holds. Every answer's reset, counted
            // from when it arrived, is at or after the window's true end
            // (the server counted the request before we read its answer), so
            // the earliest is the closest; the latest would idle the group
            // for the slowest answer's delay every window.
            Some(known) => {
                g.reset_at = Some(known.min(at));
                g.budget = Some(g.budget.map_or(remaining, |b| b.min(remaining)));
            }
            // A late answer from the window that just ended says nothing
            // about the next.
            None if g.last_reset.is_some_and(|last| at <= last + NEXT_WINDOW) => {
                return;
            }
            // The first answer from the window we started on our own.
            None => {
                g.reset_at = Some(at);
                g.budget = Some(g.budget.map_or(remaining, |b| b.min(remaining)));
            }
        }
        let left = g.budget.unwrap_or(remaining);
        if left >= 1.0 && left <= g.low() {
            let gap = (at.saturating_duration_since(now)).div_f64(left + 1.0);
            g.not_before = g.not_before.max(now + gap);
        }
    }

    /// Holds `group` until `until` (after a 429).
    pub fn block_until(&self, group: &str, until: Instant) {
        let mut map = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        let g = map
            .entry(group.to_owned())
            .or_insert_with(|| Group::new(until));
        g.not_before = g.not_before.max(until);
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
    fn each_request_takes_a_unit_and_the_next_window_starts_full() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe("lead", limit(20.0, 10.0, 1.0), now);
        let send = |at| goes(&pacer, at).unwrap();
        let reset = now + Duration::from_secs(1);
        // Ten requests asked for at once each take their own unit (the last
        // few spread out); the eleventh goes when the window resets.
        for _ in 0..10 {
            assert!(send(now) < reset);
        }
        let first = send(now);
        assert!(first >= reset);
        // The new window allows the full limit at once.
        for _ in 1..20 {
            assert_eq!(send(first), first);
        }
    }

    #[test]
    fn the_earliest_reset_of_a_window_holds_and_late_answers_are_ignored() {
        let pacer = Pacer::default();
        let now = Instant::now();
        let ms = Duration::from_millis;
        // The slower answer of the same window says it resets later: the
        // window still ends when the faster one said.
        pacer.observe("lead", limit(2.0, 1.0, 0.5), now);
        pacer.observe("lead", limit(2.0, 0.0, 0.45), now + ms(100));
        let wait = |at| take(&pacer, at);
        // (Past the spreading of the last unit, the spent budget waits.)
        assert_eq!(wait(now + ms(300)), ms(200) + MARGIN);
        // The next window starts full just after that.
        assert_eq!(wait(now + ms(500) + MARGIN), Duration::ZERO);
        // An answer from the old window, arriving late, changes nothing.
        pacer.observe("lead", limit(2.0, 0.0, 0.01), now + ms(505));
        assert_eq!(wait(now + ms(510)), Duration::ZERO);
    }

    /// What `take` says at `at` to a request for the `lead` group.
    fn take(pacer: &Pacer, at: Instant) -> Duration {
        pacer
            .groups
            .lock()
            .unwrap()
            .get_mut("lead")
            .unwrap()
            .take(at)
    }

    /// When a request for the `lead` group asked for at `at` goes; `None`
    /// if it has not gone within a minute.
    fn goes(pacer: &Pacer, mut at: Instant) -> Option<Instant> {
        let end = at + Duration::from_secs(60);
        while at < end {
            let wait = take(pacer, at);
            if wait.is_zero() {
                return Some(at);
            }
            at += wait;
        }
        None
    }

    #[test]
    fn a_spent_budget_with_no_known_limit_goes_on_after_its_reset() {
        // `ratelimit-remaining: 0` and `ratelimit-reset: 0.5`, no limit.
        let pacer = Pacer::default();
        let now = Instant::now();
        let spent = RateLimit {
            limit: None,
            remaining: Some(0.0),
            reset: Some(0.5),
        };
        pacer.observe("lead", spent, now);
        let went = goes(&pacer, now).expect("the request went");
        assert!(went >= now + Duration::from_millis(500));
        assert!(went < now + Duration::from_millis(600));
    }

    #[test]
    fn a_spent_budget_nobody_answers_for_sends_one_request_to_ask() {
        // A window short enough that the next window's answers were taken
        // for late ones of the old: spent, and no reset known.
        let pacer = Pacer::default();
        let now = Instant::now();
        let ms = Duration::from_millis;
        pacer.observe("lead", limit(1.0, 0.0, 0.1), now);
        let first = goes(&pacer, now).expect("after the reset");
        pacer.observe("lead", limit(1.0, 0.0, 0.1), first);
        let second = goes(&pacer, first).expect("never waits for ever");
        assert!(second >= first + PROBE_AFTER);
        assert!(second < first + PROBE_AFTER + ms(50));
    }

    #[tokio::test]
    async fn a_wait_of_a_second_or_more_is_told_before_it_is_slept() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe("lead", limit(5.0, 0.0, 1.2), now);
        pacer.observe("contact", limit(5.0, 0.0, 0.2), now);
        let told = Mutex::new(Vec::new());
        let tell = |group: &'static str| {
            let told = &told;
            move |until| told.lock().unwrap().push((group, until))
        };
        tokio::join!(
            pacer.wait("lead", tell("lead")),
            pacer.wait("contact", tell("contact"))
        );
        let told = told.into_inner().unwrap();
        assert_eq!(told.len(), 1, "only the long wait: {told:?}");
        assert_eq!(told[0].0, "lead");
        assert!(told[0].1 >= now + Duration::from_millis(1200));
    }

    #[test]
    fn groups_come_from_the_first_path_segment() {
        assert_eq!(group_of("lead/"), "lead");
        assert_eq!(group_of("/lead/lead_abc/"), "lead");
        assert_eq!(group_of("status/lead/"), "status");
        assert_eq!(group_of("me/"), "me");
    }
}
