//! Rendering. Each function reads the model and draws; nothing here
//! changes state. One file per screen, plus the frame around them.

mod account;
mod chrome;
mod connection;
mod detail;
mod dialogs;
mod help;
mod table;
pub mod theme;
mod widgets;

use ratatui::{Frame, layout::Rect};

pub use theme::Theme;

use super::model::{Model, Screen, layout};

/// Draws the whole screen.
pub fn render(frame: &mut Frame, model: &Model, theme: Theme) {
    let area = frame.area();
    let [header, body, footer] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(layout::HEADER_ROWS),
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(layout::FOOTER_ROWS),
    ])
    .areas(area);
    chrome::header(frame, header, model, theme);
    match model.screen {
        Screen::Connection => connection::render(frame, body, model, theme),
        Screen::Account => account::render(frame, body, model, theme),
        _ => match (model.table(), model.detail()) {
            (_, Some(detail)) => detail::render(frame, body, model, detail, theme),
            (Some(table), None) => table::render(frame, body, model, table, theme),
            (None, None) => {}
        },
    }
    chrome::footer(frame, footer, model, theme);
    if let Some(overlay) = &model.overlay {
        dialogs::render(frame, body, model, overlay, theme);
    }
    chrome::toasts(frame, body, model, theme);
    if model.help {
        help::render(frame, body, model, theme);
    }
}

/// A centered rectangle of at most `width`×`height` inside `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
