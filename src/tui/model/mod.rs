//! The TUI's state and the one function that changes it.
//!
//! [`update`] takes a [`Msg`](super::msg::Msg) and returns the
//! [`Cmd`](super::msg::Cmd)s to run. It does no I/O and never waits, so
//! every transition is a plain unit test. "Now" is a field the app loop
//! sets before each call, which lets tests and snapshots fix the clock.

mod account;
mod connection;
mod detail;
mod dialog;
mod input;
pub mod layout;
mod loadable;
mod page;
mod table;
pub mod text;
mod toast;
mod update;
mod update_connection;
mod update_data;
mod update_detail;
mod update_input;

use chrono::{DateTime, Utc};

pub use account::{AccountScreen, Member, OrgInfo, PipelineInfo, UserInfo};
pub use connection::{ConnectionModel, ConnectionState, TokenView};
pub use detail::{DetailModel, DetailSection, RecordDetail};
pub use dialog::{ConnectDialog, LoginPhase, LoginWait, Overlay};
pub use input::{MAX_INPUT, TextInput};
pub use layout::Layout;
pub use loadable::{Generation, Loadable};
pub use page::{Freshness, PageReply, PageRequest, RecordRow, Total};
pub use table::{MAX_PAGE, TableModel};
pub use text::{TextLine, Tone};
pub use toast::{Toast, ToastLevel, Toasts};
pub use update::update;

use super::keymap::{Context, HelpLine, Keymap};
use crate::close::records::Resource;

/// The six screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Connection,
    Account,
    Leads,
    Contacts,
    Opportunities,
    Tasks,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Self::Connection,
        Self::Account,
        Self::Leads,
        Self::Contacts,
        Self::Opportunities,
        Self::Tasks,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Connection => "Connection",
            Self::Account => "Account",
            Self::Leads => "Leads",
            Self::Contacts => "Contacts",
            Self::Opportunities => "Opportunities",
            Self::Tasks => "Tasks",
        }
    }

    /// The name `--screen` takes.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.title().eq_ignore_ascii_case(name.trim()))
    }

    /// The cached resource a data screen shows.
    pub fn resource(self) -> Option<Resource> {
        match self {
            Self::Leads => Some(Resource::Leads),
            Self::Contacts => Some(Resource::Contacts),
            Self::Opportunities => Some(Resource::Opportunities),
            Self::Tasks => Some(Resource::Tasks),
            Self::Connection | Self::Account => None,
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn cycle(self, step: isize) -> Self {
        let n = Self::ALL.len() as isize;
        Self::ALL[(self.index() as isize + step).rem_euclid(n) as usize]
    }
}

/// Background sync progress for the gauge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncProgress {
    pub resource: Resource,
    pub done: u64,
    pub total: Option<u64>,
    /// Every record is in; the cache is building its indexes.
    pub indexing: bool,
}

/// Settings fixed at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelOptions {
    /// The demo sandbox approves logins by itself.
    pub auto_approve: bool,
    /// Running as `close-tui demo`, against its own sandbox.
    pub demo: bool,
    /// Where the app points, e.g. "sandbox at http://127.0.0.1:4100".
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub now: DateTime<Utc>,
    pub keymap: Keymap,
    pub options: ModelOptions,
    pub screen: Screen,
    pub layout: Layout,
    pub connection: ConnectionModel,
    pub overlay: Option<Overlay>,
    pub help: bool,
    /// The first line of the `?` overlay shown, when it does not fit.
    pub help_scroll: usize,
    pub account: AccountScreen,
    /// Leads, Contacts, Opportunities, Tasks.
    pub tables: [TableModel; 4],
    /// The open detail view of each data screen.
    pub details: [Option<DetailModel>; 4],
    /// Tags every detail load. Details count on their own, so opening one
    /// never makes its table's page in flight stale, and one counter for
    /// all of them keeps a closed view's late reply stale for the next.
    pub detail_generation: Generation,
    pub toasts: Toasts,
    pub rate_limited_until: Option<DateTime<Utc>>,
    /// Close was unreachable on the last request; cleared by the next
    /// answer that came from Close (not from the local cache).
    pub offline: Option<Unreachable>,
    pub sync: Option<SyncProgress>,
    pub quit: bool,
}

/// Requests fail for want of a network; what is shown stays, and the
/// screen's requests are retried at `retry_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    pub error: String,
    pub retry_at: DateTime<Utc>,
}

/// Seconds between retries while Close is unreachable.
pub const OFFLINE_RETRY_SECS: i64 = 5;

impl Model {
    pub fn new(now: DateTime<Utc>, keymap: Keymap, options: ModelOptions) -> Self {
        Self {
            now,
            keymap,
            options,
            screen: Screen::Connection,
            layout: Layout::new(100, 30),
            connection: ConnectionModel::default(),
            overlay: None,
            help: false,
            help_scroll: 0,
            account: AccountScreen::default(),
            tables: [
                TableModel::new(Resource::Leads),
                TableModel::new(Resource::Contacts),
                TableModel::new(Resource::Opportunities),
                TableModel::new(Resource::Tasks),
            ],
            details: [None, None, None, None],
            detail_generation: Generation::default(),
            toasts: Toasts::default(),
            rate_limited_until: None,
            offline: None,
            sync: None,
            quit: false,
        }
    }

    /// Index into `tables`/`details` for a data screen.
    pub fn data_index(screen: Screen) -> Option<usize> {
        screen.resource().map(|r| match r {
            Resource::Leads => 0,
            Resource::Contacts => 1,
            Resource::Opportunities => 2,
            _ => 3,
        })
    }

    pub fn table(&self) -> Option<&TableModel> {
        Self::data_index(self.screen).map(|i| &self.tables[i])
    }

    pub fn detail(&self) -> Option<&DetailModel> {
        Self::data_index(self.screen).and_then(|i| self.details[i].as_ref())
    }

    /// Which keybindings apply now.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Connect(_)) => return Context::Connect,
            Some(Overlay::ConfirmDisconnect { .. }) => return Context::Confirm,
            Some(Overlay::ApiKey { .. }) => return Context::Confirm,
            None => {}
        }
        match self.screen {
            Screen::Connection => Context::Connection,
            Screen::Account => Context::Account,
            _ if self.detail().is_some() => Context::Detail,
            _ => Context::Table,
        }
    }

    /// True while keys go into a dialog's text box (an API key not yet
    /// sent, a pasted address) rather than to the bindings, but Enter and
    /// Esc.
    pub fn typing(&self) -> bool {
        match &self.overlay {
            Some(Overlay::ApiKey { attempt: None, .. }) => true,
            Some(Overlay::Connect(dialog)) => dialog.paste.is_some(),
            _ => false,
        }
    }

    /// The lines of the `?` overlay here.
    pub fn help_lines(&self) -> Vec<HelpLine<'_>> {
        self.keymap.help(self.context())
    }

    /// The furthest the `?` overlay scrolls: its last line at the bottom.
    pub fn help_max_scroll(&self) -> usize {
        self.help_lines()
            .len()
            .saturating_sub(usize::from(self.layout.help_rows()))
    }

    /// True while the screen says how long ago its rows were synced
    /// ("synced 5 min ago"), so the app wakes every few seconds to keep
    /// that true while no key is pressed.
    pub fn shows_age(&self) -> bool {
        self.table()
            .is_some_and(|t| matches!(t.freshness, Freshness::Synced(_)))
    }

    /// True while something on screen counts down, so the app wakes once
    /// a second. Otherwise nothing ticks at all (but see [`Self::shows_age`]).
    pub fn wants_tick(&self) -> bool {
        let countdown = match (&self.connection.state, self.screen) {
            (ConnectionState::AwaitingBrowser { .. }, _) => true,
            (ConnectionState::Offline { retry_at, .. }, _) => retry_at.is_some(),
            (ConnectionState::Connected { expires_at, .. }, Screen::Connection) => {
                expires_at.is_some()
            }
            _ => false,
        };
        countdown
            || self.offline.is_some()
            || !self.toasts.is_empty()
            || self
                .rate_limited_until
                .is_some_and(|until| until > self.now)
    }
}

#[cfg(test)]
mod tests;
