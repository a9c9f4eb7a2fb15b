//! A virtualized table: only a window of rows around what is visible is
//! held, and moving past it asks for the next window. The same model backs
//! Leads, Contacts, Opportunities and Tasks.

use chrono::{DateTime, Utc};

use super::{Generation, input::TextInput};
use crate::close::records::Resource;

/// Rows asked for per request, at most (the smallest API page limit).
pub const MAX_PAGE: usize = 100;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableModel {
    pub resource: Resource,
    pub query: TextInput,
    /// The search box has the keys.
    pub searching: bool,
    pub generation: Generation,
    pub total: Total,
    /// The total with no search, for "120 of 2,000".
    pub unfiltered: Option<usize>,
    /// Index of `rows[0]`.
    pub offset: usize,
    pub rows: Vec<RecordRow>,
    pub selected: usize,
    /// First visible row.
    pub top: usize,
    /// Visible rows, from the terminal size.
    pub height: usize,
    /// The rows `[start, end)` asked for and not yet answered.
    pub pending: Option<(usize, usize)>,
    pub error: Option<String>,
    pub freshness: Freshness,
}

impl TableModel {
    pub fn new(resource: Resource) -> Self {
        Self {
            resource,
            query: TextInput::default(),
            searching: false,
            generation: Generation::default(),
            total: Total::Unknown,
            unfiltered: None,
            offset: 0,
            rows: Vec::new(),
            selected: 0,
            top: 0,
            height: 10,
            pending: None,
            error: None,
            freshness: Freshness::Unknown,
        }
    }

    /// The row at absolute index `index`, if it is in the window.
    pub fn row(&self, index: usize) -> Option<&RecordRow> {
        index
            .checked_sub(self.offset)
            .and_then(|i| self.rows.get(i))
    }

    pub fn selected_row(&self) -> Option<&RecordRow> {
        self.row(self.selected)
    }

    pub fn set_height(&mut self, height: usize) -> Option<PageRequest> {
        self.height = height.max(1);
        self.scroll_to_selected();
        self.ensure()
    }

    /// Moves the selection to `index` (clamped) and scrolls it into view.
    pub fn select(&mut self, index: isize) -> Option<PageRequest> {
        let last = self.total.navigable().saturating_sub(1);
        self.selected = index.clamp(0, last as isize) as usize;
        self.scroll_to_selected();
        self.ensure()
    }

    pub fn move_by(&mut self, delta: isize) -> Option<PageRequest> {
        self.select(self.selected as isize + delta)
    }

    /// Scrolls the view by `delta` rows (the mouse wheel), dragging the
    /// selection along only when it would leave the view.
    pub fn scroll_by(&mut self, delta: isize) -> Option<PageRequest> {
        let max_top = self.total.navigable().saturating_sub(self.height);
        self.top = (self.top as isize + delta).clamp(0, max_top as isize) as usize;
        self.selected = self
            .selected
            .clamp(self.top, self.top + self.height.saturating_sub(1));
        self.selected = self.selected.min(self.total.navigable().saturating_sub(1));
        self.ensure()
    }

    fn scroll_to_selected(&mut self) {
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + self.height {
            self.top = self.selected + 1 - self.height;
        }
    }

    /// A new search: everything is asked for again from the top.
    pub fn restart(&mut self) -> Option<PageRequest> {
        self.generation.bump();
        self.total = Total::Unknown;
        self.rows.clear();
        self.offset = 0;
        self.selected = 0;
        self.top = 0;
        self.pending = None;
        self.ensure()
    }

    /// The request for the rows on screen, unless they are held or asked for.
    pub fn ensure(&mut self) -> Option<PageRequest> {
        let start = self.top;
        let want_end = match self.total {
            Total::Exact(n) => (start + self.height).min(n),
            _ => start + self.height,
        };
        let held = self.total != Total::Unknown
            && start >= self.offset
            && want_end <= self.offset + self.rows.len();
        if held {
            return None;
        }
        if let Some((from, to)) = self.pending
            && start >= from
            && want_end <= to
        {
            return None;
        }
        Some(self.request())
    }

    /// Asks again for the rows on screen (the data changed underneath),
    /// keeping them shown until the answer comes.
    pub fn refresh(&mut self) -> PageRequest {
        self.request()
    }

    fn request(&mut self) -> PageRequest {
        // A window a screen above and below the view, so small moves are free.
        let from = self.top.saturating_sub(self.height);
        let limit = (self.height * 3).clamp(1, MAX_PAGE);
        self.pending = Some((from, from + limit));
        PageRequest {
            resource: self.resource,
            query: self.query.value().trim().to_owned(),
            offset: from,
            limit,
            generation: self.generation.bump(),
        }
    }

    /// Applies a page, unless a newer request superseded it.
    pub fn apply(&mut self, generation: Generation, result: Result<PageReply, String>) -> bool {
        if !self.generation.is_current(generation) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(page) => {
                let end = page.offset + page.rows.len();
                self.total = match (page.total, page.has_more) {
                    (Some(total), _) => Total::Exact(total),
                    (None, false) => Total::Exact(end),
                    (None, true) => Total::AtLeast(end.max(self.total.known())),
                };
                if self.query.value().trim().is_empty() {
                    self.unfiltered = page.total.or(Some(end).filter(|_| !page.has_more));
                }
                self.offset = page.offset;
                self.rows = page.rows;
                self.freshness = page.freshness;
                self.error = None;
                let last = self.total.navigable().saturating_sub(1);
                self.selected = self.selected.min(last);
                self.top = self.top.min(self.selected);
            }
            Err(error) => self.error = Some(error),
        }
        true
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
