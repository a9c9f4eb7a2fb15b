//! The plan of one sync pass: date slices worked concurrently, each with
//! the progress its committed pages made. It is saved (as JSON, in
//! `cache_sync_state.run`) in the same transaction as every page, so a
//! killed sync resumes from exactly what was committed.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

pub use super::dates::{Precision, Ts, date_of, floor, format, parse_date, precision_of};

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
    /// What its worker has seen so far, while one pages it (not saved).
    #[serde(skip)]
    pub paging: Option<Paging>,
}

/// A lead slice's progress as its worker sees it, before the writer has
/// committed it: what [`Plan::split_busiest`] cuts by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    /// The newest `date_updated` fetched.
    pub fetched: Option<Ts>,
    /// Records the window still holds, by the server's `total_results`;
    /// unknown until a page says, and again after a cut.
    pub left: Option<u64>,
}

impl Slice {
    pub fn new(lo: Option<Ts>, hi: Option<Ts>) -> Self {
        Self {
            lo,
            hi,
            cursor: None,
            done: false,
            paging: None,
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
    /// Lead passes: the newest `date_updated` at planning, where a cut of
    /// the open last slice aims.
    #[serde(default)]
    pub newest: Option<Ts>,
    /// Incremental passes: since when they ask Close's event log for
    /// deletions (see `deletions.rs`).
    #[serde(default)]
    pub deletions_since: Option<Ts>,
    /// A full pass: when it began (unix microseconds). An incremental pass
    /// that catches up after one: the rows of its scope stamped before this
    /// are removed at its end (see `deletions.rs`).
    #[serde(default)]
    pub sweep: Option<i64>,
    /// When the pass was planned, on Close's clock: the next pass reads
    /// the event log from here (see `deletions.rs`).
    #[serde(default)]
    pub began: Option<Ts>,
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
            newest: None,
            deletions_since: None,
            sweep: None,
            began: None,
        }
    }

    pub fn pending(&self) -> impl Iterator<Item = usize> + '_ {
        self.slices
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.done)
            .map(|(i, _)| i)
    }

    /// Work for an idle worker: the slice being paged with the most records
    /// left (at least `min_left`) is cut at the minute half-way between the
    /// newest date its worker has fetched and its end, and the upper part
    /// becomes a new slice, returned. Leads are not spread evenly in time
    /// (recent months hold most), so the slices planned by date alone end
    /// unevenly, and without this the last of them would be paged by one
    /// worker while the others sat idle.
    ///
    /// The busy worker reads its slice's end before each page: its window
    /// sorted by date is then a prefix of the one it had, so the `_skip` it
    /// reached still holds. A page already on its way may bring leads past
    /// the cut, which the new slice fetches again; they are stored once.
    pub fn split_busiest(&mut self, min_left: u64) -> Option<usize> {
        let mut busy: Vec<(usize, u64, Ts)> = self
            .slices
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.paging.as_ref()?.left?, self.cut(s)?)))
            .filter(|(_, left, _)| *left >= min_left)
            .collect();
        busy.sort_by_key(|(_, left, _)| std::cmp::Reverse(*left));
        let (index, _, cut) = busy.first().copied()?;
        let upper = Slice {
            paging: Some(Paging::default()),
            ..Slice::new(Some(cut), self.slices[index].hi)
        };
        let lower = &mut self.slices[index];
        lower.hi = Some(cut);
        if let Some(paging) = &mut lower.paging {
            paging.left = None;
        }
        self.slices.push(upper);
        Some(self.slices.len() - 1)
    }

    /// Whether a slice being paged may yet be worth a cut, once its next
    /// page says how much it has left: an idle worker waits for that page
    /// rather than leave.
    pub fn may_split(&self, min_left: u64) -> bool {
        self.slices.iter().any(|s| {
            s.paging
                .as_ref()
                .is_some_and(|p| p.left.is_none_or(|left| left >= min_left))
                && self.cut(s).is_some()
        })
    }

    /// Where a slice being paged would be cut: the minute half-way between
    /// the newest date its worker fetched (or its start) and its end (or
    /// the newest date planned), if that lies strictly between.
    fn cut(&self, slice: &Slice) -> Option<Ts> {
        if slice.done {
            return None;
        }
        let from = slice.paging.as_ref()?.fetched.max(slice.lo)?;
        let to = slice.hi.or(self.newest)?;
        floor(from + (to - from) / 2, Precision::Minute).filter(|cut| *cut > from && *cut < to)
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

    fn paged(lo: &str, hi: Option<&str>, fetched: &str, left: Option<u64>) -> Slice {
        Slice {
            paging: Some(Paging {
                fetched: Some(at(fetched)),
                left,
            }),
            ..Slice::new(Some(at(lo)), hi.map(at))
        }
    }

    #[test]
    fn an_idle_worker_gets_the_upper_half_of_the_busiest_slice() {
        let mut plan = Plan::new(true, None, Vec::new());
        plan.newest = Some(at("2025-01-01T12:00:00Z"));
        plan.slices = vec![
            Slice {
                done: true,
                ..Slice::new(None, Some(at("2025-01-01T00:00:00Z")))
            },
            paged(
                "2025-01-01T00:00:00Z",
                Some("2025-01-01T02:00:00Z"),
                "2025-01-01T00:10:00Z",
                Some(5_000),
            ),
            paged(
                "2025-01-01T02:00:00Z",
                None,
                "2025-01-01T03:00:00Z",
                Some(900),
            ),
        ];
        let upper = plan.split_busiest(600).unwrap();
        assert_eq!(upper, 3);
        // Half-way from what slice 1 fetched to its end, on a minute.
        let cut = at("2025-01-01T01:05:00Z");
        assert_eq!(plan.slices[1].hi, Some(cut));
        assert_eq!(plan.slices[3].lo, Some(cut));
        assert_eq!(plan.slices[3].hi, Some(at("2025-01-01T02:00:00Z")));
        assert!(
            plan.slices[3].paging.is_some(),
            "the new slice is being paged"
        );
        // Slice 1's count is stale until its next page; slice 2 is next.
        assert_eq!(plan.slices[1].paging.as_ref().unwrap().left, None);
        assert_eq!(plan.split_busiest(600), Some(4));
        assert_eq!(plan.slices[2].hi, Some(at("2025-01-01T07:30:00Z")));
        assert_eq!(plan.slices[4].hi, None, "the open end stays open");
        assert_eq!(plan.split_busiest(600), None);
    }

    #[test]
    fn small_finished_or_unpaged_slices_are_not_cut() {
        let mut plan = Plan::new(true, None, Vec::new());
        plan.newest = Some(at("2025-01-01T12:00:00Z"));
        plan.slices = vec![
            paged(
                "2025-01-01T00:00:00Z",
                None,
                "2025-01-01T01:00:00Z",
                Some(599),
            ),
            Slice::new(Some(at("2025-01-01T00:00:00Z")), None),
            Slice {
                done: true,
                ..paged(
                    "2025-01-01T00:00:00Z",
                    None,
                    "2025-01-01T01:00:00Z",
                    Some(9_000),
                )
            },
            // Its worker is already past the newest date planned.
            paged(
                "2025-01-01T00:00:00Z",
                None,
                "2025-01-01T12:30:00Z",
                Some(9_000),
            ),
        ];
        assert_eq!(plan.split_busiest(600), None);
        assert!(!plan.may_split(600));
        // A page not yet answered may still show a deep slice: wait for it.
        plan.slices[0].paging.as_mut().unwrap().left = None;
        assert!(plan.may_split(600));
    }

    #[test]
    fn what_workers_see_is_not_saved_and_older_plans_still_load() {
        let mut plan = Plan::new(true, Some(10), Vec::new());
        plan.newest = Some(at("2025-01-01T12:00:00Z"));
        plan.slices = vec![paged(
            "2025-01-01T00:00:00Z",
            None,
            "2025-01-01T01:00:00Z",
            Some(9),
        )];
        let json = serde_json::to_string(&plan).unwrap();
        assert!(!json.contains("paging") && !json.contains("left"), "{json}");
        let back: Plan = serde_json::from_str(&json).unwrap();
        assert_eq!(back.newest, plan.newest);
        assert_eq!(back.slices[0].paging, None);
        let old = r#"{"full":true,"total":1,"done":0,"high_water":null,
            "slices":[{"lo":null,"hi":null,"cursor":null,"done":false}]}"#;
        let old: Plan = serde_json::from_str(old).unwrap();
        assert_eq!((old.newest, old.slices.len()), (None, 1));
    }
}
