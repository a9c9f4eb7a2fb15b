//! One module per subcommand. Each returns the process exit code, or a
//! [`Failure`]: an expected error, printed as one line without a backtrace.
//!
//! Commands write their diagnostics with `note!`, never `eprintln!`,
//! which panics when stderr is closed or full.

/// `eprintln!` for progress and warnings, which never panics: on a closed
/// (`2>&1 | grep -m1 …`) or full (`2>/dev/full`) stderr the line is lost
/// and the command goes on. Defined before the `mod` lines below, so that
/// every command module sees it.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod demo;
pub mod export;
pub mod login;
pub mod logout;
pub mod status;
pub mod switch;
pub mod sync;
pub mod tui;

use std::process::ExitCode;

/// An error meant for the user: `main` prints `close-tui: MESSAGE` and exits
/// with `code`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    pub fn new(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: 1,
        }
    }
}

/// Shorthand for commands: fail with a one-line message.
pub fn fail(message: impl std::fmt::Display) -> color_eyre::Report {
    Failure::new(message).into()
}

pub type CommandResult = color_eyre::Result<ExitCode>;
