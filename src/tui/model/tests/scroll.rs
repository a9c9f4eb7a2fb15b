//! The Account screen and detail views scroll by the rows they draw:
//! long lines wrap, and the end is always reachable and never passed.

use super::*;
use crate::close::records::Resource;

fn org(members: usize) -> OrgInfo {
    OrgInfo {
        id: "orga_Acme".into(),
        name: "Acme Corp".into(),
        members: (0..members)
            .map(|i| Member {
                name: format!("Member Number {i}"),
                email: format!("member.number{i}@acme-corporation.example"),
                role: "user".into(),
            })
            .collect(),
        ..OrgInfo::default()
    }
}

/// On the Account screen with both parts loaded.
fn on_account(members: usize) -> Model {
    let mut m = connected();
    char(&mut m, '2');
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
            result: Ok(org(members)),
        },
    );
    m
}

#[test]
fn the_account_screen_stops_at_its_end() {
    let mut m = on_account(40);
    let end = m.account.max_scroll(m.layout);
    assert!(end > 0);
    char(&mut m, 'G');
    assert_eq!(m.account.scroll, end);
    char(&mut m, 'k');
    assert_eq!(m.account.scroll, end - 1, "one key, one row back");
    key(&mut m, KeyCode::End);
    key(&mut m, KeyCode::PageDown);
    assert_eq!(m.account.scroll, end);
    key(&mut m, KeyCode::PageUp);
    assert!(m.account.scroll < end);
    char(&mut m, 'g');
    assert_eq!(m.account.scroll, 0);
}

#[test]
fn a_screen_whose_text_shrank_scrolls_back_from_where_it_shows() {
    let mut m = on_account(40);
    char(&mut m, 'G');
    // The organization comes again with fewer members (a reload).
    let generation = m.account.generation;
    update(
        &mut m,
        Msg::Organization {
            generation,
            result: Ok(org(30)),
        },
    );
    let end = m.account.max_scroll(m.layout);
    assert!(
        end > 0 && m.account.scroll > end,
        "the stored scroll is past the new end"
    );
    char(&mut m, 'k');
    assert_eq!(
        m.account.scroll,
        end - 1,
        "the first key moves what is shown"
    );
}

#[test]
fn a_short_account_screen_does_not_scroll() {
    let mut m = on_account(1);
    char(&mut m, 'G');
    assert_eq!(m.account.scroll, 0);
}

#[test]
fn a_narrow_account_screen_scrolls_through_its_wrapped_rows() {
    let mut m = on_account(40);
    let wide = m.account.max_scroll(m.layout);
    // Each member's line is wider than 50 columns: it takes two rows.
    update(&mut m, Msg::Resize(50, 20));
    char(&mut m, 'G');
    assert!(m.account.scroll >= wide + 40, "{} rows", m.account.scroll);
    update(&mut m, Msg::Resize(100, 30));
    assert_eq!(
        m.account.scroll, wide,
        "a wider screen pulls the scroll back"
    );
}

#[test]
fn a_narrow_detail_scrolls_through_its_wrapped_rows() {
    let mut m = on_leads();
    update(&mut m, Msg::Resize(24, 12));
    let cmds = key(&mut m, KeyCode::Enter);
    let [Cmd::LoadDetail { generation, .. }] = cmds.as_slice() else {
        panic!("expected LoadDetail, got {cmds:?}");
    };
    let generation = *generation;
    let words = "a line of words much wider than the screen is";
    let section = DetailSection {
        title: "Notes".into(),
        lines: vec![words.into(); 10],
    };
    let body = RecordDetail {
        title: "Lead 0".into(),
        sections: vec![section],
    };
    update(
        &mut m,
        Msg::Detail {
            resource: Resource::Leads,
            generation,
            result: Ok(body),
            live: true,
        },
    );
    timeline(&mut m, generation, Ok(vec![]));
    let detail = m.detail().unwrap();
    let lines = detail.lines();
    let rows = text::wrap(&lines, 24).len();
    assert!(rows >= lines.len() + 10, "each note takes two rows or more");
    char(&mut m, 'G');
    let visible = usize::from(m.layout.detail_rows());
    assert_eq!(m.detail().unwrap().scroll, rows - visible);
    char(&mut m, 'k');
    assert_eq!(m.detail().unwrap().scroll, rows - visible - 1);
}
