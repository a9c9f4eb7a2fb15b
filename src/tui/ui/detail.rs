//! A record's detail view: its sections, then (for leads) the activity
//! timeline, which loads after the rest.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
};

use super::{Theme, widgets};
use crate::tui::model::{DetailModel, Model, layout::DETAIL_TITLE_ROWS};

pub fn render(frame: &mut Frame, area: Rect, _model: &Model, detail: &DetailModel, theme: Theme) {
    let [top, rest] =
        Layout::vertical([Constraint::Length(DETAIL_TITLE_ROWS), Constraint::Min(0)]).areas(area);
    let title = detail
        .body
        .value()
        .map_or(detail.title.clone(), |d| d.title.clone());
    frame.render_widget(
        Line::from(vec![
            Span::styled(title, theme.heading()),
            Span::styled(format!("  {}", detail.id), theme.dim()),
        ]),
        top,
    );
    frame.render_widget(
        widgets::scrolled(&detail.lines(), detail.scroll, rest, theme),
        rest,
    );
}
