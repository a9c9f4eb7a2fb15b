//! The API-key dialog: the key never shows, a refusal keeps the dialog,
//! and closing it while the key is checked drops the attempt.

use crossterm::event::KeyCode;

use super::{connection::login, *};
use crate::tui::msg::LoginEvent;

#[test]
fn api_key_login_masks_the_key() {
    let mut m = model();
    char(&mut m, 'a');
    typed(&mut m, "api_secret");
    let Some(Overlay::ApiKey { input, .. }) = &m.overlay else {
        panic!("no API key dialog");
    };
    assert_eq!(input.display(), "••••••••••");
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::ApiKeyLogin { attempt, key: sent }] = cmds.as_slice() else {
        panic!("expected ApiKeyLogin, got {cmds:?}");
    };
    assert_eq!(sent.expose(), "api_secret");
    assert!(!format!("{cmds:?}").contains("api_secret"));
    login(
        &mut m,
        *attempt,
        LoginEvent::Failed("Close did not accept it".into()),
    );
    // The dialog stays with the reason, and the key to try again.
    let Some(Overlay::ApiKey {
        input,
        attempt: None,
        error: Some(why),
    }) = &m.overlay
    else {
        panic!("the dialog closed: {:?}", m.overlay);
    };
    assert_eq!(why, "Close did not accept it");
    assert_eq!(input.value(), "api_secret");
    let cmds = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(cmds.as_slice(), [Cmd::ApiKeyLogin { .. }]),
        "{cmds:?}"
    );
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.overlay, None);
}

/// Esc while a key is being checked drops the attempt: its late answer
/// changes nothing, not even a dialog opened since.
#[test]
fn closing_a_key_being_checked_drops_its_attempt() {
    let mut m = model();
    char(&mut m, 'a');
    typed(&mut m, "api_secret");
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::ApiKeyLogin { attempt, .. }] = cmds.as_slice() else {
        panic!("expected ApiKeyLogin, got {cmds:?}");
    };
    let attempt = *attempt;
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.overlay, None);
    assert_eq!(m.connection.login, None);
    char(&mut m, 'a');
    login(&mut m, attempt, LoginEvent::Failed("too late".into()));
    let Some(Overlay::ApiKey { error, .. }) = &m.overlay else {
        panic!("the new dialog went: {:?}", m.overlay);
    };
    assert_eq!(error, &None);
}
