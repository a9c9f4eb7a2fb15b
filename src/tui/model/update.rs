//! `update`: routes each message to the part of the model it concerns, and
//! turns keys into actions through the keymap.

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

use super::update_input::{close_input, on_input_key, on_text};
use super::{Layout, Model, Screen, ToastLevel, update_connection as conn, update_data as data};
use crate::tui::{
    keymap::{Action, KeyCombo},
    msg::{Cmd, Msg},
};

/// Rows the mouse wheel moves per notch.
const WHEEL_ROWS: isize = 3;

/// Applies one message; returns the effects to run.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) => on_key(model, key),
        Msg::Mouse(mouse) => on_mouse(model, mouse),
        Msg::Paste(text) => on_text(model, text.expose()).unwrap_or_default(),
        Msg::Resize(width, height) => {
            model.layout = Layout::new(width, height);
            data::on_resize(model)
        }
        Msg::Tick => {
            model.toasts.expire(model.now);
            if model.rate_limited_until.is_some_and(|t| t <= model.now) {
                model.rate_limited_until = None;
            }
            match &mut model.offline {
                Some(offline) if offline.retry_at <= model.now => {
                    offline.retry_at =
                        model.now + chrono::Duration::seconds(super::OFFLINE_RETRY_SECS);
                    data::retry(model)
                }
                _ => Vec::new(),
            }
        }
        Msg::Terminated => quit(model),
        Msg::Offline(error) => {
            let retry_at = model.now + chrono::Duration::seconds(super::OFFLINE_RETRY_SECS);
            model.offline = Some(super::Unreachable { error, retry_at });
            Vec::new()
        }
        Msg::Accounts(result) => conn::on_accounts(model, result),
        Msg::Token(view) => conn::on_token(model, view),
        Msg::Login { attempt, event } => conn::on_login(model, attempt, event),
        Msg::Disconnected(result) => conn::on_disconnected(model, result),
        Msg::Profile { generation, result } => {
            if result.is_ok() {
                model.offline = None;
            }
            if model.account.generation.is_current(generation) {
                model.account.user.finish(result);
            }
            Vec::new()
        }
        Msg::Organization { generation, result } => {
            if result.is_ok() {
                model.offline = None;
            }
            if model.account.generation.is_current(generation) {
                model.account.org.finish(result);
            }
            Vec::new()
        }
        Msg::Page {
            resource,
            generation,
            result,
        } => data::on_page(model, resource, generation, result),
        Msg::Detail {
            resource,
            generation,
            result,
            live,
        } => data::on_detail(model, resource, generation, result, live),
        Msg::Activities {
            resource,
            generation,
            result,
        } => data::on_activities(model, resource, generation, result),
        Msg::RateLimited { until } => {
            model.rate_limited_until = Some(until);
            Vec::new()
        }
        Msg::Sync(progress) => {
            model.sync = progress;
            Vec::new()
        }
        Msg::Synced(result) => data::on_synced(model, result),
        Msg::CacheChanged { loading } => data::on_cache_changed(model, loading),
        Msg::Error(text) => {
            model.toasts.push(ToastLevel::Error, text, model.now);
            Vec::new()
        }
        Msg::Info(text) => {
            model.toasts.push(ToastLevel::Info, text, model.now);
            Vec::new()
        }
    }
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Cmd> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let combo = KeyCombo::from(key);
    // Ctrl-C always quits, even from a text input.
    if combo == KeyCombo::ctrl('c') {
        return quit(model);
    }
    if let Some(cmds) = on_input_key(model, key) {
        return cmds;
    }
    if model.help {
        let scrolls = model.help_max_scroll() > 0;
        return match model.keymap.action(model.context(), combo) {
            // Quit's key closes the help like any other (Ctrl-C still
            // quits): a `q` meant for the help must not end the session.
            // The movement keys scroll the help when it does not fit; when
            // it does, they close it like any other key, as it says.
            _ if !scrolls => {
                model.help = false;
                Vec::new()
            }
            Some(Action::Up) => scroll_help(model, -1),
            Some(Action::Down) => scroll_help(model, 1),
            Some(Action::PageUp) => scroll_help(model, -help_page(model)),
            Some(Action::PageDown) => scroll_help(model, help_page(model)),
            Some(Action::Top) => scroll_help(model, isize::MIN / 2),
            Some(Action::Bottom) => scroll_help(model, isize::MAX / 2),
            _ => {
                model.help = false;
                Vec::new()
            }
        };
    }
    match model.keymap.action(model.context(), combo) {
        Some(action) => on_action(model, action),
        None => Vec::new(),
    }
}

fn quit(model: &mut Model) -> Vec<Cmd> {
    model.quit = true;
    let mut cmds = Vec::new();
    if let Some(attempt) = model.connection.login {
        cmds.push(Cmd::CancelLogin { attempt });
    }
    cmds.push(Cmd::Quit);
    cmds
}

fn on_action(model: &mut Model, action: Action) -> Vec<Cmd> {
    match action {
        Action::Quit => quit(model),
        Action::Help => {
            model.help = !model.help;
            model.help_scroll = 0;
            Vec::new()
        }
        Action::NextScreen => data::go(model, model.screen.cycle(1)),
        Action::PrevScreen => data::go(model, model.screen.cycle(-1)),
        Action::ShowConnection => data::go(model, Screen::Connection),
        Action::ShowAccount => data::go(model, Screen::Account),
        Action::ShowLeads => data::go(model, Screen::Leads),
        Action::ShowContacts => data::go(model, Screen::Contacts),
        Action::ShowOpportunities => data::go(model, Screen::Opportunities),
        Action::ShowTasks => data::go(model, Screen::Tasks),
        Action::Up => move_by(model, -1),
        Action::Down => move_by(model, 1),
        Action::PageUp => move_by(model, -page(model)),
        Action::PageDown => move_by(model, page(model)),
        Action::Top => move_by(model, isize::MIN / 2),
        Action::Bottom => match Model::data_index(model.screen) {
            Some(i) if model.details[i].is_none() => data::last_row(model, i),
            _ => move_by(model, isize::MAX / 2),
        },
        Action::Select => match model.screen {
            Screen::Connection => conn::activate_selected(model),
            _ => data::open_selected(model),
        },
        Action::Back => match Model::data_index(model.screen) {
            // A table whose search was kept (Enter) shows every row again.
            Some(i) if model.details[i].is_none() && !model.tables[i].query.is_empty() => {
                close_input(model)
            }
            _ => data::close_detail(model),
        },
        Action::Reload => data::reload(model),
        Action::Sync => data::sync(model),
        Action::Search => {
            if let Some(i) = Model::data_index(model.screen) {
                model.tables[i].searching = true;
            }
            Vec::new()
        }
        Action::Connect | Action::Reconnect => conn::start_login(model),
        Action::Disconnect => conn::ask_disconnect(model),
        Action::ApiKeyLogin => conn::open_api_key(model),
        Action::CopyUrl | Action::OpenBrowser | Action::PasteUrl | Action::Cancel => {
            conn::on_dialog_action(model, action)
        }
        Action::Yes => conn::confirm_disconnect(model),
        Action::No => {
            // Closing a key being checked drops its attempt: a late answer
            // then changes nothing on screen.
            if let Some(super::Overlay::ApiKey {
                attempt: Some(_), ..
            }) = model.overlay
            {
                model.connection.login = None;
                model.connection.state =
                    super::ConnectionState::of_account(model.connection.active());
            }
            model.overlay = None;
            Vec::new()
        }
    }
}

fn help_page(model: &Model) -> isize {
    model.layout.help_rows().max(1) as isize
}

fn scroll_help(model: &mut Model, delta: isize) -> Vec<Cmd> {
    let last = model.help_max_scroll() as isize;
    // From where it shows: the text may have shrunk under it.
    model.help_scroll = (model.help_scroll.min(last as usize) as isize)
        .saturating_add(delta)
        .clamp(0, last) as usize;
    Vec::new()
}

fn page(model: &Model) -> isize {
    model.layout.table_rows().max(1) as isize
}

fn move_by(model: &mut Model, delta: isize) -> Vec<Cmd> {
    match model.screen {
        Screen::Connection => {
            let accounts = &mut model.connection;
            let last = accounts.accounts.len().saturating_sub(1) as isize;
            accounts.selected = (accounts.selected as isize)
                .saturating_add(delta)
                .clamp(0, last) as usize;
            Vec::new()
        }
        Screen::Account => {
            let last = model.account.max_scroll(model.layout) as isize;
            // From where it shows: the text may have shrunk under it.
            model.account.scroll = (model.account.scroll.min(last as usize) as isize)
                .saturating_add(delta)
                .clamp(0, last) as usize;
            Vec::new()
        }
        _ => data::move_by(model, delta),
    }
}

fn on_mouse(model: &mut Model, mouse: MouseEvent) -> Vec<Cmd> {
    if model.help {
        return match mouse.kind {
            MouseEventKind::ScrollDown => scroll_help(model, WHEEL_ROWS),
            MouseEventKind::ScrollUp => scroll_help(model, -WHEEL_ROWS),
            _ => Vec::new(),
        };
    }
    if model.overlay.is_some() {
        return Vec::new();
    }
    match mouse.kind {
        MouseEventKind::ScrollDown => {
            data::scroll(model, WHEEL_ROWS).unwrap_or_else(|| move_by(model, WHEEL_ROWS))
        }
        MouseEventKind::ScrollUp => {
            data::scroll(model, -WHEEL_ROWS).unwrap_or_else(|| move_by(model, -WHEEL_ROWS))
        }
        MouseEventKind::Down(MouseButton::Left) => data::click(model, mouse.row),
        _ => Vec::new(),
    }
}
