//! The kinds of record close-tui reads from Close and caches. They sit
//! below both the API client (`close`) and the store, which name them
//! without knowing each other.

/// The resources close-tui caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    Leads,
    Contacts,
    Opportunities,
    Tasks,
    Activities,
}

impl Resource {
    pub const ALL: [Resource; 5] = [
        Self::Leads,
        Self::Contacts,
        Self::Opportunities,
        Self::Tasks,
        Self::Activities,
    ];

    /// The name used on the command line and in the cache.
    pub fn name(self) -> &'static str {
        match self {
            Self::Leads => "leads",
            Self::Contacts => "contacts",
            Self::Opportunities => "opportunities",
            Self::Tasks => "tasks",
            Self::Activities => "activities",
        }
    }

    /// One record's kind, for messages: "lead", "opportunity", "activity".
    pub fn singular(self) -> &'static str {
        match self {
            Self::Leads => "lead",
            Self::Contacts => "contact",
            Self::Opportunities => "opportunity",
            Self::Tasks => "task",
            Self::Activities => "activity",
        }
    }

    /// The API path, relative to the API root.
    pub fn path(self) -> &'static str {
        match self {
            Self::Leads => "lead/",
            Self::Contacts => "contact/",
            Self::Opportunities => "opportunity/",
            Self::Tasks => "task/",
            Self::Activities => "activity/",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == name || r.singular() == name)
    }
}
