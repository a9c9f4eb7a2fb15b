//! Sync benchmark against the release sandbox in a separate process:
//!
//! 1. throughput: a full sync of 100,000 leads vs a bare paging reqwest
//!    loop with the same concurrency, against the same sandbox, and vs the
//!    same paging through the sync's own client and record reader with no
//!    cache behind it (what the cache costs on top);
//! 2. peak RSS of this process during the sync (the sandbox is elsewhere),
//!    and the largest its write-ahead log grows (`SYNC_BENCH_WAL_MB` sets
//!    the sync's `wal_limit`);
//! 3. search p99 over the synced cache, names typed one character at a time;
//! 4. a lead sync at `rate_limit 20`: request rate, failures, 429s/min;
//! 5. the cache writer alone: pages fetched first, then written into a
//!    fresh cache, timed by this thread's CPU clock (steadier than wall
//!    time on a busy machine), after the SQLite floor under it (`floor`).
//!
//! `cargo bench --bench sync`. `SYNC_BENCH_LEADS` (100000),
//! `SYNC_BENCH_CONCURRENCY` (4), `SYNC_BENCH_RATE_SECS` (20: shorter than
//! the 25 s the sync needs at 20 requests/s, so it measures the rate the
//! sync sustains, not its start and end) and
//! `SYNC_BENCH_WRITE_LEADS` (20000) change the defaults;
//! `SYNC_BENCH_LATENCY_MS` gives every API request of part 1 that much
//! latency, as a real network would (both clients wait the same);
//! `SYNC_BENCH_EARLY_SECS` sets the sync's `early_indexes_after`;
//! `SYNC_BENCH_FLOOR=0` skips the floor; `SYNC_BENCH_WRITE_SPLIT=1`
//! makes part 5 the two-file writer (`split_writer`); `SYNC_BENCH_ONLY`
//! (`sync`, `rate` or `write`) runs one part. Without `--bench` (e.g.
//! `cargo test --all-targets`) it exits.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use close_tui::{
    close::{AuthHeader, CloseClient, StaticCredentials, http_client, records::Resource},
    secret::Secret,
    store::{
        AccountId, KeyConfig, KeyMode, Store,
        cache::{
            BulkKeys, Cache, Checkpointer, Prepared, SearchRows, account_key, bulk, prepare,
            save_run, write_bulk, write_prepared,
        },
    },
    sync::{SyncOptions, Syncer},
};
use serde_json::{Value, json};

#[path = "sync/floor.rs"]
mod floor;

#[path = "common/proc.rs"]
mod proc_stats;

use proc_stats::{cpu_seconds, env_or, memory_mib};

struct Sandbox {
    child: Child,
    info: Value,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first organization gets 60% of the sandbox's leads.
fn start(org_leads: u64) -> Sandbox {
    let leads = (org_leads * 5).div_ceil(3);
    let mut child = Command::new(env!("CARGO_BIN_EXE_close-tui"))
        .args(["sandbox", "--port", "0", "--leads", &leads.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the sandbox");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    Sandbox {
        child,
        info: serde_json::from_str(&line).unwrap(),
    }
}

/// `concurrency` workers page `lead/` by `_skip`, worker i taking pages
/// i, i+n, …, parsing each page as JSON (any client must) and nothing more.
async fn bare_loop(api: &str, key: &str, concurrency: usize) -> usize {
    let http = reqwest::Client::new();
    let workers = (0..concurrency).map(|i| {
        let http = http.clone();
        async move {
            let mut page = i;
            let mut count = 0;
            loop {
                let body: Value = http
                    .get(format!("{api}lead/"))
                    .basic_auth(key, Some(""))
                    .query(&[("_skip", page * 200), ("_limit", 200)])
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                count += body["data"].as_array().map_or(0, Vec::len);
                if !body["has_more"].as_bool().unwrap_or(false) {
                    return count;
                }
                page += concurrency;
            }
        }
    });
    futures_util::future::join_all(workers).await.iter().sum()
}

/// The bare loop's paging (by `_skip`, no date query), through the sync's
/// own client and record reader (`prepare`) but with no cache behind it:
/// what the sync costs before it writes anything. (The sync itself pages
/// date windows, which the sandbox filters and sorts: its own cost, the
/// same for both clients per page.)
async fn client_loop(info: &Value, concurrency: usize) -> usize {
    let client = Arc::new(client(info));
    let workers = (0..concurrency).map(|i| {
        let client = Arc::clone(&client);
        async move {
            let mut page = i;
            let mut count = 0;
            loop {
                let got = client
                    .raw_page("lead/", &[], page * 200, 200)
                    .await
                    .unwrap();
                for text in &got.data {
                    count += usize::from(prepare(Resource::Leads, text.get()).is_ok());
                }
                if !got.has_more {
                    return count;
                }
                page += concurrency;
            }
        }
    });
    futures_util::future::join_all(workers).await.iter().sum()
}

fn client(info: &Value) -> CloseClient<StaticCredentials> {
    let key = AuthHeader::ApiKey(Secret::new(info["api_key"].as_str().unwrap().to_owned()));
    CloseClient::new(
        http_client().unwrap(),
        info["api_url"].as_str().unwrap().parse().unwrap(),
        StaticCredentials(key),
    )
}

fn syncer(
    info: &Value,
    dir: &std::path::Path,
    concurrency: usize,
) -> (Syncer<StaticCredentials>, Arc<Store>) {
    let keys = KeyConfig::new(KeyMode::File, &dir.join("config"));
    let store = Arc::new(Store::open(dir.join("close.db"), keys).unwrap());
    let cache = Arc::new(store.cache().unwrap());
    let account = AccountId::new("bench", "bench");
    let defaults = SyncOptions::default();
    let early = env_or(
        "SYNC_BENCH_EARLY_SECS",
        defaults.early_indexes_after.as_secs(),
    );
    let options = SyncOptions {
        concurrency,
        early_indexes_after: Duration::from_secs(early),
        wal_limit: env_or("SYNC_BENCH_WAL_MB", defaults.wal_limit >> 20) << 20,
        ..defaults
    };
    (
        Syncer::new(client(info), cache, account).with_options(options),
        store,
    )
}

/// CPU seconds of this process and of the sandbox, for a phase's costs.
fn cpu_pair(sandbox: u32) -> (f64, f64) {
    (cpu_seconds("self"), cpu_seconds(&sandbox.to_string()))
}

/// CPU time this thread has run, from the scheduler's own accounting.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = stat
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// Fetches `leads` leads, then reads and writes them into a fresh cache
/// the way the sync's fetchers and writer do (in bulk, 32 pages per
/// transaction, indexes built at the end; `SYNC_BENCH_WRITE_BULK=0`: 8
/// pages, indexes kept), several times.
async fn writer_only(info: &Value, leads: u64) {
    let client = client(info);
    let mut pages = Vec::new();
    let mut skip = 0;
    while (skip as u64) < leads {
        let page = client.raw_page("lead/", &[], skip, 200).await.unwrap();
        skip += page.data.len();
        let more = page.has_more;
        pages.push(page.data);
        if !more {
            break;
        }
    }
    if env_or("SYNC_BENCH_FLOOR", 1) == 1 {
        floor::measure(&pages);
    }
    let leads = pages.iter().map(Vec::len).sum::<usize>() as f64;
    if env_or("SYNC_BENCH_WRITE_SPLIT", 0) == 1 {
        for round in 1..=3 {
            split_writer(&pages, leads, round);
        }
        return;
    }
    for round in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
        let store = Store::open(dir.path().join("close.db"), keys).unwrap();
        let cache = store.cache().unwrap();
        let account = AccountId::new("bench", "bench");
        let bulk = env_or("SYNC_BENCH_WRITE_BULK", 1) == 1;
        if bulk {
            cache
                .write(|tx| {
                    bulk::defer_indexes(tx)?;
                    bulk::size_cache(tx, true)
                })
                .unwrap();
        }
        let cpu = thread_cpu();
        let prepared: Vec<Vec<_>> = pages
            .iter()
            .map(|page| {
                page.iter()
                    .map(|text| prepare(Resource::Leads, text.get()).unwrap())
                    .collect()
            })
            .collect();
        let read_cpu = (thread_cpu() - cpu).as_secs_f64();
        let (wall, cpu) = (Instant::now(), thread_cpu());
        let pages_per_commit = env_or("SYNC_BENCH_WRITE_BATCH", if bulk { 32 } else { 8 });
        let batches = prepared.chunks(pages_per_commit as usize);
        write_batches(
            &cache,
            &account,
            batches.map(|b| b.iter().flatten().collect()),
        );
        let (index_wall, index_cpu) = (Instant::now(), thread_cpu());
        if bulk {
            cache.write(bulk::restore_indexes).unwrap();
        }
        let index_wall = index_wall.elapsed().as_secs_f64();
        let index_cpu = (thread_cpu() - index_cpu).as_secs_f64();
        let (wall, cpu) = (
            wall.elapsed().as_secs_f64(),
            (thread_cpu() - cpu).as_secs_f64(),
        );
        println!(
            "writer {round} (bulk {bulk}): {leads:.0} leads in {wall:.2} s = {:.0} leads/s; \
             CPU {:.1} µs/lead writing (of which {:.1} building indexes at the end, \
             {index_wall:.2} s) + {:.1} µs/lead reading the JSON",
            leads / wall,
            cpu * 1e6 / leads,
            index_cpu * 1e6 / leads,
            read_cpu * 1e6 / leads
        );
    }
}

/// Writes `batches` of prepared records into `cache` for `account`, a
/// transaction each, as the sync's writer does (in bulk when the keys
/// are set aside), with a checkpointer beside it.
fn write_batches<'a>(
    cache: &Cache,
    account: &AccountId,
    batches: impl Iterator<Item = Vec<&'a Prepared>>,
) {
    let mut keys = cache
        .write(|tx| BulkKeys::load(tx, account_key(tx, account)?))
        .unwrap();
    let checkpoints = Checkpointer::start(cache, SyncOptions::default().wal_limit).unwrap();
    for batch in batches {
        cache
            .write(|tx| {
                let key = account_key(tx, account)?;
                let mut search = SearchRows::default();
                for record in &batch {
                    match keys.as_mut() {
                        Some(keys) => write_bulk(tx, key, record, &mut search, keys)?,
                        None => write_prepared(tx, key, record, &mut search)?,
                    }
                }
                search.write(tx)?;
                save_run(tx, account, "leads", Some("{}"))
            })
            .unwrap();
        checkpoints.committed();
    }
}

/// What a writer split between two files would gain: the leads (with
/// their search rows) go into one cache file and their children into
/// another, each file written by its own thread with its own checkpointer,
/// indexes set aside and built at the end by each thread at once. Always a
/// bulk load of 32 pages a transaction, as the sync's first load writes
/// (`SYNC_BENCH_WRITE_BULK` and `_BATCH` are for the one-file writer).
fn split_writer(pages: &[Vec<Box<serde_json::value::RawValue>>], leads: f64, round: u32) {
    let dir = tempfile::tempdir().unwrap();
    let open = |name: &str| {
        let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
        let store = Store::open(dir.path().join(name), keys).unwrap();
        let cache = store.cache().unwrap();
        cache
            .write(|tx| {
                bulk::defer_indexes(tx)?;
                bulk::size_cache(tx, true)
            })
            .unwrap();
        (store, cache)
    };
    let (_s1, c1) = open("close.db");
    let (_s2, c2) = open("children.db");
    let mut batches: Vec<(Vec<_>, Vec<_>)> = Vec::new();
    for batch in pages.chunks(32) {
        let mut ls = Vec::new();
        let mut cs = Vec::new();
        for text in batch.iter().flatten() {
            let mut p = prepare(Resource::Leads, text.get()).unwrap();
            cs.extend(p.split_off_children());
            ls.push(p);
        }
        batches.push((ls, cs));
    }
    let (lead_batches, child_batches): (Vec<_>, Vec<_>) = batches.into_iter().unzip();
    let account = AccountId::new("bench", "bench");
    let wall = Instant::now();
    let run = |cache: &Cache, batches: Vec<Vec<Prepared>>| {
        let cpu = thread_cpu();
        write_batches(cache, &account, batches.iter().map(|b| b.iter().collect()));
        let streamed = wall.elapsed().as_secs_f64();
        cache.write(bulk::restore_indexes).unwrap();
        (
            streamed,
            wall.elapsed().as_secs_f64(),
            (thread_cpu() - cpu).as_secs_f64(),
        )
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&c1, lead_batches));
        let b = s.spawn(|| run(&c2, child_batches));
        (a.join().unwrap(), b.join().unwrap())
    });
    let total = wall.elapsed().as_secs_f64();
    println!(
        "split writer {round}: {leads:.0} leads in {total:.2} s = {:.0} leads/s; \
         leads' file written in {:.2} s, indexed by {:.2} s, CPU {:.1} µs/lead; \
         children's file written in {:.2} s, indexed by {:.2} s, CPU {:.1} µs/lead",
        leads / total,
        a.0,
        a.1,
        a.2 * 1e6 / leads,
        b.0,
        b.1,
        b.2 * 1e6 / leads
    );
}

/// The sandbox's count of API requests so far.
async fn api_requests(info: &Value) -> u64 {
    let base = info["base_url"].as_str().unwrap();
    let stats: Value = reqwest::get(format!("{base}/_sandbox/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["api_requests"].as_u64().unwrap()
}

/// Every API request waits `ms` in the sandbox before it is answered.
async fn set_latency(info: &Value, ms: u64) {
    let base = info["base_url"].as_str().unwrap();
    if ms > 0 {
        println!("latency: {ms} ms per API request");
    }
    reqwest::Client::new()
        .post(format!("{base}/_sandbox/faults"))
        .json(&json!({ "latency_ms": ms }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
}

/// The largest a file grows while watched (every few milliseconds).
struct Largest {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<u64>,
}

impl Largest {
    fn watch(path: std::path::PathBuf) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut largest = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                largest = largest.max(std::fs::metadata(&path).map_or(0, |m| m.len()));
                std::thread::sleep(Duration::from_millis(5));
            }
            largest
        });
        Self { stop, thread }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// Part 1 to 3: the full sync against the bare loop, peak RSS, search.
async fn full_sync(info: &Value, sandbox: u32, concurrency: usize) {
    let (api, key) = (
        info["api_url"].as_str().unwrap().to_owned(),
        info["api_key"].as_str().unwrap().to_owned(),
    );
    let dir = tempfile::tempdir().unwrap();
    let rss_before = memory_mib("self").1;

    let (sync, _store) = syncer(info, dir.path(), concurrency);
    let wal = Largest::watch(dir.path().join("close.db-wal"));
    let requests = api_requests(info).await;
    let (started, cpu) = (Instant::now(), cpu_pair(sandbox));
    sync.run(&[Resource::Leads]).await.unwrap();
    let sync_secs = started.elapsed().as_secs_f64();
    let wal = wal.stop() as f64 / (1024.0 * 1024.0);
    let sync_requests = api_requests(info).await - requests;
    let after = cpu_pair(sandbox);
    let sync_cpu = (after.0 - cpu.0, after.1 - cpu.1);
    let rss = memory_mib("self").1;
    let cache = Arc::clone(sync.cache_handle());
    let account = AccountId::new("bench", "bench");
    let leads = cache
        .count(&account, Resource::Leads, &Default::default())
        .unwrap() as f64;

    let (started, cpu) = (Instant::now(), cpu_pair(sandbox));
    let requests = api_requests(info).await;
    let bare = bare_loop(&api, &key, concurrency).await as f64;
    let bare_secs = started.elapsed().as_secs_f64();
    let bare_requests = api_requests(info).await - requests;
    let after = cpu_pair(sandbox);
    let bare_cpu = (after.0 - cpu.0, after.1 - cpu.1);
    let (started, cpu) = (Instant::now(), cpu_pair(sandbox));
    let read = client_loop(info, concurrency).await as f64;
    let read_secs = started.elapsed().as_secs_f64();
    let after = cpu_pair(sandbox);
    let read_cpu = (after.0 - cpu.0, after.1 - cpu.1);
    let (sync_rate, bare_rate) = (leads / sync_secs, bare / bare_secs);
    println!(
        "sync:  {leads:.0} leads in {sync_secs:.2} s = {sync_rate:.0} leads/s \
         (concurrency {concurrency}, {sync_requests} requests)"
    );
    println!(
        "bare:  {bare:.0} leads in {bare_secs:.2} s = {bare_rate:.0} leads/s ({bare_requests} requests)"
    );
    println!(
        "read:  {read:.0} leads in {read_secs:.2} s = {:.0} leads/s (the sync's client and \
         record reader, no cache)",
        read / read_secs
    );
    println!(
        "ratio: {:.0}% of the bare loop (target >= 70%)",
        100.0 * sync_rate / bare_rate
    );
    let per = |(client, server): (f64, f64), n: f64| {
        format!(
            "{:.1} µs client + {:.1} µs sandbox = {:.1} µs",
            client * 1e6 / n,
            server * 1e6 / n,
            (client + server) * 1e6 / n
        )
    };
    println!("CPU per lead: sync {}", per(sync_cpu, leads));
    println!("CPU per lead: bare {}", per(bare_cpu, bare));
    println!("CPU per lead: read {}", per(read_cpu, read));
    println!("peak RSS: {rss:.0} MB (before the sync {rss_before:.0} MB; target < 150 MB)");
    println!("largest write-ahead log during the sync: {wal:.0} MiB");

    // Search: 100 names, typed one character at a time.
    let names: Vec<String> = cache
        .leads(&account, &Default::default(), 0, 100_000)
        .unwrap()
        .into_iter()
        .step_by(1000)
        .map(|l| l.name)
        .collect();
    let mut times = Vec::new();
    for name in &names {
        for (end, _) in name.char_indices().skip(1).chain([(name.len(), ' ')]) {
            let t = Instant::now();
            let _ = cache.search(&account, &name[..end], 20).unwrap();
            times.push(t.elapsed());
        }
    }
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "search: {} queries, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 <= 10 ms)",
        times.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}

/// Part 4: a lead sync against the same sandbox at 20 requests/s per group.
async fn rate_limited(info: &Value, concurrency: usize, rate_secs: u64) {
    let base = info["base_url"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();
    post("/_sandbox/faults", json!({"rate_limit": 20}))
        .await
        .unwrap();
    let stats = |http: reqwest::Client| {
        let url = format!("{base}/_sandbox/stats");
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let before = stats(http.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let (limited, _store) = syncer(info, dir.path(), concurrency);
    let started = Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_secs(rate_secs),
        limited.run(&[Resource::Leads]),
    )
    .await;
    let secs = started.elapsed().as_secs_f64();
    let after = stats(http.clone()).await;
    let delta = |k: &str| after[k].as_u64().unwrap_or(0) - before[k].as_u64().unwrap_or(0);
    let requests = delta("api_requests");
    let (ok, r429, r503) = (
        requests - delta("status_429"),
        delta("status_429"),
        delta("status_503"),
    );
    let failed = matches!(outcome, Ok(Err(_)));
    println!(
        "rate-limited: {requests} requests in {secs:.1} s = {:.1}/s of 20 allowed ({:.0}%), \
         {ok} answered, {r429} x 429 ({:.1}/min), {r503} x 503, sync failed: {failed}",
        requests as f64 / secs,
        100.0 * (ok as f64 / secs) / 20.0,
        r429 as f64 * 60.0 / secs
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let org_leads = env_or("SYNC_BENCH_LEADS", 100_000);
    let concurrency = env_or("SYNC_BENCH_CONCURRENCY", 4) as usize;
    let rate_secs = env_or("SYNC_BENCH_RATE_SECS", 20);
    let write_leads = env_or("SYNC_BENCH_WRITE_LEADS", 20_000);
    let only = std::env::var("SYNC_BENCH_ONLY").unwrap_or_default();
    let part = |name: &str| only.is_empty() || only == name;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    if only == "write" {
        runtime.block_on(async {
            let sandbox = start(write_leads);
            writer_only(&sandbox.info, write_leads).await;
        });
        return;
    }
    runtime.block_on(async {
        let sandbox = start(org_leads);
        if part("sync") {
            let latency = env_or("SYNC_BENCH_LATENCY_MS", 0);
            set_latency(&sandbox.info, latency).await;
            full_sync(&sandbox.info, sandbox.child.id(), concurrency).await;
            set_latency(&sandbox.info, 0).await;
        }
        if part("write") {
            writer_only(&sandbox.info, write_leads).await;
        }
        // Last: it leaves the sandbox rate-limited.
        if part("rate") {
            rate_limited(&sandbox.info, concurrency, rate_secs).await;
        }
    });
}
