//! Shared helpers for the sandbox's integration tests: a sandbox on a free
//! port, a browser-like client, and the consent walk.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use close_tui::sandbox::{RunningSandbox, SandboxArgs, start};
use reqwest::{StatusCode, redirect::Policy};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

pub const REDIRECT: &str = "http://127.0.0.1:8765/callback";

pub struct Harness {
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
}

/// A sandbox on a free loopback port, with `configure` applied to the flags.
pub async fn harness(configure: impl FnOnce(&mut SandboxArgs)) -> Harness {
    let mut args = SandboxArgs::defaults();
    args.port = 0;
    configure(&mut args);
    let sandbox = start(args).await.expect("sandbox starts");
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    Harness { sandbox, http }
}

/// A sandbox with these flags (on a free port), its organizations' ids,
/// and an access token for the admin of each.
pub async fn with_admins(args: SandboxArgs) -> (Harness, Vec<String>, Vec<String>) {
    let h = harness(|flags| *flags = SandboxArgs { port: 0, ..args }).await;
    let org_ids: Vec<String> = h
        .sandbox
        .state
        .read_data()
        .organizations()
        .iter()
        .map(|o| o.id.clone())
        .collect();
    let mut tokens = Vec::new();
    for org in &org_ids {
        tokens.push(h.access_token_for(org).await);
    }
    (h, org_ids, tokens)
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// `GET /oauth2/authorize/?…`.
    pub async fn authorize(&self, query: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(&self.sandbox.info.authorize_url)
            .query(query)
            .send()
            .await
            .unwrap()
    }

    /// Loads the consent page for `query` and submits its form as a browser
    /// would (hidden fields, the pre-selected organization, the button
    /// pressed). Returns the `Location` the sandbox redirects to.
    pub async fn consent(&self, query: &[(&str, &str)], decision: &str) -> Url {
        let page = self.authorize(query).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        let mut form = form_fields(&html);
        form.push(("decision".to_owned(), decision.to_owned()));
        let answer = self
            .http
            .post(&self.sandbox.info.authorize_url)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::FOUND);
        location(&answer)
    }

    /// Logs in as the admin of `organization_id`, picking it on the consent
    /// page as a person would; returns the access token.
    pub async fn access_token_for(&self, organization_id: &str) -> String {
        let (verifier, challenge) = pkce();
        let query = [
            ("client_id", "sandbox-client"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "st-org"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        let html = self.authorize(&query).await.text().await.unwrap();
        let mut form: Vec<(String, String)> = form_fields(&html)
            .into_iter()
            .filter(|(name, _)| name != "organization_id")
            .collect();
        form.push(("organization_id".into(), organization_id.into()));
        form.push(("decision".into(), "allow".into()));
        let answer = self
            .http
            .post(&self.sandbox.info.authorize_url)
            .form(&form)
            .send()
            .await
            .unwrap();
        let code = query_value(&location(&answer), "code").expect("a code");
        let (status, body) = self.exchange(&code, &verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["organization_id"], organization_id);
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Consent with PKCE and a state; returns (code, verifier).
    pub async fn code(&self) -> (String, String) {
        let (verifier, challenge) = pkce();
        let location = self
            .consent(
                &[
                    ("client_id", "sandbox-client"),
                    ("response_type", "code"),
                    ("redirect_uri", REDIRECT),
                    ("state", "st-123"),
                    ("code_challenge", &challenge),
                    ("code_challenge_method", "S256"),
                ],
                "allow",
            )
            .await;
        assert_eq!(query_value(&location, "state").as_deref(), Some("st-123"));
        (query_value(&location, "code").expect("a code"), verifier)
    }

    /// `POST /oauth2/token/` with the client's credentials in the body.
    pub async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let mut body = vec![
            ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-secret"),
        ];
        body.extend_from_slice(form);
        let response = self
            .http
            .post(&self.sandbox.info.token_url)
            .form(&body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    pub async fn exchange(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// The whole consent walk and code exchange; returns the token response.
    pub async fn login(&self) -> Value {
        let (code, verifier) = self.code().await;
        let (status, body) = self.exchange(&code, &verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }

    pub async fn revoke(&self, token: &str) -> StatusCode {
        self.http
            .post(&self.sandbox.info.revoke_url)
            .form(&[
                ("client_id", "sandbox-client"),
                ("client_secret", "sandbox-secret"),
                ("token", token),
            ])
            .send()
            .await
            .unwrap()
            .status()
    }

    /// `GET /api/v1/me/` with a bearer token.
    pub async fn me(&self, access_token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}me/", self.sandbox.info.api_url))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }

    pub async fn stats(&self) -> Value {
        let url = self.url("/_sandbox/stats");
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

pub fn location(response: &reqwest::Response) -> Url {
    let value = response
        .headers()
        .get("location")
        .expect("a Location header");
    Url::parse(value.to_str().unwrap()).unwrap()
}

pub fn query_value(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// What a browser would submit from the page's form: every hidden input and
/// the checked radio button.
pub fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in html.split("<input").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        let kind = attribute(tag, "type").unwrap_or_default();
        let wanted = kind == "hidden" || (kind == "radio" && tag.contains(" checked"));
        if wanted {
            let name = attribute(tag, "name").unwrap();
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        }
    }
    fields
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
