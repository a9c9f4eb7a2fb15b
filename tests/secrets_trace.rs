#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The secret scan itself, end to end. Every test that runs the binary
//! through `cli_support` or `tui_tmux` logs at trace level and has its home
//! scanned when it ends; this file checks that the scan covers what it
//! claims (a trace log, the database, a WAL left by a killed process, the
//! key file, everything printed, a panic report) and that it catches a
//! planted leak, so a scan that silently looked at nothing would fail here.

mod cli_support;

use std::time::Duration;

use cli_support::{Home, eventually, request_log, sandbox, secret_scan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_traced_session_leaves_no_secret_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| {
        args.leads = 1500;
        args.access_ttl = 2;
        args.latency_ms = 5;
    })
    .await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    home.run(&["sync"], None).await.assert_ok();
    // An expired token: status refreshes it (a rotation, logged at trace).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    home.run(&["status"], None).await.assert_ok();
    home.run(&["export", "leads", "--format", "csv"], None)
        .await
        .assert_ok();

    // A panic report, with the fullest backtrace color-eyre gives: today
    // `status` panics when its stdout is a closed pipe.
    let mut child = home
        .command(&["status"])
        .env("RUST_BACKTRACE", "full")
        .env("COLORBT_SHOW_HIDDEN", "1")
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let panicked = home.wait(child).await;
    let panic_report = panicked.stderr.contains("The application panicked");

    // Last, so no later run merges it away: a sync killed mid-write leaves
    // its write-ahead log behind.
    let served = |dir: &std::path::Path| {
        request_log(dir)
            .iter()
            .filter(|line| line["path"] == "/api/v1/lead/" && line["status"] == 200)
            .count()
    };
    let before = served(dir.path());
    let mut child = home.command(&["sync", "--full"]).spawn().unwrap();
    eventually(Duration::from_secs(20), "two lead pages", || {
        std::future::ready(served(dir.path()) >= before + 2)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    child.start_kill().unwrap();
    home.wait(child).await;

    let log = std::fs::read_to_string(home.log()).unwrap();
    assert!(log.contains("TRACE"), "the log is not at trace level");
    let wal = home.db().with_extension("db-wal");
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let coverage = home.scan_secrets();
    let secrets = secret_scan::recorded(&dir.path().join("secrets.txt"));
    eprintln!(
        "scanned {} files and {} bytes (log {} bytes, WAL {wal_bytes} bytes, panic report: {panic_report}) for {} secrets",
        coverage.files,
        coverage.bytes,
        log.len(),
        coverage.secrets
    );
    // The API key, the client secret, the code, the first pair and at
    // least one rotated pair.
    assert!(secrets.len() >= 7, "{} secrets recorded", secrets.len());
    assert_eq!(coverage.secrets, secrets.len());
    let client_files: Vec<_> = secret_scan::client_files(home.path());
    for wanted in [home.db(), home.key_file(), home.log()] {
        assert!(
            client_files.contains(&wanted),
            "{} not scanned",
            wanted.display()
        );
    }
    if cfg!(unix) {
        assert!(wal_bytes > 0, "the killed sync left no WAL to scan");
        assert!(client_files.contains(&wal));
    }
    sandbox.stop().await;
}

#[test]
fn the_scan_catches_a_planted_secret_and_a_stray_token() {
    let root = tempfile::tempdir().unwrap();
    let secret = "sandbox-secret".to_owned();
    let state = root.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("close-tui.log"), "INFO refreshed\n").unwrap();
    // The sandbox's own files may hold secrets: they are not the client's.
    std::fs::write(root.path().join("secrets.txt"), &secret).unwrap();
    std::fs::write(root.path().join("consent.log"), "code=sbx_ac_x").unwrap();
    let clean = secret_scan::scan(
        root.path(),
        &[("output", b"ok")],
        std::slice::from_ref(&secret),
    );
    assert_eq!(clean.unwrap().files, 1);

    let leak = secret_scan::scan(
        root.path(),
        &[("output", b"client secret: sandbox-secret")],
        std::slice::from_ref(&secret),
    );
    assert!(leak.unwrap_err().starts_with("output holds"));

    std::fs::write(state.join("close-tui.log"), "DEBUG token=sbx_rt_abc\n").unwrap();
    let stray = secret_scan::scan(root.path(), &[], &[]).unwrap_err();
    assert!(stray.contains("close-tui.log"), "{stray}");
    // The report never repeats the secret whole.
    assert!(!stray.contains("sbx_rt_abc"), "{stray}");
}
