//! The sandbox's `--auto-approve` (for `close-tui demo --auto-approve`):
//! a valid authorization request is approved at once, as the first
//! organization's first user; an invalid one is still refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use close_tui::sandbox::{self, SandboxArgs};
use reqwest::{StatusCode, header::LOCATION, redirect::Policy};
use url::Url;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn authorize(base: &str, client_id: &str) -> Url {
    let mut url = Url::parse(base).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "http://127.0.0.1:9/callback")
        .append_pair("state", "s1")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    url
}

#[tokio::test]
async fn auto_approve_redirects_with_a_code_and_no_form() {
    let running = sandbox::start(SandboxArgs {
        auto_approve: true,
        leads: 4,
        ..SandboxArgs::defaults()
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let info = &running.info;
    let response = http
        .get(authorize(&info.authorize_url, &info.client_id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap();
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert!(
        location
            .as_str()
            .starts_with("http://127.0.0.1:9/callback?")
    );
    assert!(pairs.iter().any(|(k, v)| k == "code" && !v.is_empty()));
    assert!(pairs.contains(&("state".into(), "s1".into())));

    // An unknown client still gets the error page, never a code.
    let refused = http
        .get(authorize(&info.authorize_url, "someone-else"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    running.stop().await;
}

#[tokio::test]
async fn without_the_flag_the_consent_form_is_shown() {
    let running = sandbox::start(SandboxArgs {
        leads: 4,
        ..SandboxArgs::defaults()
    })
    .await
    .unwrap();
    let info = &running.info;
    let response = reqwest::get(authorize(&info.authorize_url, &info.client_id))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("decision"));
    running.stop().await;
}
