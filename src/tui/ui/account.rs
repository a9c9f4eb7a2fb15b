//! Screen 2: the user, the organization, its members, lead statuses and
//! pipelines. Each part shows its own loading and error state.

use ratatui::{Frame, layout::Rect, widgets::Paragraph};

use super::{
    Theme,
    widgets::{self, dim},
};
use crate::tui::model::Model;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    if model.connection.active().is_none() {
        let line = dim(
            "No account is connected: press 1, then c to connect.",
            theme,
        );
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let account = &model.account;
    frame.render_widget(
        widgets::scrolled(&account.lines(), account.scroll, area, theme),
        area,
    );
}
