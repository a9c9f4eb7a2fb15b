//! Reading Close's rate-limit headers, leniently.
//!
//! Close documents `RateLimit: limit=100, remaining=50, reset=5` with a
//! decimal reset, while live responses have been seen with `;` separators
//! and separate `ratelimit-limit` / `-remaining` / `-reset` headers
//! (research/close-api.md, section 4). We accept all of them, and
//! `Retry-After` as seconds or an HTTP date.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// What one response says about its endpoint group's budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub limit: Option<f64>,
    pub remaining: Option<f64>,
    /// Seconds until the window resets.
    pub reset: Option<f64>,
}

impl RateLimit {
    /// Parses the headers of a response; `None` when none of them is there.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut parsed = headers
            .get("ratelimit")
            .and_then(|value| value.to_str().ok())
            .map(parse_ratelimit)
            .unwrap_or(Self {
                limit: None,
                remaining: None,
                reset: None,
            });
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(leading_number)
        };
        // The separate RFC-draft headers, then the pre-2023 `x-rate-limit-*`
        // ones (sync tools still read them; their reset may be fractional).
        parsed.limit = parsed
            .limit
            .or_else(|| number("ratelimit-limit"))
            .or_else(|| number("x-rate-limit-limit"));
        parsed.remaining = parsed
            .remaining
            .or_else(|| number("ratelimit-remaining"))
            .or_else(|| number("x-rate-limit-remaining"));
        parsed.reset = parsed
            .reset
            .or_else(|| number("ratelimit-reset"))
            .or_else(|| number("x-rate-limit-reset"));
        (parsed.limit.is_some() || parsed.remaining.is_some() || parsed.reset.is_some())
            .then_some(parsed)
    }
}

/// Parses the value of one `RateLimit` header: `key=value` pairs separated by
/// `,` or `;`, in any order, ignoring unknown keys and junk.
pub fn parse_ratelimit(value: &str) -> RateLimit {
    let mut out = RateLimit {
        limit: None,
        remaining: None,
        reset: None,
    };
    for part in value.split([',', ';']) {
        let Some((key, number)) = part.split_once('=') else {
            continue;
        };
        let number = leading_number(number.trim().trim_matches('"'));
        match key.trim().to_ascii_lowercase().as_str() {
            "limit" => out.limit = number,
            "remaining" => out.remaining = number,
            "reset" => out.reset = number,
            _ => {}
        }
    }
    out
}

/// How long a 429 asks us to wait. Close's docs prefer the decimal
/// `reset` of the `RateLimit` header, but that header reports the limit
/// the key is *closest* to: when it still shows requests `remaining`, the
/// 429 came from another (stricter) limit, and `Retry-After` is the one
/// that speaks for it. A reset of zero (rounded down) says nothing either.
/// So: a spent limit's positive reset, else `Retry-After` (seconds or an
/// HTTP date), else any reset given.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, Utc::now())
}

fn retry_after_at(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let limit = RateLimit::from_headers(headers);
    let reset = limit.and_then(|l| l.reset).map(seconds);
    let spent = limit.is_some_and(|l| l.remaining.is_none_or(|left| left < 1.0));
    if let Some(reset) = reset.filter(|r| spent && !r.is_zero()) {
        return Some(reset);
    }
    retry_after_header(headers, now).or(reset)
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after_header(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Some(secs) = leading_number(value) {
        return Some(seconds(secs));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(seconds(
        (date.with_timezone(&Utc) - now).num_milliseconds() as f64 / 1000.0,
    ))
}

/// A non-negative, finite duration in seconds; bogus values count as zero.
fn seconds(value: f64) -> Duration {
    if value.is_finite() && value > 0.0 {
        Duration::from_secs_f64(value.min(3600.0))
    } else {
        Duration::ZERO
    }
}

/// The number at the start of `text` (`"60;w=1"` → 60), if any.
fn leading_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(text.len());
    text[..end].parse().ok().filter(|n: &f64| n.is_finite())
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn every_documented_and_observed_form_parses() {
        let cases = [
            ("limit=100, remaining=50, reset=5", (100.0, 50.0, 5.0)),
            ("limit=100; remaining=100; reset=1", (100.0, 100.0, 1.0)),
            (
                "limit=160, remaining=159, reset=0.412",
                (160.0, 159.0, 0.412),
            ),
            ("reset=2.5;limit=16;remaining=0", (16.0, 0.0, 2.5)),
            ("LIMIT=10 , Remaining=3 ,RESET=7", (10.0, 3.0, 7.0)),
        ];
        for (value, (limit, remaining, reset)) in cases {
            let parsed = parse_ratelimit(value);
            assert_eq!(parsed.limit, Some(limit), "{value}");
            assert_eq!(parsed.remaining, Some(remaining), "{value}");
            assert_eq!(parsed.reset, Some(reset), "{value}");
        }
    }

    #[test]
    fn junk_never_panics_and_yields_nothing() {
        for value in [
            "",
            ";;,,",
            "limit",
            "limit=abc",
            "reset=NaN",
            "=5",
            "reset=1e999",
        ] {
            let parsed = parse_ratelimit(value);
            assert!(parsed.reset.is_none_or(f64::is_finite), "{value}");
        }
    }

    #[test]
    fn separate_headers_fill_in() {
        let map = headers(&[
            ("ratelimit-limit", "100"),
            ("ratelimit-remaining", "0"),
            ("ratelimit-reset", "3"),
            ("x-ratelimit-limit", "60, 60;w=1, 100;w=1"),
        ]);
        let parsed = RateLimit::from_headers(&map).unwrap();
        assert_eq!(parsed.limit, Some(100.0));
        assert_eq!(parsed.remaining, Some(0.0));
        assert_eq!(parsed.reset, Some(3.0));
    }

    #[test]
    fn the_old_x_rate_limit_headers_and_a_lone_reset_are_read() {
        let map = headers(&[
            ("x-rate-limit-limit", "600"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", "0.75"),
        ]);
        let parsed = RateLimit::from_headers(&map).unwrap();
        assert_eq!(
            (parsed.limit, parsed.remaining, parsed.reset),
            (Some(600.0), Some(0.0), Some(0.75))
        );
        // A 429 from a stricter endpoint may carry only the reset.
        let map = headers(&[("ratelimit", "reset=2"), ("retry-after", "2")]);
        assert_eq!(retry_after(&map), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(&headers(&[])), None);
    }

    #[test]
    fn retry_after_prefers_the_decimal_reset() {
        let map = headers(&[
            ("ratelimit", "limit=10, remaining=0, reset=0.25"),
            ("retry-after", "1"),
        ]);
        assert_eq!(retry_after(&map), Some(Duration::from_millis(250)));
    }

    #[test]
    fn a_429_from_another_limit_or_a_zero_reset_waits_for_retry_after() {
        // The header speaks of a limit with requests left: this 429 came
        // from a stricter one, which Retry-After describes.
        let stricter = headers(&[
            ("ratelimit", "limit=100, remaining=40, reset=0.2"),
            ("retry-after", "30"),
        ]);
        assert_eq!(retry_after(&stricter), Some(Duration::from_secs(30)));
        // A reset rounded down to 0 says nothing; Retry-After rounds up.
        let rounded = headers(&[
            ("ratelimit", "limit=10, remaining=0, reset=0"),
            ("retry-after", "1"),
        ]);
        assert_eq!(retry_after(&rounded), Some(Duration::from_secs(1)));
        // With nothing better, a reset is still used.
        let lone = headers(&[("ratelimit", "limit=10, remaining=3, reset=0.5")]);
        assert_eq!(retry_after(&lone), Some(Duration::from_millis(500)));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        let now = DateTime::parse_from_rfc2822("Sun, 06 Nov 1994 08:49:37 GMT")
            .unwrap()
            .with_timezone(&Utc);
        let map = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")]);
        assert_eq!(retry_after_at(&map, now), Some(Duration::from_secs(10)));
        let past = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:27 GMT")]);
        assert_eq!(retry_after_at(&past, now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    }
}
