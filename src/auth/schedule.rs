//! When to refresh: at `expires_at − max(60 s, 10 % of the lifetime)`, but
//! never later than half-way through a very short lifetime, with a little
//! jitter so processes sharing an account don't all wake together.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// What we know of an access token's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Lifetime {
    pub fn new(issued_at: DateTime<Utc>, expires_at: DateTime<Utc>) -> Self {
        Self {
            issued_at: issued_at.min(expires_at),
            expires_at,
        }
    }

    pub fn length(&self) -> Duration {
        (self.expires_at - self.issued_at)
            .to_std()
            .unwrap_or_default()
    }

    /// How long before expiry we refresh.
    pub fn margin(&self) -> Duration {
        let length = self.length();
        Duration::from_secs(60).max(length / 10).min(length / 2)
    }

    pub fn due_at(&self) -> DateTime<Utc> {
        self.expires_at - chrono::Duration::from_std(self.margin()).unwrap_or_default()
    }

    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        now >= self.due_at()
    }

    pub fn until_due(&self, now: DateTime<Utc>) -> Duration {
        (self.due_at() - now).to_std().unwrap_or_default()
    }
}

/// A random head start of up to a quarter of the margin (at most 5 s).
pub fn jitter(life: Lifetime) -> Duration {
    let ceiling = (life.margin() / 4).min(Duration::from_secs(5));
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::random_range(0..=millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn life(secs: i64) -> Lifetime {
        let issued = DateTime::from_timestamp(1_000_000, 0).unwrap();
        Lifetime::new(issued, issued + chrono::Duration::seconds(secs))
    }

    #[test]
    fn an_hour_token_refreshes_six_minutes_early() {
        assert_eq!(life(3600).margin(), Duration::from_secs(360));
    }

    #[test]
    fn a_ten_minute_token_refreshes_a_minute_early() {
        assert_eq!(life(600).margin(), Duration::from_secs(60));
    }

    #[test]
    fn very_short_tokens_refresh_half_way() {
        assert_eq!(life(2).margin(), Duration::from_secs(1));
        let l = life(2);
        assert!(!l.is_due(l.issued_at));
        assert!(l.is_due(l.issued_at + chrono::Duration::seconds(1)));
    }

    #[test]
    fn jitter_stays_small() {
        for _ in 0..100 {
            assert!(jitter(life(3600)) <= Duration::from_secs(5));
            assert!(jitter(life(2)) <= Duration::from_millis(250));
        }
    }
}
