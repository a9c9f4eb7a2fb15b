//! Screen 2: the user, the organization, its members, lead statuses and
//! pipelines. Each part shows its own loading and error state.

use ratatui::{
    Frame,
    layout::Rect,
    text::Line,
    widgets::{Paragraph, Wrap},
};

use super::{
    Theme,
    widgets::{dim, error, field, heading},
};
use crate::tui::model::{Loadable, Model};

const LABEL: usize = 13;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let mut lines = Vec::new();
    if model.connection.active().is_none() {
        lines.push(dim(
            "No account is connected: press 1, then c to connect.",
            theme,
        ));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let account = &model.account;
    lines.push(heading("User", theme));
    status(&account.user, &mut lines, theme);
    if let Some(user) = account.user.value() {
        lines.push(field("Name", user.name.clone(), LABEL, theme));
        lines.push(field("Email", user.email.clone(), LABEL, theme));
        lines.push(field("Id", user.id.clone(), LABEL, theme));
    }
    lines.push(Line::raw(""));
    lines.push(heading("Organization", theme));
    status(&account.org, &mut lines, theme);
    if let Some(org) = account.org.value() {
        lines.push(field("Name", org.name.clone(), LABEL, theme));
        lines.push(field("Id", org.id.clone(), LABEL, theme));
        lines.push(Line::raw(""));
        lines.push(heading(format!("Members ({})", org.members.len()), theme));
        for member in &org.members {
            lines.push(Line::raw(format!(
                "  {:<24} {:<32} {}",
                member.name, member.email, member.role
            )));
        }
        lines.push(Line::raw(""));
        lines.push(heading("Lead statuses", theme));
        lines.push(Line::raw(format!("  {}", join_or_none(&org.lead_statuses))));
        lines.push(Line::raw(""));
        lines.push(heading(
            format!("Pipelines ({})", org.pipelines.len()),
            theme,
        ));
        for pipeline in &org.pipelines {
            lines.push(field(
                &format!("  {}", pipeline.name),
                join_or_none(&pipeline.statuses),
                LABEL + 8,
                theme,
            ));
        }
    }
    let scroll = account.scroll.min(lines.len().saturating_sub(1));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0)),
        area,
    );
}

fn status<T>(part: &Loadable<T>, lines: &mut Vec<Line<'static>>, theme: Theme) {
    match part {
        Loadable::Idle => lines.push(dim("not loaded", theme)),
        Loadable::Loading { .. } => lines.push(dim("loading…", theme)),
        Loadable::Failed { error: why, last } => {
            lines.push(error(format!("could not load: {why}"), theme));
            if last.is_some() {
                lines.push(dim("showing the last good copy", theme));
            }
        }
        Loadable::Loaded(_) => {}
    }
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(" · ")
    }
}
