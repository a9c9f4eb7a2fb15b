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
