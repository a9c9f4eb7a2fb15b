//! The account types the store hands out. Non-secret fields live on
//! `Account`; the secrets come only through `Credentials`, whose fields are
//! `Secret`s and print as `[redacted]`.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::secret::Secret;

/// A Close connection: consent is per organization, so one user can have
/// several accounts, one per organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountId {
    pub organization_id: String,
    pub user_id: String,
}

impl AccountId {
    pub fn new(organization_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            organization_id: organization_id.into(),
            user_id: user_id.into(),
        }
    }

    /// Associated data that binds a sealed value to this row and column.
    /// Lengths are spelled out so no two (org, user) pairs share a prefix.
    pub(crate) fn aad(&self, column: &str) -> String {
        format!(
            "{}:{}/{}:{}/{column}",
            self.organization_id.len(),
            self.organization_id,
            self.user_id.len(),
            self.user_id
        )
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.organization_id, self.user_id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    OAuth,
    ApiKey,
}

impl AuthKind {
    /// The word stored in the database and printed by `status --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OAuth => "oauth",
            Self::ApiKey => "api_key",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "oauth" => Some(Self::OAuth),
            "api_key" => Some(Self::ApiKey),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountState {
    Connected,
    /// The stored credentials cannot be used; `reason` is shown to the user.
    NeedsLogin {
        reason: String,
    },
}

impl AccountState {
    /// `connected` or `needs_login`, as `status --json` prints it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::NeedsLogin { .. } => "needs_login",
        }
    }
}

/// Who logged in, as the login flow learned it from the token and `/me/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: AccountId,
    pub organization_name: String,
    pub user_email: String,
    pub user_name: String,
    pub auth: AuthKind,
}

/// A stored account without its secrets. Listing never decrypts anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub profile: Profile,
    /// The stored state, or `NeedsLogin` when the store's key is missing or
    /// wrong (that is not written to the row: the key may come back).
    pub state: AccountState,
    pub active: bool,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    pub last_refresh_at: Option<DateTime<Utc>>,
    pub refresh_token_stored: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    pub fn id(&self) -> &AccountId {
        &self.profile.id
    }
}

/// The secrets of one account. An OAuth account has the tokens, an API-key
/// account has `api_key`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub access_token: Option<Secret>,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    pub refresh_token: Option<Secret>,
    pub api_key: Option<Secret>,
}

/// What a successful refresh writes.
#[derive(Debug, Clone)]
pub struct TokenUpdate {
    pub access_token: Secret,
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// The rotated refresh token. `None` when the server sent none: the old
    /// one is kept, never erased.
    pub refresh_token: Option<Secret>,
}

pub(crate) fn to_unix(time: DateTime<Utc>) -> i64 {
    time.timestamp()
}

pub(crate) fn from_unix(secs: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
}
