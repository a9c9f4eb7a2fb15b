//! Passes over `opportunity/` and `task/`: lists that filter on
//! `date_updated__gt/__lt` but do not sort by it, so a moving window does
//! not work. Each slice is a date range paged with `_skip`; a range that
//! holds more than `max_skip` records is cut in two and both halves are
//! paged again (their records already fetched are stored once, by UPSERT).
//!
//! Bounds go out at whole seconds, and every range starts one second early
//! (`__gt` is exclusive), so neighbouring ranges overlap by a second
//! rather than leave a gap.

use std::sync::atomic::Ordering;

use chrono::{TimeDelta, Utc};

use super::{
    SyncError,
    engine::Syncer,
    overlap::{Checked, Overlap},
    plan::{self, Plan, Precision, Slice, Ts},
    worker::Worker,
    writer::PageMsg,
};
use crate::close::{Credentials, max_skip_of};

/// How far back a full pass's first slices reach; older records land in
/// the first, open-ended slice (split further if need be).
const FULL_SPAN_DAYS: i64 = 3 * 365;

/// A fresh plan for a range pass: `concurrency` slices from `since` (or a
/// few years back) to now, open at both ends.
pub(crate) fn plan<C: Credentials + 'static>(
    syncer: &Syncer<C>,
    since: Option<Ts>,
    params: Vec<(String, String)>,
) -> Plan {
    let now = Utc::now();
    let from = since.unwrap_or(now - TimeDelta::days(FULL_SPAN_DAYS));
    let mut out = Plan::new(since.is_none(), None, params);
    // Changes since the last run are usually few: one slice, split only if
    // it turns out deep.
    let parts = if since.is_some() {
        1
    } else {
        syncer.options.concurrency.max(1)
    };
    out.slices = plan::slices(Some(from), Some(now), parts);
    if let Some(head) = out.slices.first_mut() {
        head.lo = since.and_then(|t| plan::floor(t, Precision::Second));
    }
    out
}

fn bounds(lo: Option<Ts>, hi: Option<Ts>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(t) = lo.and_then(|t| plan::floor(t - TimeDelta::seconds(1), Precision::Second)) {
        out.push((
            "date_updated__gt".to_owned(),
            plan::format(t, Precision::Second),
        ));
    }
    if let Some(t) = hi.and_then(|t| plan::floor(t + TimeDelta::seconds(1), Precision::Second)) {
        out.push((
            "date_updated__lt".to_owned(),
            plan::format(t, Precision::Second),
        ));
    }
    out
}

/// Pages one range to its end, or splits it when it is too deep.
pub(crate) async fn run_slice<C: Credentials>(
    w: &Worker<'_, C>,
    index: usize,
) -> Result<(), SyncError> {
    let resource = w.pass.resource();
    let path = resource.path();
    let limit = w.pass.limit();
    let (lo, hi) = {
        let plan = w.plan();
        (plan.slices[index].lo, plan.slices[index].hi)
    };
    let mut owned: Vec<(String, String)> = w.params.clone();
    owned.extend(bounds(lo, hi));
    let q: Vec<(&str, String)> = owned.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let mut skip = 0;
    // Records that move under the range are caught (see `overlap.rs`); it
    // is then paged again from its start.
    let mut overlap = Overlap::default();
    loop {
        let cap = w.max_skip.load(Ordering::Relaxed);
        if cap > 0 && skip > cap {
            return split(w, index, lo, hi, cap);
        }
        let mut page = match w.client.raw_page(path, &q, overlap.skip(skip), limit).await {
            Ok(page) => page,
            Err(err) => match max_skip_of(&err) {
                Some(cap) => {
                    w.max_skip.store(cap, Ordering::Relaxed);
                    return split(w, index, lo, hi, cap);
                }
                None => return Err(SyncError::api(resource)(err)),
            },
        };
        if overlap.check(&mut page) == Checked::Shifted {
            if overlap.stuck() {
                // Smaller ranges are read again sooner, and move less.
                tracing::debug!(pass = ?w.pass, slice = index, "a range keeps moving; split");
                let cap = w.max_skip.load(Ordering::Relaxed);
                return split(w, index, lo, hi, cap).map_err(|_| SyncError::Unsettled {
                    resource: resource.name(),
                });
            }
            tracing::debug!(pass = ?w.pass, slice = index, "records moved under a range; it restarts");
            skip = 0;
            continue;
        }
        let last = !page.has_more || page.data.is_empty();
        skip += page.data.len();
        let msg = PageMsg::new(index, resource, &page.data, last);
        drop(page);
        w.send(msg).await?;
        if last {
            return Ok(());
        }
    }
}

/// Replaces slice `index` by its two halves and queues them.
fn split<C>(
    w: &Worker<'_, C>,
    index: usize,
    lo: Option<Ts>,
    hi: Option<Ts>,
    max_skip: usize,
) -> Result<(), SyncError> {
    let from = lo.unwrap_or(chrono::DateTime::UNIX_EPOCH);
    let to = hi.unwrap_or_else(|| Utc::now() + TimeDelta::days(1));
    let mid = plan::floor(from + (to - from) / 2, Precision::Second)
        .filter(|mid| *mid > from + TimeDelta::seconds(1) && *mid < to);
    let Some(mid) = mid else {
        return Err(SyncError::Stuck {
            resource: w.pass.resource().name(),
            at: from.to_rfc3339(),
            max_skip,
        });
    };
    let halves = {
        let mut plan = w.plan();
        plan.slices[index].done = true;
        let first = plan.slices.len();
        plan.slices.push(Slice::new(lo, Some(mid)));
        plan.slices.push(Slice::new(Some(mid), hi));
        [first, first + 1]
    };
    tracing::debug!(pass = ?w.pass, %mid, "range deeper than max_skip; split");
    w.queue
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .extend(halves);
    Ok(())
}
