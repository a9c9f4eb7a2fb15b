//! What a table asks its source for and what comes back: a window of
//! formatted rows, where they came from, and how many there are.

use chrono::{DateTime, Utc};

use super::Generation;
use crate::close::records::Resource;

/// One row as shown: the cells are already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub id: String,
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub resource: Resource,
    pub query: String,
    pub offset: usize,
    pub limit: usize,
    pub generation: Generation,
}

/// Where rows came from: the local cache (with its age) or Close itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Freshness {
    #[default]
    Unknown,
    Live,
    Synced(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageReply {
    pub offset: usize,
    pub rows: Vec<RecordRow>,
    /// The number of matching rows, when the source knows it.
    pub total: Option<usize>,
    pub has_more: bool,
    pub freshness: Freshness,
    /// A first answer that another for the same request follows (a lead
    /// search's cached hits, then Close's merged in): it shows rows, but
    /// does not end the request.
    pub provisional: bool,
}

/// How many rows match, as far as is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Total {
    #[default]
    Unknown,
    Exact(usize),
    /// At least this many; more come on request.
    AtLeast(usize),
}

impl Total {
    pub fn known(self) -> usize {
        match self {
            Self::Unknown => 0,
            Self::Exact(n) | Self::AtLeast(n) => n,
        }
    }

    /// Rows the selection may reach: with `AtLeast`, one past the known
    /// rows, so moving there asks for the next page.
    pub fn navigable(self) -> usize {
        match self {
            Self::AtLeast(n) => n + 1,
            other => other.known(),
        }
    }
}
