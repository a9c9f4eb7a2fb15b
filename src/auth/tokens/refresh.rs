//! One refresh, under both locks: this process's mutex (held by the caller)
//! and the store's cross-process write transaction.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::{Current, TokenManager, TokenState, blocking, inflight::InFlight};
use crate::{
    auth::{
        client::{TokenClient, TokenError},
        schedule::Lifetime,
    },
    close::{AuthHeader, CredentialsError},
    secret::Secret,
    store::{RefreshTxn, StoreError, TokenUpdate},
};

impl TokenManager {
    /// Refreshes under both locks (this process's mutex, held by the caller,
    /// and the store's write lock). `rejected` is the header a 401 refused:
    /// if the stored token is already a different one, someone else
    /// refreshed and we use theirs.
    pub(super) async fn refresh_locked(
        &self,
        current: &mut Current,
        rejected: Option<&AuthHeader>,
    ) -> Result<AuthHeader, CredentialsError> {
        let client = self.client.as_ref().ok_or_else(|| {
            CredentialsError::Unavailable(
                "no OAuth client is configured (CLOSE_CLIENT_ID), so the token cannot be refreshed"
                    .into(),
            )
        })?;
        let in_flight = InFlight::start().ok_or_else(|| {
            CredentialsError::Unavailable("close-tui is exiting; no token refresh starts".into())
        })?;
        self.state.send_replace(TokenState::Refreshing);
        let store = Arc::clone(&self.store);
        let id = self.id.clone();
        let txn = match blocking(move || store.begin_refresh(&id)).await {
            Ok(txn) => txn,
            Err(err) => {
                if matches!(err, StoreError::NotFound { .. }) {
                    // Logged out elsewhere: its token is not to be used.
                    *current = Current::default();
                }
                return Err(self.store_failure(err));
            }
        };
        let stored = txn.credentials().clone();
        let account = txn.account().clone();

        if let Some(token) = &stored.access_token {
            let lifetime = stored
                .access_token_expires_at
                .map(|at| Lifetime::new(account.last_refresh_at.unwrap_or(account.updated_at), at));
            let now = Utc::now();
            let fresh = match rejected {
                // A different token than the one refused: someone else
                // refreshed. Use it unless it has run out too.
                Some(AuthHeader::Bearer(old)) => {
                    old != token && lifetime.is_none_or(|life| now < life.expires_at)
                }
                _ => lifetime.is_some_and(|life| !life.is_due(now)),
            };
            if fresh {
                drop(txn);
                tracing::debug!(account = %self.id, "another process refreshed; using its token");
                self.adopt(current, &account, &stored)?;
                self.publish_connected(current, account.last_refresh_at);
                return current.header.clone().ok_or_else(|| {
                    CredentialsError::NeedsLogin("no credentials are stored".into())
                });
            }
        }
        let Some(refresh_token) = stored.refresh_token.clone() else {
            let reason = "no refresh token is stored; sign in again".to_owned();
            return Err(self.give_up(txn, current, reason).await);
        };

        let started = std::time::Instant::now();
        // Once Close has the old refresh token, the new one must reach the
        // disk: the request and the commit run on a task of their own,
        // which a caller dropped meanwhile (an aborted sync, an account
        // switch, the TUI quitting) does not cancel.
        let task = Redeem {
            client: client.clone(),
            state: Arc::clone(&self.state),
            _in_flight: in_flight,
        };
        let redeemed = tokio::spawn(task.run(refresh_token, txn))
            .await
            .map_err(|err| {
                CredentialsError::Unavailable(format!("the token refresh stopped: {err}"))
            })?;
        match redeemed {
            Redeemed::Saved {
                access,
                expires_at,
                at,
                rotated,
            } => {
                tracing::info!(
                    account = %self.id,
                    ms = started.elapsed().as_millis() as u64,
                    rotated,
                    "access token refreshed"
                );
                current.header = Some(AuthHeader::Bearer(access));
                current.lifetime = expires_at.map(|expires| Lifetime::new(at, expires));
                self.publish_connected(current, Some(at));
                current
                    .header
                    .clone()
                    .ok_or_else(|| CredentialsError::NeedsLogin("no credentials".into()))
            }
            Redeemed::NotSaved(err) => {
                tracing::error!(account = %self.id, error = %err, "refreshed token not saved");
                Err(CredentialsError::Unavailable(format!(
                    "the refreshed token could not be saved: {err}"
                )))
            }
            Redeemed::Refused { txn, error } => {
                let reason = refusal_reason(&error);
                Err(self.give_up(*txn, current, reason).await)
            }
            Redeemed::Failed(err) => {
                tracing::warn!(account = %self.id, error = %err, "refresh failed; credentials kept");
                let message = err.to_string();
                self.state.send_replace(TokenState::Offline {
                    error: message.clone(),
                    retry_at: None,
                });
                Err(CredentialsError::Unavailable(message))
            }
        }
    }

    /// Records a dead grant inside the refresh transaction and forgets the
    /// in-memory token.
    pub(super) async fn give_up(
        &self,
        txn: RefreshTxn,
        current: &mut Current,
        reason: String,
    ) -> CredentialsError {
        let to_store = reason.clone();
        if let Err(err) = blocking(move || txn.commit_needs_login(&to_store)).await {
            tracing::error!(account = %self.id, error = %err, "could not record needs-login");
        }
        tracing::warn!(account = %self.id, %reason, "account needs login");
        current.header = None;
        current.lifetime = None;
        self.state.send_replace(TokenState::NeedsLogin {
            reason: reason.clone(),
        });
        CredentialsError::NeedsLogin(reason)
    }
}

/// The reason shown when the token endpoint refuses the refresh token.
fn refusal_reason(err: &TokenError) -> String {
    if err.is_invalid_grant() {
        "Close no longer accepts the stored refresh token (invalid_grant); sign in again".into()
    } else {
        format!("{err}; sign in again")
    }
}

/// How one use of the refresh token ended.
enum Redeemed {
    /// Close answered with new tokens, and they are stored.
    Saved {
        access: Secret,
        expires_at: Option<DateTime<Utc>>,
        /// When the answer came.
        at: DateTime<Utc>,
        rotated: bool,
    },
    /// Close answered with new tokens, which could not be stored.
    NotSaved(StoreError),
    /// Close refused the refresh token; the transaction is still open,
    /// to record that.
    Refused {
        txn: Box<RefreshTxn>,
        error: TokenError,
    },
    /// No answer that says anything of the token; it is kept.
    Failed(TokenError),
}

/// What a refresh's own task needs.
struct Redeem {
    client: TokenClient,
    /// Told the outcome here, so no one is left looking at "refreshing"
    /// when the caller is gone.
    state: Arc<watch::Sender<TokenState>>,
    _in_flight: InFlight,
}

impl Redeem {
    /// Spends `refresh_token` and stores what comes back, inside `txn`.
    async fn run(self, refresh_token: Secret, txn: RefreshTxn) -> Redeemed {
        let redeemed = match self.client.refresh(&refresh_token).await {
            Ok(response) => {
                let at = Utc::now();
                let expires_at = response
                    .expires_in
                    .and_then(|secs| i64::try_from(secs).ok())
                    .and_then(chrono::TimeDelta::try_seconds)
                    .and_then(|life| at.checked_add_signed(life));
                let access = response.access_token;
                let rotated = response.refresh_token.is_some();
                let update = TokenUpdate {
                    access_token: access.clone(),
                    access_token_expires_at: expires_at,
                    refresh_token: response.refresh_token,
                };
                // Before anyone uses the access token: the old refresh token
                // is already dead at Close, and only this one is left.
                match blocking(move || txn.commit(update)).await {
                    Ok(()) => Redeemed::Saved {
                        access,
                        expires_at,
                        at,
                        rotated,
                    },
                    Err(err) => Redeemed::NotSaved(err),
                }
            }
            Err(error) if error.needs_login() => Redeemed::Refused {
                txn: Box::new(txn),
                error,
            },
            Err(error) => Redeemed::Failed(error),
        };
        self.state.send_replace(match &redeemed {
            Redeemed::Saved { expires_at, at, .. } => TokenState::Connected {
                expires_at: *expires_at,
                last_refresh_at: Some(*at),
            },
            Redeemed::NotSaved(err) => TokenState::Offline {
                error: format!("the refreshed token could not be saved: {err}"),
                retry_at: None,
            },
            Redeemed::Refused { error, .. } => TokenState::NeedsLogin {
                reason: refusal_reason(error),
            },
            Redeemed::Failed(error) => TokenState::Offline {
                error: error.to_string(),
                retry_at: None,
            },
        });
        redeemed
    }
}
