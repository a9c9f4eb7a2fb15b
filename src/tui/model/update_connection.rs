//! Connection transitions: accounts read from the store, the token
//! manager's reports, login attempts, API-key login and disconnecting.

use super::{
    ConnectDialog, ConnectionState, Generation, LoginPhase, Model, Overlay, Screen, TextInput,
    ToastLevel, TokenView, update_data as data,
};
use crate::{
    secret::Secret,
    store::Account,
    tui::{
        keymap::Action,
        msg::{Cmd, LoginEvent},
    },
};

pub fn on_accounts(model: &mut Model, result: Result<Vec<Account>, String>) -> Vec<Cmd> {
    match result {
        Ok(accounts) => {
            let before = model.connection.active().map(|a| a.id().clone());
            model.connection.set_accounts(accounts);
            let after = model.connection.active().map(|a| a.id().clone());
            if before != after {
                return data::reset(model);
            }
            data::ensure_screen(model)
        }
        Err(error) => {
            if model.connection.state == ConnectionState::Starting {
                model.connection.state = ConnectionState::SignedOut {
                    reason: Some(error.clone()),
                };
            }
            model.toasts.push(ToastLevel::Error, error, model.now);
            Vec::new()
        }
    }
}

pub fn on_token(model: &mut Model, view: TokenView) -> Vec<Cmd> {
    if model.connection.login.is_some() || model.connection.active().is_none() {
        return Vec::new();
    }
    let was_usable = model.connection.state.is_usable();
    // A refresh went through: Close answered. (The first report of a token
    // still valid asked Close nothing, so it says nothing about it.)
    let refreshed = matches!(view, TokenView::Connected { .. })
        && matches!(
            model.connection.state,
            ConnectionState::Refreshing | ConnectionState::Offline { .. }
        );
    if refreshed {
        model.offline = None;
    }
    // The stored accounts' rows show each one's state: a login that now
    // needs doing again (or no longer does) is read again.
    let needed_login = matches!(model.connection.state, ConnectionState::NeedsLogin { .. });
    let needs_login = matches!(view, TokenView::NeedsLogin { .. });
    model.connection.state = view.into();
    let mut cmds = Vec::new();
    if needed_login != needs_login {
        cmds.push(Cmd::LoadAccounts);
    }
    if !was_usable && model.connection.state.is_usable() {
        cmds.extend(data::ensure_screen(model));
    }
    cmds
}

pub fn start_login(model: &mut Model) -> Vec<Cmd> {
    if let Some(Overlay::Connect(_)) = model.overlay {
        return Vec::new();
    }
    let mut cmds = Vec::new();
    if let Some(old) = model.connection.login {
        cmds.push(Cmd::CancelLogin { attempt: old });
    }
    let attempt = model.connection.begin_login();
    model.overlay = Some(Overlay::Connect(ConnectDialog::new(
        attempt,
        model.options.auto_approve,
    )));
    cmds.push(Cmd::StartLogin { attempt });
    cmds
}

pub fn on_login(model: &mut Model, attempt: Generation, event: LoginEvent) -> Vec<Cmd> {
    if !model.connection.is_current(attempt) {
        return Vec::new();
    }
    let dialog = match &mut model.overlay {
        Some(Overlay::Connect(dialog)) if dialog.attempt == attempt => Some(dialog),
        _ => None,
    };
    match event {
        LoginEvent::Waiting(wait) => {
            model.connection.state = ConnectionState::AwaitingBrowser {
                deadline: wait.deadline,
            };
            if let Some(dialog) = dialog {
                dialog.phase = LoginPhase::Waiting(wait);
            }
            Vec::new()
        }
        LoginEvent::PasteRejected(reason) => {
            if let Some(dialog) = dialog {
                dialog.paste_error = Some(reason);
            }
            Vec::new()
        }
        LoginEvent::Exchanging => {
            model.connection.state = ConnectionState::Exchanging;
            if let Some(dialog) = dialog {
                dialog.phase = LoginPhase::Exchanging;
                dialog.paste = None;
            }
            Vec::new()
        }
        LoginEvent::Connected(account) => {
            model.connection.login = None;
            model.overlay = None;
            // Shown at once; the account read that follows confirms it.
            let mut accounts = model.connection.accounts.clone();
            accounts.retain(|a| a.id() != account.id());
            accounts.iter_mut().for_each(|a| a.active = false);
            accounts.push(account.clone());
            model.connection.set_accounts(accounts);
            model.connection.state = ConnectionState::of_account(Some(&account));
            // The login just went through Close.
            model.offline = None;
            let text = format!(
                "connected to {} as {}",
                account.profile.organization_name, account.profile.user_email
            );
            model.toasts.push(ToastLevel::Info, text, model.now);
            let mut cmds = vec![Cmd::LoadAccounts];
            cmds.extend(data::reset(model));
            cmds
        }
        LoginEvent::Failed(reason) => {
            model.connection.login = None;
            model.connection.state = ConnectionState::of_account(model.connection.active());
            match &mut model.overlay {
                // The key stays, with the reason under it: Enter tries it
                // again (Close was unreachable), or it is pasted anew.
                Some(Overlay::ApiKey { attempt, error, .. }) => {
                    *attempt = None;
                    *error = Some(reason);
                }
                Some(Overlay::Connect(_)) => {
                    model.overlay = None;
                    model.toasts.push(ToastLevel::Error, reason, model.now);
                }
                _ => model.toasts.push(ToastLevel::Error, reason, model.now),
            }
            vec![Cmd::LoadAccounts]
        }
    }
}

/// Keys of the connect dialog.
pub fn on_dialog_action(model: &mut Model, action: Action) -> Vec<Cmd> {
    let Some(Overlay::Connect(dialog)) = &mut model.overlay else {
        return Vec::new();
    };
    match action {
        Action::Cancel => {
            let attempt = dialog.attempt;
            model.overlay = None;
            model.connection.login = None;
            model.connection.state = ConnectionState::of_account(model.connection.active());
            vec![Cmd::CancelLogin { attempt }, Cmd::LoadAccounts]
        }
        Action::CopyUrl => match dialog.wait() {
            Some(wait) => {
                let text = wait.url.clone();
                dialog.notice = Some("URL copied to the clipboard (OSC 52)".into());
                vec![Cmd::Copy { text }]
            }
            None => Vec::new(),
        },
        Action::OpenBrowser => match dialog.wait() {
            Some(wait) => {
                let url = wait.url.clone();
                dialog.notice = Some("opening the browser again".into());
                vec![Cmd::OpenBrowser { url }]
            }
            None => Vec::new(),
        },
        Action::PasteUrl => {
            if dialog.wait().is_some() {
                dialog.paste = Some(TextInput::default());
                dialog.paste_error = None;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

pub fn open_api_key(model: &mut Model) -> Vec<Cmd> {
    if model.overlay.is_none() {
        model.overlay = Some(Overlay::ApiKey {
            input: TextInput::masked(),
            attempt: None,
            error: None,
        });
    }
    Vec::new()
}

pub fn submit_api_key(model: &mut Model) -> Vec<Cmd> {
    let Some(Overlay::ApiKey { input, .. }) = &mut model.overlay else {
        return Vec::new();
    };
    let key = input.value().to_owned();
    if key.trim().is_empty() {
        return Vec::new();
    }
    let attempt = model.connection.begin_login();
    if let Some(Overlay::ApiKey {
        attempt: slot,
        error,
        ..
    }) = &mut model.overlay
    {
        *slot = Some(attempt);
        *error = None;
    }
    vec![Cmd::ApiKeyLogin {
        attempt,
        key: Secret::new(key.trim()),
    }]
}

pub fn ask_disconnect(model: &mut Model) -> Vec<Cmd> {
    if let Some(active) = model.connection.active() {
        let label = format!(
            "{} ({})",
            active.profile.organization_name, active.profile.user_email
        );
        model.overlay = Some(Overlay::ConfirmDisconnect {
            account: active.id().clone(),
            label,
        });
    } else {
        model
            .toasts
            .push(ToastLevel::Info, "no account is connected", model.now);
    }
    Vec::new()
}

pub fn confirm_disconnect(model: &mut Model) -> Vec<Cmd> {
    match model.overlay.take() {
        Some(Overlay::ConfirmDisconnect { account, .. }) => {
            model
                .toasts
                .push(ToastLevel::Info, DISCONNECTING, model.now);
            vec![Cmd::Disconnect(account)]
        }
        other => {
            model.overlay = other;
            Vec::new()
        }
    }
}

/// Shown while a disconnect runs, until its outcome replaces it.
const DISCONNECTING: &str = "disconnecting…";

pub fn on_disconnected(model: &mut Model, result: Result<String, String>) -> Vec<Cmd> {
    model.toasts.remove(DISCONNECTING);
    match result {
        Ok(text) => model.toasts.push(ToastLevel::Info, text, model.now),
        Err(text) => model.toasts.push(ToastLevel::Error, text, model.now),
    }
    vec![Cmd::LoadAccounts]
}

pub fn activate_selected(model: &mut Model) -> Vec<Cmd> {
    if model.screen != Screen::Connection {
        return Vec::new();
    }
    match model.connection.accounts.get(model.connection.selected) {
        Some(account) if !account.active => vec![Cmd::Activate(account.id().clone())],
        _ => Vec::new(),
    }
}
