use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::tui::msg::LoginEvent;

fn wait() -> LoginWait {
    LoginWait {
        url: "http://127.0.0.1:4100/oauth2/authorize/?client_id=x".into(),
        transport: "loopback http on 127.0.0.1:8765".into(),
        https: false,
        listening: true,
        launch: "opened with `firefox`".into(),
        browser_opened: true,
        ssh_hint: None,
        deadline: now() + chrono::Duration::minutes(5),
    }
}

/// Presses `c` and returns the attempt's tag.
fn start(model: &mut Model) -> Generation {
    let cmds = char(model, 'c');
    match cmds.as_slice() {
        [Cmd::StartLogin { attempt }] => *attempt,
        other => panic!("expected StartLogin, got {other:?}"),
    }
}

pub(super) fn login(model: &mut Model, attempt: Generation, event: LoginEvent) -> Vec<Cmd> {
    update(model, Msg::Login { attempt, event })
}

#[test]
fn the_store_decides_the_first_state() {
    let mut m = model();
    assert_eq!(m.connection.state, ConnectionState::Starting);
    update(&mut m, Msg::Accounts(Ok(vec![])));
    assert_eq!(
        m.connection.state,
        ConnectionState::SignedOut { reason: None }
    );

    let mut m = connected();
    assert!(matches!(
        m.connection.state,
        ConnectionState::Connected {
            expires_at: Some(_),
            ..
        }
    ));

    let mut stale = account("Acme", true);
    stale.state = AccountState::NeedsLogin {
        reason: "the refresh token was rejected".into(),
    };
    update(&mut m, Msg::Accounts(Ok(vec![stale])));
    assert_eq!(
        m.connection.state,
        ConnectionState::NeedsLogin {
            reason: "the refresh token was rejected".into()
        }
    );
}

#[test]
fn an_unreadable_store_means_signed_out_with_the_reason() {
    let mut m = model();
    update(&mut m, Msg::Accounts(Err("the key file is missing".into())));
    assert_eq!(
        m.connection.state,
        ConnectionState::SignedOut {
            reason: Some("the key file is missing".into())
        }
    );
}

#[test]
fn a_browser_login_walks_through_every_state() {
    let mut m = model();
    update(&mut m, Msg::Accounts(Ok(vec![])));
    let attempt = start(&mut m);
    assert!(matches!(&m.overlay, Some(Overlay::Connect(d)) if d.phase == LoginPhase::Preparing));

    login(&mut m, attempt, LoginEvent::Waiting(wait()));
    assert_eq!(
        m.connection.state,
        ConnectionState::AwaitingBrowser {
            deadline: wait().deadline
        }
    );
    assert!(m.wants_tick(), "the countdown ticks");

    login(&mut m, attempt, LoginEvent::Exchanging);
    assert_eq!(m.connection.state, ConnectionState::Exchanging);
    update(&mut m, Msg::Offline("cannot reach Close".into()));

    let cmds = login(
        &mut m,
        attempt,
        LoginEvent::Connected(account("Acme", true)),
    );
    assert!(matches!(
        m.connection.state,
        ConnectionState::Connected { .. }
    ));
    assert_eq!(m.overlay, None);
    assert_eq!(m.offline, None, "the login went through Close");
    assert!(matches!(cmds.first(), Some(Cmd::LoadAccounts)));
    assert!(
        m.toasts
            .iter()
            .any(|t| t.text.contains("connected to Acme Corp"))
    );
}

#[test]
fn a_failed_login_returns_to_the_stored_state_and_says_why() {
    let mut m = connected();
    let attempt = start(&mut m);
    login(&mut m, attempt, LoginEvent::Waiting(wait()));
    login(&mut m, attempt, LoginEvent::Failed("access denied".into()));
    assert!(matches!(
        m.connection.state,
        ConnectionState::Connected { .. }
    ));
    assert_eq!(m.overlay, None);
    assert!(
        m.toasts
            .iter()
            .any(|t| t.level == ToastLevel::Error && t.text == "access denied")
    );
}

#[test]
fn esc_cancels_and_later_replies_are_ignored() {
    let mut m = model();
    update(&mut m, Msg::Accounts(Ok(vec![])));
    let attempt = start(&mut m);
    login(&mut m, attempt, LoginEvent::Waiting(wait()));
    let cmds = key(&mut m, KeyCode::Esc);
    assert!(
        matches!(cmds.as_slice(), [Cmd::CancelLogin { attempt: a }, Cmd::LoadAccounts] if *a == attempt)
    );
    assert_eq!(
        m.connection.state,
        ConnectionState::SignedOut { reason: None }
    );
    login(&mut m, attempt, LoginEvent::Exchanging);
    assert_eq!(
        m.connection.state,
        ConnectionState::SignedOut { reason: None }
    );
}

#[test]
fn a_bad_paste_is_refused_and_the_dialog_stays() {
    let mut m = model();
    let attempt = start(&mut m);
    login(&mut m, attempt, LoginEvent::Waiting(wait()));
    assert!(char(&mut m, 'p').is_empty());
    typed(&mut m, "not a url");
    let cmds = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(cmds.as_slice(), [Cmd::PasteRedirect { text, .. }] if text.expose() == "not a url")
    );
    login(
        &mut m,
        attempt,
        LoginEvent::PasteRejected("it is not a URL".into()),
    );
    let Some(Overlay::Connect(dialog)) = &m.overlay else {
        panic!("the dialog closed");
    };
    assert_eq!(dialog.paste_error.as_deref(), Some("it is not a URL"));
}

#[test]
fn a_bracketed_paste_opens_the_paste_box() {
    let mut m = model();
    let attempt = start(&mut m);
    login(&mut m, attempt, LoginEvent::Waiting(wait()));
    update(
        &mut m,
        Msg::Paste(Secret::new("http://127.0.0.1:8765/callback?code=x\n")),
    );
    let Some(Overlay::Connect(dialog)) = &m.overlay else {
        panic!("no dialog");
    };
    assert_eq!(
        dialog.paste.as_ref().map(|p| p.value().to_owned()),
        Some("http://127.0.0.1:8765/callback?code=x".into())
    );
}

#[test]
fn the_dialog_copies_and_reopens_the_url() {
    let mut m = model();
    let attempt = start(&mut m);
    login(&mut m, attempt, LoginEvent::Waiting(wait()));
    assert!(matches!(char(&mut m, 'y').as_slice(), [Cmd::Copy { text }] if text == &wait().url));
    assert!(
        matches!(char(&mut m, 'o').as_slice(), [Cmd::OpenBrowser { url }] if url == &wait().url)
    );
    // Screen keys do nothing while the dialog is open.
    assert!(char(&mut m, '3').is_empty());
    assert_eq!(m.screen, Screen::Connection);
}

#[test]
fn token_reports_drive_the_badge() {
    let mut m = connected();
    update(&mut m, Msg::Token(TokenView::Refreshing));
    assert_eq!(m.connection.state, ConnectionState::Refreshing);
    let retry_at = Some(now() + chrono::Duration::seconds(30));
    update(
        &mut m,
        Msg::Token(TokenView::Offline {
            error: "connection failed".into(),
            retry_at,
        }),
    );
    assert_eq!(
        m.connection.state,
        ConnectionState::Offline {
            error: "connection failed".into(),
            retry_at
        }
    );
    assert!(m.wants_tick());
    update(
        &mut m,
        Msg::Token(TokenView::Connected {
            expires_at: None,
            last_refresh_at: Some(now()),
        }),
    );
    assert!(matches!(
        m.connection.state,
        ConnectionState::Connected { .. }
    ));
    let cmds = update(
        &mut m,
        Msg::Token(TokenView::NeedsLogin {
            reason: "invalid_grant".into(),
        }),
    );
    assert_eq!(
        m.connection.state,
        ConnectionState::NeedsLogin {
            reason: "invalid_grant".into()
        }
    );
    assert!(
        matches!(cmds.as_slice(), [Cmd::LoadAccounts]),
        "the stored accounts' rows are read again: {cmds:?}"
    );
}

#[test]
fn token_reports_wait_while_a_login_runs() {
    let mut m = connected();
    let attempt = start(&mut m);
    login(&mut m, attempt, LoginEvent::Waiting(wait()));
    update(&mut m, Msg::Token(TokenView::Refreshing));
    assert!(matches!(
        m.connection.state,
        ConnectionState::AwaitingBrowser { .. }
    ));
}

#[test]
fn disconnect_asks_first() {
    let mut m = connected();
    assert!(char(&mut m, 'x').is_empty());
    assert!(matches!(m.overlay, Some(Overlay::ConfirmDisconnect { .. })));
    assert!(char(&mut m, 'n').is_empty());
    assert_eq!(m.overlay, None);
    char(&mut m, 'x');
    let cmds = char(&mut m, 'y');
    assert!(matches!(cmds.as_slice(), [Cmd::Disconnect(id)] if id.organization_id == "orga_Acme"));
    let cmds = update(
        &mut m,
        Msg::Disconnected(Ok("disconnected from Acme Corp".into())),
    );
    assert!(matches!(cmds.as_slice(), [Cmd::LoadAccounts]));
    let said: Vec<&str> = m.toasts.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        said,
        ["disconnected from Acme Corp"],
        "the outcome replaces the wait"
    );
    update(&mut m, Msg::Accounts(Ok(vec![])));
    assert_eq!(
        m.connection.state,
        ConnectionState::SignedOut { reason: None }
    );
}

#[test]
fn enter_makes_the_selected_account_active() {
    let mut m = model();
    update(
        &mut m,
        Msg::Accounts(Ok(vec![account("Acme", true), account("Beta", false)])),
    );
    assert!(key(&mut m, KeyCode::Enter).is_empty());
    char(&mut m, 'j');
    let cmds = key(&mut m, KeyCode::Enter);
    assert!(matches!(cmds.as_slice(), [Cmd::Activate(id)] if id.organization_id == "orga_Beta"));
}

#[test]
fn ctrl_c_quits_from_anywhere_and_cancels_a_login() {
    let mut m = model();
    let attempt = start(&mut m);
    char(&mut m, 'p');
    let cmds = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(
        matches!(cmds.as_slice(), [Cmd::CancelLogin { attempt: a }, Cmd::Quit] if *a == attempt)
    );
    assert!(m.quit);
}

/// Another close-tui may log in, out or switch: the accounts are read
/// again on the way to the Connection screen, and with R there.
#[test]
fn the_accounts_are_read_again_on_arriving_and_on_reload() {
    let mut m = model();
    char(&mut m, '3');
    let cmds = char(&mut m, '1');
    assert!(cmds.contains(&Cmd::LoadAccounts), "{cmds:?}");
    let cmds = char(&mut m, '1');
    assert!(
        !cmds.contains(&Cmd::LoadAccounts),
        "already there: {cmds:?}"
    );
    let cmds = char(&mut m, 'R');
    assert_eq!(cmds, [Cmd::LoadAccounts]);
    let cmds = key(&mut m, KeyCode::F(5));
    assert_eq!(cmds, [Cmd::LoadAccounts]);
}
