//! Start-up benchmark (issue 6, targets 1, 6 and 7), against a cache of
//! 100,000 leads with their contacts and opportunities:
//!
//! 1. process start → first full frame of the Connection screen (title,
//!    footer and the stored account on screen), and of the Leads screen
//!    (`--screen leads`, its first row's name on screen). The release
//!    binary runs in a pseudo-terminal; its output goes through a terminal
//!    emulator, and the clock starts just before the spawn. Close (API and
//!    token endpoints) is a port that accepts and never answers, so a frame
//!    that waited for the network would never come. Beside the wall time:
//!    the app's CPU time by then, and its time runnable but waiting for a
//!    core (the machine's load, not the app);
//! 2. `close-tui status --offline`, wall time;
//! 3. idle: CPU time and wakeups over a quiet stretch, on both screens, and
//!    with an OAuth account connected to a live sandbox (the token
//!    refresher waiting).
//!
//! `cargo bench --bench startup`. The home with the synced cache is made
//! once, under `target/tmp/startup-bench/leads-N`, and reused.
//! `STARTUP_BENCH_LEADS` (100000), `STARTUP_BENCH_RUNS` (20),
//! `STARTUP_BENCH_IDLE_SECS` (30) change the defaults; `STARTUP_BENCH_ONLY`
//! (`frame`, `status` or `idle`) runs one part; `STARTUP_BENCH_BIN` times
//! another binary; `STARTUP_BENCH_SHOW` prints the screen after each idle
//! stretch. Without `--bench` (e.g. `cargo test --all-targets`) it exits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "startup/idle.rs"]
mod idle;
#[path = "startup/pty.rs"]
mod pty;
#[path = "startup/state.rs"]
mod state;

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use pty::Pty;
use state::Home;

const WARMUP: usize = 2;
const TIMEOUT: Duration = Duration::from_secs(10);
/// A toast's five seconds, and one more.
const SETTLE: Duration = Duration::from_secs(6);

#[path = "common/proc.rs"]
mod proc_stats;

use proc_stats::env_or;

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Median, min, max and p90 of `times`, in ms.
fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = times.len();
    format!(
        "median {:6.2} ms  min {:6.2}  p90 {:6.2}  max {:6.2}  ({n} runs)",
        ms(times[n / 2]),
        ms(times[0]),
        ms(times[(n * 9 / 10).min(n - 1)]),
        ms(times[n - 1]),
    )
}

/// What must be on screen for the frame to count as the screen's first
/// full frame.
fn full_frame(home: &Home, screen: Option<&str>) -> impl Fn(&vt100::Screen) -> bool {
    let (title, body) = match screen {
        None => ("Connection", home.organization.clone()),
        Some(_) => ("Leads", home.first_lead.clone()),
    };
    move |s: &vt100::Screen| {
        let top = pty::row(s, 0);
        let footer = pty::row(s, pty::ROWS - 1);
        top.contains("close-tui")
            && top.contains(title)
            && footer.contains("quit")
            && s.contents().contains(&body)
    }
}

fn first_draw(s: &vt100::Screen) -> bool {
    pty::row(s, 0).contains("close-tui") && pty::row(s, pty::ROWS - 1).contains("quit")
}

fn launch(home: &Home, screen: Option<&str>) -> Pty {
    let mut args = Vec::new();
    if let Some(screen) = screen {
        args.extend(["--screen", screen]);
    }
    Pty::spawn(home.command(&args))
}

/// Times `runs` starts to the first draw and to the first full frame.
fn frames(home: &Home, screen: Option<&str>, runs: usize) {
    let name = screen.unwrap_or("connection");
    let full = full_frame(home, screen);
    let (mut draws, mut fulls) = (Vec::new(), Vec::new());
    let (mut on_cpu, mut waiting) = (Vec::new(), Vec::new());
    for run in 0..runs + WARMUP {
        let mut pty = launch(home, screen);
        let draw = pty.wait_for(TIMEOUT, first_draw);
        let done = pty.wait_for(TIMEOUT, &full);
        let (cpu, wait) = idle::schedstat(pty.child.id());
        let (Some(draw), Some(done)) = (draw, done) else {
            panic!("no full {name} frame in {TIMEOUT:?}:\n{}", pty.contents());
        };
        pty.quit();
        if run >= WARMUP {
            draws.push(draw);
            fulls.push(done);
            on_cpu.push(cpu);
            waiting.push(wait);
        }
    }
    println!("first draw, {name:<11} {}", summary(&mut draws));
    println!("full frame, {name:<11} {}", summary(&mut fulls));
    println!("  its cpu   {name:<11} {}", summary(&mut on_cpu));
    println!("  runnable  {name:<11} {}", summary(&mut waiting));
}

fn status(home: &Home, runs: usize) {
    let mut times = Vec::new();
    let mut cpu = Duration::ZERO;
    for run in 0..runs + WARMUP {
        let mut command = home.command(&["status", "--offline"]);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let cpu_before = idle::children_cpu();
        let started = Instant::now();
        let code = command.status().expect("run status");
        let took = started.elapsed();
        assert!(code.success(), "status --offline failed: {code}");
        if run >= WARMUP {
            times.push(took);
            cpu += idle::children_cpu() - cpu_before;
        }
    }
    println!("status --offline        {}", summary(&mut times));
    println!(
        "status --offline        cpu (user + sys) {:.2} ms a run, averaged over {runs}",
        cpu.as_secs_f64() * 1000.0 / runs as f64
    );
}

/// Starts the app, waits for its full frame and for start-up's toasts to
/// expire (they tick once a second while shown), then measures a quiet
/// stretch of `secs`.
fn idle(home: &Home, screen: Option<&str>, secs: u64, what: &str) {
    let mut pty = launch(home, screen);
    if pty.wait_for(TIMEOUT, full_frame(home, screen)).is_none() {
        panic!("no full frame for {what}:\n{}", pty.contents());
    }
    pty.drain(SETTLE);
    let pid = pty.child.id();
    let before = idle::read(pid).expect("read /proc");
    let time = Duration::from_secs(secs);
    let bytes = pty.drain(time);
    let after = idle::read(pid).expect("read /proc");
    println!(
        "{}",
        idle::Idle::between(before, after, time).line(what, bytes)
    );
    if std::env::var_os("STARTUP_BENCH_SHOW").is_some() {
        println!("{}", pty.contents());
    }
    pty.quit();
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let leads = env_or("STARTUP_BENCH_LEADS", 100_000);
    let runs = env_or("STARTUP_BENCH_RUNS", 20) as usize;
    let idle_secs = env_or("STARTUP_BENCH_IDLE_SECS", 30);
    let only = std::env::var("STARTUP_BENCH_ONLY").unwrap_or_default();
    let part = |name: &str| only.is_empty() || only == name;

    let mut home = state::synced(leads);
    // Close hangs: every request connects and never gets an answer.
    let (_hole, url) = state::black_hole();
    home.set("CLOSE_API_URL", &format!("{url}/api/v1/"));
    home.set("CLOSE_TOKEN_URL", &format!("{url}/oauth2/token/"));
    println!("load average before: {}", load_average());
    if part("frame") {
        frames(&home, None, runs);
        frames(&home, Some("leads"), runs);
    }
    if part("status") {
        status(&home, runs.max(30));
    }
    if part("idle") {
        idle(
            &home,
            None,
            idle_secs,
            "idle Connection (API key, Close hangs)",
        );
        idle(
            &home,
            Some("leads"),
            idle_secs,
            "idle Leads (API key, Close hangs)",
        );
        let (live, _sandbox) = state::live(1000);
        idle(
            &live,
            Some("leads"),
            idle_secs,
            "idle Leads (OAuth, live, refresher waits)",
        );
        idle(
            &live,
            None,
            idle_secs,
            "idle Connection (OAuth, live, countdown)",
        );
    }
    println!("load average after: {}", load_average());
}
