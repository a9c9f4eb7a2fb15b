//! The real binary in tmux, ended by a signal instead of a key: the
//! terminal must come back as it was (main screen, no mouse reports).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_tmux;

use std::process::Command;

use tui_tmux::{Tmux, have_tmux};

fn ends_cleanly_on(signal: &str) {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let session = signal.to_ascii_lowercase();
    let tmux = Tmux::new(&format!("signal-{session}"));
    tmux.launch(&session, &[]);
    tmux.keep_after_exit(&session);
    tmux.wait_text(&session, "signed out");
    assert_eq!(tmux.pane(&session, "#{alternate_on}"), "1");
    assert_eq!(tmux.pane(&session, "#{mouse_any_flag}"), "1");
    let pid = tmux.pane(&session, "#{pane_pid}");
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    assert!(status.success());
    tmux.wait_dead(&session);
    assert_eq!(
        tmux.pane(&session, "#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(
        tmux.pane(&session, "#{mouse_any_flag}"),
        "0",
        "mouse reports still on"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    ends_cleanly_on("TERM");
}

#[test]
fn sighup_restores_the_terminal() {
    ends_cleanly_on("HUP");
}
