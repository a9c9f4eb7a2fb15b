#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The token client against a tiny token endpoint played by axum on
//! 127.0.0.1: request shape, and how each kind of answer is classified.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use close_tui::{
    auth::client::{TokenClient, TokenClientConfig, TokenError, TransientKind},
    secret::Secret,
};
use url::Url;

type Seen = Arc<Mutex<Vec<(HeaderMap, HashMap<String, Vec<String>>)>>>;

/// Serves `answer` at /token/ and /revoke/, recording each request.
async fn endpoint<F>(answer: F) -> (TokenClient, Seen)
where
    F: Fn() -> Response + Clone + Send + Sync + 'static,
{
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let handler = move |headers: HeaderMap, body: String| {
        let answer = answer.clone();
        let record = record.clone();
        async move {
            let mut fields: HashMap<String, Vec<String>> = HashMap::new();
            for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
                fields
                    .entry(k.into_owned())
                    .or_default()
                    .push(v.into_owned());
            }
            record.lock().unwrap().push((headers, fields));
            answer()
        }
    };
    let app = Router::new()
        .route("/token/", post(handler.clone()))
        .route("/revoke/", post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = TokenClient::new(TokenClientConfig {
        token_url: Url::parse(&format!("{base}/token/")).unwrap(),
        revoke_url: Url::parse(&format!("{base}/revoke/")).unwrap(),
        client_id: "oa2client_test".into(),
        client_secret: Some(Secret::new("client-secret-value")),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(700),
    })
    .unwrap();
    (client, seen)
}

fn json(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

const GOOD: &str = r#"{"token_type":"Bearer","access_token":"sbx_at_AAAA","expires_in":3600,
 "refresh_token":"sbx_rt_BBBB","scope":"all.full_access offline_access",
 "organization_id":"orga_1","user_id":"user_1"}"#;

fn one(fields: &HashMap<String, Vec<String>>, key: &str) -> String {
    let values = &fields[key];
    assert_eq!(values.len(), 1, "{key} sent once");
    values[0].clone()
}

#[tokio::test]
async fn exchange_sends_the_documented_form_and_parses_closes_shape() {
    let (client, seen) = endpoint(|| json(StatusCode::OK, GOOD)).await;
    let redirect = Url::parse("http://127.0.0.1:8765/callback").unwrap();
    let tokens = client
        .exchange_code(
            &Secret::new("the-code"),
            &Secret::new("the-verifier"),
            &redirect,
        )
        .await
        .unwrap();
    assert_eq!(tokens.access_token.expose(), "sbx_at_AAAA");
    assert_eq!(
        tokens.refresh_token.as_ref().unwrap().expose(),
        "sbx_rt_BBBB"
    );
    assert_eq!(tokens.expires_in, Some(3600));
    assert_eq!(tokens.organization_id.as_deref(), Some("orga_1"));
    assert_eq!(tokens.user_id.as_deref(), Some("user_1"));
    assert!(!format!("{tokens:?}").contains("sbx_"));

    let seen = seen.lock().unwrap();
    let (headers, fields) = &seen[0];
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    assert!(
        headers[header::USER_AGENT]
            .to_str()
            .unwrap()
            .starts_with("close-tui/")
    );
    assert_eq!(one(fields, "grant_type"), "authorization_code");
    assert_eq!(one(fields, "code"), "the-code");
    assert_eq!(one(fields, "code_verifier"), "the-verifier");
    assert_eq!(one(fields, "redirect_uri"), redirect.as_str());
    assert_eq!(one(fields, "client_id"), "oa2client_test");
    assert_eq!(one(fields, "client_secret"), "client-secret-value");
}

#[tokio::test]
async fn refresh_and_revoke_send_their_fields() {
    let (client, seen) = endpoint(|| {
        json(
            StatusCode::OK,
            r#"{"token_type":"bearer","access_token":"sbx_at_C","expires_in":"60"}"#,
        )
    })
    .await;
    let tokens = client.refresh(&Secret::new("sbx_rt_old")).await.unwrap();
    assert!(
        tokens.refresh_token.is_none(),
        "no rotation: caller keeps the old one"
    );
    assert_eq!(tokens.expires_in, Some(60));
    client.revoke(&Secret::new("sbx_rt_old")).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(one(&seen[0].1, "grant_type"), "refresh_token");
    assert_eq!(one(&seen[0].1, "refresh_token"), "sbx_rt_old");
    assert_eq!(one(&seen[1].1, "token"), "sbx_rt_old");
    assert_eq!(one(&seen[1].1, "client_secret"), "client-secret-value");
}

async fn refresh_error(answer: fn() -> Response) -> TokenError {
    let (client, _) = endpoint(answer).await;
    client
        .refresh(&Secret::new("sbx_rt_secret"))
        .await
        .unwrap_err()
}

fn kind(err: &TokenError) -> TransientKind {
    match err {
        TokenError::Transient { kind, .. } => *kind,
        other => panic!("expected transient, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_grant_means_needs_login() {
    let err = refresh_error(|| {
        json(
            StatusCode::BAD_REQUEST,
            r#"{"error":"invalid_grant","error_description":"Refresh token is invalid."}"#,
        )
    })
    .await;
    assert!(err.is_invalid_grant() && err.needs_login(), "{err:?}");
    assert!(err.to_string().contains("invalid_grant"));
}

#[tokio::test]
async fn bare_401_means_needs_login_but_not_invalid_grant() {
    let err = refresh_error(|| (StatusCode::UNAUTHORIZED, "nope").into_response()).await;
    assert!(err.needs_login() && !err.is_invalid_grant(), "{err:?}");
}

#[tokio::test]
async fn server_errors_are_transient() {
    let err = refresh_error(|| {
        json(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"error":"server_error"}"#,
        )
    })
    .await;
    assert_eq!(kind(&err), TransientKind::Server);
    assert!(!err.needs_login());
    let err =
        refresh_error(|| (StatusCode::BAD_GATEWAY, "<html>bad gateway</html>").into_response())
            .await;
    assert_eq!(kind(&err), TransientKind::Server);
}

#[tokio::test]
async fn html_on_200_is_transient_and_not_echoed() {
    let err = refresh_error(|| {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "  <html><body>sbx_at_LEAKED</body></html>",
        )
            .into_response()
    })
    .await;
    assert_eq!(kind(&err), TransientKind::InvalidBody);
    let text = err.to_string();
    assert!(text.contains("HTML"), "{text}");
    assert!(!text.contains("LEAKED") && !format!("{err:?}").contains("LEAKED"));
}

#[tokio::test]
async fn truncated_json_is_transient() {
    let err = refresh_error(|| json(StatusCode::OK, r#"{"access_token":"sbx_at_CUT"#)).await;
    assert_eq!(kind(&err), TransientKind::InvalidBody);
    assert!(err.to_string().contains("invalid JSON"), "{err}");
    assert!(!err.to_string().contains("sbx_at_CUT"));
}

#[tokio::test]
async fn a_body_cut_off_mid_transfer_is_transient() {
    let err = refresh_error(|| {
        // Promises more bytes than it sends: the connection ends early.
        let mut response = json(StatusCode::OK, r#"{"access_token":"#);
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, "500".parse().unwrap());
        response
    })
    .await;
    assert!(err.is_transient(), "{err:?}");
}

#[tokio::test]
async fn rate_limit_carries_retry_after() {
    let err = refresh_error(|| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "12")],
            "slow down",
        )
            .into_response()
    })
    .await;
    assert_eq!(kind(&err), TransientKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(12)));
    assert!(!err.needs_login());
}

#[tokio::test]
async fn a_slow_endpoint_times_out_as_transient() {
    let (client, _) = endpoint(|| json(StatusCode::OK, GOOD)).await;
    // Swap in a server that never answers in time.
    let app = Router::new().route(
        "/token/",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "late"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut config = client.config().clone();
    config.token_url = Url::parse(&format!("http://{addr}/token/")).unwrap();
    let slow = TokenClient::new(config).unwrap();
    let started = std::time::Instant::now();
    let err = slow.refresh(&Secret::new("sbx_rt_x")).await.unwrap_err();
    assert_eq!(kind(&err), TransientKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let (client, _) = endpoint(|| json(StatusCode::OK, GOOD)).await;
    let mut config = client.config().clone();
    config.token_url = Url::parse(&format!("http://{addr}/token/")).unwrap();
    let err = TokenClient::new(config)
        .unwrap()
        .refresh(&Secret::new("sbx_rt_x"))
        .await
        .unwrap_err();
    assert_eq!(kind(&err), TransientKind::Connect);
    assert!(!err.to_string().contains("sbx_rt_x"));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let err = refresh_error(|| {
        (
            StatusCode::FOUND,
            [(header::LOCATION, "http://127.0.0.1:1/elsewhere")],
        )
            .into_response()
    })
    .await;
    assert_eq!(kind(&err), TransientKind::Other);
    assert!(err.to_string().contains("redirected"));
}

#[tokio::test]
async fn an_error_object_on_200_is_rejected() {
    let err = refresh_error(|| json(StatusCode::OK, r#"{"error":"invalid_grant"}"#)).await;
    assert!(err.is_invalid_grant());
}

#[tokio::test]
async fn revoke_failures_are_classified_too() {
    let (client, _) = endpoint(|| json(StatusCode::SERVICE_UNAVAILABLE, "{}")).await;
    let err = client.revoke(&Secret::new("t")).await.unwrap_err();
    assert!(err.is_transient());
}

#[tokio::test]
async fn only_an_error_that_refuses_the_grant_means_needs_login() {
    // A firewall's 403 or a proxy's 200 says nothing of the refresh token.
    let err = refresh_error(|| {
        json(
            StatusCode::FORBIDDEN,
            r#"{"error":"forbidden","error_description":"blocked by WAF"}"#,
        )
    })
    .await;
    assert!(err.is_transient() && !err.needs_login(), "{err:?}");
    let err = refresh_error(|| json(StatusCode::OK, r#"{"error":"busy"}"#)).await;
    assert!(err.is_transient() && !err.needs_login(), "{err:?}");
    // One that names the grant or the client is taken at its word.
    let err = refresh_error(|| json(StatusCode::FORBIDDEN, r#"{"error":"invalid_grant"}"#)).await;
    assert!(err.is_invalid_grant() && err.needs_login(), "{err:?}");
    let err = refresh_error(|| json(StatusCode::OK, r#"{"error":"invalid_client"}"#)).await;
    assert!(err.needs_login(), "{err:?}");
}

#[test]
fn a_far_off_expiry_is_clamped_to_a_year() {
    use close_tui::auth::client::{MAX_EXPIRES_IN, decode_token_response};
    for expires_in in ["100000000000000", "1e300", "\"18446744073709551615\""] {
        let body = format!(r#"{{"access_token":"sbx_at_A","expires_in":{expires_in}}}"#);
        let token = decode_token_response(200, body.as_bytes()).unwrap();
        assert_eq!(token.expires_in, Some(MAX_EXPIRES_IN), "{expires_in}");
    }
}
