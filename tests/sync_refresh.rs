#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A 401 in the middle of a sync makes the client refresh its credentials
//! once, and the sync completes.

mod sync_support;

use std::sync::atomic::{AtomicUsize, Ordering};

use close_tui::{
    close::{AuthHeader, Credentials, CredentialsError},
    secret::Secret,
};
use sync_support::{client_with, env, key, sandbox_args};

/// Hands out the real key for the first few requests, then one the sandbox
/// rejects (as an access token that expired mid-sync), until refreshed.
struct ExpiringKey {
    good: AuthHeader,
    served: AtomicUsize,
    expire_after: usize,
    refreshes: AtomicUsize,
}

impl Credentials for ExpiringKey {
    async fn authorization(&self) -> Result<AuthHeader, CredentialsError> {
        let served = self.served.fetch_add(1, Ordering::SeqCst);
        if served >= self.expire_after && self.refreshes.load(Ordering::SeqCst) == 0 {
            Ok(AuthHeader::ApiKey(Secret::new(
                "api_expired_0000000000".to_owned(),
            )))
        } else {
            Ok(self.good.clone())
        }
    }

    async fn refresh_after_rejection(
        &self,
        _rejected: &AuthHeader,
    ) -> Result<AuthHeader, CredentialsError> {
        // Single-flight, like the token manager: requests that were rejected
        // together share one refresh.
        let _ = self
            .refreshes
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst);
        Ok(self.good.clone())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_midway_refreshes_once_and_the_sync_completes() {
    let env = env(sandbox_args(3000)).await;
    let credentials = std::sync::Arc::new(ExpiringKey {
        good: key(&env.sandbox),
        served: AtomicUsize::new(0),
        expire_after: 5,
        refreshes: AtomicUsize::new(0),
    });
    let client = client_with(&env.sandbox, std::sync::Arc::clone(&credentials));
    let syncer = env
        .syncer_with(client)
        .with_options(close_tui::sync::SyncOptions {
            concurrency: 1,
            ..Default::default()
        });
    syncer.run(&[]).await.unwrap();
    assert!(credentials.served.load(Ordering::SeqCst) > 6);
    assert_eq!(credentials.refreshes.load(Ordering::SeqCst), 1);
    env.assert_complete().await;
}
