//! Paging through an organization's event log, newest first, by cursor.
//!
//! The log is sorted by date already (see `data::events`), so a date window
//! is a range of positions, and a cursor is a position: `cursor_next` asks
//! for the matching events before the oldest one a page returned,
//! `cursor_previous` for those after its newest. Entries only ever go on
//! the end, so a cursor stays valid while the log grows.

use std::ops::Range;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::sandbox::{data::Event, error::ApiError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// Events older than this position.
    Before(usize),
    /// Events newer than this position.
    After(usize),
}

impl Cursor {
    /// The opaque string: direction, organization and position, base64.
    pub fn encode(self, org: usize) -> String {
        let (direction, position) = match self {
            Cursor::Before(p) => (b'n', p),
            Cursor::After(p) => (b'p', p),
        };
        let mut bytes = [direction, org as u8, 0, 0, 0, 0];
        bytes[2..].copy_from_slice(&(position as u32).to_be_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Reads a cursor this organization was given for a log of `len`
    /// entries; anything else is a 400.
    pub fn decode(text: &str, org: usize, len: usize) -> Result<Cursor, ApiError> {
        let invalid = || {
            ApiError::bad_request(
                "Invalid _cursor: pass a cursor_next or cursor_previous from an earlier response.",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let [direction, owner, p0, p1, p2, p3] = bytes[..] else {
            return Err(invalid());
        };
        let position = u32::from_be_bytes([p0, p1, p2, p3]) as usize;
        if usize::from(owner) != org {
            return Err(invalid());
        }
        match direction {
            b'n' if position <= len => Ok(Cursor::Before(position)),
            b'p' if position < len => Ok(Cursor::After(position)),
            _ => Err(invalid()),
        }
    }
}

/// One page: positions newest first, and the cursors around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPage {
    pub rows: Vec<usize>,
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
}

/// Up to `limit` (at least 1) matching events of `log[window]`, from the
/// newest or from where `cursor` points. Costs O(events looked at): a
/// filter that matches rarely walks further.
pub fn select(
    log: &[Event],
    window: Range<usize>,
    matches: impl Fn(&Event) -> bool,
    cursor: Option<Cursor>,
    limit: usize,
) -> EventPage {
    let hit = |i: &usize| matches(&log[*i]);
    let any = |range: Range<usize>| range.into_iter().any(|i| hit(&i));
    let Range { start, end } = window;
    match cursor {
        Some(Cursor::After(p)) => {
            let mut found = (start.max(p + 1)..end).filter(hit);
            let mut rows: Vec<usize> = found.by_ref().take(limit).collect();
            let previous = found.next().and(rows.last()).map(|&r| Cursor::After(r));
            rows.reverse();
            let next = rows
                .last()
                .filter(|&&oldest| any(start..oldest))
                .map(|&oldest| Cursor::Before(oldest));
            EventPage {
                rows,
                next,
                previous,
            }
        }
        before => {
            let end = match before {
                Some(Cursor::Before(p)) => end.min(p),
                _ => end,
            };
            let mut found = (start..end).rev().filter(hit);
            let rows: Vec<usize> = found.by_ref().take(limit).collect();
            let next = found.next().and(rows.last()).map(|&r| Cursor::Before(r));
            let previous = rows
                .first()
                .filter(|&&newest| any(newest + 1..window.end))
                .map(|&newest| Cursor::After(newest));
            EventPage {
                rows,
                next,
                previous,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::data::{Action, Kind, Ts};

    fn log(n: usize) -> Vec<Event> {
        (0..n)
            .map(|i| Event {
                number: i as u32,
                at: Ts(i as i64),
                action: Action::Deleted,
                kind: Kind::Lead,
                row: i as u32,
                object_type: if i % 2 == 0 { "lead" } else { "contact" },
                lead: i as u32,
                user: 0,
                request: 1,
                changed_fields: &[],
            })
            .collect()
    }

    #[test]
    fn pages_newest_first_to_the_end_and_back() {
        let log = log(10);
        let leads = |e: &Event| e.object_type == "lead";
        let first = select(&log, 0..10, leads, None, 2);
        assert_eq!(first.rows, vec![8, 6]);
        assert_eq!(first.previous, None);
        let second = select(&log, 0..10, leads, first.next, 2);
        assert_eq!(second.rows, vec![4, 2]);
        let last = select(&log, 0..10, leads, second.next, 2);
        assert_eq!((last.rows, last.next), (vec![0], None));
        let back = select(&log, 0..10, leads, second.previous, 2);
        assert_eq!(back.rows, vec![8, 6]);
        assert_eq!(back.previous, None);
        assert_eq!(back.next, Some(Cursor::Before(6)));
    }

    #[test]
    fn a_window_bounds_every_page() {
        let log = log(10);
        let page = select(&log, 3..7, |_| true, None, 10);
        assert_eq!(page.rows, vec![6, 5, 4, 3]);
        assert_eq!((page.next, page.previous), (None, None));
    }

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_make() {
        for cursor in [Cursor::Before(0), Cursor::Before(7), Cursor::After(6)] {
            let text = cursor.encode(1);
            assert_eq!(Cursor::decode(&text, 1, 7).unwrap(), cursor);
            assert!(Cursor::decode(&text, 0, 7).is_err(), "another organization");
        }
        assert!(Cursor::decode(&Cursor::Before(8).encode(0), 0, 7).is_err());
        assert!(Cursor::decode(&Cursor::After(7).encode(0), 0, 7).is_err());
        for bad in ["", "!!", "bm90IGEgY3Vyc29y", "AAAAAAAA"] {
            assert!(Cursor::decode(bad, 0, 7).is_err(), "{bad}");
        }
    }
}
