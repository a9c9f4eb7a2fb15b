//! The active account's session (token manager, refresher and API client),
//! kept in step with the store, and its reports forwarded as messages.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use tokio::task::JoinHandle;

use super::{ServiceError, Shared};
use crate::{
    auth::tokens::{TokenManager, TokenState},
    close::{ClientEvent, CloseClient},
    session::Session,
    store::{Account, AccountId, StoreError},
    tui::{model::TokenView, msg::Msg},
};

pub type Client = CloseClient<Arc<TokenManager>>;

struct Live {
    account: Account,
    session: Session,
    /// The refresher and the two forwarders; aborted when replaced.
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Live {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The one live session. A plain mutex: it is held only to swap or clone.
#[derive(Default)]
pub struct SessionSlot(Mutex<Option<Live>>);

impl SessionSlot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Live>> {
        // Only swaps and clones happen under the lock; a panic in one
        // cannot leave the slot half-written.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The client for the active account.
    pub fn client(&self) -> Result<(AccountId, Client), ServiceError> {
        self.lock()
            .as_ref()
            .map(|live| (live.account.id().clone(), live.session.client.clone()))
            .ok_or(ServiceError::NoAccount)
    }

    pub fn clear(&self) {
        self.lock().take();
    }
}

/// Reads the accounts, makes sure the session matches the active one, and
/// reports both.
pub async fn load_accounts(shared: &Arc<Shared>) {
    let result = read_accounts(shared).await;
    match result {
        Ok(accounts) => {
            let active = accounts.iter().find(|a| a.active).cloned();
            shared.send(Msg::Accounts(Ok(accounts)));
            follow(shared, active);
        }
        Err(err) => shared.send(Msg::Accounts(Err(err.to_string()))),
    }
}

async fn read_accounts(shared: &Shared) -> Result<Vec<Account>, ServiceError> {
    let store = shared.store().await?;
    tokio::task::spawn_blocking(move || store.list_accounts())
        .await
        .map_err(|err| ServiceError::Other(err.to_string()))?
        .map_err(ServiceError::from)
}

pub async fn activate(shared: &Arc<Shared>, id: AccountId) {
    let store = match shared.store().await {
        Ok(store) => store,
        Err(err) => return shared.send(Msg::Error(err.to_string())),
    };
    let result = tokio::task::spawn_blocking(move || store.set_active(&id)).await;
    match result {
        Ok(Ok(())) => load_accounts(shared).await,
        // Logged out by another close-tui since the list was read: said
        // so, and the list read again.
        Ok(Err(StoreError::NotFound { .. })) => {
            shared.send(Msg::Error(
                "that account was logged out meanwhile (by another close-tui)".into(),
            ));
            load_accounts(shared).await;
        }
        Ok(Err(err)) => shared.send(Msg::Error(err.to_string())),
        Err(err) => shared.send(Msg::Error(err.to_string())),
    }
}

/// Replaces the session when the active account changed.
fn follow(shared: &Arc<Shared>, active: Option<Account>) {
    let mut slot = shared.session.lock();
    // A new login for the same account clears the slot first (see
    // `login`), so comparing ids is enough here.
    let same = match (&*slot, &active) {
        (Some(live), Some(account)) => live.account.id() == account.id(),
        (None, None) => true,
        _ => false,
    };
    if same {
        return;
    }
    *slot = None;
    let Some(account) = active else { return };
    let Some(store) = shared.store_now() else {
        return;
    };
    let session = match Session::for_account(&shared.settings, store, account.clone()) {
        Ok(session) => session,
        Err(err) => return shared.send(Msg::Error(err.to_string())),
    };
    let tasks = vec![
        session.tokens.spawn_refresher(),
        tokio::spawn(forward_tokens(Arc::clone(shared), session.tokens.clone())),
        tokio::spawn(forward_events(Arc::clone(shared), session.client.clone())),
    ];
    *slot = Some(Live {
        account,
        session,
        tasks,
    });
}

async fn forward_tokens(shared: Arc<Shared>, tokens: Arc<TokenManager>) {
    let mut state = tokens.state();
    loop {
        let view = to_view(&state.borrow_and_update());
        shared.send(Msg::Token(view));
        if state.changed().await.is_err() {
            return;
        }
    }
}

fn to_view(state: &TokenState) -> TokenView {
    match state.clone() {
        TokenState::Connected {
            expires_at,
            last_refresh_at,
        } => TokenView::Connected {
            expires_at,
            last_refresh_at,
        },
        TokenState::Refreshing => TokenView::Refreshing,
        TokenState::Offline { error, retry_at } => TokenView::Offline { error, retry_at },
        TokenState::NeedsLogin { reason } => TokenView::NeedsLogin { reason },
    }
}

async fn forward_events(shared: Arc<Shared>, client: super::session::Client) {
    let mut events = client.events();
    loop {
        match events.recv().await {
            Ok(ClientEvent::RateLimited { until, .. }) => {
                let wait = until.saturating_duration_since(std::time::Instant::now());
                let until = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                shared.send(Msg::RateLimited { until });
            }
            Ok(ClientEvent::Retrying { .. }) => {}
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// The active account's id, without starting its session: a cache read
/// should not wait for an HTTP client (its TLS set-up reads every system
/// certificate).
pub async fn active_id(shared: &Arc<Shared>) -> Result<AccountId, ServiceError> {
    if let Ok((id, _)) = shared.session.client() {
        return Ok(id);
    }
    read_accounts(shared)
        .await?
        .into_iter()
        .find(|a| a.active)
        .map(|a| a.id().clone())
        .ok_or(ServiceError::NoAccount)
}

/// The active account's client, starting its session first if the store
/// has an active account nobody has followed yet (a reply to a login can
/// race the account read that would start it).
pub async fn client(shared: &Arc<Shared>) -> Result<(AccountId, Client), ServiceError> {
    if let Ok(found) = shared.session.client() {
        return Ok(found);
    }
    let accounts = read_accounts(shared).await?;
    follow(shared, accounts.into_iter().find(|a| a.active));
    shared.session.client()
}
