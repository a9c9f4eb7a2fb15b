#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The TUI's own background sync through a storm: the sandbox (a separate
//! process) refuses the first two attempts of every API request with 429,
//! 500, 502, 503 and 504 in turn. The TUI, in tmux, still reports the leads
//! synced, and its cache holds each of the organization's records once.

mod tui_tmux;

use std::collections::BTreeSet;

use serde_json::Value;
use tui_tmux::{SandboxProcess, Tmux, have_tmux};

#[test]
fn the_tuis_sync_gets_through_a_storm_with_every_record_once() {
    if !have_tmux() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let mut tmux = Tmux::new("storm");
    let sandbox = SandboxProcess::start(tmux.home.path(), 400);
    tmux.use_sandbox(&sandbox);
    let login = tmux.run(&["login"]);
    assert!(login.status.success(), "{login:?}");
    let logged_in = sandbox.requests().len();

    sandbox.hook("POST", "/_sandbox/faults", r#"{"storm": 2}"#);
    tmux.launch("tui", &[]);
    tmux.wait_text("tui", "Status        ● connected");
    tmux.keys("tui", &["3"]);
    tmux.wait_text("tui", "· synced ");
    tmux.keys("tui", &["q"]);
    tmux.wait_exit("tui");
    sandbox.hook("POST", "/_sandbox/faults", r#"{"storm": 0}"#);

    let statuses: BTreeSet<u64> = sandbox.requests()[logged_in..]
        .iter()
        .filter(|line| line["path"].as_str().unwrap().starts_with("/api/v1/"))
        .map(|line| line["status"].as_u64().unwrap())
        .collect();
    for status in [429, 500, 502, 503, 504] {
        assert!(statuses.contains(&status), "no {status}: {statuses:?}");
    }

    let organization = &tmux.organization();
    let totals = sandbox.hook(
        "GET",
        &format!("/_sandbox/totals?organization_id={organization}"),
        "",
    );
    for (resource, key) in [
        ("leads", "leads"),
        ("contacts", "contacts"),
        ("opportunities", "opportunities"),
    ] {
        let out = tmux.run(&["export", resource]);
        assert!(out.status.success(), "{out:?}");
        let ids: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "duplicate {resource}");
        assert_eq!(
            ids.len() as u64,
            totals[key].as_u64().unwrap(),
            "{resource}"
        );
    }
}
