//! The command line: global flags and one subcommand per job.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::{commands, config::Flags};

#[derive(Debug, Parser)]
#[command(
    name = "close-tui",
    version,
    about = "Browse your Close CRM account from the terminal",
    long_about = "Browse your Close CRM account from the terminal.\n\nWith no command, runs the terminal app against the configured Close."
)]
pub struct Cli {
    /// The database file [env: CLOSE_TUI_DB] [default: the XDG data dir]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// The config file [env: CLOSE_TUI_CONFIG] [default: the XDG config dir]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The screen the terminal app opens on: connection, account, leads,
    /// contacts, opportunities or tasks
    #[arg(long, value_name = "NAME", value_parser = commands::tui::parse_screen)]
    pub screen: Option<crate::tui::model::Screen>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    pub fn flags(&self) -> Flags {
        Flags {
            config: self.config.clone(),
            db: self.db.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect a Close account (OAuth in the browser, a pasted redirect, or
    /// an API key)
    Login(commands::login::LoginArgs),
    /// Show the stored accounts, the active one, and whether it works
    Status(commands::status::StatusArgs),
    /// Make another stored account active (by organization id or name)
    Switch(commands::switch::SwitchArgs),
    /// Revoke the tokens at Close and delete the local secrets
    Logout(commands::logout::LogoutArgs),
    /// Fill the local cache from Close (leads, contacts, opportunities, tasks)
    Sync(commands::sync::SyncArgs),
    /// Write cached records to stdout (JSON lines or CSV)
    Export(commands::export::ExportArgs),
    /// Run a local Close emulator: OAuth, the REST API and generated data
    Sandbox(Box<crate::sandbox::SandboxArgs>),
    /// Run the terminal app against a local sandbox with generated data
    Demo(commands::demo::DemoArgs),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_screen_belongs_to_the_terminal_app_and_the_demo_only() {
        let parse = |args: &[&str]| Cli::try_parse_from(args);
        assert!(parse(&["close-tui", "--screen", "leads"]).is_ok());
        assert!(parse(&["close-tui", "demo", "--screen", "tasks"]).is_ok());
        assert!(parse(&["close-tui", "--screen", "tasks", "demo"]).is_ok());
        let err = parse(&["close-tui", "sync", "--screen", "leads"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    }
}
