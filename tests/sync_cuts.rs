#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Leads bunch up in recent months, so the lead pass's date slices end
//! unevenly. A worker that runs out of slices takes the upper half of the
//! busiest one, and every lead is still stored exactly once. The sync's
//! debug log says when it cuts; this binary holds one test, so the log is
//! its sync's alone.

mod sync_support;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use close_tui::{close::records::Resource, sandbox::SandboxArgs};
use sync_support::{env, sandbox_args};
use tracing_subscriber::fmt::MakeWriter;

/// The sync's debug log, kept for the test to read.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Log {
    type Writer = Log;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_workers_take_over_half_of_the_busiest_slice() {
    let log = Log::default();
    tracing_subscriber::fmt()
        .with_env_filter("close_tui::sync=debug")
        .with_writer(log.clone())
        .with_ansi(false)
        .init();
    // With latency, the run is paced by round trips, as against Close:
    // the newest slice (a fifth of the leads) would be paged alone for
    // several of them.
    let env = env(SandboxArgs {
        latency_ms: 20,
        ..sandbox_args(10_000)
    })
    .await;
    env.syncer().run(&[Resource::Leads]).await.unwrap();

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let cuts = text.matches("cut a busy lead slice").count();
    assert!(cuts > 0, "no slice was cut:\n{text}");
    let server = env.server_ids("lead/", &[]).await;
    assert_eq!(env.cached_ids(Resource::Leads), server);
    assert_eq!(
        env.cached(Resource::Leads).len(),
        server.len(),
        "stored once each"
    );
    env.assert_complete().await;
}
