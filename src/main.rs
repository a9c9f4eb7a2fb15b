use std::process::ExitCode;

use clap::Parser;
use close_tui::{cli::Cli, commands::Failure};

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
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
