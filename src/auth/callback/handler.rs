//! What the callback server answers to each request.
//!
//! Only a GET of the callback path whose query is an authorization response
//! with this login's `state` counts. Everything else (favicons, other
//! paths, other methods, foreign Host headers, bare visits, and answers
//! with no `state` or another one: an old tab, or any page making the
//! browser call this port) is answered and otherwise ignored, so the login
//! keeps waiting. The first answer with the login's state claims it: a good
//! one is held open until the caller reports how the login ended.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::Response,
};
use tokio::sync::{oneshot, watch};

use super::{Outcome, PendingCallback, serve::stopped};
use crate::{
    auth::{
        pages,
        response::{self, RedirectError},
    },
    secret::Secret,
};

/// Longest request target we look at; hyper's header limit catches most
/// oversized requests before this does.
const MAX_URI: usize = 4096;

pub(super) type FirstSender = oneshot::Sender<Result<PendingCallback, RedirectError>>;

pub(super) struct Shared {
    pub path: String,
    pub port: u16,
    pub default_port: u16,
    pub expected_state: Secret,
    /// Taken by the first authorization response; `None` afterwards.
    pub first: Mutex<Option<FirstSender>>,
    /// Answers without this login's `state`, which were ignored.
    pub ignored: AtomicUsize,
    /// Set to stop the server: it stops accepting, idle connections close.
    pub stop: Arc<watch::Sender<bool>>,
}

pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if !host_is_loopback(&headers, &uri, shared.port, shared.default_port) {
        return pages::plain(StatusCode::BAD_REQUEST, "bad Host header\n");
    }
    if uri.path() != shared.path {
        return pages::plain(StatusCode::NOT_FOUND, "not found\n");
    }
    if method != Method::GET {
        let mut answer = pages::plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        answer
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return answer;
    }
    if uri.to_string().len() > MAX_URI {
        return pages::plain(StatusCode::URI_TOO_LONG, "request too long\n");
    }
    let query = uri.query().unwrap_or("");
    if !response::is_authorization_response(query) {
        return pages::plain(StatusCode::BAD_REQUEST, "not a login callback\n");
    }
    if !response::is_for(query, &shared.expected_state) {
        shared.ignored.fetch_add(1, Ordering::Relaxed);
        return pages::html(
            StatusCode::BAD_REQUEST,
            pages::failure_html(
                "Not this login's answer",
                "This address does not carry the state of the login close-tui is waiting \
                 for (it may come from an old tab or from another page), so it was ignored. \
                 The login in close-tui is still waiting: finish it in the tab it opened, \
                 or start it again.",
            ),
        );
    }
    let verdict = response::validate(query, &shared.expected_state);
    // The lock is never held across an await, and poisoning would need a
    // panic inside `take`, which cannot happen.
    let first = shared
        .first
        .lock()
        .map(|mut slot| slot.take())
        .ok()
        .flatten();
    let Some(first) = first else {
        return pages::html(
            StatusCode::CONFLICT,
            pages::failure_html(
                "Login already finished",
                "This login already finished in another tab, or is finishing there now.",
            ),
        );
    };
    match verdict {
        Err(rejection) => {
            let _ = first.send(Err(rejection.clone()));
            shared.stop.send_replace(true);
            let title = if rejection == RedirectError::Denied {
                "Access denied"
            } else {
                "Login failed"
            };
            pages::html(
                StatusCode::BAD_REQUEST,
                pages::failure_html(title, &rejection.to_string()),
            )
        }
        Ok(code) => hold_until_outcome(&shared, first, code).await,
    }
}

/// Hands the code to the login and keeps this request open until the login
/// reports its outcome, so the browser says "connected" only when it is.
async fn hold_until_outcome(shared: &Shared, first: FirstSender, code: Secret) -> Response {
    let (respond, outcome) = oneshot::channel();
    let mut stop = shared.stop.subscribe();
    let outcome = if first.send(Ok(PendingCallback { code, respond })).is_ok() {
        tokio::select! {
            biased;
            outcome = outcome => outcome.ok(),
            () = stopped(&mut stop) => None,
        }
    } else {
        None
    };
    shared.stop.send_replace(true);
    match outcome {
        Some(Outcome::Success {
            organization,
            email,
        }) => pages::html(StatusCode::OK, pages::success_html(&organization, &email)),
        Some(Outcome::Failure { reason }) => pages::html(
            StatusCode::BAD_REQUEST,
            pages::failure_html("Login failed", &reason),
        ),
        None => pages::html(
            StatusCode::SERVICE_UNAVAILABLE,
            pages::failure_html(
                "Login stopped",
                "close-tui stopped waiting for this login (it was cancelled or timed out). Start it again from the terminal.",
            ),
        ),
    }
}

/// The Host header (and an absolute request target, if any) must name this
/// machine and this port: a page on another origin that makes the browser
/// send requests here (DNS rebinding) is turned away. There must be exactly
/// one Host header (RFC 9112 §3.2): with two, which one counts would be
/// ours to guess.
fn host_is_loopback(headers: &HeaderMap, uri: &Uri, port: u16, default_port: u16) -> bool {
    let mut hosts = headers.get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return false;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    if let Some(authority) = uri.authority()
        && !authority_ok(authority.as_str(), port, default_port)
    {
        return false;
    }
    authority_ok(host, port, default_port)
}

fn authority_ok(authority: &str, port: u16, default_port: u16) -> bool {
    let (name, given_port) = match authority.rsplit_once(':') {
        Some((name, p)) if !p.contains(']') => (name, p.parse::<u16>().ok()),
        _ => (authority, Some(default_port)),
    };
    let loopback = name == "127.0.0.1" || name == "[::1]" || name.eq_ignore_ascii_case("localhost");
    loopback && given_port == Some(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_table() {
        let cases = [
            ("127.0.0.1:8765", true),
            ("localhost:8765", true),
            ("LocalHost:8765", true),
            ("[::1]:8765", true),
            ("127.0.0.1:8766", false),
            ("127.0.0.1", false),
            ("evil.example", false),
            ("evil.example:8765", false),
            ("127.0.0.1.evil.example:8765", false),
            ("[::1]", false),
            ("127.0.0.1:notaport", false),
            ("", false),
        ];
        for (host, ok) in cases {
            assert_eq!(authority_ok(host, 8765, 80), ok, "{host}");
        }
        assert!(authority_ok("127.0.0.1", 80, 80));
        assert!(authority_ok("[::1]", 443, 443));
    }
}
