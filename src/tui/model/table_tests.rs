use super::*;

fn rows(offset: usize, n: usize) -> Vec<RecordRow> {
    (offset..offset + n)
        .map(|i| RecordRow {
            id: format!("lead_{i}"),
            cells: vec![format!("Lead {i}")],
        })
        .collect()
}

fn reply(request: &PageRequest, total: usize) -> PageReply {
    let n = request.limit.min(total.saturating_sub(request.offset));
    PageReply {
        offset: request.offset,
        rows: rows(request.offset, n),
        total: Some(total),
        has_more: request.offset + n < total,
        freshness: Freshness::Live,
        provisional: false,
    }
}

fn loaded(total: usize, height: usize) -> TableModel {
    let mut table = TableModel::new(Resource::Leads);
    let request = table.set_height(height).unwrap();
    assert!(table.apply(request.generation, Ok(reply(&request, total))));
    table
}

#[test]
fn only_a_window_around_the_view_is_fetched() {
    let table = loaded(100_000, 20);
    assert_eq!(table.total, Total::Exact(100_000));
    assert_eq!(table.rows.len(), 60);
    assert_eq!(table.unfiltered, Some(100_000));
}

#[test]
fn moving_inside_the_window_asks_for_nothing() {
    let mut table = loaded(1000, 20);
    assert_eq!(table.move_by(5), None);
    assert_eq!(table.selected, 5);
    assert_eq!(table.select(39), None);
    assert_eq!(table.top, 20);
}

#[test]
fn jumping_to_the_bottom_fetches_the_last_window() {
    let mut table = loaded(100_000, 20);
    let request = table.select(isize::MAX).unwrap();
    assert_eq!(table.selected, 99_999);
    assert_eq!(table.top, 99_980);
    assert_eq!(request.offset, 99_960);
    assert!(table.apply(request.generation, Ok(reply(&request, 100_000))));
    assert_eq!(table.selected_row().unwrap().id, "lead_99999");
    // Asking again while the answer is on its way sends nothing more.
    assert_eq!(table.move_by(-1), None);
}

#[test]
fn a_superseded_page_is_dropped() {
    let mut table = loaded(1000, 10);
    let old = table.select(500).unwrap();
    let new = table.select(900).unwrap();
    assert!(!table.apply(old.generation, Ok(reply(&old, 1000))));
    assert!(table.apply(new.generation, Ok(reply(&new, 1000))));
    assert_eq!(table.offset, new.offset);
}

#[test]
fn a_failed_page_keeps_the_rows_shown() {
    let mut table = loaded(1000, 10);
    let request = table.select(500).unwrap();
    assert!(table.apply(request.generation, Err("offline".into())));
    assert_eq!(table.rows.len(), 30);
    assert_eq!(table.error.as_deref(), Some("offline"));
}

#[test]
fn an_empty_result_renders_nothing_and_asks_nothing() {
    let mut table = loaded(0, 10);
    assert_eq!(table.total, Total::Exact(0));
    assert_eq!(table.selected_row(), None);
    assert_eq!(table.move_by(1), None);
    assert_eq!(table.selected, 0);
}

#[test]
fn unknown_totals_grow_as_pages_arrive() {
    let mut table = TableModel::new(Resource::Contacts);
    let request = table.set_height(10).unwrap();
    let page = PageReply {
        total: None,
        ..reply(&request, 1000)
    };
    table.apply(request.generation, Ok(page));
    assert_eq!(table.total, Total::AtLeast(30));
    // One past the known rows: that row loads, and the total grows.
    let next = table.select(isize::MAX).unwrap();
    assert_eq!(table.selected, 30);
    assert_eq!(next.offset, 11);
}

#[test]
fn wheel_scrolling_drags_the_selection_along() {
    let mut table = loaded(1000, 10);
    assert_eq!(table.scroll_by(3), None);
    assert_eq!((table.top, table.selected), (3, 3));
    table.scroll_by(-10);
    assert_eq!(table.top, 0);
}

/// A page from a list of `len` rows that does not say how many there are.
fn uncounted(request: &PageRequest, len: usize) -> PageReply {
    PageReply {
        total: None,
        ..reply(request, len)
    }
}

fn visible_rows_held(table: &TableModel) -> bool {
    let end = (table.top + table.height).min(table.total.navigable());
    (table.top..end).all(|i| table.row(i).is_some())
}

#[test]
fn one_request_covers_a_view_taller_than_a_third_of_a_page() {
    let mut table = loaded(1000, 51);
    let request = table.select(500).unwrap();
    assert!(request.limit <= MAX_PAGE);
    assert!(request.offset <= table.top);
    assert!(request.offset + request.limit >= table.top + table.height);
    assert!(table.apply(request.generation, Ok(reply(&request, 1000))));
    assert!(visible_rows_held(&table));
}

#[test]
fn a_view_taller_than_a_page_asks_for_the_rest_after_the_reply() {
    let mut table = TableModel::new(Resource::Leads);
    let first = table.set_height(130).unwrap();
    assert_eq!((first.offset, first.limit), (0, MAX_PAGE));
    let rest = table.receive(first.generation, Ok(reply(&first, 1000)));
    let rest = rest.expect("the rows below the first page");
    assert_eq!((rest.offset, rest.limit), (100, MAX_PAGE));
    assert_eq!(table.receive(rest.generation, Ok(reply(&rest, 1000))), None);
    assert_eq!(
        (table.offset, table.rows.len()),
        (0, 200),
        "added, not replaced"
    );
    assert!(visible_rows_held(&table));
}

#[test]
fn rows_missing_from_a_short_page_are_not_asked_for_again() {
    let mut table = loaded(1000, 51);
    let request = table.select(500).unwrap();
    let mut page = reply(&request, 1000);
    page.rows.truncate(10);
    assert_eq!(table.receive(request.generation, Ok(page)), None);
    assert!(!visible_rows_held(&table));
    assert_eq!(table.receive(request.generation, Err("late".into())), None);
}

#[test]
fn the_last_row_of_an_uncounted_list_is_sought_until_it_is_known() {
    let mut table = TableModel::new(Resource::Contacts);
    let request = table.set_height(10).unwrap();
    table.receive(request.generation, Ok(uncounted(&request, 1000)));
    assert_eq!(table.total, Total::AtLeast(30));
    let mut next = table.select_last();
    let mut asked = 0;
    while let Some(request) = next {
        asked += 1;
        assert_eq!(request.limit, MAX_PAGE, "whole pages on the way");
        next = table.receive(request.generation, Ok(uncounted(&request, 1000)));
    }
    assert_eq!(table.total, Total::Exact(1000));
    assert_eq!(table.selected, 999);
    assert_eq!(table.seeking_end, None);
    assert!(asked <= 12, "asked {asked} times");
    assert!(visible_rows_held(&table));
}

#[test]
fn the_end_asked_for_before_the_first_page_is_gone_to_when_it_comes() {
    let mut table = TableModel::new(Resource::Leads);
    let first = table.set_height(10).unwrap();
    assert_eq!(table.select_last(), None, "the first page is on its way");
    let last = table.receive(first.generation, Ok(reply(&first, 1000)));
    assert_eq!(table.selected, 999);
    assert!(table.apply(last.unwrap().generation, Err("offline".into())));
}

#[test]
fn another_move_cancels_seeking_the_end() {
    let mut table = TableModel::new(Resource::Contacts);
    let request = table.set_height(10).unwrap();
    table.receive(request.generation, Ok(uncounted(&request, 1000)));
    let seek = table.select_last().unwrap();
    assert!(table.seeking_end.is_some());
    table.move_by(-1);
    assert_eq!(table.seeking_end, None);
    table.receive(seek.generation, Ok(uncounted(&seek, 1000)));
    assert_eq!(table.selected, 29, "where the move left it");
    // A failed page stops it too.
    let seek = table.select_last().unwrap();
    assert_eq!(table.receive(seek.generation, Err("offline".into())), None);
    assert_eq!(table.seeking_end, None);
}

#[test]
fn a_reread_keeps_the_selection_on_its_record() {
    let mut table = loaded(1000, 20);
    table.select(30);
    let (top, id) = (table.top, table.selected_row().unwrap().id.clone());
    // Three records were added above: every row moved down three.
    let request = table.refresh();
    let mut page = reply(&request, 1003);
    for (i, row) in page.rows.iter_mut().enumerate() {
        let i = request.offset + i;
        row.id = if i < 3 {
            format!("new_{i}")
        } else {
            format!("lead_{}", i - 3)
        };
    }
    table.receive(request.generation, Ok(page));
    assert_eq!(table.selected_row().unwrap().id, id);
    // It was the view's last row: the view follows it down.
    assert_eq!((table.selected, table.top), (33, top + 3));

    // A record gone from the rows: the selection keeps its place.
    let request = table.refresh();
    let mut page = reply(&request, 1003);
    page.rows.iter_mut().for_each(|row| row.id.insert(0, 'x'));
    table.receive(request.generation, Ok(page));
    assert_eq!((table.selected, table.top), (33, top + 3));

    // On the first row, the selection stays there: what was added above
    // comes into view, the newest selected.
    let mut table = loaded(1000, 20);
    let request = table.refresh();
    let mut page = reply(&request, 1002);
    for (i, row) in page.rows.iter_mut().enumerate() {
        row.id = match i {
            0 | 1 => format!("new_{i}"),
            i => format!("lead_{}", i - 2),
        };
    }
    table.receive(request.generation, Ok(page));
    assert_eq!((table.selected, table.top), (0, 0));
    assert_eq!(table.selected_row().unwrap().id, "new_0");
    // A row further down, though, is followed while on screen.
    table.select(5);
    let request = table.refresh();
    let mut page = reply(&request, 1003);
    for (i, row) in page.rows.iter_mut().enumerate() {
        row.id = match i {
            0 => "newer".to_owned(),
            1 | 2 => format!("new_{}", i - 1),
            i => format!("lead_{}", i - 3),
        };
    }
    table.receive(request.generation, Ok(page));
    assert_eq!((table.selected, table.top), (6, 0));
    assert_eq!(table.selected_row().unwrap().id, "lead_3");

    // A move of the user's own ends the following.
    let request = table.refresh();
    let moved = table.selected + 1;
    table.move_by(1);
    let mut page = reply(&request, 1003);
    page.rows.rotate_left(5);
    table.receive(request.generation, Ok(page));
    assert_eq!(table.selected, moved);
}

#[test]
fn only_the_last_answer_moves_a_followed_selection_and_a_failure_ends_it() {
    let mut table = loaded(1000, 20);
    table.select(5);
    // The cached hits place the record two rows down; Close's merged
    // answer that follows does not have it: the selection keeps its place.
    let request = table.refresh();
    let mut first = reply(&request, 1000);
    first.provisional = true;
    first.rows.rotate_right(2);
    table.receive(request.generation, Ok(first));
    assert_eq!(table.selected, 5);
    let mut last = reply(&request, 1000);
    last.rows.iter_mut().for_each(|row| row.id.insert(0, 'x'));
    table.receive(request.generation, Ok(last));
    assert_eq!(table.selected, 5);

    let request = table.refresh();
    table.receive(request.generation, Err("database is locked".into()));
    assert_eq!(
        table.follow, None,
        "nothing left to apply to a later answer"
    );
    let request = table.refresh();
    table.invalidate();
    assert_eq!(table.follow, None);
    assert!(!table.generation.is_current(request.generation));
}
