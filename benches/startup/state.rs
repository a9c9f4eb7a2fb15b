//! The data the start-up bench runs against: a home with a connected
//! account and its cache synced from the release sandbox, made once per
//! lead count under `target/tmp` and reused, and a live home whose OAuth
//! account talks to a running sandbox (for the idle figures while the
//! token refresher waits).

use std::{
    fs,
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Instant,
};

use close_tui::{
    close::records::Resource,
    store::{
        AccountId,
        cache::{Cache, ListQuery, Sort},
    },
};
use serde_json::Value;

/// The binary under test: this build's, or `STARTUP_BENCH_BIN` (say, the
/// previous release, for a before/after).
pub fn bin() -> String {
    std::env::var("STARTUP_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_close-tui").to_owned())
}

/// A sandbox in its own process; killed on drop.
pub struct Sandbox {
    child: Child,
    pub info: Value,
}

impl Sandbox {
    pub fn start(args: &[&str]) -> Sandbox {
        let mut child = Command::new(bin())
            .arg("sandbox")
            .args(["--port", "0"])
            .args(args)
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the sandbox");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the sandbox's first line");
        let info = serde_json::from_str(&line).expect("the sandbox's JSON line");
        Sandbox { child, info }
    }

    pub fn get(&self, key: &str) -> String {
        self.info[key].as_str().unwrap_or_default().to_owned()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One isolated user: HOME and the XDG dirs under `root`, the key in a
/// file (no keyring), and nothing from the caller's environment.
#[derive(Clone)]
pub struct Home {
    pub root: PathBuf,
    pub vars: Vec<(String, String)>,
    pub organization: String,
    pub account: Option<AccountId>,
    /// The name on the Leads screen's first row (newest first).
    pub first_lead: String,
}

impl Home {
    fn new(root: &Path) -> Home {
        let dir = |name: &str| root.join(name).display().to_string();
        let vars = [
            ("HOME", root.display().to_string()),
            ("XDG_CONFIG_HOME", dir("config")),
            ("XDG_DATA_HOME", dir("data")),
            ("XDG_STATE_HOME", dir("state")),
            ("CLOSE_TUI_KEY_STORE", "file".to_owned()),
            ("TERM", "xterm-256color".to_owned()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
        ];
        Home {
            root: root.to_owned(),
            vars: vars.map(|(k, v)| (k.to_owned(), v)).into(),
            organization: String::new(),
            account: None,
            first_lead: String::new(),
        }
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(k, _)| k != name);
        self.vars.push((name.to_owned(), value.to_owned()));
    }

    /// `close-tui ARGS` in this home, its working directory the home (so
    /// no stray `.env` is read).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(bin());
        command
            .args(args)
            .env_clear()
            .envs(self.vars.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.root);
        command
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run close-tui");
        assert!(
            out.status.success(),
            "close-tui {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Reads the active account and the first lead row back.
    fn load(mut self) -> Home {
        let status: Value =
            serde_json::from_str(&self.run(&["status", "--offline", "--json"])).expect("json");
        let active = &status["accounts"][0];
        self.organization = active["organization_name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let account = AccountId::new(
            active["organization_id"].as_str().unwrap_or_default(),
            active["user_id"].as_str().unwrap_or_default(),
        );
        let db = self.root.join("data/close-tui/close-tui.db");
        let cache = Cache::open(&db).expect("open the cache");
        let newest = ListQuery {
            sort: Sort::Updated,
            descending: true,
            ..ListQuery::default()
        };
        let count = cache.count(&account, Resource::Leads, &newest).unwrap_or(0);
        self.first_lead = cache
            .leads(&account, &newest, 0, 1)
            .expect("read the first lead")
            .into_iter()
            .next()
            .map(|lead| lead.name)
            .unwrap_or_default();
        eprintln!(
            "home {}: {count} cached leads, first {:?}",
            self.root.display(),
            self.first_lead
        );
        self.account = Some(account);
        self
    }
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("startup-bench")
        .join(name)
}

/// The home with `leads` leads synced, made on first use. Its account
/// logged in with the sandbox's API key; the sandbox is gone afterwards.
pub fn synced(leads: u64) -> Home {
    let root = tmp(&format!("leads-{leads}"));
    let ready = root.join("ready");
    if ready.exists() {
        return Home::new(&root).load();
    }
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).expect("make the bench home");
    // The first organization gets 60% of the sandbox's leads.
    let total = (leads * 5).div_ceil(3).to_string();
    let started = Instant::now();
    let sandbox = Sandbox::start(&["--leads", &total]);
    eprintln!("sandbox with {total} leads up in {:?}", started.elapsed());
    let mut home = Home::new(&root);
    home.set("CLOSE_API_URL", &sandbox.get("api_url"));
    home.set("CLOSE_API_KEY", &sandbox.get("api_key"));
    home.run(&["login", "--api-key"]);
    let started = Instant::now();
    home.run(&["sync"]);
    eprintln!("synced in {:?}", started.elapsed());
    drop(sandbox);
    fs::write(&ready, b"").expect("mark the home ready");
    Home::new(&root).load()
}

/// A fresh home whose OAuth account is connected to a running sandbox
/// (consent approved at once; `curl` plays the browser), cache synced.
pub fn live(leads: u64) -> (Home, Sandbox) {
    let root = tmp("live");
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).expect("make the live home");
    let total = (leads * 5).div_ceil(3).to_string();
    let sandbox = Sandbox::start(&["--leads", &total, "--auto-approve"]);
    let mut home = Home::new(&root);
    for (var, key) in [
        ("CLOSE_CLIENT_ID", "client_id"),
        ("CLOSE_CLIENT_SECRET", "client_secret"),
        ("CLOSE_AUTHORIZE_URL", "authorize_url"),
        ("CLOSE_TOKEN_URL", "token_url"),
        ("CLOSE_REVOKE_URL", "revoke_url"),
        ("CLOSE_API_URL", "api_url"),
    ] {
        home.set(var, &sandbox.get(key));
    }
    home.set("REDIRECT_URI", "http://127.0.0.1:0/callback");
    home.set("BROWSER", "curl -sSfL -o /dev/null");
    home.run(&["login", "--timeout", "30"]);
    home.run(&["sync"]);
    let mut home = home.load();
    home.vars.retain(|(k, _)| k != "BROWSER");
    (home, sandbox)
}

/// A port that accepts connections and never answers: a Close that hangs.
/// Nothing on the way to the first frame may wait for it.
pub fn black_hole() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    (listener, format!("http://127.0.0.1:{port}"))
}
