#![allow(clippy::unwrap_used, clippy::expect_used)]
//! One whole login attempt: loopback and paste, with an in-test token
//! endpoint that checks the PKCE verifier against the challenge sent.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{Form, Router, extract::State, http::StatusCode, routing::post};
use close_tui::{
    auth::{
        browser::{BrowserEnv, Launch},
        callback::Outcome,
        client::{TokenClient, TokenClientConfig},
        flow::{Login, LoginError, LoginOptions, Progress},
        pkce::s256_challenge,
        redirect::Transport,
        response::RedirectError,
    },
    secret::Secret,
};
use tokio::sync::mpsc;
use url::Url;

/// The challenge the endpoint expects, and the codes it accepts.
#[derive(Default)]
struct Expect {
    challenge: Option<String>,
}

async fn token_endpoint() -> (TokenClient, Arc<Mutex<Expect>>) {
    let expect: Arc<Mutex<Expect>> = Arc::default();
    let app = Router::new()
        .route(
            "/token/",
            post(
                |State(expect): State<Arc<Mutex<Expect>>>,
                 Form(form): Form<HashMap<String, String>>| async move {
                    let challenge = expect.lock().unwrap().challenge.clone();
                    let verifier_ok =
                        Some(s256_challenge(&form["code_verifier"])) == challenge;
                    if form["code"] == "good-code" && verifier_ok {
                        (
                            StatusCode::OK,
                            r#"{"token_type":"Bearer","access_token":"sbx_at_X","expires_in":3600,"refresh_token":"sbx_rt_Y","organization_id":"orga_1","user_id":"user_1"}"#,
                        )
                    } else {
                        (StatusCode::BAD_REQUEST, r#"{"error":"invalid_grant"}"#)
                    }
                },
            ),
        )
        .with_state(expect.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = TokenClient::new(TokenClientConfig {
        token_url: Url::parse(&format!("{base}/token/")).unwrap(),
        revoke_url: Url::parse(&format!("{base}/revoke/")).unwrap(),
        client_id: "oa2client_test".into(),
        client_secret: Some(Secret::new("shh")),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    (client, expect)
}

fn options(redirect: &str, force_paste: bool) -> LoginOptions {
    LoginOptions {
        client_id: "oa2client_test".into(),
        authorize_url: Url::parse("https://app.close.test/oauth2/authorize/").unwrap(),
        redirect_uri: Url::parse(redirect).unwrap(),
        force_paste,
        launch_browser: false,
        browser: None,
        browser_env: BrowserEnv::default(),
        cert_dir: std::env::temp_dir(),
        timeout: Duration::from_secs(20),
    }
}

fn param(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[tokio::test]
async fn loopback_login_exchanges_and_then_answers_the_tab() {
    let (client, expect) = token_endpoint().await;
    let login = Login::start(options("http://127.0.0.1:0/callback", false))
        .await
        .unwrap();
    let port = login.port().unwrap();
    assert_ne!(port, 0);
    assert_eq!(login.redirect_uri().port(), Some(port));
    let url = login.authorize_url().clone();
    assert_eq!(param(&url, "redirect_uri"), login.redirect_uri().as_str());
    assert!(
        login
            .ssh_hint()
            .unwrap()
            .contains(&format!("{port}:127.0.0.1:{port}"))
    );
    expect.lock().unwrap().challenge = Some(param(&url, "code_challenge"));

    let callback = format!(
        "{}?code=good-code&state={}",
        login.redirect_uri(),
        param(&url, "state")
    );
    let tab = tokio::spawn(async move { http().get(callback).send().await.unwrap() });
    let mut seen = Vec::new();
    let connected = login.finish(&client, None, |p| seen.push(p)).await.unwrap();
    assert!(matches!(seen[0], Progress::AwaitingBrowser { .. }));
    assert_eq!(seen.last(), Some(&Progress::Exchanging));
    assert_eq!(connected.tokens.access_token.expose(), "sbx_at_X");
    assert!(connected.browser.has_tab());
    assert!(!tab.is_finished());
    connected
        .browser
        .finish(Outcome::Success {
            organization: "Acme".into(),
            email: "a@b.test".into(),
        })
        .await;
    let body = tab.await.unwrap().text().await.unwrap();
    assert!(body.contains("Connected to <strong>Acme</strong> as <strong>a@b.test</strong>"));
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
}

#[tokio::test]
async fn a_failed_exchange_shows_the_reason_in_the_tab() {
    let (client, _) = token_endpoint().await;
    let login = Login::start(options("http://localhost:0/cb", false))
        .await
        .unwrap();
    let url = login.authorize_url().clone();
    let callback = format!(
        "http://127.0.0.1:{}/cb?code=stale-code&state={}",
        login.port().unwrap(),
        param(&url, "state")
    );
    let tab = tokio::spawn(async move { http().get(callback).send().await.unwrap() });
    let err = login.finish(&client, None, |_| {}).await.unwrap_err();
    assert!(
        matches!(err, LoginError::Exchange(ref e) if e.is_invalid_grant()),
        "{err:?}"
    );
    let body = tab.await.unwrap().text().await.unwrap();
    assert!(body.contains("invalid_grant"), "{body}");
}

#[tokio::test]
async fn paste_login_keeps_waiting_after_wrong_input() {
    let (client, expect) = token_endpoint().await;
    let login = Login::start(options("https://example.com/oauth/callback", false))
        .await
        .unwrap();
    assert_eq!(login.transport(), &Transport::Paste);
    assert!(login.port().is_none() && login.ssh_hint().is_none());
    assert!(matches!(login.launch(), Launch::Skipped { .. }));
    let url = login.authorize_url().clone();
    expect.lock().unwrap().challenge = Some(param(&url, "code_challenge"));
    let (tx, rx) = mpsc::channel(4);
    tx.send("hello".into()).await.unwrap();
    tx.send("https://evil.test/oauth/callback?code=good-code".into())
        .await
        .unwrap();
    tx.send(format!(
        "https://example.com/oauth/callback?code=good-code&state={}",
        param(&url, "state")
    ))
    .await
    .unwrap();
    let mut rejected = 0;
    let connected = login
        .finish(&client, Some(rx), |p| {
            if matches!(p, Progress::PasteRejected { .. }) {
                rejected += 1;
            }
        })
        .await
        .unwrap();
    assert_eq!(rejected, 2);
    assert!(!connected.browser.has_tab());
    assert_eq!(connected.tokens.refresh_token.unwrap().expose(), "sbx_rt_Y");
}

#[tokio::test]
async fn a_pasted_denial_fails_the_attempt_and_an_old_tabs_address_is_asked_again() {
    let (client, _) = token_endpoint().await;
    let login = Login::start(options("https://example.com/cb", true))
        .await
        .unwrap();
    let (tx, rx) = mpsc::channel(1);
    tx.send("https://example.com/cb?error=access_denied".to_owned())
        .await
        .unwrap();
    let err = login.finish(&client, Some(rx), |_| {}).await.unwrap_err();
    assert!(
        matches!(err, LoginError::Redirect(RedirectError::Denied)),
        "{err:?}"
    );

    // Another login's state (an old tab): refused with the reason, and the
    // login waits on for the right address.
    let login = Login::start(options("https://example.com/cb", true))
        .await
        .unwrap();
    let (tx, rx) = mpsc::channel(1);
    tx.send("https://example.com/cb?code=good-code&state=forged".to_owned())
        .await
        .unwrap();
    drop(tx);
    let mut refused = Vec::new();
    let err = login
        .finish(&client, Some(rx), |progress| {
            if let Progress::PasteRejected { reason } = progress {
                refused.push(reason);
            }
        })
        .await
        .unwrap_err();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains("does not match this login"),
        "{refused:?}"
    );
    assert!(matches!(err, LoginError::NothingPasted), "{err:?}");
}

#[tokio::test]
async fn no_browser_forces_paste_even_for_loopback() {
    let login = Login::start(options("http://127.0.0.1:0/callback", true))
        .await
        .unwrap();
    assert_eq!(login.transport(), &Transport::Paste);
    assert!(login.port().is_none());
}

#[tokio::test]
async fn a_paste_can_win_while_the_loopback_server_waits() {
    let (client, expect) = token_endpoint().await;
    let login = Login::start(options("http://127.0.0.1:0/callback", false))
        .await
        .unwrap();
    let port = login.port().unwrap();
    let url = login.authorize_url().clone();
    expect.lock().unwrap().challenge = Some(param(&url, "code_challenge"));
    let (tx, rx) = mpsc::channel(1);
    tx.send(format!(
        "{}?code=good-code&state={}",
        login.redirect_uri(),
        param(&url, "state")
    ))
    .await
    .unwrap();
    let connected = login.finish(&client, Some(rx), |_| {}).await.unwrap();
    assert!(!connected.browser.has_tab());
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
}

#[tokio::test]
async fn cancel_and_timeout_end_the_attempt() {
    let (client, _) = token_endpoint().await;
    let login = Login::start(options("http://127.0.0.1:0/callback", false))
        .await
        .unwrap();
    let canceller = login.canceller();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        canceller.cancel();
    });
    let err = login.finish(&client, None, |_| {}).await.unwrap_err();
    assert!(matches!(err, LoginError::Cancelled), "{err:?}");

    let mut short = options("https://example.com/cb", true);
    short.timeout = Duration::from_millis(200);
    let login = Login::start(short).await.unwrap();
    let (_tx, rx) = mpsc::channel::<String>(1);
    let err = login.finish(&client, Some(rx), |_| {}).await.unwrap_err();
    assert!(matches!(err, LoginError::TimedOut(_)), "{err:?}");
}
