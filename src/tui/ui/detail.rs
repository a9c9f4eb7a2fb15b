//! A record's detail view: its sections, then (for leads) the activity
//! timeline, which loads after the rest.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
    widgets::{Paragraph, Wrap},
};

use super::{
    Theme,
    widgets::{dim, error, heading},
};
use crate::{
    close::records::Resource,
    tui::model::{DetailModel, Loadable, Model},
};

pub fn render(frame: &mut Frame, area: Rect, _model: &Model, detail: &DetailModel, theme: Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
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
    let mut lines = Vec::new();
    match &detail.body {
        Loadable::Idle | Loadable::Loading { last: None } => lines.push(dim("loading…", theme)),
        Loadable::Failed { error: why, .. } => {
            lines.push(error(format!("could not load: {why}"), theme));
        }
        _ => {}
    }
    if let Some(body) = detail.body.value() {
        for section in &body.sections {
            lines.push(heading(section.title.clone(), theme));
            if section.lines.is_empty() {
                lines.push(dim("  none", theme));
            }
            lines.extend(section.lines.iter().map(|l| Line::raw(format!("  {l}"))));
            lines.push(Line::raw(""));
        }
    }
    if detail.resource == Resource::Leads && detail.body.value().is_some() {
        lines.push(heading("Activity", theme));
        match &detail.activities {
            Loadable::Idle | Loadable::Loading { .. } => lines.push(dim("  loading…", theme)),
            Loadable::Failed { error: why, .. } => {
                lines.push(error(format!("  could not load: {why}"), theme));
            }
            Loadable::Loaded(items) if items.is_empty() => lines.push(dim("  none", theme)),
            Loadable::Loaded(items) => {
                lines.extend(items.iter().map(|l| Line::raw(format!("  {l}"))));
            }
        }
    }
    let scroll = detail.scroll.min(lines.len().saturating_sub(1));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        rest,
    );
}
