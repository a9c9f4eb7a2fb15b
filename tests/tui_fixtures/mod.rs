//! Fixed models for the snapshot tests: a fixed clock, fixed accounts and
//! rows, each state reached through `update` as the app would.

use chrono::{DateTime, Duration, TimeZone, Utc};
use close_tui::{
    close::records::Resource,
    store::{Account, AccountId, AccountState, AuthKind, Profile},
    tui::{
        model::{
            DetailSection, Freshness, LoginWait, Member, Model, ModelOptions, OrgInfo, PageReply,
            PipelineInfo, RecordDetail, RecordRow, UserInfo, update,
        },
        msg::{Cmd, LoginEvent, Msg},
    },
};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

pub fn account(org: &str, active: bool, auth: AuthKind) -> Account {
    Account {
        profile: Profile {
            id: AccountId::new(format!("orga_{org}"), "user_1"),
            organization_name: format!("{org} Corp"),
            user_email: format!("ann@{}.test", org.to_lowercase()),
            user_name: "Ann Example".into(),
            auth,
        },
        state: AccountState::Connected,
        active,
        access_token_expires_at: Some(now() + Duration::seconds(42 * 60 + 7)),
        last_refresh_at: Some(now() - Duration::minutes(18)),
        refresh_token_stored: true,
        created_at: now() - Duration::days(3),
        updated_at: now() - Duration::minutes(18),
    }
}

pub fn send(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    update(model, msg)
}

pub fn key(model: &mut Model, code: KeyCode) -> Vec<Cmd> {
    update(model, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn keys(model: &mut Model, text: &str) -> Vec<Cmd> {
    text.chars()
        .flat_map(|c| key(model, KeyCode::Char(c)))
        .collect()
}

pub fn blank(width: u16, height: u16) -> Model {
    let mut model = Model::new(now(), Default::default(), ModelOptions::default());
    update(&mut model, Msg::Resize(width, height));
    model
}

pub fn signed_out(width: u16, height: u16) -> Model {
    let mut model = blank(width, height);
    send(&mut model, Msg::Accounts(Ok(vec![])));
    model
}

pub fn connected(width: u16, height: u16) -> Model {
    let mut model = blank(width, height);
    send(
        &mut model,
        Msg::Accounts(Ok(vec![
            account("Acme", true, AuthKind::OAuth),
            account("Beta", false, AuthKind::ApiKey),
        ])),
    );
    // A new account starts a background sync; these states show none.
    send(&mut model, Msg::Sync(None));
    model
}

pub fn wait(https: bool, browser: bool) -> LoginWait {
    LoginWait {
        url: "http://127.0.0.1:4100/oauth2/authorize/?response_type=code&client_id=sandbox-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&state=Zm9vYmFyYmF6cXV4&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256".into(),
        transport: if https {
            "loopback https on 127.0.0.1:8765".into()
        } else {
            "loopback http on 127.0.0.1:8765".into()
        },
        https,
        listening: true,
        launch: if browser {
            "opened with `firefox` (from BROWSER)".into()
        } else {
            "not opened: this is an SSH session".into()
        },
        browser_opened: browser,
        ssh_hint: (!browser).then(|| {
            "on the machine with the browser, run `ssh -L 8765:127.0.0.1:8765 USER@THIS_HOST`, then open the URL there".into()
        }),
        deadline: now() + Duration::seconds(4 * 60 + 31),
    }
}

/// Presses `c` and reports the waiting step.
pub fn awaiting(model: &mut Model, wait: LoginWait) {
    let cmds = keys(model, "c");
    let Some(Cmd::StartLogin { attempt }) = cmds.last().cloned() else {
        panic!("no login started: {cmds:?}");
    };
    send(
        model,
        Msg::Login {
            attempt,
            event: LoginEvent::Waiting(wait),
        },
    );
}

pub fn rows(resource: Resource, offset: usize, n: usize) -> Vec<RecordRow> {
    (offset..offset + n)
        .map(|i| RecordRow {
            id: format!("{}_{i:04}", resource.name()),
            cells: match resource {
                Resource::Leads => vec![
                    format!("Lead number {i}"),
                    ["Potential", "Qualified", "Customer"][i % 3].into(),
                    (i % 4).to_string(),
                    "2026-02-27 09:15".into(),
                ],
                Resource::Contacts => vec![
                    format!("Contact {i}"),
                    "CTO".into(),
                    format!("Lead number {i}"),
                    format!("c{i}@example.test"),
                    "+1 555-0100".into(),
                ],
                Resource::Opportunities => vec![
                    format!("Lead number {i}"),
                    "$12,500.00".into(),
                    "Active".into(),
                    "Sales".into(),
                    "50%".into(),
                    "2026-04-01".into(),
                ],
                _ => vec![
                    "2026-03-02".into(),
                    format!("Call back about proposal {i}"),
                    format!("Lead number {i}"),
                    if i % 2 == 0 {
                        "✓".into()
                    } else {
                        String::new()
                    },
                ],
            },
        })
        .collect()
}

/// Goes to a data screen and answers its first page.
pub fn table(width: u16, height: u16, screen_key: char, total: usize) -> Model {
    let mut model = connected(width, height);
    let cmds = keys(&mut model, &screen_key.to_string());
    answer(&mut model, &cmds, total);
    model
}

/// Answers every page request in `cmds` from a table of `total` rows.
pub fn answer(model: &mut Model, cmds: &[Cmd], total: usize) {
    for cmd in cmds {
        if let Cmd::FetchPage(request) = cmd {
            let n = request.limit.min(total.saturating_sub(request.offset));
            send(
                model,
                Msg::Page {
                    resource: request.resource,
                    generation: request.generation,
                    result: Ok(PageReply {
                        offset: request.offset,
                        rows: rows(request.resource, request.offset, n),
                        total: Some(total),
                        has_more: request.offset + n < total,
                        freshness: Freshness::Synced(now() - Duration::minutes(5)),
                        provisional: false,
                    }),
                },
            );
        }
    }
}

pub fn lead_detail() -> RecordDetail {
    let section = |title: &str, lines: &[&str]| DetailSection {
        title: title.into(),
        lines: lines.iter().map(|l| l.to_string()).collect(),
    };
    RecordDetail {
        title: "Lead number 1".into(),
        sections: vec![
            section(
                "Lead",
                &[
                    "Status       Qualified",
                    "URL          https://lead1.example.test",
                    "Description  Met at the trade fair; wants a pilot in Q2.",
                ],
            ),
            section("Addresses", &["1 Main St, Springfield, 12345, US"]),
            section(
                "Contacts (1)",
                &[
                    "Ann Lee — CTO",
                    "    ✉ ann@lead1.test (office)",
                    "    ☎ +1 555-0101 (mobile)",
                ],
            ),
            section("Opportunities", &["$12,500.00     Active     Sales 50%"]),
            section("Custom fields", &[]),
            section("Tasks", &["[ ] 2026-03-02 Call back about the proposal"]),
        ],
    }
}

pub fn user() -> UserInfo {
    UserInfo {
        id: "user_1".into(),
        name: "Ann Example".into(),
        email: "ann@acme.test".into(),
    }
}

pub fn org() -> OrgInfo {
    OrgInfo {
        id: "orga_Acme".into(),
        name: "Acme Corp".into(),
        members: vec![
            Member {
                name: "Ann Example".into(),
                email: "ann@acme.test".into(),
                role: "admin".into(),
            },
            Member {
                name: "Bo Builder".into(),
                email: "bo@acme.test".into(),
                role: "user".into(),
            },
        ],
        lead_statuses: vec!["Potential".into(), "Qualified".into(), "Customer".into()],
        pipelines: vec![PipelineInfo {
            name: "Sales".into(),
            statuses: vec!["Demo".into(), "Won".into(), "Lost".into()],
        }],
    }
}
