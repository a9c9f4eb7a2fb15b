//! Writing `{"data": [...], "has_more": …, "total_results": …}` straight into
//! the response body, and picking a page out of an ordered row list.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

use super::{json::WriteJson, params::Paging};
use crate::sandbox::error::ApiError;

/// One page of rows and what the response says about the rest.
pub struct Page {
    pub rows: Vec<usize>,
    pub has_more: bool,
    /// Set where Close returns `total_results`.
    pub total: Option<usize>,
}

impl Page {
    /// Pages through rows already in order. With `count_total`, the whole
    /// iterator is walked to count it; without, only one row past the page.
    pub fn collect<I>(rows: I, paging: Paging, count_total: bool) -> Page
    where
        I: Iterator<Item = usize>,
    {
        let mut rows = rows.skip(paging.skip);
        let page: Vec<usize> = rows.by_ref().take(paging.limit).collect();
        if count_total {
            let rest = rows.count();
            Page {
                total: Some(paging.skip.saturating_add(page.len()) + rest),
                has_more: rest > 0,
                rows: page,
            }
        } else {
            Page {
                has_more: rows.next().is_some(),
                rows: page,
                total: None,
            }
        }
    }

    /// Pages through a slice whose length is the total; O(limit).
    pub fn from_slice<T: Copy + Into<u64>>(
        rows: &[T],
        descending: bool,
        paging: Paging,
        with_total: bool,
    ) -> Page {
        let len = rows.len();
        let start = paging.skip.min(len);
        let end = start.saturating_add(paging.limit).min(len);
        let pick = |i: usize| {
            let at = if descending { len - 1 - i } else { i };
            rows[at].into() as usize
        };
        Page {
            rows: (start..end).map(pick).collect(),
            has_more: end < len,
            total: with_total.then_some(len),
        }
    }

    /// Writes the page's rows through `view` into a JSON response.
    pub fn respond<V, F>(&self, view: F) -> Result<Response, ApiError>
    where
        V: WriteJson,
        F: Fn(usize) -> V,
    {
        let mut body = Vec::with_capacity(capacity_hint(self.rows.len()));
        body.extend_from_slice(b"{\"data\":[");
        for (n, &row) in self.rows.iter().enumerate() {
            if n > 0 {
                body.push(b',');
            }
            view(row).write_json(&mut body);
        }
        tail(&mut body, self.has_more, self.total);
        remember_row_size(body.len(), self.rows.len());
        Ok(json_bytes(body))
    }
}

fn tail(out: &mut Vec<u8>, has_more: bool, total: Option<usize>) {
    out.extend_from_slice(b"],\"has_more\":");
    out.extend_from_slice(if has_more { b"true" } else { b"false" });
    if let Some(total) = total {
        out.extend_from_slice(b",\"total_results\":");
        out.extend_from_slice(itoa::Buffer::new().format(total).as_bytes());
    }
    out.push(b'}');
}

/// Bytes per row of the largest rows written lately (a lead with its
/// children is ~3.5 KB; an activity ~0.8 KB). Sizing the body from it
/// saves growing a 350 KB buffer two or three times, each a copy.
static ROW_BYTES: AtomicUsize = AtomicUsize::new(1024);

fn capacity_hint(rows: usize) -> usize {
    64 + rows.saturating_mul(ROW_BYTES.load(Ordering::Relaxed) + 256)
}

fn remember_row_size(len: usize, rows: usize) {
    if rows >= 10 {
        ROW_BYTES.store(len / rows, Ordering::Relaxed);
    }
}

/// A single record as a JSON response.
pub fn one<V: WriteJson>(view: V) -> Result<Response, ApiError> {
    let mut body = Vec::with_capacity(4096);
    view.write_json(&mut body);
    Ok(json_bytes(body))
}

pub fn json_bytes(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
