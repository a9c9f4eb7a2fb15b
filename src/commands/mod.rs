//! One module per subcommand. Each returns the process exit code, or a
//! [`Failure`]: an expected error, printed as one line without a backtrace.
//!
//! Commands write their diagnostics with `note!` and their output with
//! `say!`, never `eprintln!`/`println!`, which panic when the stream is
//! closed or full.

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

/// `println!` for a command's output, as a `Result` to use with `?`: a
/// reader that went away ends the command quietly, any other failed write
/// is a one-line error (see [`output_failed`]).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*).map_err($crate::commands::output_failed)
    }};
}

pub mod demo;
pub mod export;
pub mod interrupt;
pub mod login;
pub mod logout;
pub mod noecho;
pub mod status;
pub mod switch;
pub mod sync;
pub mod tui;

use std::{io, process::ExitCode};

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

    /// Ends the process with `code` and prints nothing.
    pub fn quiet(code: u8) -> Self {
        Self {
            message: String::new(),
            code,
        }
    }
}

/// The exit status of a process that wrote to a closed pipe: 128 + SIGPIPE.
pub const CLOSED_PIPE: u8 = 141;

/// How a command ends when its output cannot be written. A reader that has
/// gone (`close-tui status | head -1`) is a normal way to stop: quietly,
/// with the status a shell gives a process SIGPIPE ended. Anything else
/// (`> /dev/full`) is a failure, said in one line.
pub fn output_failed(err: io::Error) -> color_eyre::Report {
    if err.kind() == io::ErrorKind::BrokenPipe {
        Failure::quiet(CLOSED_PIPE).into()
    } else {
        fail(format!("cannot write the output: {err}"))
    }
}

/// Shorthand for commands: fail with a one-line message.
pub fn fail(message: impl std::fmt::Display) -> color_eyre::Report {
    Failure::new(message).into()
}

pub type CommandResult = color_eyre::Result<ExitCode>;
