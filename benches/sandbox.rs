//! Sandbox benchmark: start-up time and memory with 100,000 leads, and lead
//! pages served per second to one keep-alive client: a minimal HTTP/1.1
//! client (the sandbox's own pace) and reqwest (what an app sees).
//!
//! Runs the release binary as a separate process, the way people run it:
//! `cargo bench --bench sandbox`. Set `SANDBOX_BENCH_LEADS`,
//! `SANDBOX_BENCH_RUNS` or `SANDBOX_BENCH_SECS` to change the defaults
//! (100000, 5, 5), and `SANDBOX_BENCH_BIN` to measure another build.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

#[path = "common/proc.rs"]
mod proc_stats;

use proc_stats::{cpu_seconds, env_or, memory_mib};

struct Started {
    child: Child,
    info: serde_json::Value,
    ready: Duration,
}

fn start(leads: u64) -> Started {
    let began = Instant::now();
    // SANDBOX_BENCH_BIN runs another build (say, an older commit's) under
    // the same client, for before-and-after figures.
    let binary = std::env::var("SANDBOX_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_close-tui").into());
    let mut child = Command::new(binary)
        .args(["sandbox", "--port", "0", "--leads", &leads.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the sandbox");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready = began.elapsed();
    let info = serde_json::from_str(&line).expect("the sandbox's JSON line");
    Started { child, info, ready }
}

/// Pages per second of wall clock, and the number of pages.
fn pages_per_second(info: &serde_json::Value, secs: u64) -> (f64, u64) {
    let api = info["api_url"].as_str().unwrap().to_owned();
    let key = info["api_key"].as_str().unwrap().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        let url = format!("{api}lead/");
        let deadline = Instant::now() + Duration::from_secs(secs);
        let began = Instant::now();
        let mut pages = 0u64;
        let mut skip = 0u64;
        while Instant::now() < deadline {
            let response = client
                .get(&url)
                .basic_auth(&key, Some(""))
                .query(&[("_limit", "100"), ("_skip", &skip.to_string())])
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            // Decoding 100 leads would cost the client more than the server;
            // find has_more in the bytes instead, from the end, where the
            // top-level key is. Scanning 350 KB from the front cost the
            // client ~0.3 ms a page, half of what the server spends on it.
            let body = response.bytes().await.unwrap();
            let has_more = has_more(&body);
            skip = if has_more { skip + 100 } else { 0 };
            pages += 1;
        }
        (pages as f64 / began.elapsed().as_secs_f64(), pages)
    })
}

/// The same pages through a minimal HTTP/1.1 keep-alive client over one
/// blocking socket: it writes each request, reads the head up to its blank
/// line and then exactly `Content-Length` bytes into a reused buffer. It
/// costs far less per page than reqwest, so this figure is the sandbox's
/// own pace, as load tools like wrk measure it. Every response is checked
/// for a 200 and its whole body read.
fn raw_pages_per_second(info: &serde_json::Value, secs: u64) -> (f64, u64) {
    use base64::Engine;
    use std::io::{Read, Write};

    let base: url::Url = info["api_url"].as_str().unwrap().parse().unwrap();
    let key = info["api_key"].as_str().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{key}:"));
    let host = format!("{}:{}", base.host_str().unwrap(), base.port().unwrap());
    let mut socket = std::net::TcpStream::connect(&host).unwrap();
    socket.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let deadline = Instant::now() + Duration::from_secs(secs);
    let began = Instant::now();
    let (mut pages, mut skip) = (0u64, 0u64);
    while Instant::now() < deadline {
        let request = format!(
            "GET {}lead/?_limit=100&_skip={skip} HTTP/1.1\r\nHost: {host}\r\n\
             Authorization: Basic {auth}\r\n\r\n",
            base.path()
        );
        socket.write_all(request.as_bytes()).unwrap();
        // The head, then the body's remainder.
        let mut filled = 0;
        let head_end = loop {
            let n = socket.read(&mut buf[filled..]).unwrap();
            assert!(n > 0, "the sandbox closed the connection");
            filled += n;
            if let Some(at) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = std::str::from_utf8(&buf[..head_end]).unwrap();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap())
            })
            .expect("a Content-Length");
        let end = head_end + length;
        assert!(end <= buf.len(), "a page larger than the buffer");
        while filled < end {
            let n = socket.read(&mut buf[filled..end]).unwrap();
            assert!(n > 0, "the sandbox closed the connection mid-body");
            filled += n;
        }
        skip = if has_more(&buf[head_end..end]) {
            skip + 100
        } else {
            0
        };
        pages += 1;
    }
    (pages as f64 / began.elapsed().as_secs_f64(), pages)
}

fn has_more(body: &[u8]) -> bool {
    let key = b"\"has_more\"";
    body.windows(key.len())
        .rposition(|w| w == key)
        .map(|at| {
            body[at + key.len()..]
                .iter()
                .find(|b| !matches!(b, b' ' | b':'))
                == Some(&b't')
        })
        .unwrap_or(false)
}

fn stop(mut started: Started) {
    let _ = Command::new("kill")
        .arg(started.child.id().to_string())
        .status();
    let _ = started.child.wait();
}

fn summary(name: &str, unit: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    println!(
        "{name}: median {median:.2} {unit} (min {:.2}, max {:.2}, {} runs)",
        values[0],
        values[values.len() - 1],
        values.len()
    );
}

fn main() {
    // `cargo test --benches` runs benches with `--bench` absent; stay quick then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("sandbox bench: skipped (run with cargo bench --bench sandbox)");
        return;
    }
    let leads = env_or("SANDBOX_BENCH_LEADS", 100_000);
    let runs = env_or("SANDBOX_BENCH_RUNS", 5);
    let secs = env_or("SANDBOX_BENCH_SECS", 5);
    let (mut ready, mut rss, mut hwm, mut pages) = (vec![], vec![], vec![], vec![]);
    let (mut per_cpu_second, mut client_ms, mut raw) = (vec![], vec![], vec![]);
    for _ in 0..runs {
        let started = start(leads);
        let (now_rss, _) = memory_mib(&started.child.id().to_string());
        ready.push(started.ready.as_secs_f64() * 1000.0);
        rss.push(now_rss);
        let cpu_before = cpu_seconds(&started.child.id().to_string());
        let client_before = cpu_seconds("self");
        let (rate, count) = pages_per_second(&started.info, secs);
        let cpu = cpu_seconds(&started.child.id().to_string()) - cpu_before;
        let client = cpu_seconds("self") - client_before;
        pages.push(rate);
        per_cpu_second.push(count as f64 / cpu.max(0.01));
        client_ms.push(client * 1000.0 / count.max(1) as f64);
        raw.push(raw_pages_per_second(&started.info, secs).0);
        hwm.push(memory_mib(&started.child.id().to_string()).1);
        stop(started);
    }
    println!("sandbox with {leads} leads:");
    summary("  ready (spawn to JSON line)", "ms", ready);
    summary("  resident after start", "MiB", rss);
    summary("  peak resident after paging", "MiB", hwm);
    summary(
        "  GET /lead/?_limit=100, one keep-alive raw HTTP/1.1 client",
        "pages/s",
        raw,
    );
    summary(
        "  GET /lead/?_limit=100, one keep-alive reqwest client",
        "pages/s",
        pages,
    );
    summary(
        "  the same, per second of the server's CPU time",
        "pages/s",
        per_cpu_second,
    );
    // Server and client take turns on one connection, so on an idle
    // machine a page takes about the server's CPU time plus this.
    summary("  client CPU time per page", "ms", client_ms);
}
