//! The real binary in tmux against a sandbox, with `BROWSER` set to a
//! scripted person who approves the consent page: connect, browse, relaunch
//! still connected, disconnect (revoked), and the auto-approving demo.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_tmux;

use tui_tmux::{SandboxProcess, Tmux, have_tmux};

/// The text after `label` on the first line that has it, up to the next
/// run of two spaces.
fn field_after(screen: &str, label: &str) -> String {
    let line = screen.lines().find(|l| l.contains(label)).unwrap();
    let rest = &line[line.find(label).unwrap() + label.len()..];
    rest.trim_start()
        .split("  ")
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn connect_browse_relaunch_and_disconnect() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("e2e");
    let sandbox = SandboxProcess::start(tmux.home.path(), 60);
    tmux.use_sandbox(&sandbox);

    tmux.launch("one", &[]);
    tmux.wait_text("one", "signed out");
    tmux.keys("one", &["c"]);
    let screen = tmux.wait_text("one", "Status        ● connected");
    let organization = field_after(&screen, "Organization");
    let organization = organization.split(" (orga_").next().unwrap().to_owned();
    assert!(!organization.is_empty());
    let browser = tmux.wait_consent_log("200");
    assert!(browser.contains("200"), "the browser tab saw: {browser}");

    tmux.keys("one", &["2"]);
    let screen = tmux.wait_text("one", "Members (");
    assert!(
        screen.contains(&format!("Name          {organization}")),
        "{screen}"
    );

    // Connecting starts a background sync; the table then reads the cache.
    tmux.keys("one", &["3"]);
    let screen = tmux.wait_text("one", "· synced ");
    let first_row = screen.lines().nth(4).unwrap();
    let lead = first_row.split("  ").next().unwrap().trim().to_owned();
    let word = lead.split_whitespace().next().unwrap();
    tmux.keys("one", &["G"]);
    tmux.keys("one", &["/"]);
    tmux.type_text("one", word);
    tmux.wait_for("one", "the search result", |s| {
        s.contains(&format!("/ {word}")) && s.lines().nth(4).is_some_and(|l| l.contains(word))
    });
    tmux.keys("one", &["Enter"]);
    tmux.keys("one", &["Enter"]);
    let screen = tmux.wait_text("one", "Contacts (");
    assert!(
        screen.contains('✉') || screen.contains("Contacts (0)"),
        "{screen}"
    );
    tmux.keys("one", &["q"]);
    tmux.wait_exit("one");

    // No browser this time: the stored tokens are enough.
    tmux.env.insert("BROWSER".into(), "false".into());
    tmux.launch("two", &[]);
    tmux.wait_text("two", "Status        ● connected");
    tmux.keys("two", &["x"]);
    tmux.wait_text("two", "Disconnect ");
    tmux.keys("two", &["y"]);
    tmux.wait_text("two", "Status        ● signed out");
    let requests = std::fs::read_to_string(&sandbox.log).unwrap();
    assert!(requests.contains("/oauth2/revoke/"), "no revoke in the log");
    tmux.keys("two", &["q"]);
    tmux.wait_exit("two");
}

#[test]
fn the_demo_connects_with_no_browser() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("demo");
    tmux.env.insert("BROWSER".into(), "false".into());
    tmux.launch("demo", &["demo", "--auto-approve", "--leads", "40"]);
    tmux.wait_text("demo", "demo sandbox at http://127.0.0.1:");
    tmux.keys("demo", &["c"]);
    tmux.wait_text("demo", "Status        ● connected");
    tmux.keys("demo", &["3"]);
    tmux.wait_text("demo", "· synced ");
    tmux.keys("demo", &["C-c"]);
    tmux.wait_exit("demo");
}
