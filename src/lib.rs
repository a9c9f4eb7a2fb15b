//! close-tui: a terminal client for Close CRM, and a local Close emulator.
//!
//! The binary is a thin shell over this library, so tests and benches drive
//! the same code. Dependencies point one way, down: `tui` uses `auth` and
//! `sync`; those use `close` (the API client) and `store`. `sandbox` shares no
//! client code: it exists to check it.

pub mod auth;
pub mod cli;
pub mod close;
pub mod config;
pub mod logging;
pub mod paths;
pub mod sandbox;
pub mod secret;
pub mod store;
pub mod sync;

use cli::{Cli, Command};

/// Runs one command line to completion.
pub async fn run(cli: Cli) -> color_eyre::Result<()> {
    match cli.command {
        Some(Command::Sandbox(args)) => sandbox::run(args).await,
        None => Ok(()),
    }
}
