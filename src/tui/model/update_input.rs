//! Text inputs: a search as it is typed, an API key, a pasted redirect
//! URL. Keys and pastes go to the focused one; Enter submits it, Esc
//! closes it.

use crossterm::event::{KeyCode, KeyEvent};

use super::{Model, Overlay, ToastLevel, update_connection as conn, update_data as data};
use crate::{secret::Secret, tui::msg::Cmd};

/// Keys for a focused text input. `None` lets the key through to the keymap.
pub(super) fn on_input_key(model: &mut Model, key: KeyEvent) -> Option<Vec<Cmd>> {
    if !input_focused(model) {
        return None;
    }
    if !key.modifiers.is_empty()
        && !key
            .modifiers
            .contains(crossterm::event::KeyModifiers::SHIFT)
    {
        return None;
    }
    match key.code {
        KeyCode::Char(c) => on_text(model, &c.to_string()),
        KeyCode::Backspace => {
            edit_input(model, |input| input.backspace());
            Some(after_edit(model))
        }
        KeyCode::Enter => Some(submit_input(model)),
        KeyCode::Esc => Some(close_input(model)),
        _ => None,
    }
}

fn input_focused(model: &Model) -> bool {
    model.typing()
        || model.overlay.is_none()
            && model.table().is_some_and(|t| t.searching)
            && model.detail().is_none()
}

/// Typed or pasted text for the focused input.
pub(super) fn on_text(model: &mut Model, text: &str) -> Option<Vec<Cmd>> {
    if !input_focused(model) {
        // A paste with no input open starts the paste of a redirect URL.
        if let Some(Overlay::Connect(dialog)) = &mut model.overlay
            && dialog.wait().is_some()
        {
            dialog.paste = Some(Default::default());
        } else {
            return None;
        }
    }
    let mut fits = true;
    edit_input(model, |input| fits = input.insert(text));
    if !fits {
        model
            .toasts
            .push(ToastLevel::Error, "that text is too long", model.now);
    }
    Some(after_edit(model))
}

fn edit_input(model: &mut Model, edit: impl FnOnce(&mut super::TextInput)) {
    match &mut model.overlay {
        Some(Overlay::ApiKey { input, .. }) => edit(input),
        Some(Overlay::Connect(dialog)) => {
            if let Some(input) = dialog.paste.as_mut() {
                edit(input);
                dialog.paste_error = None;
            }
        }
        _ => {
            if let Some(i) = Model::data_index(model.screen) {
                edit(&mut model.tables[i].query);
            }
        }
    }
}

/// A search reruns on every edit; other inputs wait for Enter.
fn after_edit(model: &mut Model) -> Vec<Cmd> {
    if model.overlay.is_none() {
        return data::restart_table(model);
    }
    Vec::new()
}

fn submit_input(model: &mut Model) -> Vec<Cmd> {
    match &mut model.overlay {
        Some(Overlay::ApiKey { .. }) => conn::submit_api_key(model),
        Some(Overlay::Connect(dialog)) => {
            let text = dialog
                .paste
                .take()
                .map(|mut i| i.take())
                .unwrap_or_default();
            if text.trim().is_empty() {
                return Vec::new();
            }
            vec![Cmd::PasteRedirect {
                attempt: dialog.attempt,
                text: Secret::new(text),
            }]
        }
        _ => {
            if let Some(i) = Model::data_index(model.screen) {
                model.tables[i].searching = false;
            }
            Vec::new()
        }
    }
}

pub(super) fn close_input(model: &mut Model) -> Vec<Cmd> {
    match &mut model.overlay {
        Some(Overlay::ApiKey { .. }) => {
            model.overlay = None;
            Vec::new()
        }
        Some(Overlay::Connect(dialog)) => {
            dialog.paste = None;
            dialog.paste_error = None;
            Vec::new()
        }
        _ => {
            let Some(i) = Model::data_index(model.screen) else {
                return Vec::new();
            };
            model.tables[i].searching = false;
            if model.tables[i].query.is_empty() {
                return Vec::new();
            }
            model.tables[i].query.clear();
            data::restart_table(model)
        }
    }
}
