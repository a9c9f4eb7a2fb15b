use std::process::ExitCode;

use clap::Parser;
use close_tui::{
    cli::{Cli, Command},
    commands::Failure,
};

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let runtime = runtime_for(&cli)?;
    match runtime.block_on(close_tui::run(cli)) {
        Ok(code) => Ok(code),
        // Expected failures are one line, not a report with a backtrace.
        Err(report) => match report.downcast_ref::<Failure>() {
            Some(failure) => {
                eprintln!("close-tui: {}", failure.message);
                Ok(ExitCode::from(failure.code))
            }
            None => Err(report),
        },
    }
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
