//! The rows a table holds follow the view: on any terminal every visible
//! row loads, and G reaches the last row even when the total is unknown.

use super::*;

/// The answer to `request` from a list of `len` rows. A search does not
/// count its hits: `counted` false leaves the total to `has_more`.
fn answer(request: &PageRequest, len: usize, counted: bool) -> Msg {
    let Msg::Page {
        resource,
        generation,
        result: Ok(reply),
    } = page(request, len)
    else {
        unreachable!("page always answers");
    };
    let total = reply.total.filter(|_| counted);
    Msg::Page {
        resource,
        generation,
        result: Ok(PageReply { total, ..reply }),
    }
}

/// Answers every request as it comes, the way the services do, and
/// returns how many there were.
fn settle(model: &mut Model, mut cmds: Vec<Cmd>, reply: impl Fn(&PageRequest) -> Msg) -> usize {
    let mut asked = 0;
    while let Some(request) = fetches(&cmds).last().map(|r| (*r).clone()) {
        asked += 1;
        assert!(asked <= 5_000, "the table keeps asking");
        assert!(request.limit <= MAX_PAGE, "{request:?}");
        cmds = update(model, reply(&request));
    }
    asked
}

/// Visible rows the table does not hold (they draw as "…").
fn missing(table: &TableModel) -> Vec<usize> {
    let end = (table.top + table.height).min(table.total.navigable());
    (table.top..end)
        .filter(|&i| table.row(i).is_none())
        .collect()
}

/// On `screen` at `width`×`height`, its first page in.
fn sized(width: u16, height: u16, screen: char, len: usize, counted: bool) -> Model {
    let mut m = connected();
    update(&mut m, Msg::Resize(width, height));
    let cmds = char(&mut m, screen);
    settle(&mut m, cmds, |r| answer(r, len, counted));
    m
}

#[test]
fn a_tall_terminal_shows_every_row_after_paging_down() {
    let mut m = sized(100, 56, '3', 12_000, true);
    assert!(
        m.tables[0].height > MAX_PAGE / 3,
        "taller than a third of a page"
    );
    for code in [KeyCode::Char('g'), KeyCode::PageDown, KeyCode::PageDown] {
        let cmds = key(&mut m, code);
        settle(&mut m, cmds, |r| answer(r, 12_000, true));
        assert_eq!(missing(&m.tables[0]), Vec::<usize>::new(), "after {code:?}");
    }
}

#[test]
fn a_wide_terminal_shows_every_row_at_the_end() {
    let mut m = sized(250, 60, '6', 5_000, true);
    let cmds = char(&mut m, 'G');
    settle(&mut m, cmds, |r| answer(r, 5_000, true));
    let tasks = &m.tables[3];
    assert_eq!(tasks.selected, 4_999);
    assert_eq!(missing(tasks), Vec::<usize>::new());
    assert_eq!(tasks.selected_row().unwrap().id, "lead_4999");
}

#[test]
fn a_view_taller_than_one_page_loads_in_pieces() {
    let mut m = sized(120, 140, '3', 12_000, true);
    assert!(m.tables[0].height > MAX_PAGE);
    assert_eq!(missing(&m.tables[0]), Vec::<usize>::new());
    for code in [KeyCode::PageDown, KeyCode::Char('j'), KeyCode::End] {
        let cmds = key(&mut m, code);
        settle(&mut m, cmds, |r| answer(r, 12_000, true));
        let leads = &m.tables[0];
        assert_eq!(missing(leads), Vec::<usize>::new(), "after {code:?}");
        assert!(leads.rows.len() <= leads.height + 2 * MAX_PAGE, "bounded");
    }
    assert_eq!(m.tables[0].selected, 11_999);
}

#[test]
fn rows_that_never_come_are_not_asked_for_again() {
    let mut m = sized(100, 56, '3', 12_000, true);
    // Close counts 12,000 but sends half of each page (records it could
    // not read): the table asks once per move, not forever.
    let cmds = key(&mut m, KeyCode::End);
    let asked = settle(&mut m, cmds, |r| {
        let short = PageRequest {
            limit: r.limit / 2,
            ..r.clone()
        };
        answer(&short, 12_000, true)
    });
    assert_eq!(asked, 1);
    // The end of a search with no count: nothing more to ask for.
    let mut m = sized(100, 56, '4', 30, false);
    let cmds = char(&mut m, 'G');
    assert_eq!(settle(&mut m, cmds, |r| answer(r, 30, false)), 0);
    assert_eq!(m.tables[1].selected, 29);
}

/// On Contacts, searching for "smith" with `hits` matches, the first page in.
fn searching(hits: usize) -> Model {
    let mut m = sized(100, 30, '4', 2_000, true);
    char(&mut m, '/');
    let cmds = typed(&mut m, "smith");
    key(&mut m, KeyCode::Enter);
    settle(&mut m, cmds, |r| answer(r, hits, false));
    assert!(matches!(m.tables[1].total, Total::AtLeast(_)));
    m
}

#[test]
fn g_in_a_search_goes_on_to_the_last_row() {
    let mut m = searching(1_234);
    let cmds = char(&mut m, 'G');
    settle(&mut m, cmds, |r| answer(r, 1_234, false));
    let contacts = &m.tables[1];
    assert_eq!(contacts.total, Total::Exact(1_234));
    assert_eq!(contacts.selected, 1_233);
    assert_eq!(contacts.selected_row().unwrap().id, "lead_1233");
    assert_eq!(missing(contacts), Vec::<usize>::new());
}

#[test]
fn another_key_stops_going_to_the_end() {
    let mut m = searching(1_234);
    let cmds = char(&mut m, 'G');
    let first = fetches(&cmds)[0].clone();
    let before = m.tables[1].selected;
    char(&mut m, 'k');
    let cmds = update(&mut m, answer(&first, 1_234, false));
    settle(&mut m, cmds, |r| answer(r, 1_234, false));
    assert_eq!(
        m.tables[1].selected,
        before - 1,
        "it stays where k moved it"
    );
    assert!(matches!(m.tables[1].total, Total::AtLeast(_)));
}

#[test]
fn going_to_the_end_of_an_endless_list_stops() {
    let mut m = searching(usize::MAX / 2);
    let cmds = char(&mut m, 'G');
    let asked = settle(&mut m, cmds, |r| answer(r, usize::MAX / 2, false));
    assert!((2..=1_001).contains(&asked), "asked {asked} times");
    // Another G goes on from there.
    let reached = m.tables[1].selected;
    let cmds = char(&mut m, 'G');
    settle(&mut m, cmds, |r| answer(r, usize::MAX / 2, false));
    assert!(m.tables[1].selected > reached);
}

/// `msg` (a page) as a first answer that another follows.
fn provisional(msg: Msg) -> Msg {
    let Msg::Page {
        resource,
        generation,
        result: Ok(reply),
    } = msg
    else {
        unreachable!("answer always answers");
    };
    Msg::Page {
        resource,
        generation,
        result: Ok(PageReply {
            provisional: true,
            ..reply
        }),
    }
}

/// A lead search answers each request twice: the cache's `cached` hits,
/// then with Close's `more` merged in. On a view taller than a page, and
/// on the way to the end, the second answer decides.
#[test]
fn a_search_answered_twice_keeps_every_row_and_its_end() {
    let (cached, more) = (1_000, 30);
    let mut m = sized(120, 140, '3', 12_000, true);
    char(&mut m, '/');
    let mut cmds = typed(&mut m, "acme");
    key(&mut m, KeyCode::Enter);
    cmds.extend(char(&mut m, 'G'));
    let mut asked = 0;
    while let Some(request) = fetches(&cmds).last().map(|r| (*r).clone()) {
        asked += 1;
        assert!(asked <= 100, "the table keeps asking");
        let first = update(&mut m, provisional(answer(&request, cached, false)));
        assert!(
            fetches(&first).is_empty(),
            "a first answer asks for nothing"
        );
        cmds = update(&mut m, answer(&request, cached + more, false));
    }
    let leads = &m.tables[0];
    assert_eq!(leads.total, Total::Exact(cached + more));
    assert_eq!(leads.selected, cached + more - 1);
    assert_eq!(missing(leads), Vec::<usize>::new());
}

/// On the way to the end each request brings a page of new rows, however
/// tall the view.
#[test]
fn going_to_the_end_moves_a_page_at_a_time() {
    for height in [30, 104, 106] {
        let mut m = sized(100, height, '4', 2_000, true);
        char(&mut m, '/');
        let cmds = typed(&mut m, "smith");
        key(&mut m, KeyCode::Enter);
        settle(&mut m, cmds, |r| answer(r, 5_000, false));
        let cmds = char(&mut m, 'G');
        let asked = settle(&mut m, cmds, |r| answer(r, 5_000, false));
        assert_eq!(m.tables[1].selected, 4_999, "height {height}");
        assert!(
            asked <= 5_000 / 90 + 2,
            "height {height}: asked {asked} times"
        );
    }
}

/// At the end of a list, a terminal shrunk and grown again fills with the
/// rows above the last, not with blank lines below it.
#[test]
fn growing_at_the_end_fills_the_view_from_above() {
    let mut m = sized(120, 32, '3', 320, true);
    let cmds = key(&mut m, KeyCode::Char('G'));
    settle(&mut m, cmds, |r| answer(r, 320, true));
    assert_eq!(m.tables[0].selected, 319);
    for height in [8, 60] {
        let cmds = update(&mut m, Msg::Resize(120, height));
        settle(&mut m, cmds, |r| answer(r, 320, true));
    }
    let table = &m.tables[0];
    assert_eq!(table.selected, 319);
    assert_eq!(
        table.top + table.height,
        320,
        "{}+{}",
        table.top,
        table.height
    );
    assert!(missing(table).is_empty(), "{:?}", missing(table));
}
