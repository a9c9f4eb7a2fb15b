//! `TokenManager`: the only code that refreshes access tokens.
//!
//! Close's refresh tokens rotate and are single-use, so refreshing is
//! dangerous to do twice. One manager per account serialises refreshes in
//! this process (an async mutex, so fifty callers at expiry make one
//! request), and the store's refresh transaction serialises them across
//! processes: under its write lock we re-read the account, and skip the
//! request when another process already refreshed. The rotated refresh token
//! is committed before the new access token is handed to anyone.
//!
//! Only a refusal from the token endpoint (`invalid_grant`, or any 400/401)
//! marks the account `needs_login`. Network errors, 429 and 5xx keep the
//! credentials: callers get `Unavailable`, and the background refresher
//! retries with backoff.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, watch};

use super::{
    client::{TokenClient, TokenError},
    schedule::{Lifetime, jitter},
};
use crate::{
    close::{AuthHeader, Backoff, Credentials, CredentialsError},
    store::{
        Account, AccountId, AccountState, AuthKind, Credentials as Stored, Store, StoreError,
        TokenUpdate,
    },
};

/// What the UI shows about the account's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    Connected {
        expires_at: Option<DateTime<Utc>>,
        last_refresh_at: Option<DateTime<Utc>>,
    },
    Refreshing,
    /// The last refresh failed for a reason that may pass; the credentials
    /// are kept and the refresher tries again at `retry_at`.
    Offline {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
    NeedsLogin {
        reason: String,
    },
}

/// The access token this process is using, with what we know of its life.
#[derive(Debug, Default)]
struct Current {
    header: Option<AuthHeader>,
    lifetime: Option<Lifetime>,
}

pub struct TokenManager {
    store: Arc<Store>,
    client: Option<TokenClient>,
    id: AccountId,
    kind: AuthKind,
    current: Mutex<Current>,
    state: watch::Sender<TokenState>,
    backoff: Backoff,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager")
            .field("account", &self.id)
            .field("kind", &self.kind)
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

impl TokenManager {
    /// A manager for one stored account. `client` may be `None` for API-key
    /// accounts, which never refresh.
    pub fn new(store: Arc<Store>, client: Option<TokenClient>, account: &Account) -> Arc<Self> {
        let initial = match &account.state {
            AccountState::NeedsLogin { reason } => TokenState::NeedsLogin {
                reason: reason.clone(),
            },
            AccountState::Connected => TokenState::Connected {
                expires_at: account.access_token_expires_at,
                last_refresh_at: account.last_refresh_at,
            },
        };
        Arc::new(Self {
            store,
            client,
            id: account.id().clone(),
            kind: account.profile.auth,
            current: Mutex::new(Current::default()),
            state: watch::channel(initial).0,
            backoff: Backoff {
                base: Duration::from_secs(1),
                cap: Duration::from_secs(60),
                max_retries: u32::MAX,
            },
        })
    }

    pub fn account_id(&self) -> &AccountId {
        &self.id
    }

    /// Follows the token state (for the TUI's badge and the status line).
    pub fn state(&self) -> watch::Receiver<TokenState> {
        self.state.subscribe()
    }

    /// Refreshes ahead of expiry for as long as the manager lives, retrying
    /// transient failures with backoff. Stops when the account needs login.
    pub fn spawn_refresher(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let manager = Arc::clone(self);
        tokio::spawn(async move { manager.refresh_loop().await })
    }

    async fn refresh_loop(&self) {
        if self.kind == AuthKind::ApiKey {
            return;
        }
        let mut failures = 0;
        loop {
            let wait = {
                let mut current = self.current.lock().await;
                if let Err(err) = self.load(&mut current).await {
                    tracing::info!(account = %self.id, error = %err, "refresher stopped");
                    return;
                }
                current
                    .lifetime
                    .map(|life| life.until_due(Utc::now()).saturating_sub(jitter(life)))
                    .unwrap_or(Duration::from_secs(60))
            };
            tokio::time::sleep(wait).await;
            let result = {
                let mut current = self.current.lock().await;
                match current.lifetime {
                    Some(life) if !life.is_due(Utc::now()) => Ok(()),
                    _ => self.refresh_locked(&mut current, None).await.map(drop),
                }
            };
            match result {
                Ok(()) => failures = 0,
                Err(CredentialsError::NeedsLogin(_)) => return,
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

    /// Fills `current` from the store the first time it is needed.
    async fn load(&self, current: &mut Current) -> Result<(), CredentialsError> {
        if current.header.is_some() {
            return Ok(());
        }
        let store = Arc::clone(&self.store);
        let id = self.id.clone();
        let (account, stored) = blocking(move || {
            let account = store.account(&id)?;
            let stored = store.credentials(&id)?;
            Ok((account, stored))
        })
        .await
        .map_err(|err| self.store_failure(err))?;
        let account = account.ok_or_else(|| {
            CredentialsError::NeedsLogin("the account was removed; sign in again".into())
        })?;
        if let AccountState::NeedsLogin { reason } = &account.state {
            return Err(CredentialsError::NeedsLogin(reason.clone()));
        }
        self.adopt(current, &account, &stored)
    }

    /// Takes stored credentials as the current ones.
    fn adopt(
        &self,
        current: &mut Current,
        account: &Account,
        stored: &Stored,
    ) -> Result<(), CredentialsError> {
        let header = match self.kind {
            AuthKind::ApiKey => stored.api_key.clone().map(AuthHeader::ApiKey),
            AuthKind::OAuth => stored.access_token.clone().map(AuthHeader::Bearer),
        };
        let header = header.ok_or_else(|| {
            CredentialsError::NeedsLogin("no credentials are stored; sign in again".into())
        })?;
        current.header = Some(header);
        current.lifetime = stored.access_token_expires_at.map(|expires_at| {
            let issued = account.last_refresh_at.unwrap_or(account.updated_at);
            Lifetime::new(issued, expires_at)
        });
        Ok(())
    }

    /// Refreshes under both locks (this process's mutex, held by the caller,
    /// and the store's write lock). `rejected` is the header a 401 refused:
    /// if the stored token is already a different one, someone else
    /// refreshed and we use theirs.
    async fn refresh_locked(
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
        self.state.send_replace(TokenState::Refreshing);
        let store = Arc::clone(&self.store);
        let id = self.id.clone();
        let txn = blocking(move || store.begin_refresh(&id))
            .await
            .map_err(|err| self.store_failure(err))?;
        let stored = txn.credentials().clone();
        let account = txn.account().clone();

        if let Some(token) = &stored.access_token {
            let lifetime = stored
                .access_token_expires_at
                .map(|at| Lifetime::new(account.last_refresh_at.unwrap_or(account.updated_at), at));
            let fresh = match rejected {
                Some(AuthHeader::Bearer(old)) => old != token,
                _ => lifetime.is_some_and(|life| !life.is_due(Utc::now())),
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
        match client.refresh(&refresh_token).await {
            Ok(response) => {
                let now = Utc::now();
                let expires_at = response
                    .expires_in
                    .and_then(|secs| i64::try_from(secs).ok())
                    .map(|secs| now + chrono::Duration::seconds(secs));
                let access = response.access_token.clone();
                let update = TokenUpdate {
                    access_token: access.clone(),
                    access_token_expires_at: expires_at,
                    refresh_token: response.refresh_token.clone(),
                };
                // Persist first: the old refresh token is already dead on the
                // server, so the new one must be on disk before we go on.
                blocking(move || txn.commit(update)).await.map_err(|err| {
                    tracing::error!(account = %self.id, error = %err, "refreshed token not saved");
                    CredentialsError::Unavailable(format!(
                        "the refreshed token could not be saved: {err}"
                    ))
                })?;
                tracing::info!(
                    account = %self.id,
                    ms = started.elapsed().as_millis() as u64,
                    rotated = response.refresh_token.is_some(),
                    "access token refreshed"
                );
                current.header = Some(AuthHeader::Bearer(access));
                current.lifetime = expires_at.map(|at| Lifetime::new(now, at));
                self.publish_connected(current, Some(now));
                current
                    .header
                    .clone()
                    .ok_or_else(|| CredentialsError::NeedsLogin("no credentials".into()))
            }
            Err(err) if err.needs_login() => {
                let reason = refusal_reason(&err);
                Err(self.give_up(txn, current, reason).await)
            }
            Err(err) => {
                drop(txn);
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
    async fn give_up(
        &self,
        txn: crate::store::RefreshTxn,
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

    fn publish_connected(&self, current: &Current, last_refresh_at: Option<DateTime<Utc>>) {
        self.state.send_replace(TokenState::Connected {
            expires_at: current.lifetime.map(|life| life.expires_at),
            last_refresh_at,
        });
    }

    fn store_failure(&self, err: StoreError) -> CredentialsError {
        if err.means_signed_out() {
            let reason = err.to_string();
            self.state.send_replace(TokenState::NeedsLogin {
                reason: reason.clone(),
            });
            CredentialsError::NeedsLogin(reason)
        } else {
            CredentialsError::Unavailable(format!("the local store failed: {err}"))
        }
    }
}

impl Credentials for TokenManager {
    async fn authorization(&self) -> Result<AuthHeader, CredentialsError> {
        let mut current = self.current.lock().await;
        self.load(&mut current).await?;
        let header = current
            .header
            .clone()
            .ok_or_else(|| CredentialsError::NeedsLogin("no credentials are stored".into()))?;
        let Some(life) = current.lifetime.filter(|_| self.kind == AuthKind::OAuth) else {
            return Ok(header);
        };
        let now = Utc::now();
        if !life.is_due(now) {
            return Ok(header);
        }
        match self.refresh_locked(&mut current, None).await {
            Ok(fresh) => Ok(fresh),
            // Due is not expired: a token with time left still works while
            // the token endpoint is unreachable.
            Err(CredentialsError::Unavailable(_)) if now < life.expires_at => Ok(header),
            Err(err) => Err(err),
        }
    }

    async fn refresh_after_rejection(
        &self,
        rejected: &AuthHeader,
    ) -> Result<AuthHeader, CredentialsError> {
        let mut current = self.current.lock().await;
        if self.kind == AuthKind::ApiKey {
            let reason = "Close rejected the API key; log in again".to_owned();
            let store = Arc::clone(&self.store);
            let (id, stored_reason) = (self.id.clone(), reason.clone());
            if let Err(err) = blocking(move || store.mark_needs_login(&id, &stored_reason)).await {
                tracing::error!(account = %self.id, error = %err, "could not record needs-login");
            }
            current.header = None;
            self.state.send_replace(TokenState::NeedsLogin {
                reason: reason.clone(),
            });
            return Err(CredentialsError::NeedsLogin(reason));
        }
        // Another caller in this process already replaced the rejected token.
        if let Some(header) = current.header.as_ref().filter(|h| *h != rejected) {
            return Ok(header.clone());
        }
        self.refresh_locked(&mut current, Some(rejected)).await
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

/// Runs store work off the async threads.
async fn blocking<T, F>(work: F) -> Result<T, StoreError>
where
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|join| Err(StoreError::Invalid(format!("a store task failed: {join}"))))
}
