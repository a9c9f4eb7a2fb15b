#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The TUI (the real binary, in tmux) and `close-tui sync` (run over and
//! over, two loops at once) share one database while the sandbox hands out
//! access tokens that live one second. Every refresh rotates the single-use
//! refresh token, so a process that sent a stale one would get
//! `invalid_grant` and the whole grant would be revoked. Through at least
//! 300 refresh cycles (`CLOSE_TUI_RACE_CYCLES` changes the target) no
//! refresh is refused, every sync succeeds and both keep the session.

mod tui_tmux;

use std::{
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use tui_tmux::{SandboxProcess, Tmux, have_tmux};

/// Refresh cycles to reach; the sandbox's one-second tokens are refreshed
/// half-way, so about two a second.
fn target() -> usize {
    std::env::var("CLOSE_TUI_RACE_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// (successful refreshes, refused refreshes) in the sandbox's log.
fn refreshes(sandbox: &SandboxProcess) -> (usize, usize) {
    let lines = sandbox.requests();
    let refresh = lines
        .iter()
        .filter(|line| line["grant_type"] == "refresh_token");
    let (ok, refused): (Vec<_>, Vec<_>) = refresh.partition(|line| line["status"] == 200);
    (ok.len(), refused.len())
}

#[test]
fn tui_and_sync_share_a_database_through_hundreds_of_refreshes() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("race");
    let sandbox = SandboxProcess::start_with(tmux.home.path(), 40, &["--access-ttl", "1"]);
    tmux.use_sandbox(&sandbox);
    let login = tmux.run(&["login"]);
    assert!(login.status.success(), "{login:?}");
    tmux.env.insert("BROWSER".into(), "false".into());

    tmux.launch("tui", &[]);
    tmux.wait_text("tui", "Status        ● connected");

    let target = target();
    let started = Instant::now();
    let limit = Duration::from_secs(60) + Duration::from_millis(700) * target as u32;
    let done = AtomicBool::new(false);
    let syncs = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while !done.load(Ordering::SeqCst) {
                    let out = tmux.run(&["sync"]);
                    syncs.fetch_add(1, Ordering::SeqCst);
                    if !out.status.success() {
                        failures.lock().unwrap().push(format!(
                            "{:?}: {}",
                            out.status,
                            String::from_utf8_lossy(&out.stderr)
                        ));
                        done.store(true, Ordering::SeqCst);
                    }
                }
            });
        }
        while !done.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(250));
            let (ok, refused) = refreshes(&sandbox);
            if ok >= target || refused > 0 || started.elapsed() > limit {
                done.store(true, Ordering::SeqCst);
            }
        }
    });
    let elapsed = started.elapsed();
    let (ok, refused) = refreshes(&sandbox);
    let syncs = syncs.load(Ordering::SeqCst);
    eprintln!(
        "{ok} refresh cycles, {refused} refused, {syncs} syncs alongside the TUI in {elapsed:.1?}"
    );
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "a sync failed: {failures:#?}");
    assert_eq!(refused, 0, "a refresh was refused (invalid_grant)");
    assert!(ok >= target, "only {ok} refresh cycles in {elapsed:?}");

    // Both still hold the session: the TUI shows it connected, and the
    // stored account works for a new process.
    let screen = tmux.wait_text("tui", "Status        ● connected");
    assert!(!screen.contains("needs login"), "{screen}");
    let status = tmux.run(&["status", "--json"]);
    assert!(status.status.success(), "{status:?}");
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["accounts"][0]["state"], "connected", "{json}");
    let log = std::fs::read_to_string(tmux.home.path().join("state/close-tui/close-tui.log"))
        .unwrap_or_default();
    assert!(!log.contains("invalid_grant"), "invalid_grant in the log");
    tmux.keys("tui", &["q"]);
    tmux.wait_exit("tui");
}
