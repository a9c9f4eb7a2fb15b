//! A cache of N generated leads for the TUI benches, made once and kept in
//! `target/tui-bench/leads-N/` for later runs: the release sandbox serves
//! the leads, `close-tui login --api-key` stores the account and
//! `close-tui sync` fills the cache, exactly as a user would. The
//! directory is a whole home (config, data, state), so the release binary
//! can be started on it too.

#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Instant,
};

use close_tui::store::AccountId;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_close-tui");

/// A generated cache: its home directory and the account that owns it.
pub struct Fixture {
    pub home: PathBuf,
    pub account: AccountId,
}

impl Fixture {
    pub fn db(&self) -> PathBuf {
        self.home.join("close.db")
    }

    /// The variables that make `close-tui` use this home, offline: the API
    /// is a closed loopback port, so nothing but the cache answers.
    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.home, "http://127.0.0.1:9/api/v1/")
    }
}

fn env_for(home: &Path, api: &str) -> Vec<(String, String)> {
    let dir = |d: &str| home.join(d).display().to_string();
    vec![
        ("HOME".into(), dir("")),
        ("XDG_CONFIG_HOME".into(), dir("config")),
        ("XDG_DATA_HOME".into(), dir("data")),
        ("XDG_STATE_HOME".into(), dir("state")),
        ("CLOSE_TUI_DB".into(), dir("close.db")),
        ("CLOSE_TUI_KEY_STORE".into(), "file".into()),
        ("CLOSE_API_URL".into(), api.into()),
    ]
}

struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn target_dir() -> PathBuf {
    // The bench runs as target/release/deps/tui-…; its grandparent's
    // parent is target/.
    let exe = std::env::current_exe().expect("the bench's own path");
    exe.ancestors()
        .nth(3)
        .expect("target/<profile>/deps/<bench>")
        .to_path_buf()
}

/// The cache of `leads` leads (with their contacts, opportunities and
/// tasks), made on first use.
pub fn fixture(leads: u64) -> Fixture {
    let home = target_dir()
        .join("tui-bench")
        .join(format!("leads-{leads}"));
    let ready = home.join("ready");
    if !ready.exists() {
        make(&home, leads);
        std::fs::write(&ready, "").expect("mark the fixture ready");
    }
    let conn = rusqlite::Connection::open(home.join("close.db")).expect("open the fixture");
    let (org, user): (String, String) = conn
        .query_row(
            "SELECT organization_id, user_id FROM cache_accounts",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the fixture's account");
    Fixture {
        home,
        account: AccountId::new(org, user),
    }
}

fn make(home: &Path, leads: u64) {
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(home);
    std::fs::create_dir_all(home).expect("make the fixture's home");
    // The sandbox's first organization gets 60% of its leads.
    let total = (leads * 5).div_ceil(3);
    let mut child = Command::new(BIN)
        .args(["sandbox", "--port", "0", "--leads", &total.to_string()])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("sandbox-state"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the sandbox");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its stdout"))
        .read_line(&mut line)
        .expect("the sandbox's JSON line");
    let _sandbox = Sandbox(child);
    let info: Value = serde_json::from_str(&line).expect("the sandbox's info");
    let get = |k: &str| info[k].as_str().expect(k).to_owned();
    let run = |args: &[&str]| {
        let status = Command::new(BIN)
            .args(args)
            .envs(env_for(home, &get("api_url")))
            .env("CLOSE_API_KEY", get("api_key"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .expect("run close-tui");
        assert!(status.success(), "close-tui {args:?} failed");
    };
    run(&["login", "--api-key"]);
    run(&["sync"]);
    eprintln!(
        "made a cache of {leads} leads in {:.1} s at {}",
        started.elapsed().as_secs_f64(),
        home.display()
    );
}
