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
    model::{Model, Screen, SyncProgress, ToastLevel, text},
};

/// Below this width the tabs show only the active screen's name.
const WIDE: u16 = 90;

/// From this width up the sync's progress is a bar; below, a count.
const GAUGE: u16 = 60;

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

    // A bar from GAUGE columns up; below, the count alone, as text.
    let progress = model
        .sync
        .as_ref()
        .map(|sync| (sync, compact_progress(sync)));
    let progress_width = match &progress {
        None => 0,
        Some(_) if area.width >= GAUGE => 24,
        Some((_, text)) => u16::try_from(text::width(text) + 1).unwrap_or(u16::MAX),
    };
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(progress_width)]).areas(status);
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
    match progress {
        Some((sync, _)) if area.width >= GAUGE => frame.render_widget(gauge(sync, theme), right),
        Some((_, text)) => {
            frame.render_widget(Line::styled(format!(" {text}"), theme.gauge()), right);
        }
        None => {}
    }
}

/// The sync's progress as a bar, with the resource and count on it.
fn gauge(sync: &SyncProgress, theme: Theme) -> Gauge<'static> {
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
    Gauge::default()
        .gauge_style(theme.gauge())
        .ratio(ratio)
        .label(label)
}

/// The sync's progress in a few columns: "sync 1,525/12,000".
fn compact_progress(sync: &SyncProgress) -> String {
    match (sync.indexing, sync.total) {
        (true, _) => "indexing".to_owned(),
        (false, Some(total)) => format!(
            "sync {}/{}",
            format::thousands(sync.done),
            format::thousands(total)
        ),
        (false, None) => format!("sync {}", format::thousands(sync.done)),
    }
}

pub fn footer(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let context = model.context();
    let mut spans = Vec::new();
    let searching = model.table().is_some_and(|t| t.searching) && model.overlay.is_none();
    // A text box takes every other key as text.
    let fixed = match (searching, model.typing()) {
        (true, _) => Some(("keep", "clear")),
        (_, true) => Some(("submit", "cancel")),
        _ => None,
    };
    if let Some((enter, esc)) = fixed {
        spans.push(Span::styled("Enter", theme.key()));
        spans.push(Span::raw(format!(" {enter}  ")));
        spans.push(Span::styled("Esc", theme.key()));
        spans.push(Span::raw(format!(" {esc}  ")));
    } else {
        for (key, label) in model.keymap.hints(context) {
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::raw(format!(" {label}  ")));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.dim()), area);
}

/// Newest at the bottom, above the footer, right-aligned; a message wider
/// than the screen wraps between its words rather than run off the edge.
pub fn toasts(frame: &mut Frame, body: Rect, model: &Model, theme: Theme) {
    let mut bottom = body.bottom();
    let columns = usize::from(body.width.saturating_sub(2)).max(1);
    for toast in model.toasts.iter().collect::<Vec<_>>().into_iter().rev() {
        let lines = wrap(&toast.text, columns);
        let inner = lines.iter().map(|l| text::width(l)).max().unwrap_or(0);
        let width = ((inner + 2) as u16).min(body.width);
        let height = (lines.len() as u16).min(bottom.saturating_sub(body.y));
        if height == 0 {
            break;
        }
        bottom -= height;
        let area = Rect {
            x: body.right() - width,
            y: bottom,
            width,
            height,
        };
        let style = match toast.level {
            ToastLevel::Info => theme.toast_info(),
            ToastLevel::Error => theme.toast_error(),
        };
        let shown: Vec<Line> = lines
            .iter()
            .take(usize::from(height))
            .map(|l| Line::raw(format!(" {} ", text::pad(l, inner))))
            .collect();
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(shown).style(style), area);
    }
}

/// `message` in lines at most `columns` wide on screen, broken between
/// words (a word wider than a line gets one of its own, cut at the edge).
fn wrap(message: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in message.split(' ') {
        if !line.is_empty() && text::width(&line) + 1 + text::width(word) > columns {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::{super::table::tests::*, *};
    use crate::{
        close::records::Resource,
        tui::{model::update, msg::Msg},
    };

    #[test]
    fn a_long_message_wraps_between_words() {
        let message = "bad key in [keys.table]: use ctrl-/alt-/shift- and a key name";
        let lines = wrap(message, 24);
        assert_eq!(
            lines,
            [
                "bad key in [keys.table]:",
                "use ctrl-/alt-/shift-",
                "and a key name"
            ]
        );
        assert!(lines.iter().all(|l| text::width(l) <= 24));
        assert_eq!(wrap("short", 24), ["short"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
    }

    fn syncing(width: u16, total: Option<u64>, indexing: bool) -> String {
        let mut model = with_accounts(width, 20, vec![account("Acme", "ann@acme.test", true)]);
        let progress = SyncProgress {
            resource: Resource::Leads,
            done: 1525,
            total,
            indexing,
        };
        update(&mut model, Msg::Sync(Some(progress)));
        draw(&model, width, 20).swap_remove(1)
    }

    #[test]
    fn a_narrow_status_line_counts_the_sync() {
        assert_eq!(
            syncing(50, Some(12_000), false),
            "● connected Acme · ann@acme.test sync 1,525/12,000"
        );
        assert!(syncing(40, None, false).ends_with(" sync 1,525"));
        assert!(syncing(40, Some(12_000), true).ends_with(" indexing"));
        // From 60 columns up, a bar.
        assert!(syncing(60, Some(12_000), false).contains("sync leads 1,525"));
    }
}
