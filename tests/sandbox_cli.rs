//! `close-tui sandbox` as a process: the JSON line on stdout, serving, and a
//! clean exit on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::Value;

#[test]
fn the_binary_prints_one_json_line_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_close-tui"))
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap();
    let mut keys: Vec<&str> = info
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "api_key",
            "api_url",
            "authorize_url",
            "base_url",
            "client_id",
            "client_secret",
            "revoke_url",
            "token_url"
        ]
    );
    let api_url = info["api_url"].as_str().unwrap();
    assert!(
        api_url.ends_with("/api/v1/")
            && info["token_url"]
                .as_str()
                .unwrap()
                .ends_with("/oauth2/token/")
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{api_url}me/"))
            .basic_auth(info["api_key"].as_str().unwrap(), None::<&str>)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, StatusCode::OK);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the sandbox did not stop within 5 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
}
