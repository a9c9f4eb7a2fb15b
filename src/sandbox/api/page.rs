//! Writing `{"data": [...], "has_more": …, "total_results": …}` straight into
//! the response body, and picking a page out of an ordered row list.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::params::Paging;
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

    /// Serializes the page's rows through `view` into a JSON response.
    pub fn respond<V, F>(&self, view: F) -> Result<Response, ApiError>
    where
        V: Serialize,
        F: Fn(usize) -> V,
    {
        let mut body = Vec::with_capacity(64 + self.rows.len() * 2048);
        body.extend_from_slice(b"{\"data\":[");
        for (n, &row) in self.rows.iter().enumerate() {
            if n > 0 {
                body.push(b',');
            }
            serde_json::to_writer(&mut body, &view(row)).map_err(internal)?;
        }
        body.extend_from_slice(b"],\"has_more\":");
        body.extend_from_slice(if self.has_more { b"true" } else { b"false" });
        if let Some(total) = self.total {
            body.extend_from_slice(format!(",\"total_results\":{total}").as_bytes());
        }
        body.push(b'}');
        Ok(json_bytes(body))
    }
}

/// A single record as a JSON response.
pub fn one<V: Serialize>(view: V) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(&view).map_err(internal)?;
    Ok(json_bytes(body))
}

pub fn json_bytes(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn internal(err: serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("Serialization failed: {err}"),
    )
}
