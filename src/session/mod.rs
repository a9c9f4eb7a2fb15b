//! The pieces every command needs to talk to Close as the active account:
//! the store, the account, its token manager and an API client. Also the
//! last step of every login: ask Close who we are, then store the account.

mod issued;

use std::sync::Arc;

use chrono::Utc;

use issued::{Issued, revoke_all};

use crate::{
    auth::{
        client::{TokenClient, TokenClientConfig, TokenResponse},
        tokens::TokenManager,
    },
    close::{ApiError, AuthHeader, CloseClient, StaticCredentials, http_client},
    config::Settings,
    printable::printable,
    secret::Secret,
    store::{Account, AccountId, AuthKind, Credentials, KeyConfig, Profile, Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("not logged in: run `close-tui login` first")]
    NotLoggedIn,
    #[error("{organization} needs login: {reason}. Run `close-tui login`")]
    NeedsLogin {
        organization: String,
        reason: String,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
    #[error(
        "not logged in: no database at {}; run `close-tui login` first (or check --db and \
         CLOSE_TUI_DB)",
        .0.display()
    )]
    NoDatabase(std::path::PathBuf),
}

/// The store, for the commands that only use what a login left (`sync`,
/// `export`, `switch`, `logout`): a database that is not there is not made,
/// so a mistyped `--db` reads as "not logged in here" and leaves nothing.
pub fn open_existing_store(settings: &Settings) -> Result<Arc<Store>, SessionError> {
    // A bad setting is said first: it is the user's to fix either way.
    KeyConfig::from_env(&settings.dirs.config)?;
    // Only a file that is not there is missing; one that cannot be looked
    // at (permissions) is opened, and says why it cannot be.
    if matches!(settings.db_path.try_exists(), Ok(false)) {
        return Err(SessionError::NoDatabase(settings.db_path.clone()));
    }
    Ok(open_store(settings)?)
}

/// Opens the database named by the settings (making it when it is not
/// there), with the key store chosen by `CLOSE_TUI_KEY_STORE` (default:
/// keyring if one answers, else a key file).
pub fn open_store(settings: &Settings) -> Result<Arc<Store>, StoreError> {
    let keys = KeyConfig::from_env(&settings.dirs.config)?;
    Store::open(&settings.db_path, keys).map(Arc::new)
}

/// The token endpoint client, when an OAuth app is configured.
pub fn token_client(settings: &Settings) -> Option<TokenClient> {
    let config = TokenClientConfig::from_settings(settings).ok()?;
    TokenClient::new(config).ok()
}

/// The active account, ready to call Close.
#[derive(Clone)]
pub struct Session {
    pub store: Arc<Store>,
    pub account: Account,
    pub tokens: Arc<TokenManager>,
    pub client: CloseClient<Arc<TokenManager>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", self.account.id())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Opens the store and the active account.
    pub async fn active(settings: &Settings) -> Result<Self, SessionError> {
        let settings_for_store = settings.clone();
        let (store, account) = tokio::task::spawn_blocking(move || {
            let store = open_existing_store(&settings_for_store)?;
            let account = store.active_account()?;
            Ok::<_, SessionError>((store, account))
        })
        .await
        .map_err(|err| SessionError::Http(err.to_string()))??;
        let account = account.ok_or(SessionError::NotLoggedIn)?;
        Self::for_account(settings, store, account)
    }

    /// A session for one stored account.
    pub fn for_account(
        settings: &Settings,
        store: Arc<Store>,
        account: Account,
    ) -> Result<Self, SessionError> {
        let tokens = TokenManager::new(Arc::clone(&store), token_client(settings), &account);
        let http = http_client().map_err(|err| SessionError::Http(err.to_string()))?;
        let client = CloseClient::new(http, settings.api_url.clone(), Arc::clone(&tokens));
        Ok(Self {
            store,
            account,
            tokens,
            client,
        })
    }
}

/// What a successful login produced.
#[derive(Debug, Clone)]
pub enum NewLogin {
    OAuth(TokenResponse),
    ApiKey(Secret),
}

#[derive(Debug, thiserror::Error)]
pub enum CompleteLoginError {
    #[error("{}", profile_failed(.0))]
    Profile(ApiError),
    #[error("the token response has no organization_id")]
    NoOrganization,
    #[error("cannot save the account: {0}")]
    NotSaved(StoreError),
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
    /// An OAuth login that failed after Close issued its tokens, with what
    /// became of them.
    #[error("{error}{revoked}")]
    Revoked {
        error: Box<CompleteLoginError>,
        revoked: String,
    },
}

/// Why the new credentials' profile could not be read: refused, or Close
/// not answering (a 503 is not a verdict on the credentials).
fn profile_failed(err: &ApiError) -> String {
    if err.is_transient() {
        format!("could not check the new credentials with Close ({err}); try again")
    } else {
        format!("Close did not accept the new credentials: {err}")
    }
}

/// Asks Close who the new credentials belong to (`GET /me/`), then stores
/// the account, encrypted, as the active one. If an OAuth login fails on
/// the way, or is given up half-way (Esc, quitting), the tokens Close
/// issued for it are revoked: nothing here would know of that live grant.
pub async fn complete_login(
    settings: &Settings,
    store: &Arc<Store>,
    login: NewLogin,
) -> Result<Account, CompleteLoginError> {
    let mut issued = Issued::new(settings, &login);
    let (profile, credentials) = match new_account(settings, login).await {
        Ok(parts) => parts,
        Err(error) => return Err(issued.fail(error).await),
    };
    // The save decides what becomes of the tokens, even if this future is
    // dropped meanwhile (Esc, quitting): the blocking task runs on, keeps
    // them if it stored them, and its guard revokes them if not.
    let store = Arc::clone(store);
    let saved = tokio::task::spawn_blocking(move || {
        let saved = store.save_login(&profile, &credentials);
        if saved.is_ok() {
            issued.keep();
        }
        (saved, issued)
    })
    .await;
    match saved {
        Ok((Ok(account), _)) => {
            tracing::info!(account = %account.id(), auth = account.profile.auth.as_str(), "logged in");
            Ok(account)
        }
        Ok((Err(source), mut issued)) => {
            Err(issued.fail(CompleteLoginError::NotSaved(source)).await)
        }
        // The save panicked; its guard went with it, and revoked.
        Err(err) => Err(CompleteLoginError::Http(err.to_string())),
    }
}

/// Who the new credentials belong to (`GET /me/`): the account to store,
/// and what to store for it.
async fn new_account(
    settings: &Settings,
    login: NewLogin,
) -> Result<(Profile, Credentials), CompleteLoginError> {
    let header = match &login {
        NewLogin::OAuth(tokens) => AuthHeader::Bearer(tokens.access_token.clone()),
        NewLogin::ApiKey(key) => AuthHeader::ApiKey(key.clone()),
    };
    let http = http_client().map_err(|err| CompleteLoginError::Http(err.to_string()))?;
    let client = CloseClient::new(http, settings.api_url.clone(), StaticCredentials(header));
    let me = client.me().await.map_err(CompleteLoginError::Profile)?;
    let organization_id = match &login {
        NewLogin::OAuth(tokens) => tokens
            .organization_id
            .clone()
            .ok_or(CompleteLoginError::NoOrganization)?,
        // An API key belongs to one organization; /me/ lists the user's.
        NewLogin::ApiKey(_) => me
            .organizations
            .first()
            .map(|org| org.id.clone())
            .ok_or(CompleteLoginError::NoOrganization)?,
    };
    let organization_name = match me.organization_name(&organization_id) {
        Some(name) => name.to_owned(),
        None => client
            .organization(&organization_id)
            .await
            .ok()
            .and_then(|org| org.name)
            .unwrap_or_else(|| organization_id.clone()),
    };
    let user_id = match &login {
        NewLogin::OAuth(tokens) => tokens.user_id.clone().unwrap_or_else(|| me.id.clone()),
        NewLogin::ApiKey(_) => me.id.clone(),
    };
    // Names are printed by every command and shown by the app: stored as
    // they can be shown.
    let profile = Profile {
        id: AccountId::new(organization_id, user_id),
        organization_name: printable(&organization_name),
        user_email: printable(&me.email.clone().unwrap_or_default()),
        user_name: printable(&me.full_name().unwrap_or_default()),
        auth: match login {
            NewLogin::OAuth(_) => AuthKind::OAuth,
            NewLogin::ApiKey(_) => AuthKind::ApiKey,
        },
    };
    let credentials = match login {
        NewLogin::OAuth(tokens) => Credentials {
            access_token_expires_at: tokens
                .expires_in
                .and_then(|secs| i64::try_from(secs).ok())
                .map(|secs| Utc::now() + chrono::Duration::seconds(secs)),
            access_token: Some(tokens.access_token),
            refresh_token: tokens.refresh_token,
            api_key: None,
        },
        NewLogin::ApiKey(key) => Credentials {
            api_key: Some(key),
            ..Credentials::default()
        },
    };
    Ok((profile, credentials))
}

/// How revoking an account's tokens at Close went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// The refresh and access tokens were revoked.
    Done,
    /// API keys cannot be revoked through OAuth; they stay valid.
    ApiKey,
    /// No OAuth client is configured, so nothing could be sent.
    NoClient,
    /// The stored secrets could not be read (e.g. the key is missing).
    Unreadable(String),
    /// Close (or the network) refused; the reasons, one per token.
    Failed(Vec<String>),
}

impl Revoked {
    /// A clause to append to "Logged out of ORG".
    pub fn note(&self) -> String {
        match self {
            Self::Done => String::new(),
            Self::ApiKey => {
                "; API keys stay valid until you delete them in Close's settings".into()
            }
            Self::NoClient => "; not revoked at Close (no OAuth client configured)".into(),
            Self::Unreadable(reason) => format!("; not revoked at Close ({reason})"),
            Self::Failed(_) => "; revoke failed, local secrets deleted".into(),
        }
    }
}

/// Revokes the account's tokens at Close, best effort. Revoking the refresh
/// token ends the whole grant; the access token is revoked too, since not
/// every server ties the two together.
pub async fn revoke(settings: &Settings, store: &Arc<Store>, account: &Account) -> Revoked {
    if account.profile.auth == AuthKind::ApiKey {
        return Revoked::ApiKey;
    }
    let Some(client) = token_client(settings) else {
        return Revoked::NoClient;
    };
    let (store, id) = (Arc::clone(store), account.id().clone());
    let credentials = match tokio::task::spawn_blocking(move || store.credentials(&id)).await {
        Ok(Ok(credentials)) => credentials,
        Ok(Err(err)) => return Revoked::Unreadable(err.to_string()),
        Err(err) => return Revoked::Unreadable(err.to_string()),
    };
    let tokens = [&credentials.refresh_token, &credentials.access_token];
    let failures = revoke_all(&client, tokens.into_iter().flatten()).await;
    if failures.is_empty() {
        Revoked::Done
    } else {
        Revoked::Failed(failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_not_answering_is_not_a_refusal() {
        let busy = CompleteLoginError::Profile(ApiError::Server {
            status: 503,
            path: "me/".into(),
        });
        let busy = busy.to_string();
        assert!(
            busy.starts_with("could not check the new credentials with Close"),
            "{busy}"
        );
        assert!(busy.ends_with("try again"), "{busy}");
        let refused = CompleteLoginError::Profile(ApiError::Unauthorized).to_string();
        assert!(
            refused.starts_with("Close did not accept the new credentials"),
            "{refused}"
        );
    }
}
