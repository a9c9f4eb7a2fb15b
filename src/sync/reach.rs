//! How far back an incremental pass reads Close's event log for
//! deletions, and whether the log still reaches that far.

use chrono::{Duration, Utc};

use super::plan::Ts;

/// How far back Close's event log reaches.
const EVENT_LOG_DAYS: i64 = 30;

/// What the cache knows of when Close's event log was last read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadFrom {
    /// When the last finished pass was planned, on Close's clock: every
    /// deletion before it was read then, or swept.
    pub events_from: Option<Ts>,
    /// Caches from before v6 (`events_from` unset): when the last pass
    /// finished (unix seconds) and the last full pass began (unix
    /// microseconds), on this machine's clock.
    pub last_sync: Option<i64>,
    pub full_started: Option<i64>,
}

/// Since when a pass asks for deletions: from when the last finished pass
/// began, on Close's clock, less `skew`. (Caches from before v6 go by this
/// machine's clock: the later of the previous window and the last pass's
/// end, but no later than when the last full pass began.) `None` when the
/// event log no longer reaches back that far, or nothing was synced
/// before: the pass runs full.
pub fn since(window: Option<Ts>, from: ReadFrom, skew: Duration) -> Option<Ts> {
    let window = window?;
    let since = match from.events_from {
        Some(began) => began - skew,
        None => {
            let finished = from
                .last_sync
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
            let mut since = finished.map_or(window, |t| window.max(t - skew));
            let started = from
                .full_started
                .and_then(chrono::DateTime::from_timestamp_micros);
            if let Some(started) = started {
                since = since.min(started - skew);
            }
            since
        }
    };
    within_reach(since).then_some(since)
}

/// Whether the event log still reaches back to `since` (with a day's
/// margin: the horizon is Close's, measured on its clock).
pub fn within_reach(since: Ts) -> bool {
    since > Utc::now() - Duration::days(EVENT_LOG_DAYS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletions_are_read_from_when_the_last_pass_began_on_closes_clock() {
        let now = Utc::now();
        let hour = Duration::hours(1);
        let window = now - Duration::days(10);
        let began = now - Duration::days(1);
        let read = |events_from| ReadFrom {
            events_from,
            // This machine's clock, three hours ahead when that pass ran:
            // not looked at once Close's is known.
            last_sync: Some((began + Duration::hours(3)).timestamp()),
            full_started: None,
        };
        assert_eq!(
            since(Some(window), read(Some(began)), hour),
            Some(began - hour)
        );
        // A busy account's window is no reason to skip what came between.
        let busy = now - Duration::minutes(5);
        assert_eq!(
            since(Some(busy), read(Some(began)), hour),
            Some(began - hour)
        );
    }

    #[test]
    fn caches_from_before_v6_go_by_the_later_of_window_and_last_sync() {
        let now = Utc::now();
        let hour = Duration::hours(1);
        let window = now - Duration::days(10);
        let synced = (now - Duration::days(1)).timestamp();
        let read = |last_sync, full_started| ReadFrom {
            events_from: None,
            last_sync,
            full_started,
        };
        // An idle account: its window is old, its last sync is not.
        assert_eq!(
            since(Some(window), read(Some(synced), None), hour).map(|t| t.timestamp()),
            Some(synced - 3600)
        );
        // A busy one: the window is the later.
        let busy = now - Duration::minutes(5);
        assert_eq!(
            since(Some(busy), read(Some(synced), None), hour),
            Some(busy)
        );
        assert_eq!(since(Some(window), read(None, None), hour), Some(window));
        // After a full pass: from when it began.
        let began =
            chrono::DateTime::from_timestamp_micros((now - Duration::days(2)).timestamp_micros())
                .unwrap();
        let full = read(Some(synced), Some(began.timestamp_micros()));
        assert_eq!(since(Some(busy), full, hour), Some(began - hour));
    }

    #[test]
    fn past_the_event_logs_horizon_the_pass_runs_full() {
        let now = Utc::now();
        let month = now - Duration::days(EVENT_LOG_DAYS + 1);
        let hour = Duration::hours(1);
        let old = ReadFrom {
            last_sync: Some(month.timestamp()),
            ..ReadFrom::default()
        };
        assert_eq!(since(Some(month), old, hour), None);
        let recent = ReadFrom {
            last_sync: Some(now.timestamp()),
            ..ReadFrom::default()
        };
        assert_eq!(since(None, recent, hour), None);
        let full = ReadFrom {
            full_started: Some(month.timestamp_micros()),
            ..recent
        };
        assert_eq!(since(Some(now), full, hour), None);
        let read_long_ago = ReadFrom {
            events_from: Some(month),
            ..recent
        };
        assert_eq!(since(Some(now), read_long_ago, hour), None);
    }
}
