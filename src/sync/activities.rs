//! A lead's activities, loaded when the lead is opened and kept in the
//! cache (lead objects do not embed them, and syncing every activity of an
//! organization up front would cost more requests than all its leads).

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::TimeDelta;
use rusqlite::params;
use serde_json::value::RawValue;

use super::{
    SyncError,
    engine::Syncer,
    overlap::{Checked, Overlap},
    plan::{self, Precision, Ts},
};
use crate::{
    close::{Credentials, max_skip_of, records::Resource},
    store::cache::{ActivityRow, account_key, mark_activities_loaded, upsert_text},
};

/// `activity/`'s maximum `_limit`.
const LIMIT: usize = 100;

impl<C: Credentials + 'static> Syncer<C> {
    /// Fetches every activity of `lead_id` (`activity/?lead_id=`), replaces
    /// the lead's cached ones with them, and returns them newest first.
    ///
    /// The list comes newest first; past `max_skip` the next window asks
    /// for what was created before the oldest activity seen. An activity
    /// logged or deleted while the pages go by moves the ones after it,
    /// so each later page is checked against the last (`overlap.rs`) and
    /// a window that moved is read again from its start.
    pub async fn lead_activities(&self, lead_id: &str) -> Result<Vec<ActivityRow>, SyncError> {
        let api = || SyncError::api(Resource::Activities);
        let cap = AtomicUsize::new(0);
        // As Close sent them: stored as text, read only for their dates.
        let mut records: Vec<Box<RawValue>> = Vec::new();
        let mut before: Option<Ts> = None;
        let mut overlap = Overlap::default();
        'windows: loop {
            // Newest first, said: the windows below depend on it, and
            // Close does not document its default order.
            let mut q = vec![
                ("lead_id", lead_id.to_owned()),
                ("_order_by", "-date_created".to_owned()),
            ];
            if let Some(t) = before {
                q.push(("date_created__lt", plan::format(t, Precision::Second)));
            }
            let window = records.len();
            let mut skip = 0;
            overlap.restart();
            loop {
                let max = cap.load(Ordering::Relaxed);
                if max > 0 && skip > max {
                    break;
                }
                let asked = overlap.skip(skip);
                let mut page = match self.client.raw_page("activity/", &q, asked, LIMIT).await {
                    Ok(page) => page,
                    Err(err) => match max_skip_of(&err) {
                        Some(n) => {
                            cap.store(n, Ordering::Relaxed);
                            break;
                        }
                        None => return Err(api()(err)),
                    },
                };
                if overlap.check(&mut page) == Checked::Shifted {
                    if overlap.stuck() {
                        return Err(SyncError::Unsettled {
                            resource: "activities",
                        });
                    }
                    tracing::debug!("activities moved under the window; it restarts");
                    records.truncate(window);
                    skip = 0;
                    continue;
                }
                skip += page.data.len();
                let last = !page.has_more || page.data.is_empty();
                // One that is not an object, or has no id, is rejected (and
                // reported) by the cache, not dropped here.
                records.extend(page.data);
                if last {
                    break 'windows;
                }
            }
            let oldest = records[window..].iter().filter_map(|r| created(r)).min();
            // One second of overlap: `__lt` is exclusive, bounds are whole seconds.
            let next =
                oldest.and_then(|t| plan::floor(t + TimeDelta::seconds(1), Precision::Second));
            if next.is_none() || next >= before && before.is_some() {
                return Err(SyncError::Stuck {
                    resource: "activities",
                    at: before.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    max_skip: cap.load(Ordering::Relaxed),
                });
            }
            before = next;
        }
        let account = self.account.clone();
        let lead = lead_id.to_owned();
        let cache = std::sync::Arc::clone(&self.cache);
        let rejected = tokio::task::spawn_blocking(move || {
            cache.write(|tx| {
                let key = account_key(tx, &account)?;
                tx.execute(
                    "DELETE FROM cache_activities WHERE account = ?1 AND lead_id = ?2",
                    params![key, lead],
                )?;
                let mut rejected = Vec::new();
                for record in &records {
                    rejected.extend(upsert_text(tx, key, Resource::Activities, record.get())?);
                }
                mark_activities_loaded(tx, &account, &lead)?;
                Ok(rejected)
            })
        })
        .await
        .map_err(|_| SyncError::WriterGone)??;
        for r in rejected {
            self.events.send(super::SyncEvent::Skipped {
                resource: r.resource,
                reason: r.reason,
            });
        }
        Ok(self.cache.activities(&self.account, lead_id)?)
    }
}

/// An activity's `date_created`, if it has a readable one.
fn created(record: &RawValue) -> Option<Ts> {
    #[derive(serde::Deserialize)]
    struct Created<'a> {
        #[serde(borrow)]
        date_created: Option<std::borrow::Cow<'a, str>>,
    }
    let found: Created<'_> = serde_json::from_str(record.get()).ok()?;
    plan::parse_date(&found.date_created?)
}
