//! Shared helpers for the tests that run the real `close-tui` binary against
//! a sandbox on loopback: an isolated home for each test, commands built with
//! the sandbox's client settings and a trace-level log, runs bounded by a
//! timeout, and every byte the binary printed kept for the secret scan that
//! each home runs when it is dropped (see `secret_scan`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

mod cache;
#[path = "../secret_scan/mod.rs"]
pub mod secret_scan;
#[allow(unused_imports)]
pub use cache::*;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::Mutex,
    time::Duration,
};

use close_tui::sandbox::{RunningSandbox, SandboxArgs, start};
use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    process::{Child, Command},
};

/// How long any one run of the binary may take before the test fails.
pub const RUN_LIMIT: Duration = Duration::from_secs(30);

/// A sandbox writing its request log into `dir`.
pub async fn sandbox(dir: &Path, configure: impl FnOnce(&mut SandboxArgs)) -> RunningSandbox {
    let mut args = SandboxArgs::defaults();
    args.port = 0;
    args.leads = 20;
    args.log_requests = Some(dir.join("requests.jsonl"));
    args.record_secrets = Some(dir.join("secrets.txt"));
    configure(&mut args);
    start(args).await.expect("the sandbox starts")
}

/// The scripted consent user, built by cargo next to the test binaries. A
/// filtered run (`--test NAME`, or `--release`) may not have built it, so
/// it is built then, in the same profile.
pub fn consent_user() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join("examples").join("consent_user");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = std::process::Command::new(cargo);
        build.args(["build", "--example", "consent_user"]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        assert!(
            build.status().unwrap().success(),
            "cannot build the consent_user example"
        );
    }
    assert!(path.exists(), "no consent_user at {}", path.display());
    path
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Panics with the whole output unless the run exited 0.
    pub fn assert_ok(&self) -> &Self {
        assert!(self.ok(), "expected success: {self:#?}");
        self
    }

    /// Panics unless the run failed cleanly: exit 1, one `close-tui:` line
    /// on stderr containing `reason`, and no panic.
    pub fn assert_fails_with(&self, reason: &str) -> &Self {
        assert_eq!(self.code, Some(1), "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        let last = self.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("close-tui: ") && last.contains(reason),
            "expected `close-tui: …{reason}…` as the last line: {self:#?}"
        );
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|err| panic!("{err}: {self:#?}"))
    }
}

/// One isolated user: a temporary HOME with its own XDG dirs, the working
/// directory, and the environment every spawned process gets.
pub struct Home {
    pub root: tempfile::TempDir,
    vars: Vec<(String, String)>,
    /// Everything every run printed, stdout and stderr.
    transcript: Mutex<Vec<u8>>,
    /// The sandbox's list of the secrets it issued, when it keeps one.
    secrets: Option<PathBuf>,
    /// That list as last read: re-read after every run, because the test
    /// may drop the directory that holds it before the home.
    secrets_seen: Mutex<Vec<String>>,
}

impl Home {
    /// A home whose OAuth client and API point at `sandbox`, with the
    /// consent user as the browser, trace logging and the key file store.
    pub fn new(sandbox: &RunningSandbox) -> Self {
        let info = &sandbox.info;
        let mut home = Self::bare();
        home.secrets = sandbox.state.options.record_secrets.clone();
        for (name, value) in info.client_env() {
            home.set(name, &value);
        }
        home.set("BROWSER", consent_user().to_str().unwrap());
        let consent_log = home.consent_log();
        home.set("CONSENT_LOG", consent_log.to_str().unwrap());
        home
    }

    /// A home with no client settings at all.
    pub fn bare() -> Self {
        let root = tempfile::tempdir().unwrap();
        let mut home = Self {
            root,
            vars: Vec::new(),
            transcript: Mutex::new(Vec::new()),
            secrets: None,
            secrets_seen: Mutex::new(Vec::new()),
        };
        let base = home.root.path().to_owned();
        home.set("HOME", base.to_str().unwrap());
        for (name, dir) in [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_STATE_HOME", "state"),
        ] {
            home.set(name, base.join(dir).to_str().unwrap());
        }
        home.set("CLOSE_TUI_LOG", "trace");
        home.set("CLOSE_TUI_KEY_STORE", "file");
        home
    }

    /// Sets (or replaces) a variable for every later command.
    pub fn set(&mut self, name: &str, value: &str) {
        self.unset(name);
        self.vars.push((name.to_owned(), value.to_owned()));
    }

    pub fn unset(&mut self, name: &str) {
        self.vars.retain(|(n, _)| n != name);
    }

    pub fn path(&self) -> &Path {
        self.root.path()
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("data/close-tui/close-tui.db")
    }

    pub fn key_file(&self) -> PathBuf {
        self.path().join("config/close-tui/store.key")
    }

    pub fn log(&self) -> PathBuf {
        self.path().join("state/close-tui/close-tui.log")
    }

    pub fn consent_log(&self) -> PathBuf {
        self.path().join("consent.log")
    }

    /// Waits until the active account's access token has expired (a
    /// sandbox started with a short `access_ttl`), so the next call must
    /// refresh it.
    pub async fn wait_token_expiry(&self) {
        let expires = self
            .open_store()
            .active_account()
            .unwrap()
            .unwrap()
            .access_token_expires_at
            .unwrap();
        eventually(Duration::from_secs(5), "the access token to expire", || {
            std::future::ready(chrono::Utc::now() > expires)
        })
        .await;
    }

    /// [`Home::consent_lines`] once there are at least `count`: the login
    /// can finish before the tab's process writes its last line.
    pub async fn wait_consent_lines(&self, count: usize) -> Vec<String> {
        eventually(Duration::from_secs(10), "the consent user's lines", || {
            let enough = self.consent_lines().len() >= count;
            async move { enough }
        })
        .await;
        self.consent_lines()
    }

    /// What the consent user saw, one line per action.
    pub fn consent_lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.consent_log())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The binary with this home's environment and nothing inherited that
    /// could reach a real browser, keyring or config.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_close-tui"));
        command
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(self.vars.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    /// Runs `close-tui ARGS` with `stdin` (if any) to completion.
    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_with(args, stdin, |_| {}).await
    }

    /// Like [`Home::run`], with extra settings for this command only.
    pub async fn run_with(
        &self,
        args: &[&str],
        stdin: Option<&str>,
        adjust: impl FnOnce(&mut Command),
    ) -> Output {
        let mut command = self.command(args);
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        adjust(&mut command);
        let mut child = command.spawn().unwrap();
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(text.as_bytes()).await.unwrap();
            drop(pipe);
        }
        self.wait(child).await
    }

    /// Waits (bounded) for a spawned command and records its output.
    pub async fn wait(&self, child: Child) -> Output {
        let output = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
            .await
            .expect("close-tui finished in time")
            .unwrap();
        self.record(&output.stdout, &output.stderr);
        self.read_secrets();
        Output {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Adds bytes a test read from a child itself to the transcript.
    pub fn record(&self, stdout: &[u8], stderr: &[u8]) {
        let mut transcript = self.transcript.lock().unwrap();
        transcript.extend_from_slice(stdout);
        transcript.extend_from_slice(stderr);
    }

    pub fn transcript(&self) -> Vec<u8> {
        self.transcript.lock().unwrap().clone()
    }

    pub async fn login(&self) -> Output {
        self.run(&["login"], None).await
    }

    pub async fn status_json(&self, offline: bool) -> (Output, Value) {
        let args: &[&str] = if offline {
            &["status", "--json", "--offline"]
        } else {
            &["status", "--json"]
        };
        let output = self.run(args, None).await;
        let json = output.json();
        (output, json)
    }

    /// Opens the store the binary wrote, as the binary would.
    pub fn open_store(&self) -> close_tui::store::Store {
        let keys = close_tui::store::KeyConfig::new(
            close_tui::store::KeyMode::File,
            &self.path().join("config/close-tui"),
        );
        close_tui::store::Store::open(self.db(), keys).unwrap()
    }

    /// Settings as the binary resolves them in this home, for in-process
    /// token managers.
    pub fn settings(&self) -> close_tui::config::Settings {
        settings_in(self.path(), &self.vars)
    }

    /// The variables every command gets, to hand to a worker process.
    pub fn vars(&self) -> &[(String, String)] {
        &self.vars
    }
}

impl Home {
    /// Scans everything the binary left in this home and printed for any
    /// secret the sandbox issued; panics on a leak.
    pub fn scan_secrets(&self) -> secret_scan::Coverage {
        let secrets = self.read_secrets();
        let transcript = self.transcript();
        secret_scan::scan(self.path(), &[("output", &transcript)], &secrets)
            .unwrap_or_else(|leak| panic!("secret leak: {leak}"))
    }
}

impl Home {
    /// The secrets the sandbox has issued so far (the list only grows).
    fn read_secrets(&self) -> Vec<String> {
        let mut seen = self.secrets_seen.lock().unwrap();
        if let Some(path) = self.secrets.as_deref().filter(|p| p.exists()) {
            *seen = secret_scan::recorded(path);
        }
        seen.clone()
    }
}

/// Every home is scanned for secrets when its test is done with it (unless
/// the test is already failing).
impl Drop for Home {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.scan_secrets();
        }
    }
}

/// Settings as the binary resolves them for a home at `root` with `vars`.
pub fn settings_in(root: &Path, vars: &[(String, String)]) -> close_tui::config::Settings {
    let dirs = close_tui::paths::Dirs {
        config: root.join("config/close-tui"),
        data: root.join("data/close-tui"),
        state: root.join("state/close-tui"),
    };
    close_tui::config::Settings::resolve(dirs, &close_tui::config::Flags::default(), &[], vars)
        .unwrap()
}

/// Reads `reader` line by line until one satisfies `pick`, returning it and
/// everything read so far. Fails the test after `RUN_LIMIT`.
pub async fn read_until<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    seen: &mut String,
    pick: impl Fn(&str) -> bool,
) -> String {
    let found = tokio::time::timeout(RUN_LIMIT, async {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap() == 0 {
                panic!("the stream ended before the expected line: {seen}");
            }
            seen.push_str(&line);
            if pick(&line) {
                return line;
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("timed out waiting for a line: {seen}"))
}

/// The name of the first organization (the consent page's default) and of
/// its first member's email, as `login` reports them.
pub fn org_and_email(sandbox: &RunningSandbox, index: usize) -> (String, String, String) {
    let data = sandbox.state.read_data();
    let org = &data.organizations()[index];
    let email = data.members(&org.id)[0].email.clone();
    (org.id.clone(), org.name.clone(), email)
}

/// `GET /_sandbox/stats`.
pub async fn stats(sandbox: &RunningSandbox) -> Value {
    reqwest::get(format!("{}/_sandbox/stats", sandbox.info.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `POST /_sandbox/faults` with `body`.
pub async fn faults(sandbox: &RunningSandbox, body: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", sandbox.info.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{response:?}");
}

/// The sandbox's request log, parsed.
pub fn request_log(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("requests.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// How many logged token requests had `grant_type`.
pub fn grants(dir: &Path, grant_type: &str) -> usize {
    request_log(dir)
        .iter()
        .filter(|line| line["grant_type"] == grant_type)
        .count()
}

/// Polls `check` every 50 ms until it holds; fails after `limit`.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A refresh-token grant sent straight to the sandbox, as another client
/// holding `refresh_token` would: (status, body).
pub async fn refresh_at(sandbox: &RunningSandbox, refresh_token: &str) -> (u16, Value) {
    let info = &sandbox.info;
    let response = reqwest::Client::new()
        .post(&info.token_url)
        .form(&[
            ("client_id", info.client_id.as_str()),
            ("client_secret", info.client_secret.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// `GET /me/` with a bearer token; the status.
pub async fn me_status(sandbox: &RunningSandbox, access_token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}me/", sandbox.info.api_url))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Fails when `bytes` (from `place`) contain any of `needles`.
pub fn assert_free_of(place: &str, bytes: &[u8], needles: &[&str]) {
    for needle in needles {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "`{needle}` found in the {place}"
        );
    }
}

/// `http://127.0.0.1:PORT` of a port that accepts connections and never
/// answers: a server that hangs.
pub async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    format!("http://127.0.0.1:{port}")
}
