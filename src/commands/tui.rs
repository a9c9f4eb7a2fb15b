//! `close-tui` with no command: the terminal app against the configured
//! Close.

use std::process::ExitCode;

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

pub async fn run(settings: Settings, screen: Option<Screen>) -> CommandResult {
    let target = (settings.api_url.as_str() != crate::config::DEFAULT_API_URL)
        .then(|| format!("Close at {}", settings.api_url));
    let options = AppOptions {
        screen,
        target,
        ..AppOptions::default()
    };
    tui::run(settings, options).await?;
    Ok(ExitCode::SUCCESS)
}
