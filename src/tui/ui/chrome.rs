//! The frame around every screen: tabs, the status line with the
//! connection badge, the key hints, and toasts.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
    widgets::{Clear, Gauge, Paragraph},
};

use super::{Theme, widgets::badge};
use crate::tui::{
    format,
    model::{Model, Screen, ToastLevel},
};

/// Below this width the tabs show only the active screen's name.
const WIDE: u16 = 90;

pub fn header(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let [tabs, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let mut spans = vec![Span::styled("close-tui ", theme.title())];
    for (n, screen) in Screen::ALL.into_iter().enumerate() {
        let active = screen == model.screen;
        let text = if active || area.width >= WIDE {
            format!(" {} {} ", n + 1, screen.title())
        } else {
            format!(" {} ", n + 1)
        };
        spans.push(Span::styled(
            text,
            if active {
                theme.tab_active()
            } else {
                theme.tab()
            },
        ));
    }
    frame.render_widget(Line::from(spans), tabs);

    let (left, right) = match (&model.sync, area.width >= 60) {
        (Some(_), true) => {
            let [l, r] =
                Layout::horizontal([Constraint::Min(0), Constraint::Length(24)]).areas(status);
            (l, Some(r))
        }
        _ => (status, None),
    };
    let mut line = vec![badge(model, theme), Span::raw(" ")];
    if let Some(active) = model.connection.active() {
        line.push(Span::styled(
            active.profile.organization_name.clone(),
            theme.heading(),
        ));
        line.push(Span::styled(
            format!(" · {}", active.profile.user_email),
            theme.dim(),
        ));
    } else if let Some(target) = &model.options.target {
        line.push(Span::styled(target.clone(), theme.dim()));
    }
    if let Some(until) = model.rate_limited_until.filter(|t| *t > model.now) {
        let secs = format::secs_until(model.now, until).max(1);
        line.push(Span::styled(
            format!("  rate limited, retrying in {secs} s"),
            theme.warn(),
        ));
    }
    frame.render_widget(Line::from(line), left);
    if let (Some(sync), Some(right)) = (&model.sync, right) {
        let ratio = sync
            .total
            .filter(|t| *t > 0)
            .map_or(0.0, |t| (sync.done as f64 / t as f64).min(1.0));
        let label = if sync.indexing {
            format!("indexing {}", sync.resource.name())
        } else {
            format!(
                "sync {} {}",
                sync.resource.name(),
                format::thousands(sync.done)
            )
        };
        frame.render_widget(
            Gauge::default()
                .gauge_style(theme.gauge())
                .ratio(ratio)
                .label(label),
            right,
        );
    }
}

pub fn footer(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let context = model.context();
    let mut spans = Vec::new();
    let searching = model.table().is_some_and(|t| t.searching) && model.overlay.is_none();
    if searching {
        spans.push(Span::styled("Enter", theme.key()));
        spans.push(Span::raw(" keep  "));
        spans.push(Span::styled("Esc", theme.key()));
        spans.push(Span::raw(" clear  "));
    } else {
        for (key, label) in model.keymap.hints(context) {
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::raw(format!(" {label}  ")));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.dim()), area);
}

/// Newest at the bottom, above the footer, right-aligned.
pub fn toasts(frame: &mut Frame, body: Rect, model: &Model, theme: Theme) {
    let mut y = body.bottom();
    for toast in model.toasts.iter().collect::<Vec<_>>().into_iter().rev() {
        if y <= body.y {
            break;
        }
        y -= 1;
        let text = format!(" {} ", toast.text);
        let width = (text.chars().count() as u16).min(body.width);
        let area = Rect {
            x: body.right() - width,
            y,
            width,
            height: 1,
        };
        let style = match toast.level {
            ToastLevel::Info => theme.toast_info(),
            ToastLevel::Error => theme.toast_error(),
        };
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(text).style(style), area);
    }
}
