//! What a key can ask for. The names are what config.toml uses
//! (`snake_case`), and each has the one-line description the help shows.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextScreen,
    PrevScreen,
    ShowConnection,
    ShowAccount,
    ShowLeads,
    ShowContacts,
    ShowOpportunities,
    ShowTasks,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter on a list: open the row, or make the account active.
    Select,
    Back,
    Reload,
    /// Bring the local cache up to date with Close.
    Sync,
    Search,
    Connect,
    Reconnect,
    Disconnect,
    ApiKeyLogin,
    CopyUrl,
    OpenBrowser,
    PasteUrl,
    Cancel,
    Yes,
    No,
}

impl Action {
    /// The short label used in the footer.
    pub fn label(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::Help => "help",
            Self::NextScreen => "next screen",
            Self::PrevScreen => "previous screen",
            Self::ShowConnection => "connection",
            Self::ShowAccount => "account",
            Self::ShowLeads => "leads",
            Self::ShowContacts => "contacts",
            Self::ShowOpportunities => "opportunities",
            Self::ShowTasks => "tasks",
            Self::Up => "up",
            Self::Down => "down",
            Self::PageUp => "page up",
            Self::PageDown => "page down",
            Self::Top => "top",
            Self::Bottom => "bottom",
            Self::Select => "open",
            Self::Back => "back",
            Self::Reload => "reload",
            Self::Sync => "sync",
            Self::Search => "search",
            Self::Connect => "connect",
            Self::Reconnect => "reconnect",
            Self::Disconnect => "disconnect",
            Self::ApiKeyLogin => "API key",
            Self::CopyUrl => "copy URL",
            Self::OpenBrowser => "open browser",
            Self::PasteUrl => "paste URL",
            Self::Cancel => "cancel",
            Self::Yes => "yes",
            Self::No => "no",
        }
    }

    /// The sentence the `?` overlay shows.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Quit => "quit and restore the terminal",
            Self::Help => "show or hide this help",
            Self::NextScreen => "go to the next screen",
            Self::PrevScreen => "go to the previous screen",
            Self::ShowConnection => "the Connection screen",
            Self::ShowAccount => "the Account screen",
            Self::ShowLeads => "the Leads table",
            Self::ShowContacts => "the Contacts table",
            Self::ShowOpportunities => "the Opportunities table",
            Self::ShowTasks => "the Tasks table",
            Self::Up => "move up one row",
            Self::Down => "move down one row",
            Self::PageUp => "move up one page",
            Self::PageDown => "move down one page",
            Self::Top => "go to the first row",
            Self::Bottom => "go to the last row",
            Self::Select => "open the selected row / make the account active",
            Self::Back => "close the detail view / clear a kept search",
            Self::Reload => "load this screen again",
            Self::Sync => "update the local cache from Close now",
            Self::Search => "search as you type (Enter keeps, Esc clears)",
            Self::Connect => "connect a Close account in the browser",
            Self::Reconnect => "sign in again to the active account",
            Self::Disconnect => "disconnect: revoke the token and forget it",
            Self::ApiKeyLogin => "sign in with an API key",
            Self::CopyUrl => "copy the authorize URL (OSC 52)",
            Self::OpenBrowser => "open the browser again",
            Self::PasteUrl => "paste the URL the browser was sent to",
            Self::Cancel => "cancel the login",
            Self::Yes => "confirm",
            Self::No => "do not",
        }
    }
}
