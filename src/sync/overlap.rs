//! The check that keeps `_skip` paging honest while records change.
//!
//! A record that changes (or goes) behind the point a window has paged to
//! leaves its place, and every record after it moves up one: paging on
//! would skip one, and its date would keep it from every later incremental
//! sync. So each page after a window's first starts one record early, at
//! the last one fetched, and checks it is still there. When it is not, the
//! window starts again (what it re-reads is stored once).

use serde_json::value::RawValue;

use crate::close::records::RawPage;

/// How many times in a row one window may start again without getting
/// any further (records moving under its first pages faster than they can
/// be read). Past that the caller gives up on it (splits it, or fails the
/// pass, which the next sync resumes): paging on unchecked would skip a
/// record for good.
pub(crate) const MAX_SHIFTS: usize = 16;

/// One slice's check, window after window.
#[derive(Debug, Default)]
pub(crate) struct Overlap {
    /// The id of the last record fetched in this window.
    last_id: Option<String>,
    /// Restarts since the window last got further.
    shifts: usize,
}

/// What a page's first record says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Checked {
    /// Nothing moved; the record fetched before is gone from the page.
    Continues,
    /// Records moved: the window must start again.
    Shifted,
}

impl Overlap {
    /// The `_skip` to ask for when `skip` records of the window are in.
    pub fn skip(&self, skip: usize) -> usize {
        skip - usize::from(self.checking())
    }

    /// Checks a page asked for at [`Overlap::skip`]; after `Shifted` the
    /// window starts again from its first page.
    pub fn check(&mut self, page: &mut RawPage) -> Checked {
        if self.checking() {
            if page.data.first().and_then(|r| id_of(r)) != self.last_id {
                self.shifts += 1;
                self.last_id = None;
                return Checked::Shifted;
            }
            page.data.remove(0);
        }
        self.last_id = page.data.last().and_then(|r| id_of(r));
        Checked::Continues
    }

    /// A new window: its first page has nothing before it to check.
    pub fn restart(&mut self) {
        self.last_id = None;
    }

    /// Whether the window has started again [`MAX_SHIFTS`] times without
    /// getting any further.
    pub fn stuck(&self) -> bool {
        self.shifts >= MAX_SHIFTS
    }

    /// The window starts again further on than before: what it read is
    /// kept, so the restarts so far were progress.
    pub fn moved_on(&mut self) {
        self.shifts = 0;
    }

    fn checking(&self) -> bool {
        self.last_id.is_some()
    }
}

/// The `id` of a record's JSON, if it has one.
fn id_of(record: &RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<String>,
    }
    serde_json::from_str::<Id>(record.get()).ok()?.id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: &[&str]) -> RawPage {
        RawPage {
            data: ids
                .iter()
                .map(|id| RawValue::from_string(format!(r#"{{"id":"{id}"}}"#)).unwrap())
                .collect(),
            has_more: true,
            total_results: None,
        }
    }

    #[test]
    fn each_later_page_starts_at_the_last_record_and_drops_it() {
        let mut o = Overlap::default();
        assert_eq!(o.skip(0), 0);
        let mut first = page(&["a", "b"]);
        assert_eq!(o.check(&mut first), Checked::Continues);
        assert_eq!(first.data.len(), 2, "a first page has nothing to drop");
        assert_eq!(o.skip(2), 1);
        let mut next = page(&["b", "c"]);
        assert_eq!(o.check(&mut next), Checked::Continues);
        assert_eq!(next.data.len(), 1);
        assert_eq!(next.data[0].get(), r#"{"id":"c"}"#);
    }

    #[test]
    fn a_moved_record_restarts_the_window_and_never_goes_unchecked() {
        let mut o = Overlap::default();
        for _ in 0..MAX_SHIFTS {
            assert!(!o.stuck());
            o.check(&mut page(&["a"]));
            assert_eq!(o.check(&mut page(&["x", "y"])), Checked::Shifted);
            assert_eq!(o.skip(5), 5, "a window starting again checks nothing");
        }
        assert!(o.stuck(), "restarts that get nowhere are counted");
        // Still checked: a skipped record would be lost for good.
        o.check(&mut page(&["a"]));
        assert_eq!(o.skip(5), 4);
        assert_eq!(o.check(&mut page(&["x", "y"])), Checked::Shifted);
        // A restart further on clears the count.
        o.moved_on();
        assert!(!o.stuck());
    }
}
