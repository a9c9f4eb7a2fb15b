//! Overlays: the connect dialog, the disconnect question and the API-key
//! input.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, BorderType, Clear, Paragraph, Wrap},
};

use super::{
    Theme, centered,
    widgets::{dim, error, field},
};
use crate::tui::{
    format,
    keymap::{Action, Context},
    model::{ConnectDialog, LoginPhase, Model, Overlay, TextInput},
};

const LABEL: usize = 10;

pub fn render(frame: &mut Frame, body: Rect, model: &Model, overlay: &Overlay, theme: Theme) {
    let (title, lines, width) = match overlay {
        Overlay::Connect(dialog) => ("Connect to Close", connect_lines(model, dialog, theme), 96),
        Overlay::ConfirmDisconnect { label, .. } => (
            "Disconnect",
            vec![
                Line::raw(format!("Disconnect {label}?")),
                dim(
                    "The token is revoked at Close and the local secrets are deleted.",
                    theme,
                ),
                dim(
                    "Its cached records go too; connecting again syncs them afresh.",
                    theme,
                ),
                Line::raw(""),
                Line::raw(format!(
                    "{} yes   {} no",
                    model.keymap.key_for(Context::Confirm, Action::Yes),
                    model.keymap.key_for(Context::Confirm, Action::No)
                )),
            ],
            64,
        ),
        Overlay::ApiKey {
            input,
            attempt,
            error: why,
        } => {
            let mut lines = vec![
                Line::raw("Paste or type a Close API key (Settings → API Keys)."),
                input_line("Key", input, theme),
            ];
            if attempt.is_some() {
                lines.push(dim("checking the key…", theme));
            } else {
                lines.push(dim("Enter to sign in, Esc to cancel", theme));
            }
            if let Some(why) = why {
                lines.push(error(why.clone(), theme));
            }
            ("API key login", lines, 64)
        }
    };
    let inner_width = width.min(body.width).saturating_sub(2).max(1);
    let height = wrapped_height(&lines, inner_width) + 2;
    let area = centered(body, width, height);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border())
        .title(Span::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// Rows the lines take when wrapped at `width` (a close estimate: by
/// characters, which is exact for the ASCII these dialogs hold).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    lines
        .iter()
        .map(|line| (line.width() as u16).div_ceil(width).max(1))
        .sum()
}

fn input_line(label: &str, input: &TextInput, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$} "), theme.label()),
        Span::styled(format!("{}▏", input.display()), theme.input()),
    ])
}

fn connect_lines(model: &Model, dialog: &ConnectDialog, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if dialog.auto_approve {
        lines.push(Line::styled(
            "The demo sandbox approves this login by itself: no browser is needed.",
            theme.ok(),
        ));
    }
    match &dialog.phase {
        LoginPhase::Preparing => lines.push(dim("starting the login…", theme)),
        LoginPhase::Exchanging => lines.push(Line::raw("Exchanging the code for tokens…")),
        LoginPhase::Waiting(wait) => {
            lines.push(Line::raw("Open this URL to approve close-tui:"));
            lines.push(Line::styled(wait.url.clone(), theme.link()));
            lines.push(Line::raw(""));
            lines.push(field("Transport", wait.transport.clone(), LABEL, theme));
            lines.push(field("Browser", wait.launch.clone(), LABEL, theme));
            if model.options.demo && !dialog.auto_approve && !wait.browser_opened {
                lines.push(Line::styled(
                    "No browser here? Quit and run `close-tui demo --auto-approve`: the demo \
                     sandbox then approves the login by itself.",
                    theme.warn(),
                ));
            }
            if wait.https {
                lines.push(Line::styled(
                    "The browser warns once about the callback's self-signed certificate: accept it for 127.0.0.1.",
                    theme.warn(),
                ));
            }
            // Not for the demo: its sandbox is on this machine too, so a
            // tunnel for the callback alone would not do.
            if let Some(hint) = &wait.ssh_hint
                && !model.options.demo
            {
                lines.push(field("Over SSH", hint.clone(), LABEL, theme));
            }
            let left = format::countdown(format::secs_until(model.now, wait.deadline));
            let waiting = if wait.listening {
                format!("waiting for the browser… {left} left")
            } else {
                format!("paste the URL the browser was sent to… {left} left")
            };
            lines.push(field("Status", waiting, LABEL, theme));
        }
    }
    if let Some(input) = &dialog.paste {
        lines.push(input_line("Paste", input, theme));
        lines.push(dim("Enter to submit, Esc to close the paste box", theme));
    }
    if let Some(why) = &dialog.paste_error {
        lines.push(error(format!("That URL was refused: {why}"), theme));
    }
    if let Some(notice) = &dialog.notice {
        lines.push(Line::styled(notice.clone(), theme.ok()));
    }
    lines
}
