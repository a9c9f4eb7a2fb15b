//! The real binary in tmux against a sandbox, with `BROWSER` set to a
//! scripted person who approves the consent page: connect, browse, relaunch
//! still connected, disconnect (revoked), and the auto-approving demo.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_tmux;

use tui_tmux::{SandboxProcess, Tmux, have_tmux, read_once_it_holds};

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

/// With Close gone, a synced lead still opens: its detail comes from the
/// cache, as the list does.
#[test]
fn a_cached_lead_opens_while_close_is_unreachable() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("offline");
    let sandbox = SandboxProcess::start(tmux.home.path(), 40);
    tmux.use_sandbox(&sandbox);
    tmux.launch("app", &[]);
    tmux.wait_text("app", "signed out");
    tmux.keys("app", &["c"]);
    tmux.wait_text("app", "Status        ● connected");
    tmux.keys("app", &["3"]);
    let screen = tmux.wait_text("app", "· synced ");
    let lead = screen
        .lines()
        .nth(4)
        .unwrap()
        .split("  ")
        .next()
        .unwrap()
        .trim()
        .to_owned();
    drop(sandbox);
    tmux.keys("app", &["Enter"]);
    let screen = tmux.wait_for("app", "the lead's detail", |s| {
        s.contains("Contacts (") || s.contains("could not load")
    });
    assert!(!screen.contains("could not load"), "{screen}");
    assert!(screen.contains(&lead), "{lead} is not shown:\n{screen}");
    // A contact too, with its lead's name from the cache.
    tmux.keys("app", &["4"]);
    tmux.wait_text("app", "· synced ");
    tmux.keys("app", &["Enter"]);
    let screen = tmux.wait_for("app", "the contact's detail", |s| {
        s.contains("Lead id") || s.contains("could not load")
    });
    assert!(!screen.contains("could not load"), "{screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.trim_start().starts_with("Name         ")),
        "no lead name:\n{screen}"
    );
    tmux.keys("app", &["q"]);
    tmux.wait_exit("app");
}

/// A sync run in another terminal shows in the open app by itself: the
/// table reads the cache again, with no key pressed.
#[test]
fn a_sync_in_another_process_shows_without_a_keypress() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("elsewhere");
    let sandbox = SandboxProcess::start(tmux.home.path(), 40);
    tmux.use_sandbox(&sandbox);
    let login = tmux.run(&["login"]);
    assert!(login.status.success(), "{login:?}");
    let sync = tmux.run(&["sync", "leads"]);
    assert!(sync.status.success(), "{sync:?}");
    tmux.launch("app", &["--screen", "leads"]);
    let screen = tmux.wait_text("app", "· synced ");
    let summary = screen.lines().find(|l| l.starts_with("Leads  ")).unwrap();
    let count: usize = summary["Leads  ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    let organization = tmux.organization();
    let touch = format!(r#"{{"organization_id": "{organization}", "count": 0, "create": 2}}"#);
    sandbox.hook("POST", "/_sandbox/touch", &touch);
    let sync = tmux.run(&["sync", "leads"]);
    assert!(sync.status.success(), "{sync:?}");
    tmux.wait_text("app", &format!("Leads  {} · ", count + 2));
    tmux.keys("app", &["q"]);
    tmux.wait_exit("app");
}

/// `login` typed at a terminal where no browser opens: the URL is approved
/// in a browser elsewhere, and the address it was sent to is pasted back
/// while the callback server still waits.
#[test]
fn login_at_a_terminal_without_a_browser_takes_a_pasted_redirect() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("paste");
    let sandbox = SandboxProcess::start(tmux.home.path(), 10);
    tmux.use_sandbox(&sandbox);
    tmux.env.insert("BROWSER".into(), String::new());
    tmux.env.insert("DISPLAY".into(), String::new());
    tmux.env.insert("WAYLAND_DISPLAY".into(), String::new());
    let dir = tmux.home.path().to_owned();
    let (stdout, stderr, status) = (
        dir.join("login.out"),
        dir.join("login.err"),
        dir.join("login.status"),
    );
    // Read from files, not the screen: the pasted address (with its
    // code) is echoed there, as the person typed it.
    tmux.launch_shell(
        "login",
        &format!(
            "\"$CLOSE_TUI\" login >'{}' 2>'{}'; echo $? >'{}'; sleep 60",
            stdout.display(),
            stderr.display(),
            status.display()
        ),
    );
    let said = read_once_it_holds(&stderr, "paste the URL your browser was sent to here");
    assert!(
        said.contains("paste the URL your browser was sent to here"),
        "no paste offer:\n{said}"
    );
    assert!(said.contains("No browser was opened"), "{said}");
    let url = said
        .lines()
        .find(|l| l.contains("/oauth2/authorize/?"))
        .unwrap()
        .trim();
    let person = std::process::Command::new(tui_tmux::consent_user())
        .arg(url)
        .env("CONSENT_NO_FOLLOW", "1")
        .output()
        .unwrap();
    assert!(person.status.success(), "{person:?}");
    let redirect = String::from_utf8(person.stdout).unwrap();
    assert!(redirect.contains("code="), "{redirect}");
    tmux.type_text("login", redirect.trim());
    tmux.keys("login", &["Enter"]);
    assert_eq!(read_once_it_holds(&status, "\n").trim(), "0");
    let out = std::fs::read_to_string(&stdout).unwrap();
    assert!(out.starts_with("Connected to "), "{out}");
}

/// `login --api-key` at a terminal: the key typed does not show, and the
/// terminal echoes again afterwards, also when the login is interrupted
/// while it waits for the key.
#[test]
fn an_api_key_typed_at_the_terminal_does_not_show() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("apikey");
    let sandbox = SandboxProcess::start(tmux.home.path(), 10);
    tmux.use_sandbox(&sandbox);
    let key = sandbox.info["api_key"].as_str().unwrap().to_owned();
    let dir = tmux.home.path().to_owned();
    // Runs the login in session `name`, then writes its exit status and
    // the terminal's mode after it (which says whether it echoes). The
    // shell outlives a Ctrl-C its whole group gets: it runs a trap.
    let login = |name: &str| {
        let (status, mode) = (
            dir.join(format!("{name}.status")),
            dir.join(format!("{name}.stty")),
        );
        let script = format!(
            "trap true INT; \"$CLOSE_TUI\" login --api-key; echo $? >'{}'; stty -a >'{}'; sleep 60",
            status.display(),
            mode.display()
        );
        tmux.launch_shell(name, &script);
        tmux.wait_text(name, "it will not show");
        (status, mode)
    };
    let echoes = |mode: &std::path::Path| {
        let mode = read_once_it_holds(mode, "echo");
        assert!(mode.split_whitespace().any(|w| w == "echo"), "{mode}");
    };

    let (status, mode) = login("key");
    tmux.type_text("key", &key);
    tmux.keys("key", &["Enter"]);
    assert_eq!(read_once_it_holds(&status, "\n").trim(), "0");
    let screen = tmux.wait_text("key", "Connected to ");
    assert!(!screen.contains(&key[..12]), "the key shows:\n{screen}");
    echoes(&mode);

    // Interrupted at the prompt: echo comes back all the same.
    let (status, mode) = login("cut");
    tmux.keys("cut", &["C-c"]);
    assert_eq!(read_once_it_holds(&status, "\n").trim(), "130");
    echoes(&mode);
}
