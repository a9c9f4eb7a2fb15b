//! Screen 1: the connection's state, the signed-in account's token
//! timings, and the stored accounts.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
    widgets::{Paragraph, Wrap},
};

use super::{
    Theme,
    widgets::{badge, dim, error, field, heading},
};
use crate::{
    store::{AccountState, AuthKind},
    tui::{
        format,
        keymap::{Action, Context},
        model::{ConnectionState, Model},
    },
};

const LABEL: usize = 13;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let status = status_lines(model, theme);
    let height = (status.len() as u16 + 1).min(area.height);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(status).wrap(Wrap { trim: false }), top);
    frame.render_widget(
        Paragraph::new(account_lines(model, theme, usize::from(area.width))),
        bottom,
    );
}

fn key(model: &Model, action: Action) -> String {
    model.keymap.key_for(Context::Connection, action)
}

fn status_lines(model: &Model, theme: Theme) -> Vec<Line<'static>> {
    let now = model.now;
    let state = &model.connection.state;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:<LABEL$} ", "Status"), theme.label()),
        badge(model, theme),
    ])];
    if let Some(offline) = &model.offline
        && state.is_usable()
    {
        lines.push(error(format!("Offline: {}", offline.error), theme));
        lines.push(Line::raw(format!(
            "Retrying in {}. What is on screen stays.",
            format::countdown(format::secs_until(now, offline.retry_at))
        )));
    }
    match state {
        ConnectionState::Starting => lines.push(dim("reading the stored accounts…", theme)),
        ConnectionState::SignedOut { reason } => {
            if let Some(reason) = reason {
                lines.push(error(reason.clone(), theme));
            }
            lines.push(Line::raw(format!(
                "Press {} to connect in the browser, or {} to sign in with an API key.",
                key(model, Action::Connect),
                key(model, Action::ApiKeyLogin)
            )));
        }
        ConnectionState::AwaitingBrowser { deadline } => lines.push(Line::raw(format!(
            "Waiting for the browser: {} left",
            format::countdown(format::secs_until(now, *deadline))
        ))),
        ConnectionState::Exchanging => {
            lines.push(Line::raw("Exchanging the code for tokens…"));
        }
        ConnectionState::NeedsLogin { reason } => {
            lines.push(error(format!("Needs login: {reason}"), theme));
            lines.push(Line::raw(format!(
                "Press {} to sign in again.",
                key(model, Action::Reconnect)
            )));
        }
        ConnectionState::Offline {
            error: why,
            retry_at,
        } => {
            lines.push(error(format!("Offline: {why}"), theme));
            let retry = retry_at.map_or_else(
                || "Retrying soon.".to_owned(),
                |at| {
                    format!(
                        "Retrying in {}.",
                        format::countdown(format::secs_until(now, at))
                    )
                },
            );
            lines.push(Line::raw(format!("{retry} Cached data stays readable.")));
        }
        ConnectionState::Connected { .. } | ConnectionState::Refreshing => {}
    }
    if let Some(active) = model.connection.active() {
        let profile = &active.profile;
        lines.push(field(
            "Organization",
            format!(
                "{} ({})",
                profile.organization_name, profile.id.organization_id
            ),
            LABEL,
            theme,
        ));
        lines.push(field(
            "User",
            format!("{} <{}>", profile.user_name, profile.user_email),
            LABEL,
            theme,
        ));
        let auth = match profile.auth {
            AuthKind::OAuth => "OAuth 2.0",
            AuthKind::ApiKey => "API key",
        };
        lines.push(field("Auth", auth, LABEL, theme));
        lines.extend(token_lines(model, theme));
    }
    lines
}

fn token_lines(model: &Model, theme: Theme) -> Vec<Line<'static>> {
    let now = model.now;
    let (expires_at, last_refresh_at) = match &model.connection.state {
        ConnectionState::Connected {
            expires_at,
            last_refresh_at,
        } => (*expires_at, *last_refresh_at),
        ConnectionState::Refreshing => {
            return vec![field("Access token", "refreshing…", LABEL, theme)];
        }
        _ => return Vec::new(),
    };
    let Some(expires_at) = expires_at else {
        let is_key = model
            .connection
            .active()
            .is_some_and(|a| a.profile.auth == AuthKind::ApiKey);
        let text = if is_key {
            "does not expire"
        } else {
            "expiry unknown"
        };
        return vec![field("Access token", text, LABEL, theme)];
    };
    let left = format::secs_until(now, expires_at);
    let next = model
        .connection
        .next_refresh_at(expires_at, last_refresh_at);
    vec![
        field(
            "Access token",
            format!("expires in {}", format::countdown(left)),
            LABEL,
            theme,
        ),
        field(
            "Last refresh",
            last_refresh_at.map_or_else(
                || "never (fresh login)".to_owned(),
                |at| format!("{} ({})", format::when(at), format::ago(now, at)),
            ),
            LABEL,
            theme,
        ),
        field(
            "Next refresh",
            if next <= now {
                "due now".to_owned()
            } else {
                format!("in {}", format::countdown(format::secs_until(now, next)))
            },
            LABEL,
            theme,
        ),
    ]
}

/// One row per stored account; the name and email columns share what the
/// width leaves after the marker, auth kind and state.
fn account_lines(model: &Model, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let column = (width.saturating_sub(34) / 2).clamp(8, 30);
    let accounts = &model.connection.accounts;
    let mut lines = vec![heading(
        format!(
            "Stored accounts ({})  {} make active",
            accounts.len(),
            key(model, Action::Select)
        ),
        theme,
    )];
    if accounts.is_empty() {
        lines.push(dim("none yet", theme));
    }
    for (i, account) in accounts.iter().enumerate() {
        let marker = if account.active { "● " } else { "  " };
        let state = match &account.state {
            AccountState::Connected => "connected".to_owned(),
            AccountState::NeedsLogin { .. } => "needs login".to_owned(),
        };
        let clip = |text: &str| text.chars().take(column).collect::<String>();
        let text = format!(
            "{marker}{:<column$} {:<column$} {:<8} {}{}",
            clip(&account.profile.organization_name),
            clip(&account.profile.user_email),
            account.profile.auth.as_str(),
            state,
            if account.active { "  (active)" } else { "" }
        );
        let style = if i == model.connection.selected {
            theme.selected()
        } else {
            theme.text()
        };
        lines.push(Line::styled(text, style));
    }
    lines
}
