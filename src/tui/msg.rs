//! Every input to `update` is a [`Msg`]; every effect it asks for is a
//! [`Cmd`]. Services run the commands and answer with messages tagged with
//! the generation they were given, so a stale answer is dropped.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent};

use super::model::{
    Generation, LoginWait, OrgInfo, PageReply, PageRequest, RecordDetail, SyncProgress, TokenView,
    UserInfo,
};
use crate::{
    close::records::Resource,
    secret::Secret,
    store::{Account, AccountId},
};

/// An input: from the terminal, a timer, or a service.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// Bracketed paste: text inputs take it whole. It may be an API key or
    /// a redirect URL with its code, so it never shows in a `Debug`.
    Paste(Secret),
    Resize(u16, u16),
    /// A countdown on screen moved on; `Model::now` is already updated.
    Tick,
    /// The process was told to end (SIGTERM, SIGHUP): quit as `q` does.
    Terminated,
    /// The stored accounts, read again.
    Accounts(Result<Vec<Account>, String>),
    /// The token manager's view of the active account changed.
    Token(TokenView),
    /// A step of a login attempt.
    Login {
        attempt: Generation,
        event: LoginEvent,
    },
    /// A disconnect finished: `Ok` says what happened to the revoke.
    Disconnected(Result<String, String>),
    Profile {
        generation: Generation,
        result: Result<UserInfo, String>,
    },
    Organization {
        generation: Generation,
        result: Result<OrgInfo, String>,
    },
    Page {
        resource: Resource,
        generation: Generation,
        result: Result<PageReply, String>,
    },
    Detail {
        resource: Resource,
        generation: Generation,
        result: Result<RecordDetail, String>,
        /// Close answered (not the cache): Close is reachable.
        live: bool,
    },
    Activities {
        resource: Resource,
        generation: Generation,
        result: Result<Vec<String>, String>,
    },
    /// The API client is holding requests until `until` (a 429).
    RateLimited {
        until: DateTime<Utc>,
    },
    /// Background sync moved on (`None`: finished).
    Sync(Option<SyncProgress>),
    /// A sync ended: what it did, or why it stopped.
    Synced(Result<String, String>),
    /// Another process committed to the database (a sync, a login) and
    /// has paused or ended; `loading`: a first sync's bulk load is still
    /// under way there.
    CacheChanged {
        loading: bool,
    },
    /// Close could not be reached (after the client's own retries).
    Offline(String),
    /// Something the user should see, from anywhere.
    Error(String),
    Info(String),
}

/// What a login attempt reports.
#[derive(Debug, Clone)]
pub enum LoginEvent {
    Waiting(LoginWait),
    PasteRejected(String),
    Exchanging,
    /// The account is stored and active.
    Connected(Account),
    Failed(String),
}

/// An effect `update` asks for. Each carries owned inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Quit,
    LoadAccounts,
    Activate(AccountId),
    StartLogin {
        attempt: Generation,
    },
    PasteRedirect {
        attempt: Generation,
        /// The redirected URL, with its authorization code.
        text: Secret,
    },
    CancelLogin {
        attempt: Generation,
    },
    OpenBrowser {
        url: String,
    },
    /// Put text on the clipboard through the terminal (OSC 52).
    Copy {
        text: String,
    },
    ApiKeyLogin {
        attempt: Generation,
        key: Secret,
    },
    Disconnect(AccountId),
    /// Bring the active account's cache up to date.
    Sync,
    LoadProfile {
        generation: Generation,
    },
    LoadOrganization {
        generation: Generation,
        organization_id: String,
    },
    FetchPage(PageRequest),
    LoadDetail {
        resource: Resource,
        generation: Generation,
        id: String,
        /// Ask Close even when the cache holds the record (a reload).
        from_close: bool,
    },
    LoadActivities {
        resource: Resource,
        generation: Generation,
        lead_id: String,
    },
}
