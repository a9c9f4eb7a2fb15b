//! The tables' columns and their drawing at every width, and the helpers
//! the other screens' tests share.

use chrono::{TimeZone, Utc};
use ratatui::{Terminal, backend::TestBackend};

use super::*;
use crate::{
    store::{Account, AccountId, AccountState, AuthKind, Profile},
    tui::{
        model::{ModelOptions, PageReply, RecordRow, update},
        msg::{Cmd, Msg},
        ui::{self, Theme},
    },
};

pub fn account(org: &str, email: &str, active: bool) -> Account {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    Account {
        profile: Profile {
            id: AccountId::new(format!("orga_{org}"), "user_1"),
            organization_name: org.into(),
            user_email: email.into(),
            user_name: "Ann Example".into(),
            auth: AuthKind::OAuth,
        },
        state: AccountState::Connected,
        active,
        access_token_expires_at: None,
        last_refresh_at: None,
        refresh_token_stored: true,
        created_at: now,
        updated_at: now,
    }
}

/// A `width`×`height` screen with `accounts` stored, and no sync.
pub fn with_accounts(width: u16, height: u16, accounts: Vec<Account>) -> Model {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let mut model = Model::new(now, Default::default(), ModelOptions::default());
    update(&mut model, Msg::Resize(width, height));
    update(&mut model, Msg::Accounts(Ok(accounts)));
    update(&mut model, Msg::Sync(None));
    model
}

/// The screen's rows, as text.
pub fn draw(model: &Model, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, model, Theme::monochrome()))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

/// The data screen on `key`, its first page answered with `cells`.
fn table_of(width: u16, key: char, cells: &[&[&str]]) -> Model {
    let mut model = with_accounts(width, 12, vec![account("Acme", "ann@acme.test", true)]);
    let event = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(key));
    for cmd in update(&mut model, Msg::Key(event)) {
        if let Cmd::FetchPage(request) = cmd {
            let rows = cells.iter().enumerate().map(|(i, cells)| RecordRow {
                id: format!("row_{i}"),
                cells: cells.iter().map(|&cell| cell.to_owned()).collect(),
            });
            let reply = PageReply {
                offset: 0,
                rows: rows.collect(),
                total: Some(cells.len()),
                has_more: false,
                freshness: Freshness::Live,
                provisional: false,
            };
            let (resource, generation) = (request.resource, request.generation);
            let msg = Msg::Page {
                resource,
                generation,
                result: Ok(reply),
            };
            update(&mut model, msg);
        }
    }
    model
}

const LEAD: &[&str] = &[
    "Juniper Health Partners",
    "Potential",
    "3",
    "2026-02-27 09:15",
];
const OPPORTUNITY: &[&str] = &[
    "Juniper Health Partners",
    "$176,700.00",
    "Demo Scheduled",
    "Enterprise",
    "50%",
    "2026-04-01",
];

#[test]
fn a_narrow_table_keeps_the_names_and_whole_amounts() {
    let leads = draw(&table_of(40, '3', &[LEAD]), 40, 12);
    assert_eq!(leads[3], "Name                Status      Contacts");
    assert_eq!(leads[4], "Juniper Health Par… Potential   3");
    let deals = draw(&table_of(40, '5', &[OPPORTUNITY]), 40, 12);
    assert_eq!(deals[3], "Lead             Value        Status");
    assert_eq!(deals[4], "Juniper Health … $176,700.00  Demo Sche…");
}

#[test]
fn a_wide_table_shows_the_whole_status() {
    let deals = draw(&table_of(250, '5', &[OPPORTUNITY]), 250, 12);
    assert!(
        deals[4].contains(" $176,700.00  Demo Scheduled "),
        "{deals:?}"
    );
    assert!(deals[4].ends_with(" 50%   2026-04-01"), "{deals:?}");
}

#[test]
fn a_cut_value_ends_in_an_ellipsis_within_its_column() {
    assert_eq!(fit("luna@example.com", 16), "luna@example.com");
    assert_eq!(fit("luna@example.com", 10), "luna@exam…");
    assert_eq!(fit("Zoë Łukasz", 4), "Zoë…");
    // Wide characters are never split, and the cut still fits.
    assert_eq!(fit("東京支社", 5), "東京…");
    assert_eq!(fit("東京支社", 4), "東…");
    assert_eq!(fit("abc", 1), "…");
    assert_eq!(fit("abc", 0), "");
    // One row: a line break never hides the rest of the text.
    assert_eq!(fit("Call back\nthen email", 20), "Call back then email");
    assert_eq!(fit("Call back\r\nthen email", 12), "Call back  …");
    for width in 0..12 {
        let cut = fit("東京 Branch office", width);
        assert!(
            Span::raw(cut.as_ref()).width() <= usize::from(width),
            "{cut}"
        );
    }
}

fn shown(resource: Resource, rows: &[&[String]], width: u16) -> Vec<(&'static str, u16)> {
    let columns = columns(resource);
    column_widths(columns, rows, width)
        .into_iter()
        .map(|(index, width)| (columns[index].title, width))
        .collect()
}

#[test]
fn every_column_fits_its_title_and_has_its_own_rank() {
    for resource in Resource::ALL {
        let columns = columns(resource);
        let mut ranks: Vec<u8> = columns.iter().map(|c| c.rank).collect();
        ranks.sort_unstable();
        assert!(
            ranks.iter().copied().eq(0..columns.len() as u8),
            "{ranks:?}"
        );
        for column in columns {
            assert!(usize::from(column.min) >= text::width(column.title));
            assert!(column.min <= column.max, "{}", column.title);
        }
    }
}

#[test]
fn the_shown_columns_fill_the_width_and_the_first_rank_stays() {
    for resource in Resource::ALL {
        for width in 0..300 {
            let shown = column_widths(columns(resource), &[], width);
            let first = columns(resource).iter().position(|c| c.rank == 0);
            assert!(shown.iter().any(|&(index, _)| Some(index) == first));
            let total: u16 =
                shown.iter().map(|&(_, w)| w).sum::<u16>() + shown.len().saturating_sub(1) as u16;
            assert!(total <= width.max(1), "{resource:?} at {width}");
            if width >= 20 {
                assert_eq!(total, width, "{resource:?} at {width}");
            }
        }
    }
}

#[test]
fn narrow_tables_drop_the_least_important_columns_first() {
    assert_eq!(
        shown(Resource::Leads, &[], 40),
        [("Name", 19), ("Status", 11), ("Contacts", 8)]
    );
    assert_eq!(
        shown(Resource::Opportunities, &[], 40),
        [("Lead", 16), ("Value", 12), ("Status", 10)]
    );
    assert_eq!(
        shown(Resource::Contacts, &[], 40),
        [("Name", 14), ("Email", 12), ("Phone", 12)]
    );
    assert_eq!(
        shown(Resource::Tasks, &[], 40),
        [("Due", 10), ("Text", 24), ("Done", 4)]
    );
    // Too narrow for even the name: it still has the whole width.
    assert_eq!(shown(Resource::Leads, &[], 9), [("Name", 9)]);
}

#[test]
fn status_grows_up_to_its_maximum_and_the_names_take_the_rest() {
    assert_eq!(
        shown(Resource::Leads, &[], 100),
        [
            ("Name", 57),
            ("Status", 16),
            ("Contacts", 8),
            ("Updated", 16)
        ]
    );
    let wide = shown(Resource::Opportunities, &[], 250);
    assert_eq!(wide[2], ("Status", 20));
    assert!(wide[0].1 > 100, "{wide:?}");
}

#[test]
fn an_amount_is_never_cut_its_column_widens_or_goes() {
    let row = |value: &str| ["Lead", value, "Won", "Sales", "50%", "2026-04-01"].map(String::from);
    let big = row("$12,345,678.00 CAD");
    let rows: [&[String]; 2] = [&row("$1.00"), &big];
    assert_eq!(shown(Resource::Opportunities, &rows, 60)[1], ("Value", 18));
    // 14 for the lead, 18 for the amount, a space: the amount goes.
    assert_eq!(shown(Resource::Opportunities, &rows, 32)[1], ("Status", 10));
}

#[test]
fn a_search_longer_than_the_line_keeps_its_end_and_cursor_in_view() {
    let mut model = table_of(40, '3', &[LEAD]);
    let typed = "/partners of juniper health in springfield";
    let mut last = None;
    for c in typed.chars() {
        let event = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
        for cmd in update(&mut model, Msg::Key(event)) {
            if let Cmd::FetchPage(request) = cmd {
                last = Some(request);
            }
        }
    }
    // Its hit arrives.
    let request = last.unwrap();
    let hit = PageReply {
        offset: 0,
        rows: vec![RecordRow {
            id: "row_0".into(),
            cells: LEAD.iter().map(|&cell| cell.to_owned()).collect(),
        }],
        total: Some(1),
        has_more: false,
        freshness: Freshness::Live,
        provisional: false,
    };
    let (resource, generation) = (request.resource, request.generation);
    update(
        &mut model,
        Msg::Page {
            resource,
            generation,
            result: Ok(hit),
        },
    );
    let screen = draw(&model, 40, 12);
    let line = screen
        .iter()
        .find(|row| row.starts_with("Leads"))
        .unwrap_or_else(|| panic!("{screen:?}"));
    assert!(line.ends_with(" springfield▏"), "{line:?}");
    assert!(line.contains("/ …"), "the start gives way: {line:?}");
    assert!(
        !line.contains("live from Close"),
        "so do the details: {line:?}"
    );

    // A note of why the last read failed stays in view too.
    model.tables[0].error = Some("offline".into());
    let screen = draw(&model, 40, 12);
    let line = screen.iter().find(|row| row.starts_with("Leads")).unwrap();
    assert!(line.ends_with("field▏  (offline)"), "{line:?}");

    // A short one leaves the line as it was.
    let mut model = table_of(80, '3', &[LEAD]);
    for c in "/jun".chars() {
        let event = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
        update(&mut model, Msg::Key(event));
    }
    let screen = draw(&model, 80, 12);
    assert!(
        screen
            .iter()
            .any(|row| row.contains("live from Close   / jun▏")),
        "{screen:?}"
    );
}
