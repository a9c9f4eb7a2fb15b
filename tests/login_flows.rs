#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui login`, end to end: the real binary, the sandbox on loopback,
//! and the scripted consent user as `$BROWSER`. Every way in (loopback http
//! and https, a pasted redirect, an API key) and every way a login fails
//! (denial, wrong or missing state, timeout), plus stray requests to the
//! callback server while it waits.

mod cli_support;

use cli_support::{Home, consent_user, org_and_email, read_until, sandbox};
use tokio::io::{AsyncWriteExt, BufReader};

fn connected_line(org: &str, email: &str) -> String {
    format!("Connected to {org} as {email}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_over_loopback_http_connects_and_tells_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    let (_, org, email) = org_and_email(&sandbox, 0);

    let out = home.login().await;
    out.assert_ok();
    assert_eq!(out.stdout.trim(), connected_line(&org, &email));
    // The URL is shown even though $BROWSER ran it (with no display).
    let shown = out
        .stderr
        .lines()
        .find(|l| l.contains("/oauth2/authorize/?"))
        .expect("the authorize URL on stderr");
    assert!(out.stderr.contains("Opened it with"), "{out:#?}");
    let url = url::Url::parse(shown.trim()).unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], sandbox.info.client_id);
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43);
    assert!(query["state"].len() >= 22, "state under 128 bits");
    let redirect = url::Url::parse(&query["redirect_uri"]).unwrap();
    assert_ne!(redirect.port(), Some(0), "the bound port is sent");
    let tab = home.wait_consent_lines(1).await;
    assert_eq!(tab.len(), 1, "{tab:?}");
    assert!(tab[0].starts_with("200 "), "{tab:?}");
    assert!(tab[0].contains(&connected_line(&org, &email)), "{tab:?}");
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_over_loopback_https_with_the_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("REDIRECT_URI", "https://127.0.0.1:0/callback");
    let (_, org, email) = org_and_email(&sandbox, 0);

    let out = home.login().await;
    out.assert_ok();
    assert_eq!(out.stdout.trim(), connected_line(&org, &email));
    assert!(
        out.stderr
            .contains("redirect_uri=https%3A%2F%2F127.0.0.1%3A")
    );
    let tab = home.wait_consent_lines(1).await;
    assert!(tab[0].starts_with("200 "), "{tab:?}");
    assert!(tab[0].contains(&connected_line(&org, &email)), "{tab:?}");
    // The certificate is made once and kept in the data dir.
    let data = home.path().join("data/close-tui");
    let kept: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".pem"))
        .collect();
    assert!(!kept.is_empty(), "no certificate in {}", data.display());
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_by_paste_retries_a_wrong_paste_then_connects() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    let (_, org, email) = org_and_email(&sandbox, 0);

    let mut command = home.command(&["login", "--no-browser"]);
    command.stdin(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let url_line = read_until(&mut stderr, &mut seen, |l| {
        l.contains("/oauth2/authorize/?")
    })
    .await;
    read_until(&mut stderr, &mut seen, |l| l.contains("paste the URL")).await;
    assert!(!seen.contains("Opened it with"), "{seen}");

    // The person approves in a browser somewhere else and copies the URL
    // it was sent to.
    let person = std::process::Command::new(consent_user())
        .arg(url_line.trim())
        .env("CONSENT_NO_FOLLOW", "1")
        .output()
        .unwrap();
    assert!(person.status.success(), "{person:?}");
    let redirect = String::from_utf8(person.stdout).unwrap();
    assert!(redirect.contains("code="), "{redirect}");

    stdin.write_all(b"the wrong thing\n").await.unwrap();
    read_until(&mut stderr, &mut seen, |l| {
        l.contains("That is not the redirect URL")
    })
    .await;
    stdin.write_all(redirect.as_bytes()).await.unwrap();
    drop(stdin);

    let mut rest = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut rest)
        .await
        .unwrap();
    seen.push_str(&rest);
    child.stderr = None;
    let out = home.wait(child).await;
    home.record(&[], seen.as_bytes());
    assert!(out.ok(), "{out:#?}\n{seen}");
    assert_eq!(out.stdout.trim(), connected_line(&org, &email));
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_login_from_stdin_and_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let (org_id, user_id) = sandbox.state.api_key_owner.clone();
    let (org, email) = {
        let data = sandbox.state.read_data();
        let org = data
            .organizations()
            .iter()
            .find(|o| o.id == org_id)
            .unwrap();
        let user = data.members(&org_id).into_iter().find(|u| u.id == user_id);
        (org.name.clone(), user.unwrap().email.clone())
    };
    let key = format!("{}\n", sandbox.info.api_key);

    let home = Home::new(&sandbox);
    let out = home.run(&["login", "--api-key"], Some(&key)).await;
    out.assert_ok();
    assert_eq!(out.stdout.trim(), connected_line(&org, &email));
    let (_, status) = home.status_json(false).await;
    assert_eq!(status["accounts"][0]["auth"], "api_key");

    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    let out = home.run(&["login", "--api-key"], None).await;
    out.assert_ok();
    assert_eq!(out.stdout.trim(), connected_line(&org, &email));

    // A key Close does not know is refused before anything is stored.
    let home = Home::new(&sandbox);
    let out = home.run(&["login", "--api-key"], Some("api_nope\n")).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"));
    let (_, status) = home.status_json(true).await;
    assert_eq!(status["accounts"], serde_json::json!([]));
    sandbox.stop().await;
}

/// Logs in with extra settings and returns the failed run.
async fn failed_login(knobs: &[(&str, &str)], args: &[&str]) -> (Home, cli_support::Output) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    for (name, value) in knobs {
        home.set(name, value);
    }
    let out = home.run(args, None).await;
    sandbox.stop().await;
    (home, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denial_is_a_clean_failure_with_its_reason() {
    let (home, out) = failed_login(&[("CONSENT_DECISION", "deny")], &["login"]).await;
    out.assert_fails_with("authorization was denied in the browser");
    let tab = home.wait_consent_lines(1).await;
    assert!(tab[0].contains("denied"), "{tab:?}");
    let (_, status) = home.status_json(true).await;
    assert_eq!(status["accounts"], serde_json::json!([]));
}

/// A redirect with another `state`, or none, is not this login's answer:
/// its tab is told so, and the login waits on for its own; here none comes,
/// and the timeout says what came instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_without_this_logins_state_is_refused_and_the_login_waits() {
    for tamper in ["wrong_state", "drop_state"] {
        let (home, out) =
            failed_login(&[("CONSENT_TAMPER", tamper)], &["login", "--timeout", "3"]).await;
        out.assert_fails_with("never with this login's `state`");
        let tab = home.wait_consent_lines(1).await;
        assert!(tab[0].starts_with("400 "), "{tamper}: {tab:?}");
        assert!(tab[0].contains("Not this login"), "{tamper}: {tab:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_never_comes_back_times_out() {
    let started = std::time::Instant::now();
    let (_, out) = failed_login(&[("BROWSER", "true")], &["login", "--timeout", "1"]).await;
    out.assert_fails_with("no answer from the browser within 1 s");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stray_requests_are_answered_and_the_login_still_completes() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CONSENT_STRAY", "1");
    let (_, org, email) = org_and_email(&sandbox, 0);

    let out = home.login().await;
    out.assert_ok();
    assert_eq!(out.stdout.trim(), connected_line(&org, &email));
    let tab = home.wait_consent_lines(4).await;
    assert_eq!(
        tab[..3],
        [
            "stray favicon 404",
            "stray other-path 404",
            "stray foreign-host 400"
        ],
        "{tab:?}"
    );
    assert!(tab[3].starts_with("200 "), "{tab:?}");
    assert!(tab[3].contains(&connected_line(&org, &email)), "{tab:?}");
    sandbox.stop().await;
}

/// A login that could not be saved (the keyring, asked for by name, does
/// not answer here) is refused before the browser opens: no one is sent
/// through Close's consent, and no tokens are issued, for nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_store_that_does_not_answer_stops_the_login_before_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_TUI_KEY_STORE", "keyring");

    for args in [&["login"][..], &["login", "--no-browser"]] {
        let out = home.run(args, None).await;
        out.assert_fails_with("no login can be saved until the keyring answers");
        assert!(out.stderr.contains("CLOSE_TUI_KEY_STORE=file"), "{out:#?}");
        assert!(
            !out.stderr.contains("/oauth2/authorize/"),
            "no authorize URL is shown: {out:#?}"
        );
    }
    let out = home.run(&["login", "--api-key"], Some("api_typed\n")).await;
    out.assert_fails_with("no login can be saved until the keyring answers");
    assert!(home.consent_lines().is_empty(), "the browser never ran");
    assert_eq!(cli_support::grants(dir.path(), "authorization_code"), 0);
    sandbox.stop().await;
}
