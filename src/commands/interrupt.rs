//! Ctrl-C and SIGTERM for the one-shot commands (login, status, switch,
//! logout, sync, export). Ended by the default action, a process would die
//! wherever it was, and a token refresh Close had already answered would
//! take the only refresh token Close still accepts with it: the user would
//! be signed out. Instead `main` stops the command, lets refreshes in
//! flight store their tokens, and exits with the status a shell gives a
//! process the signal ended. A sync stopped this way resumes next time, as
//! after any interruption.
//!
//! The terminal app reads Ctrl-C as a key, and `sandbox` stops on the
//! signals by itself: neither comes through here.

use std::time::Duration;

use crate::cli::Command;

/// Which signal asked the process to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// SIGINT: Ctrl-C in the terminal.
    Int,
    /// SIGTERM: a service manager or `kill`.
    Term,
}

impl Interrupt {
    /// 128 + the signal's number, as a shell reports a process it ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Int => 130,
            Self::Term => 143,
        }
    }
}

/// Whether `command` is stopped through here (see the module's doc).
pub fn applies_to(command: Option<&Command>) -> bool {
    matches!(
        command,
        Some(
            Command::Login(_)
                | Command::Status(_)
                | Command::Switch(_)
                | Command::Logout(_)
                | Command::Sync(_)
                | Command::Export(_)
        )
    )
}

/// Resolves at the first SIGINT or SIGTERM after its first poll, from when
/// on the signals no longer end the process by themselves. Where a signal
/// cannot be listened for, it keeps its default action.
pub async fn received() -> Interrupt {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt()).ok();
        let mut term = signal(SignalKind::terminate()).ok();
        tokio::select! {
            Some(()) = async { int.as_mut()?.recv().await } => Interrupt::Int,
            Some(()) = async { term.as_mut()?.recv().await } => Interrupt::Term,
            else => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Interrupt::Int,
            Err(_) => std::future::pending().await,
        }
    }
}

/// After an interruption: waits, up to `limit`, for the token refreshes in
/// flight to store what Close answered, and says so in one line on stderr.
/// A second signal meanwhile quits at once (and may cost the login, which
/// the line says).
pub async fn settle(interrupt: Interrupt, limit: Duration) -> Interrupt {
    use crate::auth::tokens::{only_revokes_in_flight, refreshes_settled, stop_refreshes};
    stop_refreshes();
    if refreshes_settled(Duration::ZERO).await {
        note!("close-tui: interrupted");
        return interrupt;
    }
    if only_revokes_in_flight() {
        note!(
            "close-tui: interrupted; revoking the tokens Close issued for this login \
             (interrupt again to quit now and leave them valid)"
        );
    } else {
        note!(
            "close-tui: interrupted; storing the tokens of a refresh Close is answering \
             (interrupt again to quit now and possibly sign out)"
        );
    }
    tokio::select! {
        _ = refreshes_settled(limit) => interrupt,
        again = received() => again,
    }
}
