//! The `?` overlay: every binding of the current context and the global
//! ones, straight from the keymap table. On a short terminal it scrolls
//! with the movement keys.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
    widgets::{Block, BorderType, Clear, Paragraph},
};

use super::{Theme, centered};
use crate::tui::{
    keymap::{Action, Context, HelpLine},
    model::{Model, layout::HELP_CHROME_ROWS},
};

pub fn render(frame: &mut Frame, body: Rect, model: &Model, theme: Theme) {
    let entries: Vec<(HelpLine, String)> = model
        .help_lines()
        .into_iter()
        .map(|entry| {
            let keys = match entry {
                HelpLine::Context(_) => String::new(),
                HelpLine::Binding(binding) => binding
                    .keys
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            (entry, keys)
        })
        .collect();
    let key_width = entries
        .iter()
        .map(|(_, keys)| Span::raw(keys.as_str()).width())
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = entries
        .iter()
        .map(|(entry, keys)| match entry {
            HelpLine::Context(ctx) => Line::styled(format!("[{}]", ctx.name()), theme.heading()),
            HelpLine::Binding(binding) => Line::from(vec![
                Span::styled(format!("  {keys:<key_width$}  "), theme.key()),
                Span::raw(binding.action.describe()),
            ]),
        })
        .collect();
    let count = lines.len();
    let height = (count as u16).saturating_add(HELP_CHROME_ROWS);
    let area = centered(body, 72, height);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .title(Span::styled(" Keys ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [list, hint] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    let shown = usize::from(list.height);
    let scroll = model.help_scroll.min(count.saturating_sub(shown));
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(shown).collect();
    frame.render_widget(Paragraph::new(visible), list);
    let hint_text = if count > shown && shown > 0 {
        let key = |action| model.keymap.key_for(Context::Global, action);
        format!(
            "{}/{} scroll ({}–{} of {count}) · any other key closes this",
            key(Action::Up),
            key(Action::Down),
            scroll + 1,
            scroll + shown,
        )
    } else {
        "any key closes this · bindings can be changed in config.toml [keys.*]".to_owned()
    };
    frame.render_widget(Line::styled(hint_text, theme.dim()), hint);
}
