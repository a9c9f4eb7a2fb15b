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

mod background;
mod inflight;
mod refresh;

pub use inflight::{InFlight, only_revokes_in_flight, refreshes_settled, stop_refreshes};

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, watch};

use super::{client::TokenClient, schedule::Lifetime};
use crate::{
    close::{AuthHeader, Backoff, Credentials, CredentialsError},
    store::{Account, AccountId, AccountState, AuthKind, Credentials as Stored, Store, StoreError},
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

/// Keeps refreshes from starting while it lives; from
/// [`TokenManager::pause_refreshes`].
#[must_use = "refreshes resume as soon as the pause is dropped"]
pub struct RefreshPause<'a> {
    _current: tokio::sync::MutexGuard<'a, Current>,
}

pub struct TokenManager {
    store: Arc<Store>,
    client: Option<TokenClient>,
    id: AccountId,
    kind: AuthKind,
    current: Mutex<Current>,
    /// Shared with the task a refresh runs on, which reports its outcome
    /// even when its caller is gone.
    state: Arc<watch::Sender<TokenState>>,
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
            state: Arc::new(watch::channel(initial).0),
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

    /// Waits for a refresh in flight to end (stored, refused or failed),
    /// then keeps new ones from starting while the pause lives: a command
    /// that gives up on its work (`status` at its deadline) then leaves no
    /// refresh behind for the process's end to cut short.
    pub async fn pause_refreshes(&self) -> RefreshPause<'_> {
        RefreshPause {
            _current: self.current.lock().await,
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

    fn publish_connected(&self, current: &Current, last_refresh_at: Option<DateTime<Utc>>) {
        self.state.send_replace(TokenState::Connected {
            expires_at: current.lifetime.map(|life| life.expires_at),
            last_refresh_at,
        });
    }

    fn store_failure(&self, err: StoreError) -> CredentialsError {
        if matches!(err, StoreError::NotFound { .. }) {
            // Logged out, here or in another process: no retry brings it back.
            let reason = "the account was logged out; sign in again".to_owned();
            self.state.send_replace(TokenState::NeedsLogin {
                reason: reason.clone(),
            });
            return CredentialsError::NeedsLogin(reason);
        }
        if err.means_signed_out() {
            let reason = err.to_string();
            self.state.send_replace(TokenState::NeedsLogin {
                reason: reason.clone(),
            });
            CredentialsError::NeedsLogin(reason)
        } else {
            // Replaces the `Refreshing` a failed refresh transaction would
            // otherwise leave on show.
            let error = format!("the local store failed: {err}");
            self.state.send_replace(TokenState::Offline {
                error: error.clone(),
                retry_at: None,
            });
            CredentialsError::Unavailable(error)
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
