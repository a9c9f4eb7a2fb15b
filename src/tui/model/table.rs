//! A virtualized table: only a window of rows around what is visible is
//! held, and moving past it asks for the next window. The same model backs
//! Leads, Contacts, Opportunities and Tasks.
//!
//! Every reply is checked against the view: visible rows one page could not
//! cover are asked for next, and a wish for the last row of a list whose
//! length is unknown goes on page by page until the list ends.

use super::{
    Generation,
    input::TextInput,
    page::{Freshness, PageReply, PageRequest, RecordRow, Total},
};
use crate::close::records::Resource;

/// Rows asked for per request, at most (the smallest API page limit).
pub const MAX_PAGE: usize = 100;

/// Pages one G may ask for while the end is unknown. Another G goes on.
const MAX_SEEK_PAGES: usize = 1_000;

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
    /// The request not yet answered.
    pub pending: Option<Pending>,
    /// G with the end unknown: pages it may still ask for to find it.
    /// Any other move cancels it.
    pub seeking_end: Option<usize>,
    pub error: Option<String>,
    pub freshness: Freshness,
    /// The record selected when the rows were asked for again (the data
    /// changed underneath): the selection goes where it now is, if the
    /// answer has it, so rows added above do not move it to another record.
    follow: Option<String>,
}

/// The rows `[from, to)` asked for and not yet answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub from: usize,
    pub to: usize,
    /// They go on from the held rows (a view taller than one page) rather
    /// than replace them.
    pub extends: bool,
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
            seeking_end: None,
            error: None,
            freshness: Freshness::Unknown,
            follow: None,
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
        // Grown at the end of the list: the rows above come into view,
        // rather than blank lines below the last.
        let max_top = self.total.navigable().saturating_sub(self.height);
        self.top = self.top.min(max_top);
        self.scroll_to_selected();
        self.ensure()
    }

    /// Moves the selection to `index` (clamped) and scrolls it into view.
    pub fn select(&mut self, index: isize) -> Option<PageRequest> {
        self.seeking_end = None;
        self.place(index)
    }

    /// Selects the last row. While the total is unknown that is the last
    /// known row's successor, and each reply with more moves on again.
    pub fn select_last(&mut self) -> Option<PageRequest> {
        self.seeking_end = match self.total {
            Total::Exact(_) => None,
            Total::Unknown | Total::AtLeast(_) => Some(MAX_SEEK_PAGES),
        };
        self.place(isize::MAX)
    }

    pub fn move_by(&mut self, delta: isize) -> Option<PageRequest> {
        self.select((self.selected as isize).saturating_add(delta))
    }

    fn place(&mut self, index: isize) -> Option<PageRequest> {
        self.follow = None;
        let last = self.total.navigable().saturating_sub(1);
        self.selected = index.clamp(0, last as isize) as usize;
        self.scroll_to_selected();
        self.ensure()
    }

    /// Scrolls the view by `delta` rows (the mouse wheel), dragging the
    /// selection along only when it would leave the view.
    pub fn scroll_by(&mut self, delta: isize) -> Option<PageRequest> {
        self.seeking_end = None;
        self.follow = None;
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
        self.seeking_end = None;
        self.follow = None;
        self.ensure()
    }

    /// The visible rows `[start, end)` from the first one not held, if any.
    fn missing(&self) -> Option<(usize, usize)> {
        let end = match self.total {
            Total::Exact(n) => (self.top + self.height).min(n),
            _ => self.top + self.height,
        };
        let held_end = self.offset + self.rows.len();
        let start = if self.total != Total::Unknown && (self.offset..held_end).contains(&self.top) {
            held_end
        } else {
            self.top
        };
        (start < end).then_some((start, end))
    }

    /// The request for the rows on screen, unless they are held or asked for.
    pub fn ensure(&mut self) -> Option<PageRequest> {
        let (start, end) = self.missing()?;
        // In flight already, as far as one request can reach.
        if let Some(Pending { from, to, .. }) = self.pending
            && from <= start
            && (end <= to || start + MAX_PAGE <= to)
        {
            return None;
        }
        // A view taller than one page, or the way to the end, goes on
        // from the rows it holds.
        let extends = start > self.top && (self.height > MAX_PAGE || self.seeking_end.is_some());
        Some(self.request(extends.then_some(start)))
    }

    /// Asks again for the rows on screen (the data changed underneath),
    /// keeping them shown until the answer comes, and the selection on its
    /// record. A selection still on the first row stays there: at the
    /// head of a list, what was added comes into view, selected first.
    pub fn refresh(&mut self) -> PageRequest {
        self.follow = self
            .selected_row()
            .filter(|_| self.selected > 0)
            .map(|row| row.id.clone());
        self.request(None)
    }

    /// Asks from `after` on, adding to the held rows, or else for a window
    /// around the view that replaces them.
    fn request(&mut self, after: Option<usize>) -> PageRequest {
        let (from, limit) = match after {
            Some(start) => (start, MAX_PAGE),
            // Seeking the end, the rows above the view are not wanted.
            None if self.seeking_end.is_some() => (self.top, MAX_PAGE),
            None => {
                // A screen above and below the view, as far as one page
                // allows, so small moves are free; the view comes first.
                let limit = (self.height * 3).clamp(1, MAX_PAGE);
                let margin = (limit.saturating_sub(self.height) / 2).min(self.height);
                (self.top.saturating_sub(margin), limit)
            }
        };
        self.pending = Some(Pending {
            from,
            to: from + limit,
            extends: after.is_some(),
        });
        PageRequest {
            resource: self.resource,
            query: self.query.value().trim().to_owned(),
            offset: from,
            limit,
            generation: self.generation.bump(),
        }
    }

    /// Applies a page and returns what to ask for next: visible rows still
    /// missing, or the next page on the way to the end. Only a page with
    /// every row asked for leads on, so rows that never come (the end of
    /// the list, records Close could not read) are not asked for again.
    pub fn receive(
        &mut self,
        generation: Generation,
        result: Result<PageReply, String>,
    ) -> Option<PageRequest> {
        let full = match (&result, self.pending) {
            (Ok(page), Some(Pending { from, to, .. })) => {
                page.offset == from && page.rows.len() >= to - from
            }
            _ => false,
        };
        let failed = result.is_err();
        let provisional = result.as_ref().is_ok_and(|page| page.provisional);
        if !self.apply(generation, result) || provisional {
            // The answer that follows decides what comes next.
            return None;
        }
        match self.seeking_end.take() {
            _ if failed => None,
            Some(_) if matches!(self.total, Total::Exact(_)) => self.place(isize::MAX),
            Some(left) if full && left > 1 => {
                self.seeking_end = Some(left - 1);
                self.place(isize::MAX)
            }
            _ if full => self.ensure(),
            _ => None,
        }
    }

    /// After a [`TableModel::refresh`], moves the selection to where its
    /// record now is among the rows held (a record moved further than the
    /// window reaches is not found, and the selection keeps its place),
    /// the view following only as far as it must; the last answer to the
    /// request ends the following.
    fn follow_selected(&mut self, provisional: bool) {
        // A first answer (a search's cached hits) may place the record
        // where the last one does not: only the last one counts.
        if provisional {
            return;
        }
        let found = self.follow.take().and_then(|id| {
            let at = self.rows.iter().position(|row| row.id == id)?;
            Some(self.offset + at)
        });
        if let Some(now) = found {
            self.selected = now;
            self.scroll_to_selected();
        }
    }

    /// Applies a page, unless a newer request superseded it.
    pub fn apply(&mut self, generation: Generation, result: Result<PageReply, String>) -> bool {
        if !self.generation.is_current(generation) {
            return false;
        }
        let extends = self.pending.is_some_and(|p| p.extends);
        if !result.as_ref().is_ok_and(|page| page.provisional) {
            self.pending = None;
        }
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
                let held_end = self.offset + self.rows.len();
                if extends && (self.offset..=held_end).contains(&page.offset) {
                    // In place of what an earlier answer to the same
                    // request gave (a search's cached hits), after the rest;
                    // only the view and below are kept, so rows stay few.
                    self.rows.truncate(page.offset - self.offset);
                    let above = self.top.saturating_sub(self.offset).min(self.rows.len());
                    self.rows.drain(..above);
                    self.offset += above;
                    self.rows.extend(page.rows);
                } else {
                    self.offset = page.offset;
                    self.rows = page.rows;
                }
                self.freshness = page.freshness;
                self.error = None;
                self.follow_selected(page.provisional);
                let last = self.total.navigable().saturating_sub(1);
                self.selected = self.selected.min(last);
                self.top = self.top.min(self.selected);
            }
            Err(error) => {
                self.error = Some(error);
                self.follow = None;
            }
        }
        true
    }

    /// The data changed while this table is not shown: it is read again
    /// when next shown, and nothing asked for before applies.
    pub fn invalidate(&mut self) {
        self.generation.bump();
        self.pending = None;
        self.total = Total::Unknown;
        self.follow = None;
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
