//! close-tui: a terminal client for Close CRM, and a local Close emulator.
//!
//! The binary is a thin shell over this library, so tests and benches drive
//! the same code. Dependencies point one way, down: `tui` uses `auth` and
//! `sync`; those use `close` (the API client) and `store`. `sandbox` shares no
//! client code: it exists to check it.

pub mod auth;
pub mod cli;
pub mod close;
pub mod commands;
pub mod config;
pub mod logging;
pub mod paths;
pub mod printable;
pub mod resource;
pub mod sandbox;
pub mod secret;
pub mod session;
pub mod store;
pub mod sync;
pub mod tui;

use std::process::ExitCode;

use cli::{Cli, Command};
use commands::fail;
use config::Settings;

/// Runs one command line to completion.
pub async fn run(cli: Cli) -> color_eyre::Result<ExitCode> {
    let flags = cli.flags();
    let screen = cli.screen;
    let command = match cli.command {
        Some(Command::Demo(args)) => return commands::demo::run(&flags, args, screen).await,
        other => other,
    };
    if let Some(Command::Sandbox(args)) = command {
        // Its data lives in memory, and its settings are its own flags.
        if flags.db.is_some() || flags.config.is_some() {
            return Err(fail(
                "the sandbox keeps its data in memory and takes no config file: \
                 --db and --config are not used; see `close-tui sandbox --help`",
            ));
        }
        let _log = paths::Dirs::discover()
            .ok()
            .and_then(|dirs| logging::init(&dirs.state).ok());
        return match sandbox::run(*args).await {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(sandbox::RunError::Output(err)) => Err(commands::output_failed(err)),
            Err(err) => Err(fail(err)),
        };
    }
    let settings = Settings::load(&flags).map_err(fail)?;
    let _log = logging::init(&settings.dirs.state)
        .map_err(|err| fail(format!("cannot open the log file: {err}")))?;
    tracing::debug!(version = env!("CARGO_PKG_VERSION"), "start");
    let Some(command) = command else {
        return commands::tui::run(settings, screen).await;
    };
    match command {
        Command::Login(args) => commands::login::run(&settings, args).await,
        Command::Status(args) => commands::status::run(&settings, args).await,
        Command::Switch(args) => commands::switch::run(&settings, args).await,
        Command::Logout(args) => commands::logout::run(&settings, args).await,
        Command::Sandbox(_) | Command::Demo(_) => Ok(ExitCode::SUCCESS),
        Command::Sync(args) => commands::sync::run(&settings, args).await,
        Command::Export(args) => commands::export::run(&settings, args).await,
    }
}
