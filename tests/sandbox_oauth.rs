//! The sandbox's OAuth server over real HTTP: the consent walk, the token
//! and revoke endpoints, and how the API treats the tokens they hand out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sandbox_support;

use reqwest::StatusCode;
use sandbox_support::{REDIRECT, harness, location, pkce, query_value};
use serde_json::Value;

fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"))
}

#[tokio::test]
async fn consent_code_token_api_refresh_revoke() {
    let h = harness(|_| {}).await;
    let body = h.login().await;

    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "organization_id",
            "refresh_token",
            "scope",
            "token_type",
            "user_id"
        ]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "all.full_access offline_access");
    let access = str_of(&body, "access_token");
    let refresh = str_of(&body, "refresh_token");
    assert!(access.starts_with("sbx_at_") && refresh.starts_with("sbx_rt_"));

    let me = h.me(access).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert!(me.headers().contains_key("ratelimit"));
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["id"], body["user_id"]);
    let orgs: Vec<&Value> = me["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|org| &org["id"])
        .collect();
    assert!(orgs.contains(&&body["organization_id"]), "{me}");

    let (status, rotated) = h.refresh(refresh).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_access = str_of(&rotated, "access_token");
    let new_refresh = str_of(&rotated, "refresh_token");
    assert_ne!(new_refresh, refresh);
    assert_eq!(rotated["organization_id"], body["organization_id"]);
    assert_eq!(h.me(new_access).await.status(), StatusCode::OK);

    // Revoking the refresh token kills its whole family, access tokens too.
    assert_eq!(h.revoke(new_refresh).await, StatusCode::OK);
    assert_eq!(h.me(new_access).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(h.me(access).await.status(), StatusCode::UNAUTHORIZED);
    let (status, error) = h.refresh(new_refresh).await;
    assert_eq!(
        (status, str_of(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    // RFC 7009: unknown tokens are fine.
    assert_eq!(h.revoke("sbx_rt_nonsense").await, StatusCode::OK);

    let stats = h.stats().await;
    assert_eq!(stats["token_requests"]["authorization_code"], 1);
    assert_eq!(stats["token_requests"]["refresh_token"], 2);
    assert_eq!(stats["refreshes"], 1);
    assert_eq!(stats["revokes"], 2);
    h.sandbox.stop().await;
}

#[tokio::test]
async fn the_token_response_is_not_cached_and_deny_sends_access_denied() {
    let h = harness(|_| {}).await;
    let (code, verifier) = h.code().await;
    let response = h
        .http
        .post(&h.sandbox.info.token_url)
        .basic_auth("sandbox-client", Some("sandbox-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "HTTP Basic client auth");
    assert_eq!(response.headers()["cache-control"], "no-store");

    let denied = h
        .consent(
            &[
                ("client_id", "sandbox-client"),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:9/cb?keep=1"),
                ("state", "a b&c"),
            ],
            "deny",
        )
        .await;
    assert_eq!(
        query_value(&denied, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_value(&denied, "state").as_deref(), Some("a b&c"));
    assert_eq!(query_value(&denied, "keep").as_deref(), Some("1"));
    assert_eq!(query_value(&denied, "code"), None);
}

#[tokio::test]
async fn a_pkce_mismatch_is_invalid_grant() {
    let h = harness(|_| {}).await;
    let (code, _) = h.code().await;
    let (other_verifier, _) = pkce();
    let (status, body) = h.exchange(&code, &other_verifier).await;
    assert_eq!(
        (status, str_of(&body, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );

    let (code, _) = h.code().await;
    let (status, body) = h
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(
        (status, str_of(&body, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );

    // `plain` is refused at the authorize step (only S256 is supported).
    let refused = h
        .authorize(&[
            ("client_id", "sandbox-client"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("code_challenge", "abc"),
            ("code_challenge_method", "plain"),
        ])
        .await;
    assert_eq!(refused.status(), StatusCode::FOUND);
    assert_eq!(
        query_value(&location(&refused), "error").as_deref(),
        Some("invalid_request")
    );
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_its_tokens() {
    let h = harness(|_| {}).await;
    let (code, verifier) = h.code().await;
    let (status, first) = h.exchange(&code, &verifier).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = h.exchange(&code, &verifier).await;
    assert_eq!(
        (status, str_of(&again, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert_eq!(
        h.me(str_of(&first, "access_token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = h.refresh(str_of(&first, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_the_family() {
    let h = harness(|_| {}).await;
    let first = h.login().await;
    let old_refresh = str_of(&first, "refresh_token");
    let (_, second) = h.refresh(old_refresh).await;
    let (status, error) = h.refresh(old_refresh).await;
    assert_eq!(
        (status, str_of(&error, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    assert_eq!(
        h.me(str_of(&second, "access_token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = h.refresh(str_of(&second, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn registered_redirect_uris_must_match_exactly() {
    let registered = "https://app.example.com/oauth/callback";
    let h = harness(|args| args.redirect_uris = vec![registered.to_owned()]).await;
    let query = |uri: &'static str| {
        [
            ("client_id", "sandbox-client"),
            ("response_type", "code"),
            ("redirect_uri", uri),
            ("state", "s"),
        ]
    };
    for wrong in [
        REDIRECT,
        "https://app.example.com/oauth/callback/",
        "https://evil.example/cb",
    ] {
        let page = h.authorize(&query(wrong)).await;
        assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{wrong}");
        assert!(page.headers().get("location").is_none());
        assert!(page.text().await.unwrap().contains("redirect_uri"));
    }
    let location = h.consent(&query(registered), "allow").await;
    assert!(location.as_str().starts_with(registered));
    let code = query_value(&location, "code").unwrap();
    let (status, body) = h
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(
        (status, str_of(&body, "error")),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
}

#[tokio::test]
async fn without_registered_uris_any_loopback_redirect_is_accepted() {
    let h = harness(|_| {}).await;
    let query = |uri: &'static str, response_type: &'static str| {
        [
            ("client_id", "sandbox-client"),
            ("response_type", response_type),
            ("redirect_uri", uri),
            ("state", "s1"),
        ]
    };
    for good in [
        "http://127.0.0.1:1/cb",
        "https://localhost:8443/x",
        "http://[::1]:5000/",
    ] {
        assert_eq!(
            h.authorize(&query(good, "code")).await.status(),
            StatusCode::OK,
            "{good}"
        );
    }
    for bad in [
        "https://example.com/cb",
        "http://127.0.0.1.evil.com/cb",
        "ftp://127.0.0.1/",
        "http://127.0.0.1/cb#frag",
    ] {
        let page = h.authorize(&query(bad, "code")).await;
        assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.headers().get("location").is_none());
    }
    // A bad client never redirects, even to a good URI.
    let unknown = h
        .authorize(&[
            ("client_id", "<script>"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let html = unknown.text().await.unwrap();
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    // A bad response_type with a trusted redirect goes back to the client.
    let refused = h.authorize(&query(REDIRECT, "token")).await;
    assert_eq!(refused.status(), StatusCode::FOUND);
    let back = location(&refused);
    assert_eq!(
        query_value(&back, "error").as_deref(),
        Some("unsupported_response_type")
    );
    assert_eq!(query_value(&back, "state").as_deref(), Some("s1"));
}

#[tokio::test]
async fn the_token_endpoint_takes_forms_and_authenticates_clients() {
    let h = harness(|_| {}).await;
    let (code, verifier) = h.code().await;
    let json = h
        .http
        .post(&h.sandbox.info.token_url)
        .json(&serde_json::json!({
            "client_id": "sandbox-client", "client_secret": "sandbox-secret",
            "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        json.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );

    let wrong_secret = h
        .http
        .post(&h.sandbox.info.token_url)
        .form(&[
            ("client_id", "sandbox-client"),
            ("client_secret", "nope"),
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_secret.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong_secret.headers().contains_key("www-authenticate"));
    assert_eq!(
        wrong_secret.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );

    let (status, body) = h.token(&[("grant_type", "password")]).await;
    assert_eq!(
        (status, str_of(&body, "error")),
        (StatusCode::BAD_REQUEST, "unsupported_grant_type")
    );
    // The JSON attempt did not burn the code.
    let (status, _) = h.exchange(&code, &verifier).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn expired_and_revoked_access_tokens_get_401() {
    let h = harness(|args| args.access_ttl = 1).await;
    let first = h.login().await;
    assert_eq!(first["expires_in"], 1);
    let access = str_of(&first, "access_token");
    assert_eq!(h.me(access).await.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let expired = h.me(access).await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert!(expired.headers().contains_key("ratelimit"));
    assert!(expired.json::<Value>().await.unwrap()["error"].is_string());

    // Revoking an access token kills only that token.
    let (_, second) = h.refresh(str_of(&first, "refresh_token")).await;
    let access = str_of(&second, "access_token");
    assert_eq!(h.revoke(access).await, StatusCode::OK);
    assert_eq!(h.me(access).await.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = h.refresh(str_of(&second, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK);
}
