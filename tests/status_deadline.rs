#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui status` answers within its live-check deadline (10 s) when
//! Close accepts the connection and never answers, and giving up never costs
//! the user their login: the account stays stored and connected, and a
//! refresh Close answers after the deadline is still stored before the
//! process exits. Each test takes about the deadline; they run in parallel.

mod cli_support;

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
};
use cli_support::{Home, black_hole, sandbox};
use serde_json::Value;
use tokio::net::TcpListener;

/// What the live check may take, with room for a slow machine: well under
/// the 30 s one HTTP request may take, let alone its retries.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

/// How long the slow token endpoint holds its answer: past the deadline.
const TOKEN_DELAY: Duration = Duration::from_secs(12);

/// A token endpoint that passes each request to `target` at once (so Close
/// rotates the refresh token right away) and hands the answer back only
/// after [`TOKEN_DELAY`], keeping the refresh token it carried.
async fn slow_token_endpoint(target: String) -> (String, Arc<Mutex<Option<String>>>) {
    #[derive(Clone)]
    struct Proxy {
        target: String,
        issued: Arc<Mutex<Option<String>>>,
    }
    async fn relay(
        State(proxy): State<Proxy>,
        headers: HeaderMap,
        body: Bytes,
    ) -> impl IntoResponse {
        let mut request = reqwest::Client::new().post(&proxy.target).body(body);
        if let Some(kind) = headers.get(header::CONTENT_TYPE) {
            request = request.header(header::CONTENT_TYPE, kind.as_bytes());
        }
        let response = request.send().await.unwrap();
        let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
        let answer = response.bytes().await.unwrap();
        if let Ok(json) = serde_json::from_slice::<Value>(&answer)
            && let Some(token) = json["refresh_token"].as_str()
        {
            *proxy.issued.lock().unwrap() = Some(token.to_owned());
        }
        tokio::time::sleep(TOKEN_DELAY).await;
        (status, [(header::CONTENT_TYPE, "application/json")], answer)
    }
    let issued = Arc::new(Mutex::new(None));
    let proxy = Proxy {
        target,
        issued: Arc::clone(&issued),
    };
    let app = Router::new().fallback(relay).with_state(proxy);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://127.0.0.1:{port}/oauth2/token/"), issued)
}

fn stored_refresh_token(home: &Home) -> Option<String> {
    let store = home.open_store();
    let account = store.active_account().unwrap().unwrap();
    let credentials = store.credentials(account.id()).unwrap();
    credentials.refresh_token.map(|t| t.expose().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_gives_up_on_a_close_that_never_answers_and_keeps_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let before = stored_refresh_token(&home);
    home.set("CLOSE_API_URL", &format!("{}/api/v1/", black_hole().await));

    let started = Instant::now();
    let (text, json) = tokio::join!(
        home.run(&["status"], None),
        home.run(&["status", "--json"], None)
    );
    let took = started.elapsed();
    assert!(took < ANSWER_WITHIN, "status took {took:?}");

    assert_eq!(text.code, Some(1), "{text:#?}");
    assert!(
        text.stdout.contains(
            "- offline: could not check with Close (Close did not answer within 10 s); \
             the credentials are kept"
        ),
        "{text:#?}"
    );
    assert!(!text.stdout.contains("needs login"), "{text:#?}");
    // The JSON on stdout is the documented schema and nothing else.
    assert_eq!(json.code, Some(1), "{json:#?}");
    assert_eq!(
        json.json()["accounts"][0]["state"],
        "connected",
        "{json:#?}"
    );

    let (out, status) = home.status_json(true).await;
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(status["accounts"][0]["state"], "connected", "{status:#}");
    assert_eq!(status["accounts"][0]["refresh_token_stored"], true);
    let out = home.run(&["status", "--offline"], None).await;
    out.assert_ok();
    assert!(out.stdout.contains("(active)"), "{out:#?}");
    assert_eq!(stored_refresh_token(&home), before);
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_answered_after_the_deadline_is_stored_before_status_exits() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 2).await;
    let mut home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let before = stored_refresh_token(&home);
    home.wait_token_expiry().await;
    let (slow, issued) = slow_token_endpoint(sandbox.info.token_url.clone()).await;
    home.set("CLOSE_TOKEN_URL", &slow);

    let started = Instant::now();
    let out = home.run(&["status"], None).await;
    let took = started.elapsed();
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(
        out.stdout
            .contains("could not check with Close (Close did not answer within 10 s)"),
        "{out:#?}"
    );
    // It waited for the refresh Close had answered rather than drop it...
    assert!(took >= TOKEN_DELAY, "status exited after {took:?}");
    assert!(took < ANSWER_WITHIN, "status took {took:?}");
    // ...and stored the rotated refresh token: the old one is dead at Close.
    let issued = issued.lock().unwrap().clone();
    assert!(issued.is_some(), "the sandbox issued no refresh token");
    assert_ne!(issued, before);
    assert_eq!(stored_refresh_token(&home), issued);

    // The stored token works: the next check refreshes with it.
    home.set("CLOSE_TOKEN_URL", &sandbox.info.token_url);
    let out = home.run(&["status"], None).await;
    out.assert_ok();
    assert!(out.stdout.contains("working"), "{out:#?}");
    sandbox.stop().await;
}
