//! The background sync: issue 4's engine filling the cache, its progress
//! forwarded for the header's gauge.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::mpsc;

use super::{Shared, session};
use crate::{
    sync::{SyncEvent, Syncer},
    tui::{format, model::SyncProgress, msg::Msg},
};

pub async fn run(shared: Arc<Shared>) {
    let result = sync(&shared).await;
    shared.send(Msg::Synced(result));
}

async fn sync(shared: &Arc<Shared>) -> Result<String, String> {
    let cache = shared
        .cache()
        .await
        .ok_or_else(|| "the local cache is not available".to_owned())?;
    let (account, client) = session::client(shared).await.map_err(|e| e.to_string())?;
    let (tx, mut events) = mpsc::unbounded_channel();
    let forward = {
        let shared = Arc::clone(shared);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                match event {
                    SyncEvent::Started {
                        resource, total, ..
                    } => shared.send(Msg::Sync(Some(SyncProgress {
                        resource,
                        done: 0,
                        total,
                        indexing: false,
                    }))),
                    SyncEvent::Progress {
                        resource,
                        done,
                        total,
                    } => shared.send(Msg::Sync(Some(SyncProgress {
                        resource,
                        done,
                        total,
                        indexing: false,
                    }))),
                    SyncEvent::Indexing { resource, records } => {
                        shared.send(Msg::Sync(Some(SyncProgress {
                            resource,
                            done: records,
                            total: Some(records),
                            indexing: true,
                        })))
                    }
                    SyncEvent::RateLimited { until } => {
                        let wait = until.saturating_duration_since(std::time::Instant::now());
                        let until =
                            Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                        shared.send(Msg::RateLimited { until });
                    }
                    _ => {}
                }
            }
        })
    };
    let report = Syncer::new(client, cache, account)
        .with_events(tx)
        .run(&[])
        .await;
    // The syncer dropped its sender; the forwarder ends after the last event.
    let _ = forward.await;
    let report = report.map_err(|e| format!("sync stopped: {e}"))?;
    let records: u64 = report.passes.iter().map(|p| p.records).sum();
    Ok(format!(
        "synced: {} records updated",
        format::thousands(records)
    ))
}
