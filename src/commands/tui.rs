//! `close-tui` with no command: the terminal app against the configured
//! Close.

use super::CommandResult;
use crate::{
    config::Settings,
    tui::{self, AppOptions, model::Screen},
};

/// For `--screen`.
pub fn parse_screen(name: &str) -> Result<Screen, String> {
    Screen::from_name(name).ok_or_else(|| {
        "expected connection, account, leads, contacts, opportunities or tasks".to_owned()
    })
}

/// The app draws on a terminal and reads keys from it; refuse early and
/// in one line when there is none (a pipe, a cron job).
pub fn require_terminal() -> color_eyre::Result<()> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(super::fail(
        "the terminal app needs a terminal; for scripts use `close-tui login`, `status` or `logout`",
    ))
}

pub async fn run(settings: Settings, screen: Option<Screen>) -> CommandResult {
    require_terminal()?;
    let target = (settings.api_url.as_str() != crate::config::DEFAULT_API_URL)
        .then(|| format!("Close at {}", settings.api_url));
    let options = AppOptions {
        screen,
        target,
        ..AppOptions::default()
    };
    Ok(tui::run(settings, options).await?.exit_code())
}
