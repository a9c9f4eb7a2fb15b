//! Timestamps as Close writes them: `2024-03-05T14:22:31.123000+00:00`.
//!
//! Records keep microseconds since the Unix epoch (`Ts`), and format them on
//! the way out with a hand-rolled formatter: pages of leads carry dozens of
//! dates each, and chrono's general-purpose formatting would dominate.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Serialize, Serializer};

/// Microseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ts(pub i64);

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Generated history ends here, so the same seed gives the same dates on
/// any day; records changed later (the touch hook) are newer than all of it.
pub const ANCHOR: Ts = Ts(1_748_736_000_000_000); // 2025-06-01T00:00:00Z

impl Ts {
    pub fn now() -> Self {
        Ts(Utc::now().timestamp_micros())
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, 32 bytes.
    pub fn format(self, out: &mut [u8; 32]) -> &str {
        self.write_ascii(out);
        // Every byte `write_ascii` writes is an ASCII digit or separator.
        std::str::from_utf8(out).unwrap_or_default()
    }

    /// `format` as bytes, for writers that need no `&str`.
    pub fn write_ascii(self, out: &mut [u8; 32]) {
        let days = self.0.div_euclid(MICROS_PER_DAY);
        let micros = self.0.rem_euclid(MICROS_PER_DAY);
        let (y, m, d) = civil(days);
        let secs = micros / 1_000_000;
        let frac = micros % 1_000_000;
        write_num(&mut out[0..4], y.clamp(0, 9999) as u64);
        out[4] = b'-';
        write_num(&mut out[5..7], u64::from(m));
        out[7] = b'-';
        write_num(&mut out[8..10], u64::from(d));
        out[10] = b'T';
        write_num(&mut out[11..13], (secs / 3600) as u64);
        out[13] = b':';
        write_num(&mut out[14..16], (secs / 60 % 60) as u64);
        out[16] = b':';
        write_num(&mut out[17..19], (secs % 60) as u64);
        out[19] = b'.';
        write_num(&mut out[20..26], frac as u64);
        out[26..32].copy_from_slice(b"+00:00");
    }

    /// The calendar date, `YYYY-MM-DD`.
    pub fn date(self) -> Day {
        Day(self.0.div_euclid(MICROS_PER_DAY) as i32)
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 32];
        s.serialize_str(self.format(&mut buf))
    }
}

/// A calendar date (days since the epoch), serialized `YYYY-MM-DD`, as
/// Close writes `date_won` and task dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub i32);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 32];
        let full = Ts(i64::from(self.0) * MICROS_PER_DAY).format(&mut buf);
        s.serialize_str(&full[..10])
    }
}

tokio::task_local! {
    /// How far east of UTC (µs) this request's date filters without a
    /// zone are: its `x-tz-offset` header, or `--tz-offset` (see guard.rs).
    pub static FILTER_OFFSET: i64;
}

/// An `x-tz-offset` value (hours from UTC, -14 to 14, fractions allowed)
/// in microseconds.
pub fn offset_hours(text: &str) -> Option<i64> {
    let hours: f64 = text.trim().parse().ok()?;
    (-14.0..=14.0)
        .contains(&hours)
        .then(|| (hours * 3_600_000_000.0).round() as i64)
}

/// Parses the date forms Close's filters accept: RFC 3339, or a naive
/// `YYYY-MM-DD[(T| )HH:MM[:SS[.f]]]` read in the request's zone
/// ([`FILTER_OFFSET`]; UTC outside a request).
pub fn parse(text: &str) -> Option<Ts> {
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(Ts(dt.timestamp_micros()));
    }
    let offset = FILTER_OFFSET.try_with(|offset| *offset).unwrap_or(0);
    parse_naive(text).map(|ts| Ts(ts.0 - offset))
}

/// A date without a zone, as if in UTC.
fn parse_naive(text: &str) -> Option<Ts> {
    const FORMATS: [&str; 6] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ];
    for format in FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Ts(dt.and_utc().timestamp_micros()));
        }
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(Ts(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros()))
}

/// `00` to `99`, so a date takes half as many divisions; every lead on a
/// page carries a dozen dates with its children.
const PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// `v` in decimal, zero-padded (or cut) to fill `out`.
fn write_num(out: &mut [u8], mut v: u64) {
    let mut end = out.len();
    while end >= 2 {
        let pair = (v % 100) as usize * 2;
        out[end - 2..end].copy_from_slice(&PAIRS[pair..pair + 2]);
        v /= 100;
        end -= 2;
    }
    if end == 1 {
        out[0] = b'0' + (v % 10) as u8;
    }
}

/// Days since the epoch to (year, month, day); Howard Hinnant's algorithm.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_close_and_matches_chrono() {
        let mut buf = [0u8; 32];
        assert_eq!(ANCHOR.format(&mut buf), "2025-06-01T00:00:00.000000+00:00");
        for micros in [
            0,
            951_782_400_123_456,
            1_709_648_551_123_000,
            4_102_444_799_999_999,
        ] {
            let ours = Ts(micros).format(&mut buf).to_owned();
            let theirs = DateTime::from_timestamp_micros(micros)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
                .to_string();
            assert_eq!(ours, theirs);
            assert_eq!(parse(&ours), Some(Ts(micros)));
        }
    }

    #[test]
    fn parses_filter_forms() {
        let minute = parse("2024-03-05T14:22").unwrap();
        assert_eq!(parse("2024-03-05 14:22"), Some(minute));
        assert_eq!(parse("2024-03-05T14:22:00Z"), Some(minute));
        assert_eq!(parse("2024-03-05T16:22:00+02:00"), Some(minute));
        assert!(parse("2024-03-05").unwrap() < minute);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse("2024-13-05"), None);
    }
}
