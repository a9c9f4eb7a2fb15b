//! Resident memory of the release binary browsing the Leads screen, over a
//! cache of 1,000 and of 100,000 leads (`tui_support` makes them once).
//!
//! For each cache, `close-tui --screen leads` starts in a private tmux
//! server at 240×70, offline (the API is a closed loopback port, so only
//! the cache answers and no sync runs). A script of keys then browses:
//! PgDn through the first pages, `G`, `g`, a search typed one character at
//! a time, Tab through the other data screens and back. VmRSS is read from
//! /proc after each step; VmHWM (the peak) at the end.
//!
//! `cargo bench --bench tui_memory`. `TUI_MEMORY_LEADS` (`1000,100000`)
//! and `TUI_MEMORY_RUNS` (3) change the defaults. Without `--bench` it
//! exits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/proc.rs"]
mod proc_stats;
mod tui_support;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use tui_support::{BIN, Fixture, fixture};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Self {
        Self {
            socket: format!("close-tui-mem-{name}-{}", std::process::id()),
        }
    }

    fn cmd(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]);
        command
    }

    fn launch(&self, fixture: &Fixture) {
        let mut command = self.cmd();
        command.args([
            "new-session",
            "-d",
            "-s",
            "mem",
            "-x",
            "240",
            "-y",
            "70",
            "--",
            "env",
        ]);
        command.arg("TERM=xterm-256color");
        command.args(fixture.env().iter().map(|(k, v)| format!("{k}={v}")));
        command.args([BIN, "--screen", "leads"]);
        assert!(command.status().unwrap().success(), "tmux new-session");
    }

    fn pid(&self) -> u32 {
        let out = self
            .cmd()
            .args(["list-panes", "-t", "mem", "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    fn keys(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "mem"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "mem"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no {what:?} on screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").stderr(Stdio::null()).status();
    }
}

fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, |d| d.count())
}

/// Browses and returns (largest VmRSS seen, VmHWM at the end, threads).
fn browse(fixture: &Fixture, run: usize) -> (f64, f64, usize) {
    let tmux = Tmux::new(&format!("{run}"));
    tmux.launch(fixture);
    tmux.wait_for("· row 1");
    let pid = tmux.pid();
    let mut largest: f64 = 0.0;
    let mut sample = |tmux: &Tmux, settle: &str| {
        tmux.wait_for(settle);
        std::thread::sleep(Duration::from_millis(100));
        largest = largest.max(proc_stats::memory_mib(&pid.to_string()).0);
    };
    sample(&tmux, "· row 1");
    for _ in 0..20 {
        tmux.keys(&["PageDown"]);
    }
    sample(&tmux, "· row ");
    tmux.keys(&["G"]);
    sample(&tmux, "· row ");
    tmux.keys(&["g"]);
    sample(&tmux, "· row 1 ");
    // A search typed one key at a time, then cleared.
    tmux.keys(&["/"]);
    for c in ["a", "n", "d"] {
        tmux.keys(&["-l", c]);
        std::thread::sleep(Duration::from_millis(30));
    }
    sample(&tmux, "/ and");
    tmux.keys(&["Escape", "Escape"]);
    for _ in 0..3 {
        tmux.keys(&["Tab"]);
        std::thread::sleep(Duration::from_millis(300));
        sample(&tmux, "· row");
        tmux.keys(&["G"]);
        sample(&tmux, "· row");
    }
    tmux.keys(&["3"]);
    sample(&tmux, "· row");
    let (_, peak) = proc_stats::memory_mib(&pid.to_string());
    let threads = threads(pid);
    tmux.keys(&["q"]);
    (largest, peak, threads)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<u64> = std::env::var("TUI_MEMORY_LEADS")
        .unwrap_or_else(|_| "1000,100000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("TUI_MEMORY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    for leads in sizes {
        let fixture = fixture(leads);
        let mut results: Vec<(f64, f64, usize)> = (0..runs).map(|r| browse(&fixture, r)).collect();
        results.sort_by(|a, b| a.1.total_cmp(&b.1));
        let rss: Vec<String> = results.iter().map(|r| format!("{:.1}", r.0)).collect();
        let hwm: Vec<String> = results.iter().map(|r| format!("{:.1}", r.1)).collect();
        println!(
            "{leads} leads: VmRSS while browsing {} MB, VmHWM {} MB (median {:.1}), {} threads, {runs} runs (target < 60 MB)",
            rss.join(" / "),
            hwm.join(" / "),
            results[runs / 2].1,
            results[runs / 2].2,
        );
    }
}
