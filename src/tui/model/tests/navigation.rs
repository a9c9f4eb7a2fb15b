use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;
use crate::close::records::Resource;

#[test]
fn number_keys_and_tab_switch_screens() {
    let mut m = connected();
    for (c, screen) in [
        ('2', Screen::Account),
        ('3', Screen::Leads),
        ('4', Screen::Contacts),
        ('5', Screen::Opportunities),
        ('6', Screen::Tasks),
        ('1', Screen::Connection),
    ] {
        char(&mut m, c);
        assert_eq!(m.screen, screen);
    }
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.screen, Screen::Account);
    key(&mut m, KeyCode::BackTab);
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.screen, Screen::Tasks);
}

#[test]
fn the_account_screen_loads_once_per_account() {
    let mut m = connected();
    let cmds = char(&mut m, '2');
    assert!(matches!(
        cmds.as_slice(),
        [Cmd::LoadProfile { .. }, Cmd::LoadOrganization { organization_id, .. }] if organization_id == "orga_Acme"
    ));
    let generation = m.account.generation;
    update(
        &mut m,
        Msg::Profile {
            generation,
            result: Ok(UserInfo::default()),
        },
    );
    update(
        &mut m,
        Msg::Organization {
            generation,
            result: Err("offline".into()),
        },
    );
    assert_eq!(m.account.org.error(), Some("offline"));
    char(&mut m, '1');
    assert!(char(&mut m, '2').is_empty());
    let reload = char(&mut m, 'R');
    assert_eq!(reload.len(), 2);
}

#[test]
fn data_screens_wait_for_an_account() {
    let mut m = model();
    update(&mut m, Msg::Accounts(Ok(vec![])));
    assert!(char(&mut m, '3').is_empty());
}

#[test]
fn data_screens_fetch_only_the_visible_window() {
    let mut m = connected();
    let cmds = char(&mut m, '3');
    let requests = fetches(&cmds);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].resource, Resource::Leads);
    assert_eq!(requests[0].offset, 0);
    assert!(requests[0].limit <= MAX_PAGE);
}

#[test]
fn movement_keys_move_the_selection() {
    let mut m = on_leads();
    char(&mut m, 'j');
    key(&mut m, KeyCode::Down);
    assert_eq!(m.tables[0].selected, 2);
    char(&mut m, 'k');
    assert_eq!(m.tables[0].selected, 1);
    key(&mut m, KeyCode::PageDown);
    assert_eq!(m.tables[0].selected, 1 + m.layout.table_rows());
    let cmds = char(&mut m, 'G');
    assert_eq!(m.tables[0].selected, 999);
    assert_eq!(fetches(&cmds).len(), 1);
    char(&mut m, 'g');
    assert_eq!(m.tables[0].selected, 0);
    key(&mut m, KeyCode::End);
    key(&mut m, KeyCode::Home);
    assert_eq!(m.tables[0].selected, 0);
}

#[test]
fn search_as_you_type_drops_stale_pages() {
    let mut m = on_leads();
    char(&mut m, '/');
    let first = fetches(&char(&mut m, 'a'))[0].clone();
    let second = fetches(&char(&mut m, 'c'))[0].clone();
    assert_eq!(second.query, "ac");
    update(&mut m, page(&first, 500));
    assert_eq!(
        m.tables[0].total,
        Total::Unknown,
        "the stale page was dropped"
    );
    update(&mut m, page(&second, 12));
    assert_eq!(m.tables[0].total, Total::Exact(12));
    assert_eq!(m.tables[0].unfiltered, Some(1000));
    // Keys type while searching; Enter keeps the filter, Esc clears it.
    char(&mut m, 'q');
    assert!(!m.quit);
    key(&mut m, KeyCode::Backspace);
    key(&mut m, KeyCode::Enter);
    assert!(!m.tables[0].searching);
    assert_eq!(m.tables[0].query.value(), "ac");
    char(&mut m, '/');
    let cmds = key(&mut m, KeyCode::Esc);
    assert_eq!(fetches(&cmds)[0].query, "");
    // A kept search clears with Esc (Back) on the table too.
    char(&mut m, '/');
    char(&mut m, 'a');
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.tables[0].query.value(), "a");
    let cmds = key(&mut m, KeyCode::Esc);
    assert_eq!(m.tables[0].query.value(), "");
    assert_eq!(fetches(&cmds)[0].query, "");
}

#[test]
fn an_oversized_search_is_refused_cleanly() {
    let mut m = on_leads();
    char(&mut m, '/');
    update(&mut m, Msg::Paste(Secret::new("x".repeat(MAX_INPUT + 1))));
    assert!(m.tables[0].query.is_empty());
    assert!(m.toasts.iter().any(|t| t.text.contains("too long")));
}

#[test]
fn enter_opens_a_detail_and_esc_goes_back() {
    let mut m = on_leads();
    char(&mut m, 'j');
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::LoadDetail { id, generation, .. }] = cmds.as_slice() else {
        panic!("expected LoadDetail, got {cmds:?}");
    };
    assert_eq!(id, "lead_1");
    let generation = *generation;
    let cmds = update(
        &mut m,
        Msg::Detail {
            resource: Resource::Leads,
            generation,
            result: Ok(RecordDetail::default()),
            live: true,
        },
    );
    assert!(
        matches!(cmds.as_slice(), [Cmd::LoadActivities { lead_id, .. }] if lead_id == "lead_1")
    );
    timeline(&mut m, generation, Ok(vec!["2026-03-01 Call".into()]));
    assert_eq!(m.detail().unwrap().activities.value().unwrap().len(), 1);
    assert_eq!(m.context(), crate::tui::keymap::Context::Detail);
    key(&mut m, KeyCode::Esc);
    assert!(m.detail().is_none());
    assert_eq!(m.tables[0].selected, 1, "the table keeps its place");
}

#[test]
fn the_mouse_scrolls_and_selects() {
    let mut m = on_leads();
    let mouse = |kind, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 5,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    update(&mut m, mouse(MouseEventKind::ScrollDown, 10));
    assert_eq!(m.tables[0].top, 3);
    let first = m.layout.first_table_row();
    update(
        &mut m,
        mouse(MouseEventKind::Down(MouseButton::Left), first + 2),
    );
    assert_eq!(m.tables[0].selected, 5);
    update(&mut m, mouse(MouseEventKind::Down(MouseButton::Left), 0));
    assert_eq!(
        m.tables[0].selected, 5,
        "a click on the header selects nothing"
    );
}

#[test]
fn resizing_refits_the_table() {
    let mut m = on_leads();
    char(&mut m, 'G');
    update(&mut m, Msg::Resize(40, 12));
    assert_eq!(m.tables[0].height, m.layout.table_rows());
    assert!(m.tables[0].selected >= m.tables[0].top);
    assert!(m.tables[0].selected < m.tables[0].top + m.tables[0].height);
    update(&mut m, Msg::Resize(1, 1));
    assert_eq!(m.layout.table_rows(), 1);
}

#[test]
fn an_idle_table_does_not_tick() {
    let m = on_leads();
    assert!(!m.wants_tick());
    assert!(!m.shows_age(), "rows live from Close have no age");
}

/// "synced just now" must become "1 min ago" with no key pressed.
#[test]
fn a_table_that_says_when_it_synced_wakes_to_keep_it_true() {
    let mut m = on_leads();
    let request = fetches(&char(&mut m, 'G'))[0].clone();
    let synced = Freshness::Synced(now());
    update(&mut m, page_from(&request, 1000, synced));
    assert!(m.shows_age());
    assert!(
        !m.wants_tick(),
        "no countdown: it wakes every few seconds only"
    );
}

#[test]
fn errors_become_toasts_that_expire() {
    let mut m = connected();
    update(&mut m, Msg::Error("the network is down".into()));
    assert!(m.wants_tick());
    m.now = now() + chrono::Duration::seconds(60);
    update(&mut m, Msg::Tick);
    assert!(m.toasts.is_empty());
}

#[test]
fn a_rate_limit_shows_until_it_passes() {
    let mut m = on_leads();
    update(
        &mut m,
        Msg::RateLimited {
            until: now() + chrono::Duration::seconds(3),
        },
    );
    assert!(m.wants_tick());
    m.now = now() + chrono::Duration::seconds(4);
    update(&mut m, Msg::Tick);
    assert_eq!(m.rate_limited_until, None);
}

#[test]
fn network_loss_keeps_the_rows_and_retries() {
    let mut m = on_leads();
    let request = fetches(&char(&mut m, 'G'))[0].clone();
    update(
        &mut m,
        Msg::Offline("cannot reach Close: connection failed".into()),
    );
    update(
        &mut m,
        Msg::Page {
            resource: Resource::Leads,
            generation: request.generation,
            result: Err("cannot reach Close: connection failed".into()),
        },
    );
    assert!(!m.tables[0].rows.is_empty(), "the last rows stay");
    assert!(m.wants_tick());
    assert!(update(&mut m, Msg::Tick).is_empty(), "not yet");
    m.now = now() + chrono::Duration::seconds(OFFLINE_RETRY_SECS);
    let retry = fetches(&update(&mut m, Msg::Tick))[0].clone();
    assert_eq!(retry.offset, request.offset);
    update(&mut m, page(&retry, 1000));
    assert_eq!(m.offline, None);
    assert!(!m.wants_tick());
}

#[test]
fn opening_a_detail_keeps_the_tables_page_in_flight() {
    let mut m = on_leads();
    char(&mut m, '/');
    let search = fetches(&char(&mut m, 'a'))[0].clone();
    // The cache answers first; Close's merged hits follow on the same tag.
    update(&mut m, page(&search, 12));
    key(&mut m, KeyCode::Enter);
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::LoadDetail { generation, .. }] = cmds.as_slice() else {
        panic!("expected LoadDetail, got {cmds:?}");
    };
    assert!(m.detail().is_some());
    update(&mut m, page(&search, 30));
    assert_eq!(
        m.tables[0].total,
        Total::Exact(30),
        "the merged page is still current"
    );
    // And the detail's own reply is current too.
    update(
        &mut m,
        Msg::Detail {
            resource: Resource::Leads,
            generation: *generation,
            result: Ok(RecordDetail::default()),
            live: true,
        },
    );
    assert!(m.detail().unwrap().body.value().is_some());
}

#[test]
fn reload_in_a_detail_loads_the_record_again() {
    let mut m = on_leads();
    let cmds = key(&mut m, KeyCode::Enter);
    let [
        Cmd::LoadDetail {
            generation: first, ..
        },
    ] = cmds.as_slice()
    else {
        panic!("expected LoadDetail, got {cmds:?}");
    };
    let first = *first;
    for reload in [
        KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT),
        KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE),
    ] {
        let cmds = update(&mut m, Msg::Key(reload));
        let [
            Cmd::LoadDetail {
                id,
                generation,
                from_close,
                ..
            },
        ] = cmds.as_slice()
        else {
            panic!("expected LoadDetail, got {cmds:?}");
        };
        assert_eq!(id, "lead_0");
        assert_ne!(*generation, first);
        assert!(*from_close, "a reload asks Close, not the cache");
    }
    assert!(m.detail().is_some(), "the view stays open");
    // The `?` overlay lists what the keymap binds here.
    assert!(
        m.keymap
            .bindings(crate::tui::keymap::Context::Detail)
            .any(|b| b.action == crate::tui::keymap::Action::Reload)
    );
}

#[test]
fn a_termination_signal_quits_like_q() {
    let mut m = model();
    let attempt = match key(&mut m, KeyCode::Char('c')).as_slice() {
        [Cmd::StartLogin { attempt }] => *attempt,
        other => panic!("expected a login, got {other:?}"),
    };
    let cmds = update(&mut m, Msg::Terminated);
    assert!(m.quit);
    assert_eq!(cmds, [Cmd::CancelLogin { attempt }, Cmd::Quit]);
}
