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

use std::{io::Write, net::SocketAddr};

pub use faults::{FaultSettings, FaultUpdate, TokenMode};
pub use options::{SandboxArgs, lead_count};
pub use server::{BODY_LIMIT, RunningSandbox, SandboxInfo, router, start};
pub use stats::StatsSnapshot;

/// Why `close-tui sandbox` could not run; each is one line for the user.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot listen on {address}: it is in use; pick another --port, or 0 for any free one")]
    AddressInUse { address: SocketAddr },
    #[error("cannot start the sandbox: {0}")]
    Start(std::io::Error),
    /// The JSON line could not be written to stdout.
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
    #[error("cannot listen for Ctrl-C or SIGTERM: {0}")]
    Signal(std::io::Error),
}

/// `close-tui sandbox`: start, print the JSON line, serve until told to stop.
pub async fn run(args: SandboxArgs) -> Result<(), RunError> {
    let address = SocketAddr::new(args.host, args.port);
    let sandbox = start(args).await.map_err(|err| match err.kind() {
        std::io::ErrorKind::AddrInUse => RunError::AddressInUse { address },
        _ => RunError::Start(err),
    })?;
    let line = serde_json::to_string(&sandbox.info)
        .map_err(|err| RunError::Output(std::io::Error::other(err)))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(RunError::Output)?;
    drop(stdout);
    stop_signal().await.map_err(RunError::Signal)?;
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
