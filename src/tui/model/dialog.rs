//! Overlays: the connect dialog, the disconnect question and the API-key
//! input. At most one is open; `?` help draws above any of them.

use chrono::{DateTime, Utc};

use super::{Generation, input::TextInput};
use crate::store::AccountId;

/// What the waiting step of a login shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginWait {
    /// The authorize URL, shown in full (it holds no secret: `state` and the
    /// PKCE challenge are useless without the verifier).
    pub url: String,
    /// "loopback http on port 8765", "paste".
    pub transport: String,
    /// https with a self-signed certificate: the browser warns once.
    pub https: bool,
    /// A callback server is listening (otherwise only a paste can finish).
    pub listening: bool,
    /// "opened with `firefox`", or why no browser was opened.
    pub launch: String,
    pub browser_opened: bool,
    pub ssh_hint: Option<String>,
    pub deadline: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginPhase {
    /// Binding the port, opening the browser.
    Preparing,
    Waiting(LoginWait),
    Exchanging,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectDialog {
    pub attempt: Generation,
    pub phase: LoginPhase,
    /// Open while the user pastes a redirected URL.
    pub paste: Option<TextInput>,
    /// Why the last paste was refused.
    pub paste_error: Option<String>,
    /// A short note such as "URL copied".
    pub notice: Option<String>,
    /// The demo's sandbox approves by itself: no browser is needed.
    pub auto_approve: bool,
}

impl ConnectDialog {
    pub fn new(attempt: Generation, auto_approve: bool) -> Self {
        Self {
            attempt,
            phase: LoginPhase::Preparing,
            paste: None,
            paste_error: None,
            notice: None,
            auto_approve,
        }
    }

    pub fn wait(&self) -> Option<&LoginWait> {
        match &self.phase {
            LoginPhase::Waiting(wait) => Some(wait),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Connect(ConnectDialog),
    ConfirmDisconnect {
        account: AccountId,
        /// "Acme Corp (ann@acme.test)".
        label: String,
    },
    ApiKey {
        input: TextInput,
        /// Set once submitted; the dialog waits for the result.
        attempt: Option<Generation>,
        error: Option<String>,
    },
}
