//! Screen changes and the data screens: paging, search, retries while
//! offline and the Account screen's loads (detail views: `update_detail.rs`).

pub use super::update_detail::{close_detail, on_activities, on_detail, open_selected};
use super::{
    Generation, Model, PageReply, Screen, TableModel,
    update_detail::{index_of, reload_activities, reopen_detail},
};
use crate::{close::records::Resource, tui::msg::Cmd};

fn fetch(request: Option<super::PageRequest>) -> Vec<Cmd> {
    request.map(Cmd::FetchPage).into_iter().collect()
}

fn has_account(model: &Model) -> bool {
    model.connection.active().is_some()
}

pub fn go(model: &mut Model, screen: Screen) -> Vec<Cmd> {
    // The stored accounts are read again on the way to the screen that
    // lists them: another close-tui may have changed them.
    let arriving = screen == Screen::Connection && model.screen != screen;
    model.screen = screen;
    let mut cmds = ensure_screen(model);
    if arriving {
        cmds.push(Cmd::LoadAccounts);
    }
    cmds
}

/// Loads what the current screen shows, if it is not there yet.
pub fn ensure_screen(model: &mut Model) -> Vec<Cmd> {
    if !has_account(model) {
        return Vec::new();
    }
    match model.screen {
        Screen::Connection => Vec::new(),
        Screen::Account => {
            let active = model.connection.active().map(|a| a.id().clone());
            let stale = model.account.loaded_for != active || model.account.user.value().is_none();
            if stale && !model.account.user.is_loading() {
                load_account(model)
            } else {
                Vec::new()
            }
        }
        screen => match Model::data_index(screen) {
            Some(i) => {
                let rows = model.layout.table_rows();
                fetch(model.tables[i].set_height(rows))
            }
            None => Vec::new(),
        },
    }
}

fn load_account(model: &mut Model) -> Vec<Cmd> {
    let Some(active) = model.connection.active() else {
        return Vec::new();
    };
    let id = active.id().clone();
    let organization_id = id.organization_id.clone();
    let generation = model.account.start(id);
    vec![
        Cmd::LoadProfile { generation },
        Cmd::LoadOrganization {
            generation,
            organization_id,
        },
    ]
}

/// Starts a sync unless one is running.
pub fn sync(model: &mut Model) -> Vec<Cmd> {
    if !has_account(model) || model.sync.is_some() {
        return Vec::new();
    }
    model.sync = Some(super::SyncProgress {
        resource: Resource::Leads,
        done: 0,
        total: None,
        indexing: false,
    });
    vec![Cmd::Sync]
}

/// A sync ended: tables read the cache again, keeping their place.
pub fn on_synced(model: &mut Model, result: Result<String, String>) -> Vec<Cmd> {
    model.sync = None;
    match result {
        Ok(text) => model.toasts.push(super::ToastLevel::Info, text, model.now),
        Err(text) => model.toasts.push(super::ToastLevel::Error, text, model.now),
    }
    reread(model, |_| true)
}

/// Another process changed the database: synced, logged in or out. The
/// accounts' list is read again; so are the tables holding the cache's
/// rows, the one on screen now (keeping its place), the others when next
/// shown. Left alone: tables showing Close's own rows (as fresh as can
/// be, and reading them again would ask Close), one waiting for an answer
/// (a search Close is merging into), all of them during this app's own
/// sync (its end reads them again) and while a bulk load elsewhere has
/// their indexes set aside (its end is news of its own).
pub fn on_cache_changed(model: &mut Model, loading: bool) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    if model.screen == Screen::Connection && model.connection.login.is_none() {
        cmds.push(Cmd::LoadAccounts);
    }
    if model.sync.is_some() || loading || !has_account(model) {
        return cmds;
    }
    cmds.extend(reread(model, |table| {
        matches!(table.freshness, super::Freshness::Synced(_)) && table.pending.is_none()
    }));
    cmds
}

/// Of the tables `which` picks, the one on screen reads its rows again,
/// keeping its place; the others are read again when next shown.
fn reread(model: &mut Model, which: impl Fn(&TableModel) -> bool) -> Vec<Cmd> {
    let current = Model::data_index(model.screen);
    let mut cmds = Vec::new();
    for (i, table) in model.tables.iter_mut().enumerate() {
        if !which(table) {
            continue;
        }
        if current == Some(i) {
            cmds.push(Cmd::FetchPage(table.refresh()));
        } else {
            // Shown later: read again then.
            table.invalidate();
        }
    }
    cmds
}

/// The active account changed: everything shown belongs to the old one.
pub fn reset(model: &mut Model) -> Vec<Cmd> {
    // Keep counting, so a profile or organization still on its way for the
    // old account is stale, not taken for the new one's.
    let generation = model.account.generation;
    model.account = Default::default();
    model.account.generation = generation;
    model.account.generation.bump();
    for (table, resource) in model.tables.iter_mut().zip([
        Resource::Leads,
        Resource::Contacts,
        Resource::Opportunities,
        Resource::Tasks,
    ]) {
        let generation = table.generation;
        *table = TableModel::new(resource);
        // Keep counting, so a reply for the old account is still stale.
        table.generation = generation;
        table.generation.bump();
    }
    model.details = [None, None, None, None];
    model.sync = None;
    let mut cmds = ensure_screen(model);
    // Cached data shows at once; the background sync brings it up to date.
    cmds.extend(sync(model));
    cmds
}

pub fn on_resize(model: &mut Model) -> Vec<Cmd> {
    // Text rewraps at the new width; keep the scroll within it.
    let layout = model.layout;
    model.account.scroll = model.account.scroll.min(model.account.max_scroll(layout));
    for detail in model.details.iter_mut().flatten() {
        detail.scroll = detail.scroll.min(detail.max_scroll(layout));
    }
    let rows = model.layout.table_rows();
    let mut cmds = Vec::new();
    for (i, table) in model.tables.iter_mut().enumerate() {
        let request = table.set_height(rows);
        // Only the visible table fetches; the others catch up when shown.
        if Model::data_index(model.screen) == Some(i) && has_account_state(&model.connection) {
            cmds.extend(fetch(request));
        } else {
            table.pending = None;
        }
    }
    cmds
}

fn has_account_state(connection: &super::ConnectionModel) -> bool {
    connection.active().is_some()
}

pub fn restart_table(model: &mut Model) -> Vec<Cmd> {
    let Some(i) = Model::data_index(model.screen) else {
        return Vec::new();
    };
    if !has_account(model) {
        return Vec::new();
    }
    fetch(model.tables[i].restart())
}

pub fn reload(model: &mut Model) -> Vec<Cmd> {
    match model.screen {
        Screen::Account => load_account(model),
        Screen::Connection => vec![Cmd::LoadAccounts],
        _ => match Model::data_index(model.screen) {
            Some(i) if model.details[i].is_some() => reopen_detail(model, i, true),
            _ => restart_table(model),
        },
    }
}

pub fn move_by(model: &mut Model, delta: isize) -> Vec<Cmd> {
    let Some(i) = Model::data_index(model.screen) else {
        return Vec::new();
    };
    if let Some(detail) = &mut model.details[i] {
        let last = detail.max_scroll(model.layout) as isize;
        // From where it shows: the text may have shrunk under it.
        detail.scroll = (detail.scroll.min(last as usize) as isize)
            .saturating_add(delta)
            .clamp(0, last) as usize;
        return Vec::new();
    }
    fetch(model.tables[i].move_by(delta))
}

/// G and End on a table: its last row, found page by page while the
/// list's length is unknown (a search's "90+").
pub fn last_row(model: &mut Model, table: usize) -> Vec<Cmd> {
    fetch(model.tables[table].select_last())
}

/// The wheel over a table scrolls the view; `None` elsewhere (the
/// caller moves the selection or the text instead).
pub fn scroll(model: &mut Model, delta: isize) -> Option<Vec<Cmd>> {
    match Model::data_index(model.screen) {
        Some(i) if model.details[i].is_none() => Some(fetch(model.tables[i].scroll_by(delta))),
        _ => None,
    }
}

/// A left click on a table row selects it.
pub fn click(model: &mut Model, row: u16) -> Vec<Cmd> {
    let Some(i) = Model::data_index(model.screen) else {
        return Vec::new();
    };
    let first = model.layout.first_table_row();
    if model.details[i].is_some() || row < first {
        return Vec::new();
    }
    let table = &mut model.tables[i];
    let index = table.top + usize::from(row - first);
    if index >= table.top + table.height || index >= table.total.navigable() {
        return Vec::new();
    }
    fetch(table.select(index as isize))
}

/// Close is unreachable: ask again for what the current screen lacks, and
/// for something from Close all the same. Only an answer from Close says
/// it is back, and the screen's own request may keep failing for another
/// reason (a record deleted meanwhile answers 404 every time).
pub fn retry(model: &mut Model) -> Vec<Cmd> {
    let mut cmds = retry_screen(model);
    cmds.extend(probe(model));
    cmds
}

/// The account's profile (and organization): small, and the Account
/// screen shows them. One load at a time; the one in flight will answer.
fn probe(model: &mut Model) -> Vec<Cmd> {
    if !has_account(model) {
        // Nothing can be asked for, and nothing shows the banner.
        model.offline = None;
        return Vec::new();
    }
    if model.account.user.is_loading() {
        return Vec::new();
    }
    load_account(model)
}

fn retry_screen(model: &mut Model) -> Vec<Cmd> {
    match model.screen {
        Screen::Account => {
            if model.account.user.error().is_some() || model.account.org.error().is_some() {
                load_account(model)
            } else {
                Vec::new()
            }
        }
        Screen::Connection => Vec::new(),
        screen => match Model::data_index(screen) {
            Some(i)
                if model.details[i]
                    .as_ref()
                    .is_some_and(|d| d.body.error().is_some()) =>
            {
                reopen_detail(model, i, false)
            }
            Some(i)
                if model.details[i]
                    .as_ref()
                    .is_some_and(|d| d.activities.error().is_some()) =>
            {
                reload_activities(model, i)
            }
            Some(i) if model.tables[i].error.is_some() => {
                model.tables[i].pending = None;
                fetch(model.tables[i].ensure())
            }
            _ => Vec::new(),
        },
    }
}

pub fn on_page(
    model: &mut Model,
    resource: Resource,
    generation: Generation,
    result: Result<PageReply, String>,
) -> Vec<Cmd> {
    // Rows from the local cache say nothing about Close.
    if result
        .as_ref()
        .is_ok_and(|page| page.freshness == super::Freshness::Live)
    {
        model.offline = None;
    }
    let Some(i) = index_of(resource) else {
        return Vec::new();
    };
    // Only the table on screen asks on; the others catch up when shown.
    if Model::data_index(model.screen) == Some(i) && has_account(model) {
        return fetch(model.tables[i].receive(generation, result));
    }
    model.tables[i].apply(generation, result);
    Vec::new()
}
