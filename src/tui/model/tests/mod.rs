//! Pure `update` tests: every connection transition, the navigation,
//! stale replies and what being offline does.

mod api_key;
mod connection;
mod help;
mod navigation;
mod offline;
mod rereads;
mod scroll;
mod stale;
mod window;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::{
    secret::Secret,
    store::{Account, AccountId, AccountState, AuthKind, Profile},
    tui::msg::{Cmd, Msg},
};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

pub fn account(org: &str, active: bool) -> Account {
    Account {
        profile: Profile {
            id: AccountId::new(format!("orga_{org}"), "user_1"),
            organization_name: format!("{org} Corp"),
            user_email: format!("ann@{}.test", org.to_lowercase()),
            user_name: "Ann Example".into(),
            auth: AuthKind::OAuth,
        },
        state: AccountState::Connected,
        active,
        access_token_expires_at: Some(now() + chrono::Duration::minutes(42)),
        last_refresh_at: Some(now() - chrono::Duration::minutes(18)),
        refresh_token_stored: true,
        created_at: now() - chrono::Duration::days(3),
        updated_at: now() - chrono::Duration::minutes(18),
    }
}

pub fn model() -> Model {
    Model::new(now(), Default::default(), ModelOptions::default())
}

/// A model with one connected, active account.
pub fn connected() -> Model {
    let mut model = model();
    update(&mut model, Msg::Accounts(Ok(vec![account("Acme", true)])));
    model
}

pub fn key(model: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(model, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn char(model: &mut Model, c: char) -> Vec<Cmd> {
    key(model, KeyCode::Char(c))
}

pub fn typed(model: &mut Model, text: &str) -> Vec<Cmd> {
    text.chars().flat_map(|c| char(model, c)).collect()
}

pub fn fetches(cmds: &[Cmd]) -> Vec<&PageRequest> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::FetchPage(request) => Some(request),
            _ => None,
        })
        .collect()
}

pub fn page(request: &PageRequest, total: usize) -> Msg {
    page_from(request, total, Freshness::Live)
}

/// A page answering `request`, as the cache or Close would send it.
pub fn page_from(request: &PageRequest, total: usize, freshness: Freshness) -> Msg {
    let n = request.limit.min(total.saturating_sub(request.offset));
    Msg::Page {
        resource: request.resource,
        generation: request.generation,
        result: Ok(PageReply {
            offset: request.offset,
            rows: (request.offset..request.offset + n)
                .map(|i| RecordRow {
                    id: format!("lead_{i}"),
                    cells: vec![format!("Lead {i}")],
                })
                .collect(),
            total: Some(total),
            has_more: request.offset + n < total,
            freshness,
            provisional: false,
        }),
    }
}

/// On Leads with 1,000 rows loaded.
pub fn on_leads() -> Model {
    let mut m = connected();
    let cmds = char(&mut m, '3');
    let request = fetches(&cmds)[0].clone();
    update(&mut m, page(&request, 1000));
    m
}

/// A lead's timeline arriving for the detail opened at `generation`.
pub fn timeline(model: &mut Model, generation: Generation, result: Result<Vec<String>, String>) {
    update(
        model,
        Msg::Activities {
            resource: Resource::Leads,
            generation,
            result,
        },
    );
}
