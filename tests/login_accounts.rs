#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `status`, `switch` and `logout` through the real binary, and what the
//! login leaves on disk: a 0600 database and a log with no secret in them,
//! and a clean "signed out" when the database or its key is damaged.

mod cli_support;

use chrono::DateTime;
use cli_support::{Home, faults, org_and_email, request_log, sandbox};
use serde_json::Value;

const TOP_KEYS: [&str; 4] = ["accounts", "active", "check", "key_store"];
const ACCOUNT_KEYS: [&str; 10] = [
    "access_token_expires_at",
    "active",
    "auth",
    "last_refresh_at",
    "organization_id",
    "organization_name",
    "refresh_token_stored",
    "state",
    "user_email",
    "user_id",
];

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn is_rfc3339_or_null(value: &Value) -> bool {
    value.is_null() || DateTime::parse_from_rfc3339(value.as_str().unwrap_or("x")).is_ok()
}

/// Checks `status --json` against the documented schema, key for key and
/// type for type.
fn assert_schema(status: &Value) {
    assert_eq!(keys(status), TOP_KEYS, "{status:#}");
    assert!(status["active"].is_null() || status["active"].is_string());
    let check = &status["check"];
    if !check.is_null() {
        assert_eq!(keys(check), ["reason", "result"], "{status:#}");
        match check["result"].as_str() {
            Some("ok") => assert!(check["reason"].is_null(), "{status:#}"),
            Some("needs_login" | "unreachable") => {
                assert!(check["reason"].is_string(), "{status:#}")
            }
            _ => panic!("check.result: {status:#}"),
        }
    }
    assert!(matches!(
        status["key_store"].as_str(),
        Some("keyring" | "file")
    ));
    for account in status["accounts"].as_array().unwrap() {
        assert_eq!(keys(account), ACCOUNT_KEYS, "{account:#}");
        for name in [
            "organization_id",
            "organization_name",
            "user_id",
            "user_email",
        ] {
            assert!(account[name].is_string(), "{name}: {account:#}");
        }
        assert!(matches!(
            account["auth"].as_str(),
            Some("oauth" | "api_key")
        ));
        assert!(matches!(
            account["state"].as_str(),
            Some("connected" | "needs_login")
        ));
        assert!(account["active"].is_boolean());
        assert!(account["refresh_token_stored"].is_boolean());
        assert!(is_rfc3339_or_null(&account["access_token_expires_at"]));
        assert!(is_rfc3339_or_null(&account["last_refresh_at"]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_follows_the_schema_and_switch_moves_between_two_orgs() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    let (org_a, name_a, email_a) = org_and_email(&sandbox, 0);
    let (org_b, name_b, email_b) = org_and_email(&sandbox, 1);

    // Nobody logged in: the schema holds, and the exit says "not usable".
    let (out, status) = home.status_json(false).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert_schema(&status);
    assert_eq!(status["active"], Value::Null);
    assert_eq!(status["key_store"], "file");

    home.login().await.assert_ok();
    home.set("CONSENT_ORG", &name_b);
    let out = home.login().await;
    out.assert_ok();
    assert_eq!(
        out.stdout.trim(),
        format!("Connected to {name_b} as {email_b}")
    );

    let (out, status) = home.status_json(false).await;
    out.assert_ok();
    assert_schema(&status);
    assert_eq!(status["active"], org_b.as_str());
    let accounts = status["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    let a = accounts
        .iter()
        .find(|a| a["organization_id"] == org_a.as_str())
        .unwrap();
    assert_eq!(
        (
            &a["organization_name"],
            &a["user_email"],
            &a["auth"],
            &a["active"],
            &a["state"]
        ),
        (
            &Value::from(name_a.as_str()),
            &Value::from(email_a.as_str()),
            &Value::from("oauth"),
            &Value::from(false),
            &Value::from("connected")
        )
    );
    assert_eq!(a["refresh_token_stored"], true);
    assert!(a["access_token_expires_at"].is_string());

    // By name (any case), then by id.
    let out = home.run(&["switch", &name_a.to_uppercase()], None).await;
    out.assert_ok();
    assert!(
        out.stdout
            .contains(&format!("Switched to {name_a} as {email_a}"))
    );
    let (_, status) = home.status_json(true).await;
    assert_eq!(status["active"], org_a.as_str());
    home.run(&["switch", &org_b], None).await.assert_ok();
    let (_, status) = home.status_json(true).await;
    assert_eq!(status["active"], org_b.as_str());
    home.run(&["switch", "no such org"], None)
        .await
        .assert_fails_with("no stored account for `no such org`");

    // The human form names both and masks the token.
    let out = home.run(&["status"], None).await;
    out.assert_ok();
    assert!(out.stdout.contains(&name_a) && out.stdout.contains(&name_b));
    assert!(out.stdout.contains("working"), "{out:#?}");
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_at_close_and_deletes_the_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    home.run(&["sync"], None).await.assert_ok();
    let store = home.open_store();
    let account = store.active_account().unwrap().unwrap();
    let tokens = store.credentials(account.id()).unwrap();
    drop(store);
    let cached = |table: &str| -> i64 {
        let conn = with_search(home.db());
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert!(cached("cache_leads") > 0);

    let out = home.run(&["logout"], None).await;
    out.assert_ok();
    assert!(out.stdout.starts_with("Logged out of"), "{out:#?}");
    assert!(!out.stdout.contains("revoke failed"), "{out:#?}");
    let revokes = request_log(dir.path())
        .into_iter()
        .filter(|l| l["method"] == "POST" && l["path"] == "/oauth2/revoke/")
        .count();
    assert!(revokes >= 1, "no revoke in the request log");
    // The grant is dead at Close, and nothing is left here.
    let (status, _) =
        cli_support::refresh_at(&sandbox, tokens.refresh_token.unwrap().expose()).await;
    assert_eq!(status, 400);
    let (out, status) = home.status_json(true).await;
    assert_eq!(out.code, Some(1));
    assert_eq!(status["accounts"], serde_json::json!([]));
    // Nor the account's Close data.
    for table in [
        "cache_leads",
        "cache_contacts",
        "cache_opportunities",
        "cache_tasks",
        "cache_search",
        "cache_sync_state",
    ] {
        assert_eq!(cached(table), 0, "{table}");
    }
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_with_a_failing_revoke_says_so_and_still_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let mut home = Home::new(&sandbox);
    home.login().await.assert_ok();
    // The sandbox's token faults leave /oauth2/revoke/ alone, so point the
    // revoke at a port where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    faults(&sandbox, serde_json::json!({"token_mode": "error500"})).await;
    home.set(
        "CLOSE_REVOKE_URL",
        &format!("http://127.0.0.1:{port}/oauth2/revoke/"),
    );

    let out = home.run(&["logout", "--all"], None).await;
    out.assert_ok();
    assert!(out.stderr.contains("revoking at Close failed"), "{out:#?}");
    assert!(
        out.stdout.contains("revoke failed, local secrets deleted"),
        "{out:#?}"
    );
    let (_, status) = home.status_json(true).await;
    assert_eq!(status["accounts"], serde_json::json!([]));
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_database_the_log_or_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| args.access_ttl = 2).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    home.run(
        &["login", "--api-key"],
        Some(&format!("{}\n", sandbox.info.api_key)),
    )
    .await
    .assert_ok();
    home.run(&["switch", &org_and_email(&sandbox, 0).1], None)
        .await;
    // Let the token expire so `status` refreshes it (and logs about it).
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    home.run(&["status"], None).await.assert_ok();
    home.run(&["status", "--json"], None).await.assert_ok();

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in [home.db(), home.key_file(), home.log()] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} has mode {mode:o}", file.display());
        }
    }
    let log = std::fs::read(home.log()).unwrap();
    assert!(
        String::from_utf8_lossy(&log).contains("DEBUG"),
        "the log is not at debug level"
    );
    let wal = home.db().with_extension("db-wal");
    let mut places = vec![
        ("database", std::fs::read(home.db()).unwrap()),
        ("log", log),
        ("output", home.transcript()),
    ];
    if let Ok(bytes) = std::fs::read(&wal) {
        places.push(("wal", bytes));
    }
    for (place, bytes) in &places {
        cli_support::assert_free_of(place, bytes, &["sbx_at_", "sbx_rt_", &sandbox.info.api_key]);
    }
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_database_means_signed_out_and_is_left_in_place() {
    let home = Home::bare();
    std::fs::create_dir_all(home.db().parent().unwrap()).unwrap();
    let junk = b"this is not a database, just bytes ".repeat(200);
    std::fs::write(home.db(), &junk).unwrap();

    let out = home.run(&["status"], None).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    assert!(out.stdout.contains("Signed out"), "{out:#?}");
    assert!(out.stdout.contains("left in place"), "{out:#?}");
    let (out, status) = home.status_json(false).await;
    assert_eq!(out.code, Some(1));
    // The schema stays the same (nothing active, no accounts); the reason is
    // on stderr.
    assert_eq!(status["active"], serde_json::Value::Null);
    assert_eq!(status["accounts"], serde_json::json!([]));
    assert!(out.stderr.contains("signed out"), "{out:#?}");
    // Commands that need the store fail with the same one-line reason.
    home.run(&["switch", "x"], None)
        .await
        .assert_fails_with("unreadable");
    home.run(&["logout"], None)
        .await
        .assert_fails_with("unreadable");
    assert_eq!(std::fs::read(home.db()).unwrap(), junk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_means_needs_login_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |_| {}).await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    std::fs::remove_file(home.key_file()).unwrap();
    let db_before = std::fs::metadata(home.db()).unwrap().len();

    let out = home.run(&["status"], None).await;
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    assert!(out.stdout.contains("encryption key is missing"), "{out:#?}");
    let (out, status) = home.status_json(false).await;
    assert_eq!(out.code, Some(1));
    assert_schema(&status);
    assert_eq!(status["accounts"][0]["state"], "needs_login");
    assert!(home.db().exists() && std::fs::metadata(home.db()).unwrap().len() >= db_before);

    // A new login replaces the key and works again.
    home.login().await.assert_ok();
    home.run(&["status"], None).await.assert_ok();
    sandbox.stop().await;
}

/// `close-tui status | head -1`: a reader that has gone is no crash.
#[tokio::test]
async fn status_into_a_closed_pipe_stops_quietly() {
    let home = Home::bare();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    // `output()` would capture stdout again; spawn and wait instead.
    let child = home.command(&["status"]).stdout(writer).spawn().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_whose_account_logs_out_stops_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path(), |args| {
        args.leads = 3000;
        args.latency_ms = 100;
    })
    .await;
    let home = Home::new(&sandbox);
    home.login().await.assert_ok();
    let lead_pages = || {
        request_log(dir.path())
            .iter()
            .filter(|l| l["path"] == "/api/v1/lead/" && l["status"] == 200)
            .count()
    };
    let child = home.command(&["sync"]).spawn().unwrap();
    cli_support::eventually(std::time::Duration::from_secs(30), "lead pages", || {
        std::future::ready(lead_pages() >= 3)
    })
    .await;
    // Logged out in another process while pages are still on their way.
    home.run(&["logout"], None).await.assert_ok();
    let out = home.wait(child).await;
    assert_ne!(out.code, Some(0), "{out:#?}");
    let conn = with_search(home.db());
    for table in ["cache_leads", "cache_contacts", "cache_search"] {
        let rows: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "{table}: the sync wrote on after the logout");
    }
    sandbox.stop().await;
}

/// The database at `db`, with the search index's file beside it attached.
fn with_search(db: std::path::PathBuf) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(&db).unwrap();
    let search = close_tui::store::cache::search_path(&db);
    conn.execute("ATTACH DATABASE ?1 AS search", [search.to_str().unwrap()])
        .unwrap();
    conn
}
