//! Numbers, money and times as the screens print them.

use chrono::{DateTime, Utc};

/// `2000` → `"2,000"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1` → `"1 record"`, `2000` → `"2,000 records"`.
pub fn records(n: u64) -> String {
    match n {
        1 => "1 record".to_owned(),
        n => format!("{} records", thousands(n)),
    }
}

/// An amount in cents with its currency: `"$1,234.50"`, `"€12.00"`,
/// `"1,000.00 CHF"`.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let amount = format!("{}.{:02}", thousands(abs / 100), abs % 100);
    match currency.to_ascii_uppercase().as_str() {
        "USD" => format!("{sign}${amount}"),
        "EUR" => format!("{sign}€{amount}"),
        "GBP" => format!("{sign}£{amount}"),
        "" => format!("{sign}{amount}"),
        other => format!("{sign}{amount} {other}"),
    }
}

/// Seconds as `MM:SS` (hours roll into minutes: `75:00`); negative is `00:00`.
pub fn countdown(secs: i64) -> String {
    let secs = secs.max(0);
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// Seconds until `at`, never negative.
pub fn secs_until(now: DateTime<Utc>, at: DateTime<Utc>) -> i64 {
    (at - now).num_seconds().max(0)
}

/// How long ago `then` was: "just now", "5 min ago", "3 h ago", "2 d ago".
pub fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    match secs {
        i64::MIN..=59 => "just now".to_owned(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// A timestamp in the user's terms: `2026-03-01 14:05 UTC`.
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn numbers_and_money() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(2000), "2,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(records(0), "0 records");
        assert_eq!(records(1), "1 record");
        assert_eq!(records(100_001), "100,001 records");
        assert_eq!(money(123_450, "usd"), "$1,234.50");
        assert_eq!(money(-5, "EUR"), "-€0.05");
        assert_eq!(money(100_000, "CHF"), "1,000.00 CHF");
    }

    #[test]
    fn times() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        assert_eq!(countdown(754), "12:34");
        assert_eq!(countdown(-3), "00:00");
        assert_eq!(ago(now, now - chrono::Duration::minutes(5)), "5 min ago");
        assert_eq!(ago(now, now), "just now");
        assert_eq!(when(now), "2026-03-01 12:00 UTC");
    }
}
