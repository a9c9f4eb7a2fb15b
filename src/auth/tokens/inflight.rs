//! Refreshes whose answer may not be stored yet, process-wide. A refresh
//! runs on a task of its own (see `refresh.rs`), which the runtime's end
//! would still cancel: before the process exits, it waits for them.

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use tokio::sync::Notify;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static SETTLED: Notify = Notify::const_new();

/// Counts one refresh as in flight while it lives.
pub(super) struct InFlight(());

impl InFlight {
    pub(super) fn start() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Self(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if IN_FLIGHT.fetch_sub(1, Ordering::SeqCst) == 1 {
            SETTLED.notify_waiters();
        }
    }
}

/// Waits, up to `limit`, until no refresh is in flight: each has stored
/// Close's answer or given up. Returns whether they all settled.
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
        let one = InFlight::start();
        assert!(!refreshes_settled(Duration::from_millis(50)).await);
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(one);
        });
        assert!(refreshes_settled(Duration::from_secs(5)).await);
        release.await.unwrap();
    }
}
