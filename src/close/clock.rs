//! Close's clock, as the `Date` header of its answers tells it. Times sent
//! back to Close as filters (since when to read the event log) are taken
//! from it rather than from this machine's clock, which may run hours
//! ahead or behind.

use std::{sync::Mutex, time::Instant};

use chrono::{DateTime, Utc};
use reqwest::header::{DATE, HeaderMap};

#[derive(Debug, Default)]
pub struct ServerClock {
    /// The latest `Date` read, and when it arrived.
    last: Mutex<Option<(Instant, DateTime<Utc>)>>,
}

impl ServerClock {
    /// Learns the time from an answer's headers, received at `at`.
    pub fn observe(&self, headers: &HeaderMap, at: Instant) {
        let Some(date) = headers
            .get(DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| DateTime::parse_from_rfc2822(text).ok())
        else {
            return;
        };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        *last = Some((at, date.with_timezone(&Utc)));
    }

    /// Close's time now (to the second it sends), or this machine's when
    /// no answer has said.
    pub fn now(&self) -> DateTime<Utc> {
        let last = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        match last {
            Some((at, date)) => {
                let since = chrono::Duration::from_std(at.elapsed()).unwrap_or_default();
                date + since
            }
            None => Utc::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_header_sets_the_time_and_the_clock_runs_on() {
        let clock = ServerClock::default();
        let before = Utc::now();
        assert!(clock.now() >= before, "this machine's time until told");
        let mut headers = HeaderMap::new();
        headers.insert(DATE, "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap());
        clock.observe(&headers, Instant::now());
        let told = DateTime::parse_from_rfc2822("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let now = clock.now();
        assert!(now >= told && now < told + chrono::Duration::seconds(5));
        // A header that is no date changes nothing.
        headers.insert(DATE, "soon".parse().unwrap());
        clock.observe(&headers, Instant::now());
        assert!(clock.now() < told + chrono::Duration::seconds(5));
    }
}
