#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The binary with its output streams closed or full: a pipe whose reader
//! has gone (`close-tui sync 2>&1 | grep -m1 leads`) or a full disk
//! (`2>/dev/full`). Diagnostics are lost then, never a crash: the command
//! still does its work and exits as it would have.

mod cli_support;

use std::{fs::File, process::Stdio};

use cli_support::{Home, Output, assert_cache_matches, org_and_email, sandbox};

/// A writer whose reader has already gone.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

fn full_disk() -> Stdio {
    File::options()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

fn assert_no_crash(out: &Output) {
    assert!(
        !matches!(out.code, Some(101 | 134) | None),
        "crashed: {out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_with_a_closed_or_full_stderr_still_fills_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.leads = 200).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    home.run(&["login", "--api-key"], None).await.assert_ok();
    let (organization_id, _, _) = org_and_email(&sandbox, 0);

    let out = home
        .run_with(&["sync"], None, |command| {
            command.stderr(closed_pipe());
        })
        .await;
    assert_no_crash(&out);
    out.assert_ok();
    assert_cache_matches(&home, &sandbox, &organization_id).await;

    let out = home
        .run_with(&["sync", "--full"], None, |command| {
            command.stderr(full_disk());
        })
        .await;
    assert_no_crash(&out);
    out.assert_ok();
    assert_cache_matches(&home, &sandbox, &organization_id).await;
    sandbox.stop().await;
}

/// The one-line failure itself goes to a stderr that cannot take it.
#[tokio::test]
async fn a_failure_into_a_closed_or_full_stderr_still_exits_1() {
    let home = Home::bare();
    for stderr in [closed_pipe(), full_disk()] {
        let out = home
            .run_with(&["switch", "nowhere"], None, |command| {
                command.stderr(stderr);
            })
            .await;
        assert_eq!(out.code, Some(1), "{out:#?}");
    }
}

/// Output that cannot be written (`close-tui status > /dev/full`) is a
/// one-line failure, not a panic; a closed pipe stays a quiet 141.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_into_a_full_disk_is_a_one_line_failure() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.set("CLOSE_API_KEY", &sandbox.info.api_key);
    home.run(&["login", "--api-key"], None).await.assert_ok();
    home.unset("CLOSE_API_KEY");
    let (organization_id, _, _) = org_and_email(&sandbox, 0);

    for args in [
        &["status"][..],
        &["status", "--json"],
        &["switch", &organization_id],
    ] {
        let out = home
            .run_with(args, None, |command| {
                command.stdout(full_disk());
            })
            .await;
        out.assert_fails_with("cannot write the output: No space left on device");
        assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");

        let out = home
            .run_with(args, None, |command| {
                command.stdout(closed_pipe());
            })
            .await;
        assert_eq!(out.code, Some(141), "{out:#?}");
        assert!(out.stderr.is_empty(), "{out:#?}");
    }
    sandbox.stop().await;
}
