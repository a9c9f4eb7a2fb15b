//! The connection's lifecycle as one enum, the stored accounts, and the
//! login attempt in flight.

use chrono::{DateTime, Utc};

use super::Generation;
use crate::auth::schedule::Lifetime;
use crate::store::{Account, AccountState};

/// What the header badge and the Connection screen show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnectionState {
    /// Reading the store at start-up.
    #[default]
    Starting,
    SignedOut {
        reason: Option<String>,
    },
    AwaitingBrowser {
        deadline: DateTime<Utc>,
    },
    Exchanging,
    Connected {
        expires_at: Option<DateTime<Utc>>,
        last_refresh_at: Option<DateTime<Utc>>,
    },
    Refreshing,
    NeedsLogin {
        reason: String,
    },
    Offline {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

impl ConnectionState {
    /// The badge's word.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::SignedOut { .. } => "signed out",
            Self::AwaitingBrowser { .. } => "waiting for browser",
            Self::Exchanging => "exchanging",
            Self::Connected { .. } => "connected",
            Self::Refreshing => "refreshing",
            Self::NeedsLogin { .. } => "needs login",
            Self::Offline { .. } => "offline",
        }
    }

    /// True while an account can be used (data screens may load).
    pub fn is_usable(&self) -> bool {
        matches!(
            self,
            Self::Connected { .. } | Self::Refreshing | Self::Offline { .. }
        )
    }

    /// The state a stored account implies before the token manager says more.
    pub fn of_account(account: Option<&Account>) -> Self {
        match account {
            None => Self::SignedOut { reason: None },
            Some(account) => match &account.state {
                AccountState::NeedsLogin { reason } => Self::NeedsLogin {
                    reason: reason.clone(),
                },
                AccountState::Connected => Self::Connected {
                    expires_at: account.access_token_expires_at,
                    last_refresh_at: account.last_refresh_at,
                },
            },
        }
    }
}

/// The token manager's report, mirrored so the model does not depend on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenView {
    Connected {
        expires_at: Option<DateTime<Utc>>,
        last_refresh_at: Option<DateTime<Utc>>,
    },
    Refreshing,
    Offline {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
    NeedsLogin {
        reason: String,
    },
}

impl From<TokenView> for ConnectionState {
    fn from(view: TokenView) -> Self {
        match view {
            TokenView::Connected {
                expires_at,
                last_refresh_at,
            } => Self::Connected {
                expires_at,
                last_refresh_at,
            },
            TokenView::Refreshing => Self::Refreshing,
            TokenView::Offline { error, retry_at } => Self::Offline { error, retry_at },
            TokenView::NeedsLogin { reason } => Self::NeedsLogin { reason },
        }
    }
}

/// The Connection screen's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectionModel {
    pub state: ConnectionState,
    pub accounts: Vec<Account>,
    /// The highlighted row of the accounts list.
    pub selected: usize,
    /// The login attempt in flight, if any; replies for others are stale.
    pub login: Option<Generation>,
    pub attempts: Generation,
}

impl ConnectionModel {
    pub fn active(&self) -> Option<&Account> {
        self.accounts.iter().find(|a| a.active)
    }

    /// A fresh account list: the state follows the active account unless a
    /// login is under way (its own messages drive the state then).
    pub fn set_accounts(&mut self, accounts: Vec<Account>) {
        self.accounts = accounts;
        self.selected = self
            .accounts
            .iter()
            .position(|a| a.active)
            .unwrap_or(0)
            .min(self.accounts.len().saturating_sub(1));
        if self.login.is_none() {
            let keep_live_state = self.state.is_usable()
                && self
                    .active()
                    .is_some_and(|a| a.state == AccountState::Connected)
                && !matches!(self.state, ConnectionState::Connected { .. });
            if !keep_live_state {
                self.state = ConnectionState::of_account(self.active());
            }
        }
    }

    /// Starts a new attempt; any older one becomes stale.
    pub fn begin_login(&mut self) -> Generation {
        let attempt = self.attempts.bump();
        self.login = Some(attempt);
        attempt
    }

    pub fn is_current(&self, attempt: Generation) -> bool {
        self.login == Some(attempt)
    }

    /// When the token manager will refresh, by its own schedule. The token
    /// was issued at the last refresh, or at the login (the account row's
    /// last update).
    pub fn next_refresh_at(
        &self,
        expires_at: DateTime<Utc>,
        last_refresh_at: Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        let issued_at = last_refresh_at
            .into_iter()
            .chain(self.active().map(|a| a.updated_at))
            .max()
            .unwrap_or(expires_at);
        Lifetime::new(issued_at, expires_at).due_at()
    }
}
