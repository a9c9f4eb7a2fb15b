//! The `?` overlay: every binding of the current context and the global
//! ones, straight from the keymap table.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, BorderType, Clear, Paragraph},
};

use super::{Theme, centered};
use crate::tui::{keymap::Context, model::Model};

pub fn render(frame: &mut Frame, body: Rect, model: &Model, theme: Theme) {
    let context = model.context();
    let mut lines = Vec::new();
    let mut contexts = vec![context];
    if context != Context::Global {
        contexts.push(Context::Global);
    }
    for ctx in contexts {
        lines.push(Line::styled(format!("[{}]", ctx.name()), theme.heading()));
        for binding in model.keymap.bindings(ctx) {
            let keys = binding
                .keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<14}"), theme.key()),
                Span::raw(binding.action.describe()),
            ]));
        }
    }
    lines.push(Line::styled(
        "any key closes this · bindings can be changed in config.toml [keys.*]",
        theme.dim(),
    ));
    let area = centered(body, 72, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .border_type(BorderType::Rounded)
                .border_style(theme.border())
                .title(Span::styled(" Keys ", theme.title())),
        ),
        area,
    );
}
