//! What a running sync tells its watcher (the CLI's progress bar, the TUI's
//! status line). Events are cumulative, so a watcher that misses one loses
//! nothing but a redraw.

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::close::{ClientEvent, records::Resource};

#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// A pass began; `total` is the server's count when it gives one. A
    /// `catch_up` pass follows a full one at once, for what changed (or
    /// went) while it ran.
    Started {
        resource: Resource,
        total: Option<u64>,
        full: bool,
        resumed: bool,
        catch_up: bool,
    },
    /// Records committed to the cache so far in this pass.
    Progress {
        resource: Resource,
        done: u64,
        total: Option<u64>,
    },
    /// Every record of a first full pass is in; the cache builds the
    /// indexes it set aside for the load (seconds at 100,000 leads), and
    /// the pass finishes after.
    Indexing { resource: Resource, records: u64 },
    /// Close asked us to wait; requests of the endpoint `group` (`lead`,
    /// `opportunity`, …) resume at `until`.
    RateLimited { group: String, until: Instant },
    /// A request failed in a way worth repeating, and is retried after
    /// `delay`; `path` is the API path (`lead/`, `task/?…`).
    Retrying {
        path: String,
        reason: String,
        delay: Duration,
    },
    /// A record that could not be cached (it has no id), reported rather
    /// than silently dropped.
    Skipped { resource: Resource, reason: String },
    Finished {
        resource: Resource,
        records: u64,
        elapsed: Duration,
    },
}

/// Where events go; sending never blocks and never fails the sync.
#[derive(Debug, Clone, Default)]
pub struct Events(Option<mpsc::UnboundedSender<SyncEvent>>);

impl Events {
    pub fn new(sender: mpsc::UnboundedSender<SyncEvent>) -> Self {
        Self(Some(sender))
    }

    pub fn send(&self, event: SyncEvent) {
        if let Some(sender) = &self.0 {
            let _ = sender.send(event);
        }
    }

    /// Turns the API client's waits and retries into sync events.
    pub fn from_client(&self, event: ClientEvent) {
        match event {
            ClientEvent::RateLimited { group, until } => {
                self.send(SyncEvent::RateLimited { group, until })
            }
            ClientEvent::Retrying {
                path,
                reason,
                delay,
                ..
            } => self.send(SyncEvent::Retrying {
                path,
                reason,
                delay,
            }),
        }
    }
}
