//! Every screen and state drawn into a `TestBackend` at 100×30 and 60×20
//! and compared with the committed snapshots; and none of them may panic
//! at 40×12 or smaller.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_fixtures;

use chrono::Duration;
use close_tui::{
    close::records::Resource,
    tui::{
        model::{Model, OrgInfo, SyncProgress, TokenView},
        msg::{LoginEvent, Msg},
        ui::{self, Theme},
    },
};
use crossterm::event::KeyCode;
use ratatui::{Terminal, backend::TestBackend};
use tui_fixtures::*;

type State = fn(u16, u16) -> Model;

fn states() -> Vec<(&'static str, State)> {
    vec![
        ("connection_starting", blank),
        ("connection_signed_out", signed_out),
        ("connection_connected", connected),
        ("connection_refreshing", |w, h| {
            let mut m = connected(w, h);
            send(&mut m, Msg::Token(TokenView::Refreshing));
            m
        }),
        ("connection_offline", |w, h| {
            let mut m = connected(w, h);
            let retry_at = Some(now() + Duration::seconds(12));
            let error = "cannot refresh the access token: connection failed (api.close.com)".into();
            send(&mut m, Msg::Token(TokenView::Offline { error, retry_at }));
            m
        }),
        ("connection_needs_login", |w, h| {
            let mut m = connected(w, h);
            let reason = "the refresh token was rejected (invalid_grant)".into();
            send(&mut m, Msg::Token(TokenView::NeedsLogin { reason }));
            m
        }),
        ("connect_preparing", |w, h| {
            let mut m = signed_out(w, h);
            keys(&mut m, "c");
            m
        }),
        ("connect_waiting", |w, h| {
            let mut m = signed_out(w, h);
            awaiting(&mut m, wait(false, true));
            m
        }),
        ("connect_https_over_ssh_bad_paste", |w, h| {
            let mut m = signed_out(w, h);
            awaiting(&mut m, wait(true, false));
            keys(&mut m, "p");
            keys(&mut m, "oops");
            let attempt = m.connection.login.unwrap();
            let reason = "the pasted text is not a URL".into();
            let event = LoginEvent::PasteRejected(reason);
            send(&mut m, Msg::Login { attempt, event });
            m
        }),
        ("connect_exchanging", |w, h| {
            let mut m = signed_out(w, h);
            awaiting(&mut m, wait(false, true));
            let attempt = m.connection.login.unwrap();
            send(
                &mut m,
                Msg::Login {
                    attempt,
                    event: LoginEvent::Exchanging,
                },
            );
            m
        }),
        ("connect_auto_approve", |w, h| {
            let mut m = signed_out(w, h);
            m.options.auto_approve = true;
            let mut wait = wait(false, false);
            wait.launch = "not needed: the sandbox approves by itself".into();
            wait.ssh_hint = None;
            awaiting(&mut m, wait);
            m
        }),
        ("connect_demo_without_a_browser", |w, h| {
            let mut m = signed_out(w, h);
            m.options.demo = true;
            let mut wait = wait(false, false);
            wait.launch = "not opened: this is an SSH session".into();
            awaiting(&mut m, wait);
            m
        }),
        ("confirm_disconnect", |w, h| {
            let mut m = connected(w, h);
            keys(&mut m, "x");
            m
        }),
        ("api_key_input", |w, h| {
            let mut m = signed_out(w, h);
            keys(&mut m, "a");
            keys(&mut m, "api_0123456789");
            m
        }),
        ("account_loading", |w, h| {
            let mut m = connected(w, h);
            keys(&mut m, "2");
            m
        }),
        ("account_loaded", account_loaded),
        ("account_org_failed", |w, h| {
            account(w, h, Err("connection failed (api.close.com)".into()))
        }),
        ("leads_loading", |w, h| {
            let mut m = connected(w, h);
            keys(&mut m, "3");
            m
        }),
        ("leads_loaded", |w, h| table(w, h, '3', 2000)),
        ("leads_scrolled_to_the_end", |w, h| {
            let mut m = table(w, h, '3', 2000);
            let cmds = keys(&mut m, "G");
            answer(&mut m, &cmds, 2000);
            m
        }),
        ("leads_search", |w, h| {
            let mut m = table(w, h, '3', 2000);
            let cmds = keys(&mut m, "/lead 1");
            answer(&mut m, &cmds[cmds.len() - 1..], 120);
            m
        }),
        ("leads_search_no_match", |w, h| {
            let mut m = table(w, h, '3', 2000);
            let cmds = keys(&mut m, "/zzz");
            answer(&mut m, &cmds[cmds.len() - 1..], 0);
            key(&mut m, KeyCode::Enter);
            m
        }),
        ("leads_offline", |w, h| {
            let mut m = table(w, h, '3', 2000);
            let error = "cannot reach Close: connection failed (api.close.com)";
            send(&mut m, Msg::Offline(error.into()));
            let cmds = keys(&mut m, "G");
            for cmd in cmds {
                if let close_tui::tui::msg::Cmd::FetchPage(request) = cmd {
                    let resource = request.resource;
                    let generation = request.generation;
                    send(
                        &mut m,
                        Msg::Page {
                            resource,
                            generation,
                            result: Err(error.into()),
                        },
                    );
                }
            }
            m
        }),
        ("lead_detail_loading", |w, h| {
            let mut m = table(w, h, '3', 2000);
            keys(&mut m, "j");
            key(&mut m, KeyCode::Enter);
            m
        }),
        ("lead_detail", |w, h| {
            let mut m = table(w, h, '3', 2000);
            keys(&mut m, "j");
            key(&mut m, KeyCode::Enter);
            let generation = m.detail().unwrap().generation;
            let resource = Resource::Leads;
            send(
                &mut m,
                Msg::Detail {
                    resource,
                    generation,
                    result: Ok(lead_detail()),
                    live: true,
                },
            );
            let result = Ok(vec![
                "2026-02-28 10:02  Email          Re: pilot scope".to_owned(),
                "2026-02-20 16:40  Call           outbound, 12 min".to_owned(),
            ]);
            send(
                &mut m,
                Msg::Activities {
                    resource,
                    generation,
                    result,
                },
            );
            m
        }),
        ("contacts", |w, h| table(w, h, '4', 350)),
        ("opportunities", |w, h| table(w, h, '5', 90)),
        ("tasks", |w, h| table(w, h, '6', 12)),
        ("help", |w, h| {
            let mut m = table(w, h, '3', 2000);
            keys(&mut m, "?");
            m
        }),
        ("toasts_rate_limit_and_sync", |w, h| {
            let mut m = table(w, h, '3', 2000);
            send(
                &mut m,
                Msg::Error("cannot load leads: connection failed".into()),
            );
            let until = now() + Duration::seconds(3);
            send(&mut m, Msg::RateLimited { until });
            let progress = SyncProgress {
                resource: Resource::Leads,
                done: 1200,
                total: Some(2000),
                indexing: false,
            };
            send(&mut m, Msg::Sync(Some(progress)));
            m
        }),
        ("sync_indexing", |w, h| {
            let mut m = table(w, h, '3', 2000);
            let progress = SyncProgress {
                resource: Resource::Leads,
                done: 2000,
                total: Some(2000),
                indexing: true,
            };
            send(&mut m, Msg::Sync(Some(progress)));
            m
        }),
    ]
}

fn draw(model: &Model, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, model, Theme::monochrome()))
        .unwrap();
    terminal
}

#[test]
fn every_screen_matches_its_snapshot() {
    for (width, height) in [(100, 30), (60, 20)] {
        for (name, state) in states() {
            let terminal = draw(&state(width, height), width, height);
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
        }
    }
}

#[test]
fn tiny_terminals_never_panic() {
    for (width, height) in [(40, 12), (20, 5), (1, 1), (0, 0)] {
        for (_, state) in states() {
            draw(&state(width, height), width, height);
        }
    }
}

#[test]
fn an_api_key_is_never_drawn() {
    let mut model = signed_out(100, 30);
    keys(&mut model, "a");
    keys(&mut model, "api_0123456789");
    let screen = draw(&model, 100, 30).backend().to_string();
    assert!(!screen.contains("api_0123456789"));
    assert!(screen.contains("••••••••••••••"));
}

/// On a narrow screen long lines wrap; `G` still shows the very end, and
/// the next key moves the text at once.
#[test]
fn the_end_of_a_wrapped_detail_is_on_screen() {
    let (width, height) = (30, 12);
    let mut m = table(width, height, '3', 2000);
    key(&mut m, KeyCode::Enter);
    let generation = m.detail().unwrap().generation;
    let resource = Resource::Leads;
    let result = Ok(lead_detail());
    send(
        &mut m,
        Msg::Detail {
            resource,
            generation,
            result,
            live: true,
        },
    );
    let result = Ok(vec![
        "2026-02-28 10:02  Email          Re: pilot scope".to_owned(),
        "2026-02-20 16:40  Call           the very last entry".to_owned(),
    ]);
    send(
        &mut m,
        Msg::Activities {
            resource,
            generation,
            result,
        },
    );
    keys(&mut m, "G");
    let end = draw(&m, width, height).backend().to_string();
    assert!(end.contains("very last entry"), "{end}");
    keys(&mut m, "k");
    let back = draw(&m, width, height).backend().to_string();
    assert!(!back.contains("very last entry"), "{back}");
}

#[test]
fn the_account_screen_scrolls_to_its_end_and_back() {
    let (width, height) = (40, 12);
    let mut m = account_loaded(width, height);
    keys(&mut m, "G");
    let end = draw(&m, width, height).backend().to_string();
    assert!(end.contains("Demo · Won · Lost"), "{end}");
    keys(&mut m, "k");
    let back = draw(&m, width, height).backend().to_string();
    assert_ne!(back, end, "one key back moves the text");
}

/// At 80×24 the help does not fit: keys and descriptions stay apart, and
/// the last line is reached by scrolling.
#[test]
fn help_fits_a_small_terminal_and_scrolls_to_its_end() {
    let (width, height) = (80, 24);
    let mut m = table(width, height, '3', 2000);
    key(&mut m, KeyCode::Enter);
    keys(&mut m, "?");
    let top = draw(&m, width, height).backend().to_string();
    assert!(
        top.contains("Esc, Backspace  close the detail view"),
        "{top}"
    );
    assert!(top.contains("╰"), "the box is whole: {top}");
    assert!(!top.contains("go to the last row"), "{top}");
    keys(&mut m, "G");
    let end = draw(&m, width, height).backend().to_string();
    assert!(end.contains("go to the last row"), "{end}");
}

/// The Account screen with the user and the organization loaded.
fn account_loaded(width: u16, height: u16) -> Model {
    account(width, height, Ok(org()))
}

/// The Account screen with the user loaded and `organization` answered.
fn account(width: u16, height: u16, organization: Result<OrgInfo, String>) -> Model {
    let mut m = connected(width, height);
    keys(&mut m, "2");
    let generation = m.account.generation;
    send(
        &mut m,
        Msg::Profile {
            generation,
            result: Ok(user()),
        },
    );
    send(
        &mut m,
        Msg::Organization {
            generation,
            result: organization,
        },
    );
    m
}
