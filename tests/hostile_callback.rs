#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Hostile input to the loopback callback server, as one table sent over raw
//! TCP so every byte is ours to choose.
//!
//! Rows that must not end the login share one server, among them every
//! answer without this login's `state` (none, another, two): any page the
//! browser has open could send those. The valid callback sent after the
//! table must still be the one that ends the login. Rows that rightly end
//! it (an `error` or a bad code with the login's state, a good callback in
//! an odd shape) each get a server of their own and say how it ends. Slow-loris clients stay connected
//! in the background the whole time and must be cut off by the server's
//! header-read timeout, not by the test.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use close_tui::{
    auth::callback::{CallbackOptions, CallbackServer, Outcome},
    secret::Secret,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const STATE: &str = "hostile-table-state-0123456789abcdef";
/// The server's header-read timeout (`serve::HEADER_READ_TIMEOUT`).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a slow-loris client hangs on before giving up on the server.
const LORIS_PATIENCE: Duration = Duration::from_secs(30);

/// What a row sends, given the server's port.
type Build = fn(u16) -> Vec<u8>;

/// What a row expects back.
struct Expect {
    /// The status line's code; `None` means no answer at all.
    status: Option<u16>,
    /// Text the answer must contain.
    contains: &'static [&'static str],
    /// How many responses come back (more than one would mean pipelining
    /// was honoured).
    responses: usize,
}

const fn answer(status: u16, contains: &'static [&'static str]) -> Expect {
    Expect {
        status: Some(status),
        contains,
        responses: 1,
    }
}

const NO_ANSWER: Expect = Expect {
    status: None,
    contains: &[],
    responses: 0,
};

/// Text that must never appear in any answer: a script that escaped.
const NEVER: &[&str] = &["<script", "<img"];

/// How a row that owns its server ends the login.
enum Ends {
    /// `next()` fails with an error whose message contains this.
    Rejected(&'static str),
    /// `next()` hands over this code.
    Accepted(&'static str),
}

struct Row {
    name: &'static str,
    send: Build,
    expect: Expect,
}

struct FlowRow {
    name: &'static str,
    send: Build,
    expect: Expect,
    ends: Ends,
}

fn get(port: u16, target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").into_bytes()
}

fn method(port: u16, method: &str) -> Vec<u8> {
    format!(
        "{method} /callback?code=m&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn with_host(host: &str) -> Vec<u8> {
    format!("GET /callback?code=h&state={STATE} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes()
}

/// A query a genuine callback would carry, but with the wrong state: if
/// anything treats it as a callback, the shared login fails.
const POISON: &str = "code=poison&state=wrong-state";

/// Rows that leave the login waiting.
fn harmless() -> Vec<Row> {
    let bad_host = &["bad Host header"];
    let not_found = &["not found"];
    let not_allowed = &["method not allowed"];
    // An answer without this login's state: any page could have sent it.
    let waiting = &["Not this login", "still waiting"];
    vec![
        Row {
            name: "favicon",
            send: |p| get(p, "/favicon.ico"),
            expect: answer(404, not_found),
        },
        Row {
            name: "root",
            send: |p| get(p, "/"),
            expect: answer(404, not_found),
        },
        Row {
            name: "other path with a callback query",
            send: |p| get(p, &format!("/other?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "callback path without a query",
            send: |p| get(p, "/callback"),
            expect: answer(400, &["not a login callback"]),
        },
        Row {
            name: "state but neither code nor error",
            send: |p| get(p, &format!("/callback?state={STATE}")),
            expect: answer(400, &["not a login callback"]),
        },
        Row {
            name: "a NUL in front of `code` makes it another key",
            send: |p| get(p, &format!("/callback?%00code=x&state={STATE}")),
            expect: answer(400, &["not a login callback"]),
        },
        Row {
            name: "POST",
            send: |p| method(p, "POST"),
            expect: answer(405, not_allowed),
        },
        Row {
            name: "PUT",
            send: |p| method(p, "PUT"),
            expect: answer(405, not_allowed),
        },
        Row {
            name: "DELETE",
            send: |p| method(p, "DELETE"),
            expect: answer(405, not_allowed),
        },
        Row {
            name: "OPTIONS",
            send: |p| method(p, "OPTIONS"),
            expect: answer(405, not_allowed),
        },
        Row {
            name: "PATCH",
            send: |p| method(p, "PATCH"),
            expect: answer(405, not_allowed),
        },
        Row {
            name: "TRACE",
            send: |p| method(p, "TRACE"),
            expect: answer(405, not_allowed),
        },
        Row {
            // HEAD answers carry no body, so only the status is checked.
            name: "HEAD",
            send: |p| method(p, "HEAD"),
            expect: answer(405, &["allow: GET"]),
        },
        Row {
            name: "lower-case `get` is another method",
            send: |p| method(p, "get"),
            expect: answer(405, not_allowed),
        },
        Row {
            name: "POST with a form body carrying the code",
            send: |p| {
                let body = format!("code=x&state={STATE}");
                format!(
                    "POST /callback HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes()
            },
            expect: answer(405, not_allowed),
        },
        Row {
            name: "non-loopback Host",
            send: |_| with_host("evil.example"),
            expect: answer(400, bad_host),
        },
        Row {
            name: "loopback Host on another port",
            send: |_| with_host("127.0.0.1:1"),
            expect: answer(400, bad_host),
        },
        Row {
            name: "Host that only starts like loopback",
            send: |p| with_host(&format!("127.0.0.1.evil.example:{p}")),
            expect: answer(400, bad_host),
        },
        Row {
            name: "Host with userinfo",
            send: |p| with_host(&format!("evil@127.0.0.1:{p}")),
            expect: answer(400, bad_host),
        },
        Row {
            name: "Host as a decimal IPv4 number",
            send: |p| with_host(&format!("2130706433:{p}")),
            expect: answer(400, bad_host),
        },
        Row {
            name: "two Host headers, loopback first",
            send: |p| {
                format!(
                    "GET /callback?code=h&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nHost: evil.example\r\n\r\n"
                )
                .into_bytes()
            },
            expect: answer(400, bad_host),
        },
        Row {
            name: "no Host header",
            send: |_| format!("GET /callback?code=h&state={STATE} HTTP/1.1\r\n\r\n").into_bytes(),
            expect: answer(400, bad_host),
        },
        Row {
            name: "absolute-form target naming another origin",
            send: |p| {
                format!(
                    "GET http://evil.example/callback?code=h&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n"
                )
                .into_bytes()
            },
            expect: answer(400, bad_host),
        },
        Row {
            name: "HTTP/1.0 without Host",
            send: |_| format!("GET /callback?code=h&state={STATE} HTTP/1.0\r\n\r\n").into_bytes(),
            expect: answer(400, bad_host),
        },
        Row {
            name: "HTTP/1.0 favicon",
            send: |p| {
                format!("GET /favicon.ico HTTP/1.0\r\nHost: 127.0.0.1:{p}\r\n\r\n").into_bytes()
            },
            expect: answer(404, not_found),
        },
        Row {
            name: "pipelined: a callback smuggled behind a favicon request",
            send: |p| {
                let mut bytes = get(p, "/favicon.ico");
                bytes.extend(get(p, &format!("/callback?{POISON}")));
                bytes
            },
            expect: answer(404, not_found),
        },
        Row {
            name: "pipelined: two callbacks in one write",
            send: |p| {
                let mut bytes = get(p, "/callback");
                bytes.extend(get(p, &format!("/callback?{POISON}")));
                bytes
            },
            expect: answer(400, &["not a login callback"]),
        },
        Row {
            name: "traversal /../callback",
            send: |p| get(p, &format!("/../callback?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "traversal /x/../callback",
            send: |p| get(p, &format!("/x/../callback?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "traversal /callback/..",
            send: |p| get(p, &format!("/callback/..?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "traversal /callback/./",
            send: |p| get(p, &format!("/callback/./?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "encoded traversal /%2e%2e/callback",
            send: |p| get(p, &format!("/%2e%2e/callback?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "encoded traversal /x/%2E%2E/callback",
            send: |p| get(p, &format!("/x/%2E%2E/callback?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "percent-encoded path /%63allback",
            send: |p| get(p, &format!("/%63allback?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "double-encoded path /%2563allback",
            send: |p| get(p, &format!("/%2563allback?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "NUL in the path",
            send: |p| get(p, &format!("/callback%00?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "trailing slash",
            send: |p| get(p, &format!("/callback/?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "upper-case path",
            send: |p| get(p, &format!("/CALLBACK?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "double slash",
            send: |p| get(p, &format!("//callback?{POISON}")),
            expect: answer(404, not_found),
        },
        Row {
            name: "invalid UTF-8 in the path",
            send: |p| {
                let mut bytes = b"GET /call\xff\xfeback?".to_vec();
                bytes.extend(format!("{POISON} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n").bytes());
                bytes
            },
            expect: answer(400, &[]),
        },
        Row {
            name: "invalid UTF-8 in the query",
            send: |p| {
                let mut bytes = b"GET /callback?code=\xc3\x28&state=".to_vec();
                bytes.extend(format!("{STATE} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n").bytes());
                bytes
            },
            expect: answer(400, &[]),
        },
        Row {
            name: "a 64 KB URL with the right state",
            send: |p| {
                get(
                    p,
                    &format!("/callback?code={}&state={STATE}", "a".repeat(64 * 1024)),
                )
            },
            expect: answer(431, &[]),
        },
        Row {
            name: "a 6 KB URL: under hyper's limit, over ours",
            send: |p| {
                get(
                    p,
                    &format!("/callback?code={}&state={STATE}", "b".repeat(6 * 1024)),
                )
            },
            expect: answer(414, &["request too long"]),
        },
        Row {
            name: "a 16 KB header",
            send: |p| {
                format!(
                    "GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nX-Big: {}\r\n\r\n",
                    "c".repeat(16 * 1024)
                )
                .into_bytes()
            },
            expect: answer(431, &[]),
        },
        Row {
            name: "two hundred small headers",
            send: |p| {
                let headers: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
                format!("GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n{headers}\r\n")
                    .into_bytes()
            },
            expect: answer(431, &[]),
        },
        Row {
            // RFC 9112 §6.3: chunked wins and the length is ignored. The
            // connection closes after one answer, so nothing is smuggled.
            name: "Content-Length and Transfer-Encoding together",
            send: |p| {
                format!(
                    "POST /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                )
                .into_bytes()
            },
            expect: answer(404, &["not found"]),
        },
        Row {
            name: "garbage request line",
            send: |_| b"HELLO THERE\r\n\r\n".to_vec(),
            expect: answer(400, &[]),
        },
        Row {
            // hyper recognises the preface and hangs up without a word.
            name: "an HTTP/2 preface on the HTTP/1 port",
            send: |_| b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            expect: NO_ANSWER,
        },
        Row {
            // LibreWolf sends a bare CRLF; it is no request, so no answer.
            name: "bare CRLF then EOF",
            send: |_| b"\r\n\r\n".to_vec(),
            expect: NO_ANSWER,
        },
        Row {
            name: "state missing",
            send: |p| get(p, "/callback?code=abc"),
            expect: answer(400, waiting),
        },
        Row {
            name: "state wrong",
            send: |p| get(p, "/callback?code=abc&state=guess"),
            expect: answer(400, waiting),
        },
        Row {
            name: "state empty",
            send: |p| get(p, "/callback?code=abc&state="),
            expect: answer(400, waiting),
        },
        Row {
            name: "state in another case",
            send: |p| {
                get(
                    p,
                    &format!("/callback?code=abc&state={}", STATE.to_uppercase()),
                )
            },
            expect: answer(400, waiting),
        },
        Row {
            name: "state with a NUL appended",
            send: |p| get(p, &format!("/callback?code=abc&state={STATE}%00")),
            expect: answer(400, waiting),
        },
        Row {
            name: "state percent-encoded as invalid UTF-8",
            send: |p| get(p, "/callback?code=abc&state=%FF%FE"),
            expect: answer(400, waiting),
        },
        Row {
            name: "state duplicated, same value",
            send: |p| {
                get(
                    p,
                    &format!("/callback?code=abc&state={STATE}&state={STATE}"),
                )
            },
            expect: answer(400, waiting),
        },
        Row {
            name: "state duplicated, right then wrong",
            send: |p| get(p, &format!("/callback?code=abc&state={STATE}&state=guess")),
            expect: answer(400, waiting),
        },
        Row {
            name: "error without state",
            send: |p| get(p, "/callback?error=access_denied"),
            expect: answer(400, waiting),
        },
    ]
}

/// Rows that end the login, each against a server of its own.
fn flow_enders() -> Vec<FlowRow> {
    vec![
        FlowRow {
            name: "code duplicated",
            send: |p| get(p, &format!("/callback?code=a&code=b&state={STATE}")),
            expect: answer(400, &["repeats the `code`"]),
            ends: Ends::Rejected("repeats the `code`"),
        },
        FlowRow {
            name: "code empty",
            send: |p| get(p, &format!("/callback?code=&state={STATE}")),
            expect: answer(400, &["no authorization code"]),
            ends: Ends::Rejected("no authorization code"),
        },
        FlowRow {
            name: "access_denied",
            send: |p| get(p, &format!("/callback?error=access_denied&state={STATE}")),
            expect: answer(400, &["Access denied", "denied in the browser"]),
            ends: Ends::Rejected("denied"),
        },
        FlowRow {
            name: "script in error_description",
            send: |p| {
                get(
                    p,
                    &format!(
                        "/callback?error=invalid_request&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={STATE}"
                    ),
                )
            },
            expect: answer(400, &["&lt;script&gt;alert(1)&lt;/script&gt;"]),
            ends: Ends::Rejected("invalid_request"),
        },
        FlowRow {
            name: "script and quotes in error itself",
            send: |p| {
                get(
                    p,
                    &format!(
                        "/callback?error=%3Cimg%20src%3Dx%20onerror%3D%22alert(1)%22%3E&state={STATE}"
                    ),
                )
            },
            expect: answer(400, &["&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"]),
            ends: Ends::Rejected("answered"),
        },
        FlowRow {
            name: "terminal escapes in error_description are dropped",
            send: |p| {
                get(
                    p,
                    &format!(
                        "/callback?error=server_error&error_description=a%1B%5B31mb%0Ac&state={STATE}"
                    ),
                )
            },
            expect: answer(400, &["a[31mbc"]),
            ends: Ends::Rejected("server_error"),
        },
        FlowRow {
            name: "a good callback over HTTP/1.0",
            send: |p| {
                format!(
                    "GET /callback?code=old-http&state={STATE} HTTP/1.0\r\nHost: 127.0.0.1:{p}\r\n\r\n"
                )
                .into_bytes()
            },
            expect: answer(200, &["Connected to"]),
            ends: Ends::Accepted("old-http"),
        },
        FlowRow {
            // Form decoding applies to keys too; a browser never sends this,
            // and it is no more than the callback it spells.
            name: "a percent-encoded `code` key",
            send: |p| get(p, &format!("/callback?%63ode=spelled&state={STATE}")),
            expect: answer(200, &["Connected to"]),
            ends: Ends::Accepted("spelled"),
        },
        FlowRow {
            name: "a good callback with Host localhost",
            send: |p| {
                format!(
                    "GET /callback?code=by-name&state={STATE} HTTP/1.1\r\nHost: localhost:{p}\r\n\r\n"
                )
                .into_bytes()
            },
            expect: answer(200, &["Connected to"]),
            ends: Ends::Accepted("by-name"),
        },
    ]
}

async fn start() -> CallbackServer {
    CallbackServer::bind(CallbackOptions {
        port: 0,
        ipv6: false,
        path: "/callback".into(),
        expected_state: Secret::new(STATE),
        timeout: Duration::from_secs(60),
        tls: None,
    })
    .await
    .unwrap()
}

/// Sends `request` and returns everything the server wrote back before it
/// hung up. Browsers never half-close, so neither does this.
async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    exchange_within(addr, request, Duration::from_secs(5)).await
}

/// Like [`exchange`], but a server that keeps quiet for `wait` is taken as
/// not answering.
async fn exchange_within(addr: SocketAddr, request: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before reading everything we send.
    let _ = stream.write_all(request).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn status_of(response: &str) -> Option<u16> {
    let line = response.lines().next()?;
    line.strip_prefix("HTTP/1.")?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// What is wrong with `response` for this row, if anything.
fn problems(name: &str, expect: &Expect, response: &str) -> Vec<String> {
    let mut found = Vec::new();
    let status = status_of(response);
    if status != expect.status {
        found.push(format!("status {status:?}, expected {:?}", expect.status));
    }
    let responses = response.matches("HTTP/1.").count();
    if responses != expect.responses {
        found.push(format!(
            "{responses} responses, expected {}",
            expect.responses
        ));
    }
    let lower = response.to_ascii_lowercase();
    for text in expect.contains {
        if !lower.contains(&text.to_ascii_lowercase()) {
            found.push(format!("no {text:?}"));
        }
    }
    for text in NEVER {
        if lower.contains(text) {
            found.push(format!("{text:?} came back unescaped"));
        }
    }
    found
        .into_iter()
        .map(|problem| format!("{name}: {problem}\n    got: {response:?}"))
        .collect()
}

fn check(name: &str, expect: &Expect, response: &str) {
    let found = problems(name, expect, response);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// How a slow-loris client fared: how long until the server hung up, and
/// whether it got any answer.
struct Loris {
    name: &'static str,
    closed_after: Option<Duration>,
    answer: String,
}

/// Connects, sends `head` one byte every `drip` (all at once if `drip` is
/// zero), then waits for the server to hang up.
async fn slow_loris(addr: SocketAddr, name: &'static str, head: Vec<u8>, drip: Duration) -> Loris {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut out = Vec::new();
    let hung_up = tokio::time::timeout(LORIS_PATIENCE, async {
        if drip.is_zero() {
            stream.write_all(&head).await.unwrap();
        } else {
            for byte in head {
                if stream.write_all(&[byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(drip).await;
            }
        }
        let _ = stream.read_to_end(&mut out).await;
    })
    .await;
    Loris {
        name,
        closed_after: hung_up.ok().map(|()| started.elapsed()),
        answer: String::from_utf8_lossy(&out).into_owned(),
    }
}

/// A valid callback on `server`; returns the page.
async fn complete(server: &mut CallbackServer, code: &str) -> String {
    let addr = server.local_addr();
    let request = get(addr.port(), &format!("/callback?code={code}&state={STATE}"));
    let browser = tokio::spawn(async move { exchange(addr, &request).await });
    let pending = tokio::time::timeout(Duration::from_secs(5), server.next())
        .await
        .expect("the valid callback arrives at once")
        .expect("the valid callback is accepted");
    assert_eq!(
        pending.code().expose(),
        code,
        "a hostile row stole the login"
    );
    let (_, responder) = pending.into_parts();
    responder.respond(Outcome::Success {
        organization: "Acme".into(),
        email: "a@b.test".into(),
    });
    browser.await.unwrap()
}

async fn run_flow_row(row: &FlowRow) -> Vec<String> {
    let mut server = start().await;
    let addr = server.local_addr();
    let request = (row.send)(addr.port());
    let browser = tokio::spawn(async move { exchange(addr, &request).await });
    let ended = tokio::time::timeout(Duration::from_secs(5), server.next())
        .await
        .unwrap_or_else(|_| panic!("{}: the login did not end", row.name));
    match (&row.ends, ended) {
        (Ends::Rejected(reason), Err(err)) => {
            assert!(err.to_string().contains(reason), "{}: {err}", row.name);
        }
        (Ends::Accepted(code), Ok(pending)) => {
            let (got, responder) = pending.into_parts();
            assert_eq!(got.expose(), *code, "{}", row.name);
            responder.respond(Outcome::Success {
                organization: "Acme".into(),
                email: "a@b.test".into(),
            });
        }
        (_, ended) => panic!("{}: the login ended otherwise: {ended:?}", row.name),
    }
    let found = problems(row.name, &row.expect, &browser.await.unwrap());
    server.shutdown().await;
    found
}

/// Many tabs bring valid callbacks at once: the first wins, the rest are
/// told the login already finished.
async fn concurrent_callbacks(tabs: usize) {
    let mut server = start().await;
    let addr = server.local_addr();
    let mut browsers = Vec::new();
    for i in 0..tabs {
        let request = get(
            addr.port(),
            &format!("/callback?code=tab-{i}&state={STATE}"),
        );
        browsers.push(tokio::spawn(async move { exchange(addr, &request).await }));
    }
    let (code, responder) = server.next().await.unwrap().into_parts();
    assert!(code.expose().starts_with("tab-"));
    // Let the losers be turned away while the winner is still pending.
    tokio::time::sleep(Duration::from_millis(300)).await;
    responder.respond(Outcome::Success {
        organization: "Acme".into(),
        email: "a@b.test".into(),
    });
    let mut won = 0;
    for browser in browsers {
        let response = browser.await.unwrap();
        match status_of(&response) {
            Some(200) => won += 1,
            Some(409) => check(
                "concurrent loser",
                &answer(409, &["already finished"]),
                &response,
            ),
            other => panic!("concurrent callbacks: unexpected {other:?}: {response}"),
        }
    }
    assert_eq!(won, 1, "exactly one tab wins");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_callback_table() {
    let started = Instant::now();
    let mut shared = start().await;
    let addr = shared.local_addr();
    let port = addr.port();

    // Slow-loris clients first: they stay connected through everything
    // below, and a valid callback must still get through at once.
    let loris = [
        ("silent", Vec::new(), Duration::ZERO),
        (
            "partial header",
            format!("GET /callback?code=x&state={STATE} HTTP/1.1\r\nHo").into_bytes(),
            Duration::ZERO,
        ),
        (
            // A byte every half second: a complete callback with the right
            // state, if it were ever let finish.
            "drip-feed",
            get(port, &format!("/callback?code=dripped&state={STATE}")),
            Duration::from_millis(500),
        ),
    ]
    .map(|(name, head, drip)| tokio::spawn(slow_loris(addr, name, head, drip)));
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(TcpStream::connect(addr).await.unwrap());
    }

    let rows = harmless();
    let mut failures = Vec::new();
    for row in &rows {
        let wait = if row.expect.status.is_some() {
            Duration::from_secs(5)
        } else {
            Duration::from_millis(500)
        };
        let response = exchange_within(addr, &(row.send)(port), wait).await;
        failures.extend(problems(row.name, &row.expect, &response));
    }
    let flow_rows = flow_enders();
    for row in &flow_rows {
        failures.extend(run_flow_row(row).await);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    concurrent_callbacks(16).await;
    let cases = rows.len() + flow_rows.len() + loris.len() + 1;
    assert!(cases >= 30, "{cases} cases");

    // While the silent clients hold their sockets, a valid callback on a
    // fresh server goes through at once.
    let mut other = start().await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(other.local_addr()).await.unwrap());
    }
    let quick = Instant::now();
    assert!(
        complete(&mut other, "despite-idlers")
            .await
            .contains("Connected to")
    );
    assert!(
        quick.elapsed() < Duration::from_secs(3),
        "{:?}",
        quick.elapsed()
    );
    drop(idle);

    // The server itself hangs up on every slow-loris client after its
    // header-read timeout, well before they would give up.
    for handle in loris {
        let loris = handle.await.unwrap();
        let after = loris
            .closed_after
            .unwrap_or_else(|| panic!("{}: still connected after {LORIS_PATIENCE:?}", loris.name));
        assert!(
            after >= HEADER_TIMEOUT - Duration::from_millis(500)
                && after < HEADER_TIMEOUT + Duration::from_secs(5),
            "{}: closed after {after:?}",
            loris.name
        );
        assert!(
            !loris.answer.contains(" 200 "),
            "{}: {}",
            loris.name,
            loris.answer
        );
    }
    drop(silent);

    // After all of it, the shared login still completes.
    let page = complete(&mut shared, "the-final-code").await;
    check(
        "final valid callback",
        &answer(200, &["Connected to"]),
        &page,
    );
    shared.shutdown().await;
    eprintln!("hostile table: {cases} cases in {:?}", started.elapsed());
}
