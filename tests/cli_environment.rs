#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What the environment can do to a command: a variable that is not ours
//! is none of its business, whatever its bytes; one of ours that cannot be
//! read is refused by name, and a bad log filter is noted in the log.

mod cli_support;

use std::{ffi::OsString, os::unix::ffi::OsStringExt};

use cli_support::Home;

/// `text` with a byte that is never UTF-8 after it.
fn not_utf8(text: &str) -> OsString {
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(0xff);
    OsString::from_vec(bytes)
}

#[tokio::test]
async fn foreign_bytes_in_someone_elses_variable_change_nothing() {
    let home = Home::bare();
    let out = home
        .run_with(&["status", "--offline"], None, |command| {
            command.env("LC_SOMETHING_ELSE", not_utf8("x"));
        })
        .await;
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    assert!(out.stdout.contains("Not logged in"), "{out:#?}");
}

#[tokio::test]
async fn one_of_ours_that_is_not_utf8_is_refused_by_name() {
    let home = Home::bare();
    for name in ["CLOSE_API_KEY", "CLOSE_TUI_CONFIG", "CLOSE_TUI_DB"] {
        let out = home
            .run_with(&["status", "--offline"], None, |command| {
                command.env(name, not_utf8("api_secret"));
            })
            .await;
        out.assert_fails_with(&format!("{name} (environment): is not valid UTF-8"));
        assert!(!out.stderr.contains("api_secret"), "{out:#?}");
    }
}

#[tokio::test]
async fn a_key_store_setting_we_do_not_know_is_named_as_the_setting() {
    let mut home = Home::bare();
    home.set("CLOSE_TUI_KEY_STORE", "fiel");
    let out = home.run(&["logout", "--all"], None).await;
    out.assert_fails_with(r#"CLOSE_TUI_KEY_STORE="fiel" is not one of auto, keyring, file"#);
    assert!(!out.stderr.contains("key file error"), "{out:#?}");
    // Not a sign-out either: status fails on it as on any bad setting.
    let out = home.run(&["status", "--json"], None).await;
    out.assert_fails_with(r#"CLOSE_TUI_KEY_STORE="fiel" is not one of"#);
    assert!(out.stdout.is_empty(), "{out:#?}");
}

#[tokio::test]
async fn a_log_filter_that_does_not_parse_is_noted_in_the_log() {
    let mut home = Home::bare();
    home.set("CLOSE_TUI_LOG", "close_tui=loud=yes");
    home.run(&["status", "--offline"], None).await;
    let log = std::fs::read_to_string(home.log()).unwrap();
    assert!(
        log.contains(r#"CLOSE_TUI_LOG "close_tui=loud=yes" is not a log filter"#)
            && log.contains("logging at info"),
        "{log}"
    );
}

/// Only `login` makes the database: a mistyped --db reads as "not logged
/// in here" for every other command, and leaves no file or key behind.
#[tokio::test]
async fn a_database_path_that_is_not_there_is_not_made() {
    let home = Home::bare();
    let typo = home.path().join("typo/x.db");
    let db = typo.to_str().unwrap();
    for args in [
        &["--db", db, "export", "leads"][..],
        &["--db", db, "sync"],
        &["--db", db, "switch", "Acme"],
    ] {
        let out = home.run(args, None).await;
        out.assert_fails_with("not logged in: no database at");
    }
    // Nothing to log out of, as with an empty database: safe to repeat.
    let out = home.run(&["--db", db, "logout"], None).await;
    out.assert_ok();
    assert_eq!(out.stdout, "Not logged in.\n");
    let out = home.run(&["--db", db, "status", "--offline"], None).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(
        out.stdout.starts_with("Not logged in: no database at"),
        "{out:#?}"
    );
    assert!(!home.path().join("typo").exists(), "a directory was made");
    assert!(!home.key_file().exists(), "a key was made");
}
