//! The lead pass: `lead/?query=date_updated>="…" sort:date_updated`, with a
//! window that moves forward, as production sync tools page Close
//! (research/close-api.md, addendum).
//!
//! A window pages with `_skip` until the server's `max_skip` is near (it is
//! learnt from the first 400 that names it), then restarts at `_skip=0`
//! from the newest `date_updated` it has seen, written at minute precision
//! (what Close's query honours; seconds or microseconds only when one
//! minute holds more leads than a window can page). Records at the window
//! edge are fetched twice and stored once (UPSERT). Leads come oldest
//! update first, so a lead changed during the sync moves ahead of the
//! window and is fetched again rather than lost.

use std::sync::atomic::Ordering;

use super::{
    SyncError,
    engine::Syncer,
    overlap::{Checked, Overlap},
    pass::Pass,
    plan::{self, Plan, Precision, Ts},
    worker::Worker,
    writer::PageMsg,
};
use crate::close::{Credentials, max_skip_of, records::Resource};

/// Slices per worker: more, smaller slices keep every worker busy when the
/// leads bunch up in time.
const SLICES_PER_WORKER: usize = 4;

fn query(start: Option<Ts>, hi: Option<Ts>, ascending: bool) -> Vec<(&'static str, String)> {
    let mut q = String::new();
    if let Some(t) = start {
        let p = plan::precision_of(t);
        q.push_str(&format!("date_updated>=\"{}\" ", plan::format(t, p)));
    }
    if let Some(t) = hi {
        let p = plan::precision_of(t);
        q.push_str(&format!("date_updated<\"{}\" ", plan::format(t, p)));
    }
    q.push_str(if ascending {
        "sort:date_updated"
    } else {
        "sort:-date_updated"
    });
    vec![("query", q)]
}

/// A fresh plan: the oldest and newest `date_updated` since `since` (two
/// one-record requests at once, which also give the total), cut into
/// slices.
pub(crate) async fn plan<C: Credentials + 'static>(
    syncer: &Syncer<C>,
    since: Option<Ts>,
) -> Result<Plan, SyncError> {
    let since = since.and_then(|t| plan::floor(t, Precision::Minute));
    let api = || SyncError::api(Resource::Leads);
    let ends = |ascending| {
        let mut q = query(since, None, ascending);
        q.push(("_fields", "id,date_updated".to_owned()));
        async move { syncer.client.page("lead/", &q, 0, 1).await }
    };
    let (first, last) = tokio::join!(ends(true), ends(false));
    let (first, last) = (first.map_err(api())?, last.map_err(api())?);
    let oldest = first
        .data
        .first()
        .and_then(|r| plan::date_of(r, "date_updated"));
    let newest = last
        .data
        .first()
        .and_then(|r| plan::date_of(r, "date_updated"));
    let mut out = Plan::new(since.is_none(), first.total_results, Vec::new());
    // A slice per page or so at most: an incremental run with a handful of
    // changes makes one request, not one per slice.
    let pages = first.total_results.unwrap_or(u64::MAX) / Pass::Leads.limit() as u64;
    let parts = (syncer.options.concurrency.max(1) * SLICES_PER_WORKER)
        .min(usize::try_from(pages).unwrap_or(usize::MAX))
        .max(1);
    out.slices = plan::slices(oldest.or(since), newest, parts);
    out.newest = newest;
    if let Some(head) = out.slices.first_mut() {
        // Open below on a full pass: nothing older than what we saw is lost.
        head.lo = since;
    }
    Ok(out)
}

/// Works one slice to its end, window by window. Its end is read again
/// before each page: an idle worker may have cut the slice shorter (see
/// [`Plan::split_busiest`]).
pub(crate) async fn run_slice<C: Credentials>(
    w: &Worker<'_, C>,
    index: usize,
) -> Result<(), SyncError> {
    let api = || SyncError::api(Resource::Leads);
    let (lo, cursor) = {
        let plan = w.plan();
        let s = &plan.slices[index];
        (s.lo, s.cursor)
    };
    // Resume from what was committed; the minute floor re-reads its edge.
    let mut start = cursor
        .and_then(|t| plan::floor(t, Precision::Minute))
        .max(lo);
    let limit = Pass::Leads.limit();
    let mut overlap = Overlap::default();
    loop {
        let mut skip = 0;
        let mut newest: Option<Ts> = None;
        overlap.restart();
        let shifted = loop {
            let cap = w.max_skip.load(Ordering::Relaxed);
            if cap > 0 && skip > cap {
                break false;
            }
            let hi = w.plan().slices[index].hi;
            let q = query(start, hi, true);
            let mut page = match w
                .client
                .raw_page("lead/", &q, overlap.skip(skip), limit)
                .await
            {
                Ok(page) => page,
                Err(err) => match max_skip_of(&err) {
                    Some(cap) => {
                        w.max_skip.store(cap, Ordering::Relaxed);
                        break false;
                    }
                    None => return Err(api()(err)),
                },
            };
            if overlap.check(&mut page) == Checked::Shifted {
                break true;
            }
            let mut last = !page.has_more || page.data.is_empty();
            skip += page.data.len();
            // The last page leaves nothing, whatever the count says.
            let mut left = if last {
                Some(0)
            } else {
                page.total_results.map(|n| n.saturating_sub(skip as u64))
            };
            let mut msg = PageMsg::new(index, Resource::Leads, &page.data, last);
            drop(page);
            // Cut shorter while the page was on its way: what lies past the
            // cut is the new slice's, and is not stored twice (a lead stored
            // again looks for its old children without an index during a
            // bulk load). The count was the longer window's.
            let now = w.plan().slices[index].hi;
            if let Some(cut) = now.filter(|cut| hi.is_none_or(|hi| *cut < hi)) {
                last |= msg.keep_before(cut);
                msg.last = last;
                left = None;
            }
            newest = newest.max(msg.cursor);
            w.paged(index, newest, left);
            w.send(msg).await?;
            if last {
                return Ok(());
            }
        };
        start = if shifted {
            tracing::debug!(slice = index, "leads moved under the window; it restarts");
            let again = restart_at(start, newest);
            if again > start {
                overlap.moved_on();
            } else if overlap.stuck() {
                return Err(SyncError::Unsettled { resource: "leads" });
            }
            again
        } else {
            Some(next_start(
                start,
                newest,
                w.max_skip.load(Ordering::Relaxed),
            )?)
        };
    }
}

/// Where a window starts again after leads moved under it: the newest
/// date fetched, at the coarsest precision that gets past the window's
/// start (what was read before it is kept; a restart that got nowhere
/// counts towards giving up), else the start itself. What follows it is
/// read again (and stored once).
fn restart_at(start: Option<Ts>, newest: Option<Ts>) -> Option<Ts> {
    newest
        .and_then(|newest| coarsest_floor(newest, |t| start.is_none_or(|s| t > s)))
        .or(start)
}

/// Where the next window starts: the newest date seen, at the coarsest
/// precision that still moves forward.
fn next_start(start: Option<Ts>, newest: Option<Ts>, max_skip: usize) -> Result<Ts, SyncError> {
    newest
        .and_then(|newest| coarsest_floor(newest, |t| start.is_none_or(|s| t > s)))
        .ok_or_else(|| SyncError::Stuck {
            resource: "leads",
            at: start.map(|t| t.to_rfc3339()).unwrap_or_default(),
            max_skip,
        })
}

/// `t` rounded down at the coarsest precision that `keep` accepts.
fn coarsest_floor(t: Ts, keep: impl Fn(Ts) -> bool) -> Option<Ts> {
    Precision::ALL
        .into_iter()
        .filter_map(|p| plan::floor(t, p))
        .find(|floor| keep(*floor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Ts {
        plan::parse_date(text).unwrap()
    }

    #[test]
    fn windows_move_forward_at_the_coarsest_precision_that_moves() {
        let start = Some(at("2025-01-01T10:00:00Z"));
        let later = Some(at("2025-01-01T10:07:31.5Z"));
        assert_eq!(
            next_start(start, later, 1000).unwrap(),
            at("2025-01-01T10:07:00Z")
        );
        let same_minute = Some(at("2025-01-01T10:00:31.5Z"));
        assert_eq!(
            next_start(start, same_minute, 1000).unwrap(),
            at("2025-01-01T10:00:31Z")
        );
        let same_second = Some(at("2025-01-01T10:00:31.25Z"));
        assert_eq!(
            next_start(Some(at("2025-01-01T10:00:31Z")), same_second, 1000).unwrap(),
            at("2025-01-01T10:00:31.25Z")
        );
        assert!(next_start(same_second, same_second, 1000).is_err());
        assert!(next_start(start, None, 1000).is_err());
    }

    #[test]
    fn a_shifted_window_restarts_at_the_newest_date_past_its_start() {
        let start = Some(at("2025-01-01T10:00:00Z"));
        assert_eq!(
            restart_at(start, Some(at("2025-01-01T10:07:31.5Z"))),
            Some(at("2025-01-01T10:07:00Z"))
        );
        // Still in the window's first minute: a finer floor gets further.
        assert_eq!(
            restart_at(start, Some(at("2025-01-01T10:00:31Z"))),
            Some(at("2025-01-01T10:00:31Z"))
        );
        let mid_minute = Some(at("2025-01-01T10:00:31Z"));
        assert_eq!(
            restart_at(mid_minute, Some(at("2025-01-01T10:00:31.25Z"))),
            Some(at("2025-01-01T10:00:31.25Z"))
        );
        // Nothing newer than the start: it reads from the start again.
        assert_eq!(restart_at(mid_minute, mid_minute), mid_minute);
        assert_eq!(restart_at(start, None), start);
        assert_eq!(
            restart_at(None, Some(at("2025-01-01T10:07:31Z"))),
            Some(at("2025-01-01T10:07:00Z"))
        );
    }

    #[test]
    fn the_query_names_the_window() {
        let q = query(
            Some(at("2025-01-01T10:00:00Z")),
            Some(at("2025-01-02T00:00:00Z")),
            true,
        );
        assert_eq!(
            q[0].1,
            "date_updated>=\"2025-01-01T10:00\" date_updated<\"2025-01-02T00:00\" sort:date_updated"
        );
    }
}
