//! The sandbox's server plumbing over real HTTP: API-key auth, rate limits,
//! injected faults, the request log and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sandbox_support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sandbox_support::{Harness, harness};
use serde_json::{Value, json};

async fn get_me_with_key(h: &Harness, key: &str, password: Option<&str>) -> reqwest::Response {
    h.http
        .get(format!("{}me/", h.sandbox.info.api_url))
        .basic_auth(key, password)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_api_key_works_over_basic_auth_and_others_do_not() {
    let h = harness(|_| {}).await;
    let key = h.sandbox.info.api_key.clone();
    assert!(key.starts_with("api_"));
    let ok = get_me_with_key(&h, &key, None).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let me: Value = ok.json().await.unwrap();
    // The key acts as the first organization's admin.
    let first_org = &h.sandbox.state.read_data().organizations()[0].id.clone();
    assert_eq!(me["organizations"][0]["id"], first_org.as_str());

    let wrong = get_me_with_key(&h, "api_wrong", None).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.json::<Value>().await.unwrap()["error"].is_string());
    let with_password = get_me_with_key(&h, &key, Some("x")).await;
    assert_eq!(with_password.status(), StatusCode::UNAUTHORIZED);
    let as_bearer = h.me(&key).await;
    assert_eq!(as_bearer.status(), StatusCode::UNAUTHORIZED);
    let anonymous = h
        .http
        .get(format!("{}me/", h.sandbox.info.api_url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let h = harness(|args| args.rate_limit = 3).await;
    let key = h.sandbox.info.api_key.clone();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let response = get_me_with_key(&h, &key, None).await;
        let header = response.headers()["ratelimit"].to_str().unwrap().to_owned();
        seen.push((
            response.status(),
            header,
            response.headers().get("retry-after").cloned(),
        ));
    }
    assert!(
        seen[..3]
            .iter()
            .all(|(status, _, _)| *status == StatusCode::OK),
        "{seen:?}"
    );
    let reset: f64 = seen[0]
        .1
        .strip_prefix("limit=3, remaining=2, reset=")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > 0.0 && reset <= 1.0, "{reset}");
    let (status, header, retry_after) = &seen[3];
    assert_eq!(*status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        header.starts_with("limit=3, remaining=0, reset="),
        "{header}"
    );
    assert_eq!(retry_after.as_ref().unwrap(), "1");
    assert_eq!(h.stats().await["status_429"], 1);

    // Limits are per endpoint group, and the window resets.
    let other_group = h
        .http
        .get(format!("{}lead/", h.sandbox.info.api_url))
        .basic_auth(&key, None::<&str>)
        .send()
        .await
        .unwrap();
    assert_ne!(other_group.status(), StatusCode::TOO_MANY_REQUESTS);
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(
        get_me_with_key(&h, &key, None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn faults_can_be_changed_at_run_time() {
    let h = harness(|_| {}).await;
    let key = h.sandbox.info.api_key.clone();
    let set = |body: Value| {
        let url = h.url("/_sandbox/faults");
        let http = h.http.clone();
        async move { http.post(url).json(&body).send().await.unwrap() }
    };
    let settings: Value = set(json!({"fail_rate": 1.0})).await.json().await.unwrap();
    assert_eq!(settings["fail_rate"], 1.0);
    let failed = get_me_with_key(&h, &key, None).await;
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(failed.json::<Value>().await.unwrap()["error"].is_string());
    set(json!({"fail_rate": 0.0, "token_mode": "html"})).await;
    assert_eq!(
        get_me_with_key(&h, &key, None).await.status(),
        StatusCode::OK
    );
    let (status, page) = token_raw(&h).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.starts_with("<!doctype html>"));
    set(json!({"token_mode": "truncated"})).await;
    let (_, cut) = token_raw(&h).await;
    assert!(serde_json::from_str::<Value>(&cut).is_err());
    set(json!({"token_mode": "error500"})).await;
    assert_eq!(token_raw(&h).await.0, StatusCode::INTERNAL_SERVER_ERROR);
    set(json!({"token_mode": "normal", "token_fail_rate": 1.0})).await;
    assert_eq!(token_raw(&h).await.0, StatusCode::SERVICE_UNAVAILABLE);

    let refused = set(json!({"fail_rate": 2.0})).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let unknown = set(json!({"token_mode": "sideways"})).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.json::<Value>().await.unwrap()["error"].is_string());
    let stats = h.stats().await;
    assert_eq!(stats["status_503"], 2);
    assert_eq!(stats["token_requests"]["refresh_token"], 4);
}

async fn token_raw(h: &Harness) -> (StatusCode, String) {
    let response = h
        .http
        .post(&h.sandbox.info.token_url)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "sbx_rt_x"),
        ])
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_request_log_has_one_line_per_request_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requests.jsonl");
    let log_path = path.clone();
    let h = harness(move |args| args.log_requests = Some(log_path)).await;
    let (code, verifier) = h.code().await;
    let (_, tokens) = h.exchange(&code, &verifier).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    h.me(access).await;
    let (_, rotated) = h.refresh(refresh).await;
    h.revoke(rotated["refresh_token"].as_str().unwrap()).await;
    get_me_with_key(&h, &h.sandbox.info.api_key, None).await;

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(String, String, u64, Option<String>)> = lines
        .iter()
        .map(|l| {
            assert!(l["ts"].is_string() && l["duration_ms"].is_number(), "{l}");
            (
                l["method"].as_str().unwrap().to_owned(),
                l["path"].as_str().unwrap().to_owned(),
                l["status"].as_u64().unwrap(),
                l.get("grant_type").map(|g| g.as_str().unwrap().to_owned()),
            )
        })
        .collect();
    let row = |m: &str, p: &str, s: u64, g: Option<&str>| {
        (m.to_owned(), p.to_owned(), s, g.map(str::to_owned))
    };
    assert_eq!(
        summary,
        [
            row("GET", "/oauth2/authorize/", 200, None),
            row("POST", "/oauth2/authorize/", 302, None),
            row("POST", "/oauth2/token/", 200, Some("authorization_code")),
            row("GET", "/api/v1/me/", 200, None),
            row("POST", "/oauth2/token/", 200, Some("refresh_token")),
            row("POST", "/oauth2/revoke/", 200, None),
            row("GET", "/api/v1/me/", 200, None),
        ]
    );
    for secret in [
        &code,
        access,
        refresh,
        &h.sandbox.info.api_key,
        "sbx_at_",
        "sbx_rt_",
        "sbx_ac_",
        "api_",
        "sandbox-secret",
    ] {
        assert!(!text.contains(secret), "the log holds {secret}");
    }
}

#[tokio::test]
async fn bad_input_gets_close_style_json_errors() {
    let h = harness(|_| {}).await;
    let error_of = |response: reqwest::Response| async move {
        let status = response.status();
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("application/json"), "{status} {kind}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{body}");
        (status, body)
    };
    let unknown = h.http.get(h.url("/nope")).send().await.unwrap();
    assert_eq!(error_of(unknown).await.0, StatusCode::NOT_FOUND);
    let unknown_api = h.http.get(h.url("/api/v1/nope/")).send().await.unwrap();
    assert_eq!(error_of(unknown_api).await.0, StatusCode::NOT_FOUND);
    let wrong_method = h.http.get(&h.sandbox.info.token_url).send().await.unwrap();
    assert!(wrong_method.headers().contains_key("allow"));
    assert_eq!(
        error_of(wrong_method).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let huge = h
        .http
        .post(&h.sandbox.info.token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 100 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let wrong_type = h
        .http
        .post(h.url("/_sandbox/faults"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_of(wrong_type).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    for malformed in ["grant_type=a&grant_type=b", "grant_type=%ff"] {
        let response = h
            .http
            .post(&h.sandbox.info.token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(malformed)
            .send()
            .await
            .unwrap();
        let (status, body) = error_of(response).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request"))
        );
    }
    let text_form = h
        .http
        .post(&h.sandbox.info.authorize_url)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(text_form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Still serving.
    assert_eq!(
        h.http
            .get(h.url("/_sandbox/stats"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_hanging_token_endpoint_lets_go_when_the_sandbox_stops() {
    let h = harness(|_| {}).await;
    let set = h
        .http
        .post(h.url("/_sandbox/faults"))
        .json(&json!({"token_mode": "timeout"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let gave_up = h
        .http
        .post(&h.sandbox.info.token_url)
        .timeout(Duration::from_millis(300))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await;
    assert!(gave_up.unwrap_err().is_timeout());
    // Another request still hangs when the sandbox is told to stop.
    let token_url = h.sandbox.info.token_url.clone();
    let http = h.http.clone();
    let pending = tokio::spawn(async move {
        http.post(token_url)
            .form(&[("grant_type", "refresh_token")])
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    h.sandbox.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let answered = pending.await.unwrap().unwrap();
    assert_eq!(answered.status(), StatusCode::GATEWAY_TIMEOUT);
}
