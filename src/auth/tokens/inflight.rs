//! Refreshes whose answer may not be stored yet, and revokes of the tokens
//! of a login that did not finish, process-wide. Each runs on a task of
//! its own (see `refresh.rs`, `session/issued.rs`), which the runtime's end
//! would still cancel: before the process exits, it stops new refreshes
//! from starting and waits for what is in flight.

use std::{
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::Duration,
};

use tokio::sync::Notify;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
/// Of those, revokes.
static REVOKES: AtomicUsize = AtomicUsize::new(0);
static CLOSING: AtomicBool = AtomicBool::new(false);
static SETTLED: Notify = Notify::const_new();

/// Counts one refresh or revoke as in flight while it lives.
pub struct InFlight {
    revoke: bool,
}

impl InFlight {
    /// A refresh; `None` once the process is closing ([`stop_refreshes`]).
    pub(super) fn start() -> Option<Self> {
        // Counted first, checked second: with `stop_refreshes` setting the
        // flag before it reads the count, one of the two sees the other.
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        let started = Self { revoke: false };
        (!CLOSING.load(Ordering::SeqCst)).then_some(started)
    }

    /// A revoke, counted even while closing: it only ends a grant.
    pub fn revoke() -> Self {
        REVOKES.fetch_add(1, Ordering::SeqCst);
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Self { revoke: true }
    }
}

/// Whether what is in flight is revokes alone (no refresh), for the line
/// that says what the exit waits for.
pub fn only_revokes_in_flight() -> bool {
    REVOKES.load(Ordering::SeqCst) == IN_FLIGHT.load(Ordering::SeqCst)
}

/// No refresh starts from now on: the process is about to exit, and one
/// started now could be cut off after Close has spent the refresh token.
pub fn stop_refreshes() {
    CLOSING.store(true, Ordering::SeqCst);
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.revoke {
            REVOKES.fetch_sub(1, Ordering::SeqCst);
        }
        if IN_FLIGHT.fetch_sub(1, Ordering::SeqCst) == 1 {
            SETTLED.notify_waiters();
        }
    }
}

/// Waits, up to `limit`, until no refresh or revoke is in flight: each
/// has stored Close's answer, ended its grant or given up. Returns whether
/// they all settled.
pub async fn refreshes_settled(limit: Duration) -> bool {
    tokio::time::timeout(limit, async {
        loop {
            let notified = SETTLED.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if IN_FLIGHT.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    })
    .await
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_the_refreshes_in_flight_and_no_longer() {
        assert!(refreshes_settled(Duration::from_millis(10)).await);
        let one = InFlight::start().unwrap();
        assert!(!refreshes_settled(Duration::from_millis(50)).await);
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(one);
        });
        assert!(refreshes_settled(Duration::from_secs(5)).await);
        release.await.unwrap();
    }
}
