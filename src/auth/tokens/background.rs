//! The background refresher: renews the token ahead of expiry for as long
//! as the manager lives, backing off while the token endpoint is down.

use std::time::Duration;

use chrono::Utc;

use super::{TokenManager, TokenState};
use crate::{auth::schedule::jitter, close::CredentialsError, store::AuthKind};

impl TokenManager {
    pub(super) async fn refresh_loop(&self) {
        if self.kind == AuthKind::ApiKey {
            return;
        }
        let mut failures = 0;
        loop {
            let result = match self.until_due().await {
                Ok(wait) => {
                    tokio::time::sleep(wait).await;
                    let mut current = self.current.lock().await;
                    match current.lifetime {
                        // No known expiry: refreshing on a timer would only
                        // burn rotations; a 401 triggers the refresh instead.
                        None => Ok(()),
                        Some(life) if !life.is_due(Utc::now()) => Ok(()),
                        Some(_) => self.refresh_locked(&mut current, None).await.map(drop),
                    }
                }
                Err(err) => Err(err),
            };
            match result {
                Ok(()) => failures = 0,
                Err(CredentialsError::NeedsLogin(reason)) => {
                    tracing::info!(account = %self.id, %reason, "refresher stopped");
                    return;
                }
                // A store that failed to answer (say, busy past its timeout)
                // is retried like a token endpoint that did: stopping here
                // would leave the token to expire with nobody refreshing it.
                Err(CredentialsError::Unavailable(error)) => {
                    let delay = self.backoff.delay(failures).max(Duration::from_millis(200));
                    failures = failures.saturating_add(1);
                    let retry_at = Utc::now() + delay;
                    self.state.send_replace(TokenState::Offline {
                        error,
                        retry_at: Some(retry_at),
                    });
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// How long until the current token is due for refresh, less jitter.
    async fn until_due(&self) -> Result<Duration, CredentialsError> {
        let mut current = self.current.lock().await;
        self.load(&mut current).await?;
        Ok(current
            .lifetime
            .map(|life| life.until_due(Utc::now()).saturating_sub(jitter(life)))
            .unwrap_or(Duration::from_secs(60)))
    }
}
