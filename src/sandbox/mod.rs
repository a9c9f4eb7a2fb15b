//! The local Close emulator: an OAuth authorization server and the REST API
//! over generated data, with fault injection for tests.
//!
//! [`start`] serves it in-process (tests, `close-tui demo`); [`run`] is
//! `close-tui sandbox`: it prints one JSON line describing the server and
//! serves until Ctrl-C or SIGTERM. This module shares no code with the
//! client side: it exists to check it.

mod admin;
pub mod api;
pub mod data;
pub mod error;
mod faults;
mod guard;
pub mod oauth;
mod options;
mod pages;
pub mod principal;
mod ratelimit;
mod reqlog;
mod secretlog;
mod server;
pub mod state;
mod stats;
mod storm;
pub mod tokens;

use std::io::Write;

pub use faults::{FaultSettings, FaultUpdate, TokenMode};
pub use options::SandboxArgs;
pub use server::{BODY_LIMIT, RunningSandbox, SandboxInfo, router, start};
pub use stats::StatsSnapshot;

/// `close-tui sandbox`: start, print the JSON line, serve until told to stop.
pub async fn run(args: SandboxArgs) -> color_eyre::Result<()> {
    let sandbox = start(args).await?;
    let line = serde_json::to_string(&sandbox.info)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    drop(stdout);
    stop_signal().await?;
    sandbox.stop().await;
    Ok(())
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
