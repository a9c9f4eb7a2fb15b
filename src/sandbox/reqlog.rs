//! `--log-requests FILE`: one JSON line per request, for tests and for
//! people watching what their client does.
//!
//! A line holds the method, the path without its query, the status, the
//! duration and, for token requests, the grant type (one of a fixed set, so
//! a client cannot smuggle a value into the log). Nothing else from the
//! request is written: no header, no body, no query string, so no token,
//! code, secret or API key can ever land in the file.

use std::{
    fs::{File, OpenOptions},
    io::{self, BufWriter, Write},
    path::Path,
    sync::{Arc, Mutex, PoisonError},
    time::Instant,
};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use serde::Serialize;

use super::{oauth::GrantType, state::Sandbox};

pub struct RequestLog {
    file: Mutex<BufWriter<File>>,
}

#[derive(Serialize)]
struct Line<'a> {
    ts: String,
    method: &'a str,
    path: &'a str,
    status: u16,
    duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant_type: Option<&'static str>,
}

impl RequestLog {
    /// Opens FILE for appending, creating it when missing.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            file: Mutex::new(BufWriter::new(file)),
        })
    }

    fn write(&self, line: &Line<'_>) {
        let Ok(mut text) = serde_json::to_vec(line) else {
            return;
        };
        text.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        // A full disk must not take the sandbox down; the line is lost.
        if file.write_all(&text).and_then(|()| file.flush()).is_err() {
            tracing::warn!("could not write the request log");
        }
    }
}

/// The outermost layer: times every request and writes its line. The line is
/// flushed before the response leaves, so a client that got its answer can
/// read the line at once.
pub async fn log_requests(
    State(state): State<Arc<Sandbox>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(log) = state.request_log.as_ref() else {
        return next.run(request).await;
    };
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    log.write(&Line {
        ts: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        method: method.as_str(),
        path: &path,
        status: response.status().as_u16(),
        duration_ms: (elapsed * 1000.0).round() / 1000.0,
        grant_type: response.extensions().get::<GrantType>().map(|g| g.as_str()),
    });
    response
}
