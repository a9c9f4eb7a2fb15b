use std::{io::Write, process::ExitCode};

use clap::Parser;
use close_tui::{
    cli::{Cli, Command},
    commands::{Failure, interrupt},
};

/// The longest the process waits at its end for a token refresh in flight:
/// the token client's own timeout, and the commit after it.
const SETTLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(35);

/// A refresh Close has answered must store its rotated token before the
/// runtime's end cancels it (the TUI quit mid-refresh, say); none starts
/// from now on.
async fn settle_refreshes() {
    use close_tui::auth::tokens::{only_revokes_in_flight, refreshes_settled, stop_refreshes};
    stop_refreshes();
    if !refreshes_settled(std::time::Duration::ZERO).await {
        let what = if only_revokes_in_flight() {
            "revoking the tokens of a login that did not finish"
        } else {
            "storing the tokens of a refresh Close is answering"
        };
        let _ = writeln!(std::io::stderr(), "close-tui: {what}…");
        refreshes_settled(SETTLE_LIMIT).await;
    }
}

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    stop_quietly_when_output_fails();
    let cli = Cli::parse();
    let runtime = runtime_for(&cli)?;
    let interruptible = interrupt::applies_to(cli.command.as_ref());
    let outcome = runtime.block_on(async {
        // The listener is polled first, so it is in place before the
        // command runs (a command may block its thread a while), and it
        // stays on while the refreshes settle: a signal then quits at once.
        let outcome = if interruptible {
            tokio::select! {
                biased;
                signal = interrupt::received() => Err(signal),
                outcome = close_tui::run(cli) => Ok(outcome),
            }
        } else {
            Ok(close_tui::run(cli).await)
        };
        match outcome {
            Ok(outcome) if interruptible => {
                tokio::select! {
                    biased;
                    signal = interrupt::received() => return Err(signal),
                    () = settle_refreshes() => {}
                }
                Ok(outcome)
            }
            Ok(outcome) => {
                settle_refreshes().await;
                Ok(outcome)
            }
            Err(signal) => Err(interrupt::settle(signal, SETTLE_LIMIT).await),
        }
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(signal) => {
            // The command is dropped; work left on blocking threads (an
            // export, a read of stdin) is not waited for, so a terminal
            // whose echo it turned off is restored here.
            runtime.shutdown_background();
            close_tui::commands::noecho::restore();
            return Ok(ExitCode::from(signal.exit_code()));
        }
    };
    match outcome {
        Ok(code) => Ok(code),
        // Expected failures are one line, not a report with a backtrace.
        Err(report) => match report.downcast_ref::<Failure>() {
            Some(failure) => {
                if !failure.message.is_empty() {
                    let _ = writeln!(std::io::stderr(), "close-tui: {}", failure.message);
                }
                Ok(ExitCode::from(failure.code))
            }
            None => Err(report),
        },
    }
}

/// `println!` and `eprintln!` panic when their stream is closed or full.
/// The commands write with `let _ = writeln!` or map the error, but a
/// print left anywhere else must not become a panic report, which color-eyre
/// would try to write to a failing stderr and abort on. A closed stdout
/// (`close-tui status | head -1`) stops at once with the status a shell
/// gives a process SIGPIPE ended (128 + 13), like the other tools in a
/// pipeline; a failed print to stderr stops as quietly, there being nowhere
/// to say why: 141 for a closed pipe, 1 otherwise.
fn stop_quietly_when_output_fails() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        let closed = message.contains("Broken pipe");
        if message.starts_with("failed printing to stdout") && closed {
            std::process::exit(141);
        }
        if message.starts_with("failed printing to stderr") {
            std::process::exit(if closed { 141 } else { 1 });
        }
        report(info);
    }));
}

/// The app, sync, export and the sandbox run many tasks at once and get
/// a worker per core. The account commands make one request at a time:
/// one thread starts sooner and does as well.
fn runtime_for(cli: &Cli) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match cli.command {
        Some(Command::Status(_) | Command::Switch(_) | Command::Logout(_)) => {
            tokio::runtime::Builder::new_current_thread()
        }
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    builder.enable_all().build()
}
