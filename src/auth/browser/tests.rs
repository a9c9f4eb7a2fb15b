use super::*;

fn env(os: &str, display: bool, wayland: bool, ssh: bool) -> BrowserEnv {
    let some = |on: bool, v: &str| on.then(|| v.to_owned());
    BrowserEnv {
        os: os.to_owned(),
        display: some(display, ":0"),
        wayland_display: some(wayland, "wayland-0"),
        ssh_connection: some(ssh, "10.0.0.1 5000 10.0.0.2 22"),
        browser: None,
        share_terminal: false,
    }
}

#[test]
fn headless_detection_table() {
    let cases = [
        ("linux", false, false, false, true),
        ("linux", true, false, false, false),
        ("linux", false, true, false, false),
        ("linux", true, true, true, true),
        ("freebsd", false, false, false, true),
        ("macos", false, false, false, false),
        ("macos", false, false, true, true),
        ("windows", false, false, false, false),
    ];
    for (os, display, wayland, ssh, headless) in cases {
        let e = env(os, display, wayland, ssh);
        assert_eq!(
            e.headless_reason().is_some(),
            headless,
            "{os} display={display} wayland={wayland} ssh={ssh}"
        );
    }
}

#[test]
fn splitting_follows_shell_words() {
    let cases: [(&str, &[&str]); 9] = [
        ("firefox", &["firefox"]),
        ("  firefox   --new-tab ", &["firefox", "--new-tab"]),
        ("'/opt/My Browser/bin' -x", &["/opt/My Browser/bin", "-x"]),
        (r#""a \"b\" \$c \n" d"#, &[r#"a "b" $c \n"#, "d"]),
        (r"a\ b c", &["a b", "c"]),
        ("x''y", &["xy"]),
        ("''", &[""]),
        ("", &[]),
        ("w3m -o 'a=1'", &["w3m", "-o", "a=1"]),
    ];
    for (line, expected) in cases {
        assert_eq!(split_command_line(line).unwrap(), expected, "{line}");
    }
    assert!(split_command_line("'open").is_err());
    assert!(split_command_line("\"open").is_err());
}

#[test]
fn url_is_the_last_argument() {
    let url = "https://x.test/a?b=1&c=2";
    assert_eq!(
        browser_argv("lynx -accept_all_cookies", url).unwrap(),
        ["lynx", "-accept_all_cookies", url]
    );
    assert_eq!(
        browser_argv("sh -c 'echo %s'", url).unwrap(),
        ["sh", "-c", "echo %s", url]
    );
}

#[test]
fn headless_without_browser_setting_skips() {
    let launch = open("https://x.test/", None, &env("linux", false, false, false));
    assert!(matches!(launch, Launch::Skipped { .. }), "{launch:?}");
}

#[cfg(unix)]
#[test]
fn browser_command_runs_even_without_display() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seen");
    let command = format!("sh -c 'echo \"$0\" > {}'", out.display());
    let launch = open(
        "https://x.test/?a=1",
        Some(&command),
        &env("linux", false, false, true),
    );
    assert!(matches!(launch, Launch::Started { .. }), "{launch:?}");
    for _ in 0..100 {
        if std::fs::read_to_string(&out).is_ok_and(|s| !s.is_empty()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read_to_string(&out).unwrap().trim_end(),
        "https://x.test/?a=1"
    );
}

#[test]
fn missing_browser_program_is_reported() {
    let launch = open(
        "https://x.test/",
        Some("/nonexistent/browser-xyz"),
        &env("linux", true, false, false),
    );
    assert!(matches!(launch, Launch::Failed { .. }), "{launch:?}");
}

#[test]
fn ssh_hint_names_the_port_twice_and_the_address_bound() {
    let v4 = ssh_tunnel_hint("127.0.0.1:43123".parse().unwrap());
    assert!(v4.contains("ssh -L 43123:127.0.0.1:43123"), "{v4}");
    let v6 = ssh_tunnel_hint("[::1]:43123".parse().unwrap());
    assert!(v6.contains("ssh -L 43123:[::1]:43123"), "{v6}");
}
