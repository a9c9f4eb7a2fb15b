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

/// How many times one slice starts again because records moved under it;
/// past that (an account changing faster than it can be paged), it pages
/// on unchecked, as Close's own paging would.
const MAX_SHIFTS: usize = 16;

/// One slice's check, window after window.
#[derive(Debug, Default)]
pub(crate) struct Overlap {
    /// The id of the last record fetched in this window.
    last_id: Option<String>,
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

    fn checking(&self) -> bool {
        self.last_id.is_some() && self.shifts < MAX_SHIFTS
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
    fn a_moved_record_restarts_the_window_until_too_many_did() {
        let mut o = Overlap::default();
        for _ in 0..MAX_SHIFTS {
            o.check(&mut page(&["a"]));
            assert_eq!(o.check(&mut page(&["x", "y"])), Checked::Shifted);
            assert_eq!(o.skip(5), 5, "a window starting again checks nothing");
        }
        // Past the limit it pages on unchecked.
        o.check(&mut page(&["a"]));
        assert_eq!(o.skip(5), 5);
        let mut unchecked = page(&["x", "y"]);
        assert_eq!(o.check(&mut unchecked), Checked::Continues);
        assert_eq!(unchecked.data.len(), 2);
    }
}
