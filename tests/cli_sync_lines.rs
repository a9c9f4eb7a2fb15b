#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What `close-tui sync` says on a stderr that is not a terminal (a log, a
//! pipe): plain lines, retries included, and how each pass ended.

mod cli_support;

use std::{collections::HashMap, time::Instant};

use axum::{
    Router,
    extract::{Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use cli_support::{Home, faults, sandbox};
use serde_json::json;
use tokio::net::TcpListener;

/// A sync riding out failures says so, throttled per endpoint, instead of
/// going quiet while it retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_told_at_most_every_few_seconds_per_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    home.run(&["login", "--api-key"], None).await.assert_ok();
    faults(&sandbox, json!({ "storm": 3 })).await;

    let started = Instant::now();
    let out = home.run(&["sync"], None).await;
    let took = started.elapsed();
    out.assert_ok();
    let mut told: HashMap<&str, u64> = HashMap::new();
    for line in out.stderr.lines() {
        if let Some((endpoint, rest)) = line.split_once(": retrying in ") {
            assert!(rest.contains(" s: "), "{line}");
            *told.entry(endpoint).or_default() += 1;
        }
    }
    assert!(told.contains_key("leads"), "{out:#?}");
    let allowed = took.as_secs() / 5 + 1;
    for (endpoint, count) in &told {
        assert!(
            *count <= allowed,
            "{endpoint}: {count} retry lines in {took:?}: {out:#?}"
        );
    }
    sandbox.stop().await;
}

/// An API in front of `api_url` that answers 403 to `/api/v1/task/`, as
/// Close does for a role that may not read tasks, and passes the rest on.
async fn api_without_tasks(api_url: &str) -> String {
    async fn relay(State(base): State<String>, request: Request) -> Response {
        let path_and_query = request.uri().path_and_query().unwrap().as_str();
        if path_and_query.starts_with("/api/v1/task/") {
            let body = json!({ "error": "You don't have access to tasks." });
            return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
        }
        let mut forward = reqwest::Client::new().get(format!("{base}{path_and_query}"));
        for name in [
            header::AUTHORIZATION,
            header::HeaderName::from_static("x-tz-offset"),
        ] {
            if let Some(value) = request.headers().get(&name) {
                forward = forward.header(name.as_str(), value.as_bytes());
            }
        }
        let answer = forward.send().await.unwrap();
        let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
        let body = answer.bytes().await.unwrap();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
    let base = api_url.trim_end_matches("/api/v1/").to_owned();
    let app = Router::new().fallback(relay).with_state(base);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://127.0.0.1:{port}/api/v1/")
}

/// One pass failing does not hide the others: each is told, the failure
/// last, and the exit status is 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_pass_is_told_with_the_others_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    home.run(&["login", "--api-key"], None).await.assert_ok();
    home.set(
        "CLOSE_API_URL",
        &api_without_tasks(&sandbox.info.api_url).await,
    );

    let out = home.run(&["sync"], None).await;
    out.assert_fails_with("tasks: not allowed for this account (403)");
    assert!(
        out.stderr
            .lines()
            .any(|line| line.starts_with("leads: ") && line.contains(" records (full) in ")),
        "{out:#?}"
    );
    sandbox.stop().await;
}

/// An account that needs login again is told once, before any pass, not
/// once per pass after each has started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_that_needs_login_is_told_once_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    std::fs::remove_file(home.key_file()).unwrap();
    let out = home.run(&["sync"], None).await;
    out.assert_fails_with("needs login again");
    assert!(out.stderr.contains("run `close-tui login`"), "{out:#?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    sandbox.stop().await;
}
