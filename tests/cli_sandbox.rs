#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `close-tui sandbox`'s mistakes are one line: a busy port, flags out of
//! their documented range, and global flags it would not use.

mod cli_support;

use cli_support::Home;

#[tokio::test]
async fn a_busy_port_is_a_one_line_failure() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = Home::bare().run(&["sandbox", "--port", &port], None).await;
    out.assert_fails_with(&format!("cannot listen on 127.0.0.1:{port}: it is in use"));
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
    drop(busy);
}

#[tokio::test]
async fn fail_rates_outside_0_to_1_are_usage_errors() {
    let home = Home::bare();
    for flag in ["--fail-rate", "--token-fail-rate"] {
        for value in ["2", "-0.5", "nan"] {
            let arg = format!("{flag}={value}");
            let out = home.run(&["sandbox", "--port", "0", &arg], None).await;
            assert_eq!(out.code, Some(2), "{flag} {value}: {out:#?}");
            assert!(out.stderr.contains("from 0 to 1"), "{out:#?}");
        }
        // Written apart, as people do: not "an unexpected argument -0".
        let out = home.run(&["sandbox", flag, "-0.1"], None).await;
        assert!(out.stderr.contains("from 0 to 1"), "{out:#?}");
    }
}

/// Numbers that would exhaust memory or overflow a clock are refused as
/// usage errors, not met with an abort or a panic later.
#[tokio::test]
async fn sizes_and_lifetimes_past_their_bounds_are_usage_errors() {
    let home = Home::bare();
    for args in [
        &["sandbox", "--leads", "100000000000"][..],
        &["sandbox", "--access-ttl", "18446744073709551615"],
        &["sandbox", "--access-ttl", "0"],
        &["sandbox", "--latency-ms", "999999999"],
        &["demo", "--leads", "2000000"],
    ] {
        let out = home.run(args, None).await;
        assert_eq!(out.code, Some(2), "{args:?}: {out:#?}");
        assert!(out.stderr.contains("is not in"), "{args:?}: {out:#?}");
    }
}

#[tokio::test]
async fn it_listens_on_loopback_only_and_takes_close_shaped_keys() {
    let home = Home::bare();
    for (args, says) in [
        (["--host", "0.0.0.0"], "a loopback address"),
        (["--host", "192.168.1.2"], "a loopback address"),
        (["--api-key", "secret"], "starts with `api_`"),
        (["--api-key", "api_"], "starts with `api_`"),
    ] {
        let mut line = vec!["sandbox", "--port", "0"];
        line.extend(args);
        let out = home.run(&line, None).await;
        assert_eq!(out.code, Some(2), "{args:?}: {out:#?}");
        assert!(out.stderr.contains(says), "{args:?}: {out:#?}");
    }
}

#[tokio::test]
async fn the_database_and_config_flags_are_refused_not_ignored() {
    let home = Home::bare();
    for flag in ["--db", "--config"] {
        let out = home
            .run(&["sandbox", "--port", "0", flag, "/tmp/unused"], None)
            .await;
        out.assert_fails_with("--db and --config are not used");
    }
}
