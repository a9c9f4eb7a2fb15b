#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The loopback callback server over real sockets: the happy path, stray
//! and hostile requests, the state checks, limits, races, timeout, cancel,
//! a busy port, and https with the kept certificate.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use close_tui::{
    auth::{
        callback::{CallbackError, CallbackOptions, CallbackServer, Outcome},
        response::RedirectError,
        tls::LoopbackCert,
    },
    secret::Secret,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const STATE: &str = "expected-state-123";

async fn start(timeout: Duration) -> CallbackServer {
    CallbackServer::bind(CallbackOptions {
        port: 0,
        ipv6: false,
        path: "/callback".into(),
        expected_state: Secret::new(STATE),
        timeout,
        tls: None,
    })
    .await
    .unwrap()
}

fn base(addr: SocketAddr) -> String {
    format!("http://127.0.0.1:{}", addr.port())
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sends raw bytes and returns everything the server writes back.
async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    raw_within(addr, request, Duration::from_secs(5)).await
}

async fn raw_within(addr: SocketAddr, request: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn status_of(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Completes the flow with a valid callback and returns the page's body.
async fn complete(server: &mut CallbackServer) -> String {
    let url = format!(
        "{}/callback?code=the-code&state={STATE}",
        base(server.local_addr())
    );
    let browser = tokio::spawn(async move { http().get(url).send().await.unwrap() });
    let pending = server.next().await.unwrap();
    assert_eq!(pending.code().expose(), "the-code");
    let (_, responder) = pending.into_parts();
    responder.respond(Outcome::Success {
        organization: "Acme".into(),
        email: "a@b.test".into(),
    });
    let response = browser.await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

#[tokio::test]
async fn success_page_only_after_the_outcome_and_port_released() {
    let mut server = start(Duration::from_secs(30)).await;
    let port = server.port();
    let url = format!(
        "{}/callback?code=the-code&state={STATE}",
        base(server.local_addr())
    );
    let browser = tokio::spawn(async move { http().get(url).send().await.unwrap() });
    let pending = server.next().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!browser.is_finished(), "the tab must wait for the outcome");
    let (code, responder) = pending.into_parts();
    assert_eq!(code.expose(), "the-code");
    assert!(responder.respond(Outcome::Success {
        organization: "Acme <Inc>".into(),
        email: "a@b.test".into(),
    }));
    let response = browser.await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("Connected to <strong>Acme &lt;Inc&gt;</strong> as <strong>a@b.test</strong>. You can close this tab."), "{body}");
    server.shutdown().await;
    assert!(port_is_free(port));
}

#[tokio::test]
async fn failure_outcome_reaches_the_browser_escaped() {
    let mut server = start(Duration::from_secs(30)).await;
    let url = format!(
        "{}/callback?code=c&state={STATE}",
        base(server.local_addr())
    );
    let browser = tokio::spawn(async move { http().get(url).send().await.unwrap() });
    let (_, responder) = server.next().await.unwrap().into_parts();
    responder.respond(Outcome::Failure {
        reason: "exchange failed <script>x</script>".into(),
    });
    let body = browser.await.unwrap().text().await.unwrap();
    assert!(body.contains("exchange failed &lt;script&gt;"), "{body}");
    assert!(!body.contains("<script>"));
}

#[tokio::test]
async fn stray_requests_are_answered_and_the_flow_still_completes() {
    let mut server = start(Duration::from_secs(30)).await;
    let addr = server.local_addr();
    let b = base(addr);
    let client = http();
    let status = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("{b}/favicon.ico")).await, 404);
    assert_eq!(status(format!("{b}/")).await, 404);
    assert_eq!(status(format!("{b}/other?code=x&state={STATE}")).await, 404);
    assert_eq!(
        status(format!("{b}/callback/?code=x&state={STATE}")).await,
        404
    );
    assert_eq!(
        status(format!("{b}/%63allback?code=x&state={STATE}")).await,
        404
    );
    assert_eq!(status(format!("{b}/callback")).await, 400);
    assert_eq!(
        status(format!("{b}/callback?foo=bar&state={STATE}")).await,
        400
    );
    let post = client
        .post(format!("{b}/callback?code=x&state={STATE}"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
    let head = client
        .head(format!("{b}/callback?code=x&state={STATE}"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 405);
    let request =
        format!("GET /callback?code=x&state={STATE} HTTP/1.1\r\nHost: evil.example\r\n\r\n");
    assert_eq!(status_of(&raw(addr, request.as_bytes()).await), 400);
    let request =
        format!("GET /callback?code=x&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n");
    assert_eq!(status_of(&raw(addr, request.as_bytes()).await), 400);
    let request = format!("GET /callback?code=x&state={STATE} HTTP/1.0\r\n\r\n");
    assert_eq!(
        status_of(&raw(addr, request.as_bytes()).await),
        400,
        "no Host"
    );
    let request = format!(
        "GET http://evil.example/callback?code=x&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        addr.port()
    );
    assert_eq!(
        status_of(&raw(addr, request.as_bytes()).await),
        400,
        "absolute form"
    );
    // A bare CRLF (LibreWolf sends one) gets nothing useful, harms nothing.
    assert!(
        raw_within(addr, b"\r\n\r\n", Duration::from_millis(300))
            .await
            .len()
            < 200
    );
    assert!(status_of(&raw(addr, b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n").await) >= 400);
    let host = format!("Host: 127.0.0.1:{}\r\n", addr.port());
    for target in [
        "/x/../callback?code=x&state=S".to_owned(),
        "/callback%00?code=x".to_owned(),
        "/CALLBACK?code=x".to_owned(),
        "//callback?code=x".to_owned(),
    ] {
        let request = format!("GET {target} HTTP/1.1\r\n{host}\r\n");
        assert_eq!(
            status_of(&raw(addr, request.as_bytes()).await),
            404,
            "{target}"
        );
    }
    // Pipelined requests: the connection closes after the first answer, so
    // a callback smuggled behind a favicon request is never seen.
    let pipelined = format!(
        "GET /favicon.ico HTTP/1.1\r\n{host}\r\nGET /callback?code=x&state={STATE} HTTP/1.1\r\n{host}\r\n"
    );
    let answer = raw(addr, pipelined.as_bytes()).await;
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer}");
    assert_eq!(status_of(&answer), 404);
    let body = complete(&mut server).await;
    assert!(body.contains("Connected to"));
}

async fn rejected(query: &str) -> (CallbackError, u16, String) {
    let mut server = start(Duration::from_secs(30)).await;
    let port = server.port();
    let url = format!("{}/callback?{query}", base(server.local_addr()));
    let browser = tokio::spawn(async move { http().get(url).send().await.unwrap() });
    let err = server.next().await.unwrap_err();
    let response = browser.await.unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert!(port_is_free(port), "a failed flow frees the port");
    (err, status, body)
}

/// Answers without this login's `state` (none, another, or two) may come
/// from any page the browser has open: each is refused on its page and
/// ignored, and the login still completes with its own answer.
#[tokio::test]
async fn answers_without_this_logins_state_are_ignored() {
    let mut server = start(Duration::from_secs(30)).await;
    let b = base(server.local_addr());
    for query in [
        "code=abc".to_owned(),
        "code=abc&state=guess".to_owned(),
        format!("code=abc&state={STATE}&state={STATE}"),
        format!("code=abc&state={STATE}&state=guess"),
        "error=access_denied".to_owned(),
        "error=access_denied&state=guess".to_owned(),
    ] {
        let response = http()
            .get(format!("{b}/callback?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body = response.text().await.unwrap();
        assert!(body.contains("still waiting"), "{query}: {body}");
    }
    let body = complete(&mut server).await;
    assert!(body.contains("Connected to"));

    // Had only such answers come, the timeout says so.
    let mut server = start(Duration::from_millis(500)).await;
    let url = format!(
        "{}/callback?code=abc&state=guess",
        base(server.local_addr())
    );
    assert_eq!(http().get(url).send().await.unwrap().status(), 400);
    let err = server.next().await.unwrap_err();
    assert!(
        matches!(err, CallbackError::Rejected(RedirectError::NotThisLogin(1))),
        "{err:?}"
    );
}

#[tokio::test]
async fn access_denied_is_a_denial() {
    let (err, _, body) = rejected(&format!("error=access_denied&state={STATE}")).await;
    assert_eq!(err.to_string(), "authorization was denied in the browser");
    assert!(body.contains("denied"), "{body}");
}

#[tokio::test]
async fn script_in_error_description_comes_out_escaped() {
    let (err, _, body) = rejected(&format!(
        "error=invalid_request&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={STATE}"
    ))
    .await;
    assert!(matches!(
        err,
        CallbackError::Rejected(RedirectError::Provider { .. })
    ));
    assert!(!body.contains("<script>"), "{body}");
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn oversized_requests_are_refused_and_the_flow_continues() {
    let mut server = start(Duration::from_secs(30)).await;
    let addr = server.local_addr();
    let long = "a".repeat(64 * 1024);
    let request = format!(
        "GET /callback?code={long}&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        addr.port()
    );
    let status = status_of(&raw(addr, request.as_bytes()).await);
    assert!([400, 414, 431].contains(&status), "{status}");
    let mid = "b".repeat(6 * 1024);
    let response = http()
        .get(format!("{}/callback?code={mid}&state={STATE}", base(addr)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 414);
    let huge_header = format!(
        "GET /x HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Big: {}\r\n\r\n",
        addr.port(),
        "c".repeat(16 * 1024)
    );
    let status = status_of(&raw(addr, huge_header.as_bytes()).await);
    assert!([400, 431].contains(&status), "{status}");
    complete(&mut server).await;
}

#[tokio::test]
async fn silent_clients_do_not_block_a_valid_callback() {
    let mut server = start(Duration::from_secs(30)).await;
    let addr = server.local_addr();
    let mut idle = Vec::new();
    for _ in 0..10 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let mut partial = TcpStream::connect(addr).await.unwrap();
    partial
        .write_all(b"GET /callback?code=x HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let started = Instant::now();
    complete(&mut server).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(idle);
}

#[tokio::test]
async fn first_valid_callback_wins() {
    let mut server = start(Duration::from_secs(30)).await;
    let b = base(server.local_addr());
    let mut tabs = Vec::new();
    for i in 0..8 {
        let url = format!("{b}/callback?code=code-{i}&state={STATE}");
        tabs.push(tokio::spawn(async move {
            let r = http().get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }));
    }
    let (code, responder) = server.next().await.unwrap().into_parts();
    assert!(code.expose().starts_with("code-"));
    // Give the others time to be turned away while the first is pending.
    tokio::time::sleep(Duration::from_millis(300)).await;
    responder.respond(Outcome::Success {
        organization: "Acme".into(),
        email: "a@b.test".into(),
    });
    let mut won = 0;
    for tab in tabs {
        let (status, body) = tab.await.unwrap();
        match status {
            200 => won += 1,
            409 => assert!(body.contains("already finished"), "{body}"),
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(won, 1);
}

#[tokio::test]
async fn timeout_fires_and_releases_the_port() {
    let mut server = start(Duration::from_millis(300)).await;
    let port = server.port();
    let started = Instant::now();
    let err = server.next().await.unwrap_err();
    assert!(matches!(err, CallbackError::TimedOut(_)), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(port_is_free(port));
}

#[tokio::test]
async fn cancel_releases_the_port_and_answers_a_waiting_tab() {
    let mut server = start(Duration::from_secs(30)).await;
    let port = server.port();
    let canceller = server.canceller();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        canceller.cancel();
    });
    let err = server.next().await.unwrap_err();
    assert!(matches!(err, CallbackError::Cancelled), "{err:?}");
    assert!(port_is_free(port));

    // A tab held open when the login is abandoned is told so.
    let mut server = start(Duration::from_secs(30)).await;
    let url = format!(
        "{}/callback?code=c&state={STATE}",
        base(server.local_addr())
    );
    let browser = tokio::spawn(async move { http().get(url).send().await.unwrap() });
    let pending = server.next().await.unwrap();
    server.shutdown().await;
    drop(pending);
    let body = browser.await.unwrap().text().await.unwrap();
    assert!(body.contains("stopped waiting"), "{body}");
}

#[tokio::test]
async fn busy_port_error_names_the_port() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let err = CallbackServer::bind(CallbackOptions {
        port,
        ipv6: false,
        path: "/callback".into(),
        expected_state: Secret::new(STATE),
        timeout: Duration::from_secs(1),
        tls: None,
    })
    .await
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "port {port} is in use: close the other login, or set REDIRECT_URI to another port"
        )
    );
}

#[tokio::test]
async fn binds_loopback_only() {
    let server = start(Duration::from_secs(5)).await;
    assert!(server.local_addr().ip().is_loopback());
}

#[tokio::test]
async fn https_with_the_kept_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert = LoopbackCert::load_or_create(dir.path()).unwrap();
    let mut server = CallbackServer::bind(CallbackOptions {
        port: 0,
        ipv6: false,
        path: "/cb".into(),
        expected_state: Secret::new(STATE),
        timeout: Duration::from_secs(30),
        tls: Some(cert.server_config().unwrap()),
    })
    .await
    .unwrap();
    let trusted = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([reqwest::Certificate::from_pem(cert.cert_pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    let port = server.port();
    for host in ["127.0.0.1", "localhost"] {
        let status = trusted
            .get(format!("https://{host}:{port}/favicon.ico"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{host}");
    }
    // A plain-http request to the TLS port gets nowhere.
    assert!(
        http()
            .get(format!("http://127.0.0.1:{port}/cb"))
            .send()
            .await
            .is_err()
    );
    let url = format!("https://localhost:{port}/cb?code=tls-code&state={STATE}");
    let browser = tokio::spawn(async move { trusted.get(url).send().await.unwrap() });
    let (code, responder) = server.next().await.unwrap().into_parts();
    assert_eq!(code.expose(), "tls-code");
    responder.respond(Outcome::Success {
        organization: "Acme".into(),
        email: "a@b.test".into(),
    });
    let response = browser.await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("Connected to"));
    server.shutdown().await;
    assert!(port_is_free(port));

    let again = LoopbackCert::load_or_create(dir.path()).unwrap();
    assert_eq!(again.cert_pem, cert.cert_pem, "the certificate is kept");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = dir.path().join(close_tui::auth::tls::KEY_FILE);
        assert_eq!(
            std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn an_ipv6_loopback_redirect_binds_ipv6_loopback() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    }
    let mut server = CallbackServer::bind(CallbackOptions {
        port: 0,
        ipv6: true,
        path: "/callback".into(),
        expected_state: Secret::new(STATE),
        timeout: Duration::from_secs(30),
        tls: None,
    })
    .await
    .unwrap();
    assert_eq!(server.local_addr().ip(), std::net::Ipv6Addr::LOCALHOST);
    let url = format!(
        "http://[::1]:{}/callback?code=v6&state={STATE}",
        server.port()
    );
    let tab = tokio::spawn(async move { http().get(url).send().await.unwrap() });
    let (code, responder) = server.next().await.unwrap().into_parts();
    assert_eq!(code.expose(), "v6");
    responder.respond(Outcome::Failure {
        reason: "test".into(),
    });
    assert_eq!(tab.await.unwrap().status(), 400);
}
