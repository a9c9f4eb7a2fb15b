//! Dates as the sync writes them into queries: at a chosen precision,
//! floored, and read back from records.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

pub type Ts = DateTime<Utc>;

/// How finely a date is written into a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Minute,
    Second,
    Micro,
}

impl Precision {
    pub const ALL: [Precision; 3] = [Self::Minute, Self::Second, Self::Micro];

    fn unit(self) -> TimeDelta {
        match self {
            Self::Minute => TimeDelta::minutes(1),
            Self::Second => TimeDelta::seconds(1),
            Self::Micro => TimeDelta::microseconds(1),
        }
    }
}

/// `t` rounded down to `precision`.
pub fn floor(t: Ts, precision: Precision) -> Option<Ts> {
    t.duration_trunc(precision.unit()).ok()
}

/// `t` as a query value; `t` is already a whole `precision`.
pub fn format(t: Ts, precision: Precision) -> String {
    let pattern = match precision {
        Precision::Minute => "%Y-%m-%dT%H:%M",
        Precision::Second => "%Y-%m-%dT%H:%M:%S",
        Precision::Micro => "%Y-%m-%dT%H:%M:%S%.6f",
    };
    t.format(pattern).to_string()
}

/// The precision a whole date needs to be written exactly.
pub fn precision_of(t: Ts) -> Precision {
    Precision::ALL
        .into_iter()
        .find(|p| floor(t, *p) == Some(t))
        .unwrap_or(Precision::Micro)
}

/// A record's date field, if it is a date.
pub fn date_of(record: &serde_json::Value, key: &str) -> Option<Ts> {
    parse_date(record.get(key)?.as_str()?)
}

/// An RFC 3339 date.
pub fn parse_date(text: &str) -> Option<Ts> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Ts {
        parse_date(text).unwrap()
    }

    #[test]
    fn dates_are_written_at_the_precision_asked() {
        let t = at("2025-05-09T01:16:41.666123Z");
        let minute = floor(t, Precision::Minute).unwrap();
        assert_eq!(format(minute, Precision::Minute), "2025-05-09T01:16");
        let second = floor(t, Precision::Second).unwrap();
        assert_eq!(format(second, Precision::Second), "2025-05-09T01:16:41");
        assert_eq!(format(t, Precision::Micro), "2025-05-09T01:16:41.666123");
        assert_eq!(precision_of(minute), Precision::Minute);
        assert_eq!(precision_of(t), Precision::Micro);
    }
}
