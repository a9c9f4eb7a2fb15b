//! The real binary in tmux, ended by a signal instead of a key: the
//! terminal must come back as it was (main screen, no mouse reports), and
//! the exit status says which signal ended it (128 plus its number, as the
//! one-shot commands and a shell report it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_tmux;

use std::process::Command;

use tui_tmux::{Tmux, have_tmux};

/// The app runs under a shell that waits for it and writes down its exit
/// status (tmux, as the pane's parent, can leave a program that ends on a
/// signal unreaped, and then never tells its status).
fn ends_cleanly_on(signal: &str, exit_status: &str) {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let session = signal.to_ascii_lowercase();
    let tmux = Tmux::new(&format!("signal-{session}"));
    let (pid, status) = (
        tmux.home.path().join("app-pid"),
        tmux.home.path().join("exit-status"),
    );
    let script = format!(
        "\"$CLOSE_TUI\" < /dev/tty & echo $! > '{}'; wait $!; echo $? > '{}'",
        pid.display(),
        status.display()
    );
    tmux.launch_shell(&session, &script);
    tmux.keep_after_exit(&session);
    tmux.wait_text(&session, "signed out");
    assert_eq!(tmux.pane(&session, "#{alternate_on}"), "1");
    assert_eq!(tmux.pane(&session, "#{mouse_any_flag}"), "1");
    let pid = std::fs::read_to_string(&pid).unwrap();
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(wait_status(&status), exit_status);
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
    ends_cleanly_on("TERM", "143");
}

#[test]
fn sighup_restores_the_terminal() {
    ends_cleanly_on("HUP", "129");
}

/// A terminal closed under the app (its window shut, an ssh link lost):
/// the shell in it gets SIGHUP and passes it on, as an interactive shell
/// does to its jobs, and the app must end on its own terms although there
/// is no terminal left to restore. Reporting the failed restore (or the
/// cursor it could not show) on the dead terminal panicked, and the panic
/// hook panicked in turn: the process aborted, skipping the wait for a
/// token refresh in flight. The shell lives on to write down how it ended.
#[test]
fn a_closed_terminal_ends_the_app_without_an_abort() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let tmux = Tmux::new("signal-hangup");
    let status = tmux.home.path().join("exit-status");
    let script = format!(
        "\"$CLOSE_TUI\" < /dev/tty & pid=$!
         trap 'kill -HUP $pid' HUP
         while kill -0 $pid 2>/dev/null; do wait $pid; code=$?; done
         echo \"$code\" > '{}'",
        status.display()
    );
    assert_eq!(
        exit_after_hangup(&tmux, &script, &status),
        "129",
        "exit status after the hangup (134: aborted)"
    );
}

/// The same terminal closed while its shell ignores SIGHUP and keeps it
/// (`nohup`, `trap '' HUP`): the app gets no signal, only a dead terminal,
/// on which crossterm's reader spun at a full core for ever. The app
/// watches for the hangup itself.
#[test]
fn a_closed_terminal_ends_the_app_even_when_no_sighup_reaches_it() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let tmux = Tmux::new("signal-kept");
    let status = tmux.home.path().join("exit-status");
    let script = format!(
        "trap '' HUP; \"$CLOSE_TUI\"; echo $? > '{}'",
        status.display()
    );
    assert_eq!(exit_after_hangup(&tmux, &script, &status), "129");
}

/// Runs `script` in a tmux window, closes the window once the app shows,
/// and returns the exit status the script wrote to `status`.
fn exit_after_hangup(tmux: &Tmux, script: &str, status: &std::path::Path) -> String {
    tmux.launch_shell("hangup", script);
    tmux.wait_text("hangup", "signed out");
    tmux.hang_up("hangup");
    wait_status(status)
}

/// The exit status a script wrote to `status`, once it has.
fn wait_status(status: &std::path::Path) -> String {
    let start = std::time::Instant::now();
    loop {
        match std::fs::read_to_string(status) {
            Ok(code) if !code.is_empty() => return code.trim().to_owned(),
            _ => {
                assert!(
                    start.elapsed() < std::time::Duration::from_secs(20),
                    "the app did not end"
                );
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    }
}
