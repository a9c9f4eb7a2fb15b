//! The plan of one sync pass: date slices worked concurrently, each with
//! the progress its committed pages made. It is saved (as JSON, in
//! `cache_sync_state.run`) in the same transaction as every page, so a
//! killed sync resumes from exactly what was committed.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

pub type Ts = DateTime<Utc>;

/// One slice of the date range a pass covers: `lo <= date < hi`, open where
/// `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slice {
    pub lo: Option<Ts>,
    pub hi: Option<Ts>,
    /// Lead windows: the newest `date_updated` committed so far; the slice
    /// resumes from there.
    pub cursor: Option<Ts>,
    pub done: bool,
}

impl Slice {
    pub fn new(lo: Option<Ts>, hi: Option<Ts>) -> Self {
        Self {
            lo,
            hi,
            cursor: None,
            done: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// A full pass (the first run, or `--full`) rather than an incremental one.
    pub full: bool,
    pub total: Option<u64>,
    /// Records committed so far.
    pub done: u64,
    /// Newest `date_updated` committed so far.
    pub high_water: Option<Ts>,
    /// Query parameters every request of the pass carries (task types).
    #[serde(default)]
    pub params: Vec<(String, String)>,
    pub slices: Vec<Slice>,
    /// Loading an empty cache: secondary indexes are built at the end (see
    /// `store/cache/bulk.rs`).
    #[serde(default)]
    pub bulk: bool,
}

impl Plan {
    pub fn new(full: bool, total: Option<u64>, params: Vec<(String, String)>) -> Self {
        Self {
            full,
            total,
            done: 0,
            high_water: None,
            params,
            slices: Vec::new(),
            bulk: false,
        }
    }

    pub fn pending(&self) -> impl Iterator<Item = usize> + '_ {
        self.slices
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.done)
            .map(|(i, _)| i)
    }
}

/// Splits `[lo, hi]` into up to `parts` slices whose inner bounds are whole
/// minutes (the precision Close's lead query is known to honour). The first
/// slice is open below and the last open above, so nothing outside the
/// range seen at planning time (a lead updated meanwhile) is missed.
pub fn slices(lo: Option<Ts>, hi: Option<Ts>, parts: usize) -> Vec<Slice> {
    let (Some(a), Some(b)) = (lo, hi) else {
        return vec![Slice::new(lo, None)];
    };
    let span = (b - a).num_seconds().max(0);
    let mut bounds: Vec<Ts> = (1..parts.max(1) as i64)
        .filter_map(|i| {
            floor(
                a + TimeDelta::seconds(span * i / parts as i64),
                Precision::Minute,
            )
        })
        .filter(|t| *t > a)
        .collect();
    bounds.dedup();
    let mut out = Vec::with_capacity(bounds.len() + 1);
    let mut start = lo;
    for bound in bounds {
        out.push(Slice::new(start, Some(bound)));
        start = Some(bound);
    }
    out.push(Slice::new(start, None));
    out
}

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
    fn slices_cover_everything_on_minute_bounds() {
        let parts = slices(
            Some(at("2025-01-01T00:00:30Z")),
            Some(at("2025-01-01T04:00:00Z")),
            4,
        );
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0].lo, Some(at("2025-01-01T00:00:30Z")));
        assert_eq!(parts[0].hi, Some(at("2025-01-01T01:00:00Z")));
        assert_eq!(parts[1].lo, parts[0].hi);
        assert_eq!(parts[3].hi, None);
        assert_eq!(slices(None, None, 4).len(), 1);
        let tiny = slices(
            Some(at("2025-01-01T00:00:01Z")),
            Some(at("2025-01-01T00:00:20Z")),
            8,
        );
        assert_eq!(tiny.len(), 1);
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
