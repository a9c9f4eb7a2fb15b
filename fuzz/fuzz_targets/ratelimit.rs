//! Close's rate-limit headers: the `RateLimit` value parser, the separate
//! `ratelimit-*` headers and `Retry-After`, over arbitrary header maps.
//!
//! Input: lines of `name: value`; lines that are not a valid header are
//! skipped (reqwest would never hand us one). The first line is also fed
//! to the value parser alone.
//!
//! Invariants: no panic; every parsed number is finite; `from_headers`
//! returns `Some` only with at least one number; a wait is never more than
//! an hour.
#![no_main]

use std::time::Duration;

use close_tui::close::{RateLimit, parse_ratelimit, retry_after};
use libfuzzer_sys::fuzz_target;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(&parse_ratelimit(text.lines().next().unwrap_or_default()));

    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim_ascii()),
            HeaderValue::from_bytes(value.trim_ascii()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    if let Some(limit) = RateLimit::from_headers(&headers) {
        check(&limit);
        assert!(limit.limit.is_some() || limit.remaining.is_some() || limit.reset.is_some());
    }
    if let Some(wait) = retry_after(&headers) {
        assert!(wait <= Duration::from_secs(3600), "{wait:?}");
    }
});

fn check(limit: &RateLimit) {
    for number in [limit.limit, limit.remaining, limit.reset]
        .into_iter()
        .flatten()
    {
        assert!(number.is_finite(), "{limit:?}");
    }
}
