//! Driving the real binary in tmux: a private tmux server per test, an
//! isolated home, a sandbox process, and polling `capture-pane` instead of
//! sleeping. Everything is torn down on drop, failures included; a test
//! that passed then has its home and every screen it saw scanned for the
//! secrets the sandbox issued (see `secret_scan`).

#![allow(dead_code)]

#[path = "../secret_scan/mod.rs"]
pub mod secret_scan;

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_close-tui");
const WAIT: Duration = Duration::from_secs(20);

/// The file's text once it holds `text`, or as it is after the wait.
pub fn read_once_it_holds(path: &Path, text: &str) -> String {
    let start = Instant::now();
    loop {
        let read = std::fs::read_to_string(path).unwrap_or_default();
        if read.contains(text) || start.elapsed() >= WAIT {
            return read;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The scripted person at the browser. A plain `cargo test` builds it next
/// to the tests; a filtered run (`--test tui_e2e`) may not, so build it then.
pub fn consent_user() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().unwrap().parent().unwrap();
    let path = debug.join("examples").join("consent_user");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--example", "consent_user"])
            .status()
            .unwrap();
        assert!(status.success(), "cannot build the consent_user example");
    }
    assert!(path.exists(), "no consent_user at {}", path.display());
    path
}

/// A tmux server of our own (`-L`), so tests never touch the user's.
pub struct Tmux {
    socket: String,
    pub home: tempfile::TempDir,
    pub env: BTreeMap<String, String>,
    /// Every screen captured, for the secret scan.
    screens: Mutex<Vec<u8>>,
}

impl Tmux {
    pub fn new(name: &str) -> Self {
        let home = tempfile::tempdir().unwrap();
        let root = home.path();
        let mut env = BTreeMap::new();
        for (key, dir) in [
            ("HOME", ""),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_STATE_HOME", "state"),
        ] {
            env.insert(key.to_owned(), root.join(dir).display().to_string());
        }
        env.insert("CLOSE_TUI_KEY_STORE".into(), "file".into());
        env.insert("CLOSE_TUI_LOG".into(), "trace".into());
        env.insert("TERM".into(), "xterm-256color".into());
        Self {
            socket: format!("close-tui-{name}-{}", std::process::id()),
            home,
            env,
            screens: Mutex::new(Vec::new()),
        }
    }

    /// Points this home at `sandbox`, with the scripted consent user as the
    /// browser and its log in the home.
    pub fn use_sandbox(&mut self, sandbox: &SandboxProcess) {
        self.env.extend(sandbox.env());
        self.env
            .insert("BROWSER".into(), consent_user().display().to_string());
        let consent_log = self.consent_log();
        self.env
            .insert("CONSENT_LOG".into(), consent_log.display().to_string());
    }

    /// Where the consent user writes what it saw.
    pub fn consent_log(&self) -> PathBuf {
        self.home.path().join("consent.log")
    }

    /// What the consent user logged, once it holds `text`: the app can
    /// show the connection before the tab's process has written its line.
    pub fn wait_consent_log(&self, text: &str) -> String {
        read_once_it_holds(&self.consent_log(), text)
    }

    /// Runs `close-tui ARGS` outside tmux, with this home's environment, to
    /// its end; what it printed joins the secret scan.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        let out = Command::new(BIN)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(&self.env)
            .current_dir(self.home.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        self.record_output(&out.stdout);
        self.record_output(&out.stderr);
        out
    }

    fn tmux(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]);
        command
    }

    /// The active account's organization, as `status` tells it.
    pub fn organization(&self) -> String {
        let out = self.run(&["status", "--json", "--offline"]);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        json["active"].as_str().unwrap().to_owned()
    }

    /// Starts `close-tui ARGS` in a new 100×30 window named `session`.
    pub fn launch(&self, session: &str, args: &[&str]) {
        let mut program = vec![BIN.to_owned()];
        program.extend(args.iter().map(|a| (*a).to_owned()));
        self.new_session(session, &program);
    }

    /// Starts `sh -c SCRIPT` in a new 100×30 window named `session`, with
    /// the binary's path in `$CLOSE_TUI`.
    pub fn launch_shell(&self, session: &str, script: &str) {
        let program = [
            format!("CLOSE_TUI={BIN}"),
            "sh".to_owned(),
            "-c".to_owned(),
            script.to_owned(),
        ];
        self.new_session(session, &program);
    }

    /// Runs `program` (after `env` and this home's environment) in a new
    /// 100×30 window named `session`.
    fn new_session(&self, session: &str, program: &[String]) {
        let mut command = self.tmux();
        command.args([
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "100",
            "-y",
            "30",
            "--",
            "env",
        ]);
        command.args(self.env.iter().map(|(k, v)| format!("{k}={v}")));
        command.args(program);
        let status = command.status().unwrap();
        assert!(status.success(), "tmux new-session failed");
    }

    /// Closes the session's terminal, as closing a terminal window does:
    /// its processes get SIGHUP, and the terminal is gone.
    pub fn hang_up(&self, session: &str) {
        let status = self
            .tmux()
            .args(["kill-session", "-t", session])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn keys(&self, session: &str, keys: &[&str]) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", session])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Types text literally (`send-keys -l`).
    pub fn type_text(&self, session: &str, text: &str) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", session, "-l", text])
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn screen(&self, session: &str) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", session])
            .output()
            .unwrap();
        self.screens.lock().unwrap().extend_from_slice(&out.stdout);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Adds what a test's own run of the binary printed to the scan.
    pub fn record_output(&self, bytes: &[u8]) {
        self.screens.lock().unwrap().extend_from_slice(bytes);
    }

    /// Scans the home (log, database, key file; not the sandbox's files)
    /// and every screen seen for the secrets a sandbox started in the home
    /// recorded, and for any sandbox token at all; panics on a leak.
    pub fn scan_secrets(&self) -> secret_scan::Coverage {
        let list = self.home.path().join("secrets.txt");
        let secrets = if list.exists() {
            secret_scan::recorded(&list)
        } else {
            Vec::new()
        };
        let screens = self.screens.lock().unwrap().clone();
        secret_scan::scan(self.home.path(), &[("screen", &screens)], &secrets)
            .unwrap_or_else(|leak| panic!("secret leak: {leak}"))
    }

    /// Polls the screen until `check` holds; fails with the last screen.
    pub fn wait_for(&self, session: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(session);
            if check(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_text(&self, session: &str, text: &str) -> String {
        self.wait_for(session, text, |s| s.contains(text))
    }

    /// Keeps the session's pane after its program exits, so the state it
    /// left the terminal in can be read ([`Tmux::pane`]).
    pub fn keep_after_exit(&self, session: &str) {
        let status = self
            .tmux()
            .args(["set-option", "-t", session, "remain-on-exit", "on"])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// A tmux format (`#{pane_pid}`, `#{alternate_on}`…) for the pane.
    pub fn pane(&self, session: &str, format: &str) -> String {
        let out = self
            .tmux()
            .args(["display-message", "-p", "-t", session, format])
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux display-message failed");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Waits until the program in a kept pane has exited.
    pub fn wait_dead(&self, session: &str) {
        let start = Instant::now();
        while self.pane(session, "#{pane_dead}") != "1" {
            assert!(start.elapsed() < WAIT, "{session} did not exit");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the session is gone (its program exited).
    pub fn wait_exit(&self, session: &str) {
        let start = Instant::now();
        while self
            .tmux()
            .args(["has-session", "-t", session])
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
        {
            assert!(start.elapsed() < WAIT, "{session} did not exit");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .tmux()
            .arg("kill-server")
            .stderr(Stdio::null())
            .status();
        if !std::thread::panicking() {
            self.scan_secrets();
        }
    }
}

/// `close-tui sandbox` as a process, killed on drop.
pub struct SandboxProcess {
    child: Child,
    pub info: Value,
    pub log: PathBuf,
}

impl SandboxProcess {
    pub fn start(dir: &Path, leads: usize) -> Self {
        Self::start_with(dir, leads, &[])
    }

    /// Like [`SandboxProcess::start`], with more `close-tui sandbox` flags.
    pub fn start_with(dir: &Path, leads: usize, flags: &[&str]) -> Self {
        let log = dir.join("requests.jsonl");
        let mut child = Command::new(BIN)
            .args(["sandbox", "--port", "0", "--leads", &leads.to_string()])
            .args(flags)
            .arg("--log-requests")
            .arg(&log)
            .arg("--record-secrets")
            .arg(dir.join("secrets.txt"))
            .env("HOME", dir)
            .env("XDG_STATE_HOME", dir.join("sandbox-state"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info = serde_json::from_str(&line).unwrap();
        Self { child, info, log }
    }

    /// One plain HTTP/1.1 request to the sandbox's test hooks
    /// (`/_sandbox/…`); the JSON body of the answer, which must be a 200.
    pub fn hook(&self, method: &str, path: &str, body: &str) -> Value {
        let base = self.info["base_url"].as_str().unwrap();
        let address = base.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let json = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        serde_json::from_str(json).unwrap()
    }

    /// The request log, parsed.
    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// The variables that point close-tui at this sandbox.
    pub fn env(&self) -> Vec<(String, String)> {
        let get = |k: &str| self.info[k].as_str().unwrap().to_owned();
        vec![
            ("CLOSE_CLIENT_ID".into(), get("client_id")),
            ("CLOSE_CLIENT_SECRET".into(), get("client_secret")),
            ("CLOSE_AUTHORIZE_URL".into(), get("authorize_url")),
            ("CLOSE_TOKEN_URL".into(), get("token_url")),
            ("CLOSE_REVOKE_URL".into(), get("revoke_url")),
            ("CLOSE_API_URL".into(), get("api_url")),
            ("REDIRECT_URI".into(), "http://127.0.0.1:0/callback".into()),
        ]
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
