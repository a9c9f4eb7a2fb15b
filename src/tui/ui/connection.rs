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
    table::fit,
    widgets::{badge, dim, error, field, heading},
};
use crate::{
    store::{Account, AccountState, AuthKind},
    tui::{
        format,
        keymap::{Action, Context},
        model::{ConnectionState, Model, text},
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

/// The narrowest the organization and email columns get: past this the
/// row runs off the right edge instead.
const NARROWEST: usize = 8;

/// One row per stored account: the organization and email columns are
/// as wide as their longest entry; when the row is wider than `width`,
/// they share what the marker, auth kind and state leave, and a cut
/// entry ends in "…". A narrow row leaves out "(active)": the marker
/// says it too.
fn account_lines(model: &Model, theme: Theme, width: usize) -> Vec<Line<'static>> {
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
    let tail = |account: &Account, says_active: bool| {
        let state = match &account.state {
            AccountState::Connected => "connected",
            AccountState::NeedsLogin { .. } => "needs login",
        };
        let active = if account.active && says_active {
            "  (active)"
        } else {
            ""
        };
        format!("{:<8} {state}{active}", account.profile.auth.as_str())
    };
    let widest = |of: &dyn Fn(&Account) -> usize| accounts.iter().map(of).max().unwrap_or(0);
    let org = widest(&|a| text::width(&a.profile.organization_name));
    let email = widest(&|a| text::width(&a.profile.user_email));
    // The marker, and two spaces after each column.
    let room = |says_active: bool| {
        width.saturating_sub(2 + 4 + widest(&|a| text::width(&tail(a, says_active))))
    };
    let says_active = room(true) >= (org + email).min(2 * NARROWEST);
    let (org, email) = share(org, email, room(says_active).max(2 * NARROWEST));
    for (i, account) in accounts.iter().enumerate() {
        let marker = if account.active { "● " } else { "  " };
        let cell = |value: &str, width: usize| {
            let width = u16::try_from(width).unwrap_or(u16::MAX);
            text::pad(&fit(value, width), usize::from(width))
        };
        let text = format!(
            "{marker}{}  {}  {}",
            cell(&account.profile.organization_name, org),
            cell(&account.profile.user_email, email),
            tail(account, says_active)
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

/// Widths for two columns that want `a` and `b` in `room`: each as wide
/// as it wants if both fit, else half the room, and what one leaves to
/// the other.
fn share(a: usize, b: usize, room: usize) -> (usize, usize) {
    if a + b <= room {
        return (a, b);
    }
    let half = room / 2;
    if a <= half {
        (a, room - a)
    } else if b <= room - half {
        (room - b, b)
    } else {
        (half, room - half)
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::tests::*;

    fn accounts(width: u16) -> Vec<String> {
        let model = with_accounts(
            width,
            20,
            vec![
                account(
                    "Juniper Health Partners",
                    "jacob.martin0@juniperhealth.example",
                    true,
                ),
                account("Beta", "ann@beta.test", false),
            ],
        );
        draw(&model, width, 20)
            .into_iter()
            .skip_while(|line| !line.starts_with("Stored accounts"))
            .skip(1)
            .take(2)
            .collect()
    }

    #[test]
    fn stored_accounts_use_the_whole_width() {
        let lines = accounts(250);
        assert!(
            lines[0].starts_with(
                "● Juniper Health Partners  jacob.martin0@juniperhealth.example  oauth    connected  (active)"
            ),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("  Beta                     ann@beta.test"));
    }

    #[test]
    fn a_cut_account_ends_in_an_ellipsis_and_keeps_its_state() {
        let lines = accounts(70);
        assert_eq!(
            lines[0],
            "● Juniper Health Pa…  jacob.martin0@jun…  oauth    connected  (active)"
        );
        assert!(lines[1].starts_with("  Beta                ann@beta.test "));
        // Narrower, the marker alone says which is active.
        assert_eq!(
            accounts(40),
            [
                "● Juniper…  jacob.m…  oauth    connected",
                "  Beta      ann@bet…  oauth    connected",
            ]
        );
    }
}
