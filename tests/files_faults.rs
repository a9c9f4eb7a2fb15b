#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A disk that refuses writes: a database path that cannot exist, a
//! read-only data directory and a full one. Each gives one clear error
//! line, never a panic, and leaves no half-written state: afterwards the
//! database passes SQLite's integrity check, the account that was there is
//! still there and usable, and no temporary file is left behind.
//!
//! Tests run as root, where permission bits are not enforced, so `chmod`
//! proves nothing. Instead the binary runs in a private mount namespace
//! (`unshare -m`) where its data directory is a read-only bind mount or a
//! small tmpfs; the mounts vanish with the namespace. Where that is not
//! allowed, those tests say so and skip. The path-under-a-file case needs
//! no privilege and always runs.
#![cfg(unix)]

mod cli_support;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
};

use cli_support::{Home, Output, org_and_email, sandbox};
use tokio::process::Command;

/// Runs `script` under `sh` in a private mount namespace, with `$BIN` the
/// binary, `$DATA`, `$CONFIG` and `$STATE` the XDG bases, and `step NAME
/// ARGS…` running `close-tui ARGS…` into `$OUT/NAME.{out,err,rc}`.
fn namespaced(home: &Home, script: &str) -> Command {
    let out = home.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let prelude = r#"
set -u
step() {
    name=$1; shift
    "$BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    echo $? >"$OUT/$name.rc"
}
"#;
    let mut command = Command::new("unshare");
    command
        .args(["-m", "--propagation", "private", "sh", "-c"])
        .arg(format!("{prelude}{script}"))
        .current_dir(home.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(home.vars().iter().map(|(k, v)| (k, v)))
        .env("BIN", env!("CARGO_BIN_EXE_close-tui"))
        .env("OUT", &out)
        .env("DATA", home.path().join("data"))
        .env("CONFIG", home.path().join("config"))
        .env("STATE", home.path().join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// True when this machine lets us mount in a private namespace; says why
/// not otherwise.
async fn can_mount() -> bool {
    let dir = tempfile::tempdir().unwrap();
    let probe = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c"])
        .arg("mount -t tmpfs -o size=64k tmpfs \"$0\" && mount -o remount,ro \"$0\"")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .await;
    match probe {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!(
                "skipped: cannot mount in a private namespace here (needs root or CAP_SYS_ADMIN): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            false
        }
        Err(err) => {
            eprintln!("skipped: `unshare` cannot run here: {err}");
            false
        }
    }
}

/// Runs a namespaced script to the end and checks it ran.
async fn run_namespaced(home: &Home, script: &str) {
    let out = namespaced(home, script).output().await.unwrap();
    assert!(
        out.status.success(),
        "the script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What `step NAME` recorded.
fn step(home: &Home, name: &str) -> Output {
    let read = |ext: &str| {
        std::fs::read_to_string(home.path().join("out").join(format!("{name}.{ext}")))
            .unwrap_or_else(|err| panic!("step {name} did not run: {err}"))
    };
    let output = Output {
        code: read("rc").trim().parse().ok(),
        stdout: read("out"),
        stderr: read("err"),
    };
    home.record(output.stdout.as_bytes(), output.stderr.as_bytes());
    output
}

/// Asserts a clean failure: exit 1, a last line `close-tui: …` containing
/// every one of `words`, no panic.
fn assert_clean_failure(output: &Output, words: &[&str]) {
    assert_eq!(output.code, Some(1), "{output:#?}");
    assert!(!output.stderr.contains("panicked"), "{output:#?}");
    let last = output.stderr.lines().last().unwrap_or_default();
    eprintln!("failed as expected: {last}");
    assert!(last.starts_with("close-tui: "), "{output:#?}");
    assert!(
        words.iter().all(|w| last.contains(w)),
        "expected {words:?} in the last line: {output:#?}"
    );
}

/// Files a write left behind: temporaries of the key file and the like.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.contains(".tmp") || name == "filler"
        })
        .collect()
}

/// The database's integrity check, read straight with SQLite.
fn integrity(db: &Path) -> String {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

/// The organizations `status --json` lists.
async fn organizations(home: &Home) -> Vec<String> {
    let (out, json) = home.status_json(false).await;
    out.assert_ok();
    json["accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("no accounts in {json}"))
        .iter()
        .map(|a| {
            a["organization_name"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_path_under_a_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    let blocker = home.path().join("not-a-dir");
    std::fs::write(&blocker, "a file where a directory should be").unwrap();
    let db = blocker.join("close-tui.db");
    home.set("CLOSE_TUI_DB", db.to_str().unwrap());

    let out = home.login().await;
    assert_clean_failure(&out, &["not-a-dir: a file, not a directory"]);
    assert!(out.stderr.contains("not-a-dir"), "names the path: {out:#?}");
    // It stopped before the browser and wrote nothing anywhere.
    assert!(home.consent_lines().is_empty(), "the browser was opened");
    assert!(!home.key_file().exists(), "a key file without a database");
    assert!(leftovers(&home.path().join("config/close-tui")).is_empty());
    let out = home.run(&["status"], None).await;
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_dir_fails_cleanly_and_keeps_the_account() {
    if !can_mount().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    let (_, first, _) = org_and_email(&sandbox, 0);
    let (_, second, _) = org_and_email(&sandbox, 1);
    home.login().await.assert_ok();
    assert_eq!(organizations(&home).await, [first.as_str()]);

    // A second login, for the other organization, on a read-only disk;
    // then `status`, which only reads.
    home.set("CONSENT_ORG", "1");
    run_namespaced(
        &home,
        r#"
mount --bind "$DATA" "$DATA" && mount -o remount,bind,ro "$DATA" || exit 99
step login login
step status status --json
"#,
    )
    .await;
    let login = step(&home, "login");
    assert_clean_failure(&login, &["close-tui.db", "read-only"]);
    let status = step(&home, "status");
    assert!(!status.stderr.contains("panicked"), "{status:#?}");

    // Writable again: nothing was half-written, the first account works.
    assert_eq!(integrity(&home.db()), "ok");
    assert_eq!(organizations(&home).await, [first.as_str()]);
    assert!(leftovers(&home.path().join("data/close-tui")).is_empty());
    assert!(leftovers(&home.path().join("config/close-tui")).is_empty());
    home.login().await.assert_ok();
    let mut both = organizations(&home).await;
    both.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(both, expected);
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_dir_from_the_start_writes_nothing() {
    if !can_mount().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    run_namespaced(
        &home,
        r#"
mkdir -p "$DATA"
mount --bind "$DATA" "$DATA" && mount -o remount,bind,ro "$DATA" || exit 99
step login login
"#,
    )
    .await;
    let login = step(&home, "login");
    assert_clean_failure(&login, &["data/close-tui", "Read-only file system"]);
    assert!(home.consent_lines().is_empty(), "the browser was opened");
    assert!(!home.db().exists());
    assert!(!home.key_file().exists(), "a key file without a database");
    assert!(leftovers(&home.path().join("config/close-tui")).is_empty());
    // Once the disk is writable, the login just works.
    home.login().await.assert_ok();
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_data_dir_fails_cleanly_and_keeps_the_account() {
    if !can_mount().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    let (_, first, _) = org_and_email(&sandbox, 0);
    home.set("CONSENT_ORG", "0");
    // Log in on a small tmpfs, fill it up, log in to the other
    // organization, then free the space and look; copy the data out, since
    // the tmpfs goes away with the namespace.
    run_namespaced(
        &home,
        r#"
mkdir -p "$DATA"
mount -t tmpfs -o size=8m tmpfs "$DATA" || exit 99
step first login
dd if=/dev/zero of="$DATA/filler" bs=4096 2>/dev/null
CONSENT_ORG=1 step second login
CONSENT_ORG=1 step third_status status --json
rm "$DATA/filler"
step status status --json
mkdir -p "$OUT/data" && cp -a "$DATA/." "$OUT/data/"
"#,
    )
    .await;
    step(&home, "first").assert_ok();
    let second = step(&home, "second");
    assert_clean_failure(&second, &["full"]);
    let full_status = step(&home, "third_status");
    assert!(!full_status.stderr.contains("panicked"), "{full_status:#?}");
    let status = step(&home, "status");
    status.assert_ok();
    let json = status.json();
    let names: Vec<&str> = json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["organization_name"].as_str())
        .collect();
    assert_eq!(names, [first.as_str()], "{json}");
    let copy = home.path().join("out/data/close-tui/close-tui.db");
    assert_eq!(integrity(&copy), "ok");
    let left = leftovers(&home.path().join("out/data/close-tui"));
    assert!(left.is_empty(), "{left:?} {second:#?} {full_status:#?}");
    assert!(leftovers(&home.path().join("config/close-tui")).is_empty());
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_fills_mid_login_never_leaves_half_an_account() {
    if !can_mount().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    let (_, first, _) = org_and_email(&sandbox, 0);
    let (_, second, _) = org_and_email(&sandbox, 1);
    home.set("CONSENT_ORG", "0");
    // Leave a little more room each time (a reserve file is kept while
    // the disk is filled, then removed), so the second login runs out of
    // space at a different write each time: opening, the WAL, the account.
    let reserves = [4, 8, 12, 16, 24, 32, 40, 48, 64, 96, 128, 256];
    let script = format!(
        r#"
mkdir -p "$DATA"
mount -t tmpfs -o size=8m tmpfs "$DATA" || exit 99
step first login
for kb in {}; do
    dd if=/dev/zero of="$DATA/reserve" bs=1024 count=$kb 2>/dev/null
    dd if=/dev/zero of="$DATA/filler" bs=4096 2>/dev/null
    rm "$DATA/reserve"
    CONSENT_ORG=1 step "try$kb" login
    rm "$DATA/filler"
    step "after$kb" status --json
done
mkdir -p "$OUT/data" && cp -a "$DATA/." "$OUT/data/"
"#,
        reserves.map(|kb| kb.to_string()).join(" ")
    );
    run_namespaced(&home, &script).await;
    step(&home, "first").assert_ok();
    let mut connected_second = false;
    let mut reached_browser = 0;
    for kb in reserves {
        let attempt = step(&home, &format!("try{kb}"));
        if attempt.ok() {
            connected_second = true;
        } else {
            assert_clean_failure(&attempt, &[]);
        }
        // A failure after the browser step is the write that matters most.
        reached_browser = home.consent_lines().len().saturating_sub(1);
        let after = step(&home, &format!("after{kb}"));
        after.assert_ok();
        let json = after.json();
        let mut names: Vec<&str> = json["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["organization_name"].as_str())
            .collect();
        names.sort();
        let mut expected = vec![first.as_str()];
        if connected_second {
            expected.push(second.as_str());
        }
        expected.sort();
        assert_eq!(names, expected, "after {kb} KiB: {json}");
        eprintln!(
            "{kb:>4} KiB free: {}",
            if attempt.ok() {
                "connected".to_owned()
            } else {
                attempt.stderr.lines().last().unwrap_or_default().to_owned()
            }
        );
    }
    eprintln!(
        "{reached_browser} of {} attempts reached the browser",
        reserves.len()
    );
    let copy = home.path().join("out/data/close-tui/close-tui.db");
    assert_eq!(integrity(&copy), "ok");
    assert!(leftovers(&home.path().join("out/data/close-tui")).is_empty());
    assert!(leftovers(&home.path().join("config/close-tui")).is_empty());
    sandbox.stop().await;
}
