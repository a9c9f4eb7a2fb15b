//! Backoff with full jitter, bounded, for requests worth repeating.

use std::time::Duration;

/// Exponential backoff with "full jitter": attempt `n` sleeps a uniformly
/// random time in `[0, min(cap, base · 2ⁿ)]`, which spreads retries from many
/// clients better than a fixed schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    /// Retries after the first attempt; 0 means never retry.
    pub max_retries: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(20),
            max_retries: 6,
        }
    }
}

impl Backoff {
    /// The longest sleep allowed before retry number `retry` (0-based).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(30));
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A random sleep before retry number `retry`.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let millis = ceiling.as_millis().min(u128::from(u64::MAX)) as u64;
        Duration::from_millis(rand::random_range(0..=millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            max_retries: 5,
        };
        let ceilings: Vec<_> = (0..6).map(|n| backoff.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn delays_stay_within_their_ceiling() {
        let backoff = Backoff::default();
        for retry in 0..10 {
            for _ in 0..50 {
                assert!(backoff.delay(retry) <= backoff.ceiling(retry));
            }
        }
    }
}
