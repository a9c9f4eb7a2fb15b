#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A real browser: headless Chromium, driven over WebDriver (chromedriver),
//! logs in through the sandbox's consent page while the real `close-tui
//! login` waits on its loopback server.
//!
//! Allow lands on our success page ("Connected to ORG as EMAIL"); Deny
//! lands on the failure page. Each page is saved as a screenshot under
//! `target/test-artifacts/browser/`, and none of them may load anything:
//! Chromium's own network log must show no request beyond the navigations
//! to the sandbox and the loopback server, the pages' resource timing must
//! be empty, and their HTML must name no other origin.
//!
//! Needs Debian's `chromium` and `chromium-driver` (or `CHROMIUM` and
//! `CHROMEDRIVER` pointing at others). Without them the test fails when
//! `CI` is set and is skipped, with a message, otherwise.

mod cli_support;

use std::{
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use cli_support::{Home, Output};
use fantoccini::{Client, ClientBuilder, Locator, wd::WebDriverCompatibleCommand};
use futures_util::FutureExt;
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use url::Url;

/// Chromium's flags for this machine and CI: as root (no sandbox), with no
/// GPU, and with every background connection to Google switched off, since
/// the network is closed and the only traffic we want to see is our own.
const CHROMIUM_ARGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=900,700",
];

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// The browser and its driver, or `None` (after saying why) when the test
/// should be skipped.
fn tools() -> Option<Tools> {
    let find = |var: &str, default: &str| {
        let path = std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(default));
        path.exists().then_some(path)
    };
    match (
        find("CHROMIUM", "/usr/bin/chromium"),
        find("CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) {
        (Some(chromium), Some(chromedriver)) => Some(Tools {
            chromium,
            chromedriver,
        }),
        _ => {
            let message = "Chromium or chromedriver is missing: `apt-get install -y chromium chromium-driver` \
                 (or set CHROMIUM and CHROMEDRIVER)";
            assert!(std::env::var_os("CI").is_none(), "{message}");
            eprintln!("skipped: {message}");
            None
        }
    }
}

/// Where screenshots go: `target/test-artifacts/browser/`.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running chromedriver on a free loopback port.
struct Driver {
    _child: Child,
    url: String,
}

async fn start_driver(tools: &Tools) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&tools.chromedriver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    let status = format!("{url}/status");
    cli_support::eventually(Duration::from_secs(15), "chromedriver", || {
        let status = status.clone();
        async move { reqwest::get(status).await.is_ok() }
    })
    .await;
    Driver { _child: child, url }
}

async fn open_browser(driver: &Driver, tools: &Tools, profile: &Path) -> Client {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": tools.chromium, "args": args},
        // Chromium's DevTools network events, read back with `NetworkLog`.
        "goog:loggingPrefs": {"performance": "ALL"},
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session starts")
}

/// chromedriver's log endpoint (not part of W3C WebDriver, so fantoccini
/// has no method for it): the performance log holds DevTools events.
#[derive(Debug)]
struct NetworkLog;

impl WebDriverCompatibleCommand for NetworkLog {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"type": "performance"}).to_string()),
        )
    }
}

/// Every URL Chromium requested for a web page since the last call, with
/// the page that asked. Requests made by Chromium's own pages (the first
/// tab's `chrome://new-tab-page`, say) are not the web and are left out.
async fn requested_urls(client: &Client) -> Vec<(String, String)> {
    let entries = client.issue_cmd(NetworkLog).await.expect("the network log");
    entries
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
        .filter(|event| event["message"]["method"] == "Network.requestWillBeSent")
        .filter_map(|event| {
            let params = &event["message"]["params"];
            let document = params["documentURL"].as_str()?;
            let url = params["request"]["url"].as_str()?;
            document
                .starts_with("http")
                .then(|| (url.to_owned(), document.to_owned()))
        })
        .collect()
}

/// Checks that the page on screen loads nothing and names no other origin,
/// then saves its screenshot as `name`.png.
async fn inspect(client: &Client, name: &str, allowed_hosts: &[String]) -> String {
    let resources = client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(resources, json!([]), "{name}: the page loaded resources");
    let html = client.source().await.unwrap();
    for attribute in ["src=", "href=", "url(", "@import"] {
        assert!(
            !html.to_ascii_lowercase().contains(attribute),
            "{name}: the page refers to something by {attribute}: {html}"
        );
    }
    let requests = requested_urls(client).await;
    // At least the page's own navigation is there, or the log is broken.
    assert!(!requests.is_empty(), "{name}: the network log is empty");
    for (url, document) in requests {
        let host = Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        assert!(
            allowed_hosts.contains(&host),
            "{name}: {document} made Chromium request {url}"
        );
    }
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    std::fs::write(artifacts().join(format!("{name}.png")), png).unwrap();
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A home whose `BROWSER` hands the authorize URL to the test (through a
/// file) instead of opening anything.
fn home_with_handoff(sandbox: &close_tui::sandbox::RunningSandbox) -> (Home, PathBuf) {
    let mut home = Home::new(sandbox);
    let handoff = home.path().join("authorize-url");
    let script = home.path().join("browser.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", handoff.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    home.set("BROWSER", script.to_str().unwrap());
    (home, handoff)
}

/// One login with Chromium pressing `decision`; returns what the binary
/// printed and the text of the page the browser ended on.
async fn login_in_chromium(
    client: &Client,
    sandbox: &close_tui::sandbox::RunningSandbox,
    decision: &str,
) -> (Output, String) {
    let (home, handoff) = home_with_handoff(sandbox);
    let login = home.command(&["login"]).spawn().unwrap();
    cli_support::eventually(Duration::from_secs(15), "the authorize URL", || {
        let ready = handoff.exists();
        async move { ready }
    })
    .await;
    let authorize = std::fs::read_to_string(&handoff).unwrap();
    let sandbox_host = Url::parse(&authorize)
        .unwrap()
        .host_str()
        .unwrap()
        .to_owned();
    let allowed = vec![sandbox_host, "127.0.0.1".to_owned()];

    client.goto(&authorize).await.unwrap();
    let consent = inspect(client, &format!("consent-{decision}"), &allowed).await;
    assert!(consent.contains("Authorize"), "{consent}");
    let button = client
        .find(Locator::Css(&format!("button[value={decision}]")))
        .await
        .unwrap();
    // The click waits for the navigation; our page is only sent once the
    // login has finished, so that can take a moment.
    button.click().await.unwrap();
    // The consent page has a heading too: wait for the callback's URL
    // first, then for its page.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut landed = client.current_url().await.unwrap();
    while landed.path() != "/callback" && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        landed = client.current_url().await.unwrap();
    }
    assert_eq!(landed.host_str(), Some("127.0.0.1"), "{landed}");
    assert_eq!(landed.path(), "/callback");
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("h1"))
        .await
        .unwrap();
    let name = if decision == "allow" {
        "success"
    } else {
        "failure"
    };
    let page = inspect(client, name, &allowed).await;
    let output = home.wait(login).await;
    (output, page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_allows_then_denies() {
    let Some(tools) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sandbox = cli_support::sandbox(dir.path(), |_| {}).await;
    let (_, org, email) = cli_support::org_and_email(&sandbox, 0);
    let driver = start_driver(&tools).await;
    let profile = tempfile::tempdir().unwrap();
    let client = open_browser(&driver, &tools, profile.path()).await;

    let outcome = AssertUnwindSafe(async {
        let (output, page) = login_in_chromium(&client, &sandbox, "allow").await;
        output.assert_ok();
        assert!(
            page.contains(&format!("Connected to {org} as {email}")),
            "{page}"
        );

        let (output, page) = login_in_chromium(&client, &sandbox, "deny").await;
        output.assert_fails_with("denied");
        assert!(page.contains("Access denied"), "{page}");
        // The page capitalises the reason's first letter with CSS.
        assert!(
            page.to_lowercase()
                .contains("authorization was denied in the browser"),
            "{page}"
        );
    })
    .catch_unwind()
    .await;
    // Close the session either way, so no Chromium outlives the test.
    let _ = client.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    eprintln!("screenshots in {}", artifacts().display());
}
