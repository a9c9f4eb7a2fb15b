//! The command line around the terminal app: no command means the app,
//! which refuses politely without a terminal; `demo` and `--screen` parse.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_close-tui");

fn run(args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("CLOSE_TUI_KEY_STORE", "file")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn no_command_runs_the_app_which_needs_a_terminal() {
    let (code, _, stderr) = run(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr.trim(),
        "close-tui: the terminal app needs a terminal; for scripts use `close-tui login`, `status` or `logout`"
    );
    let (code, _, _) = run(&["demo", "--auto-approve", "--leads", "10"]);
    assert_eq!(code, 1);
}

#[test]
fn demo_and_screen_are_on_the_command_line() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("demo"));
    assert!(stdout.contains("--screen <NAME>"));
    let (code, stdout, _) = run(&["demo", "--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("--auto-approve") && stdout.contains("--leads"));
    let (code, _, stderr) = run(&["--screen", "nowhere"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("expected connection, account, leads"));
}
