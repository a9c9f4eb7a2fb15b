//! Small pieces the screens share.

use ratatui::text::{Line, Span};

use super::Theme;
use crate::tui::model::{ConnectionState, Model, TextLine, Tone, text};

/// `● connected`, coloured by how usable the connection is. A connection
/// whose requests cannot reach Close shows as offline.
pub fn badge(model: &Model, theme: Theme) -> Span<'static> {
    let state = &model.connection.state;
    if model.offline.is_some() && state.is_usable() {
        return Span::styled("● offline", theme.warn());
    }
    let style = match state {
        ConnectionState::Connected { .. } => theme.ok(),
        ConnectionState::Refreshing
        | ConnectionState::AwaitingBrowser { .. }
        | ConnectionState::Exchanging
        | ConnectionState::Starting
        | ConnectionState::Offline { .. } => theme.warn(),
        ConnectionState::SignedOut { .. } | ConnectionState::NeedsLogin { .. } => theme.error(),
    };
    Span::styled(format!("● {}", state.label()), style)
}

/// `label   value`, with the label padded to `width`.
pub fn field(label: &str, value: impl Into<String>, width: usize, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<width$} "), theme.label()),
        Span::styled(value.into(), theme.text()),
    ])
}

pub fn heading(text: impl Into<String>, theme: Theme) -> Line<'static> {
    Line::from(Span::styled(text.into(), theme.heading()))
}

pub fn dim(text: impl Into<String>, theme: Theme) -> Line<'static> {
    Line::from(Span::styled(text.into(), theme.dim()))
}

pub fn error(text: impl Into<String>, theme: Theme) -> Line<'static> {
    Line::from(Span::styled(text.into(), theme.error()))
}

/// Text from the model, wrapped `area` wide and scrolled by `scroll` rows
/// (held within the text, as `update` holds it).
pub fn scrolled(
    lines: &[TextLine],
    scroll: usize,
    area: ratatui::layout::Rect,
    theme: Theme,
) -> ratatui::widgets::Paragraph<'static> {
    let scroll = scroll.min(text::max_scroll(lines, area.width, area.height));
    let rows: Vec<Line<'static>> =
        text::window(lines, area.width, scroll, usize::from(area.height))
            .iter()
            .map(|row| styled(row, theme))
            .collect();
    ratatui::widgets::Paragraph::new(rows)
}

/// A model line with the theme's styles.
pub fn styled(line: &TextLine, theme: Theme) -> Line<'static> {
    Line::from(
        line.parts
            .iter()
            .map(|(tone, text)| {
                let style = match tone {
                    Tone::Text => theme.text(),
                    Tone::Heading => theme.heading(),
                    Tone::Dim => theme.dim(),
                    Tone::Error => theme.error(),
                    Tone::Label => theme.label(),
                };
                Span::styled(text.clone(), style)
            })
            .collect::<Vec<_>>(),
    )
}
