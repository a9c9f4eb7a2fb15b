//! Screens 3–6: a virtualized table. Only the visible rows are drawn;
//! rows not fetched yet show as "…".

use std::borrow::Cow;

use ratatui::{
    Frame,
    buffer::CellWidth,
    layout::{Constraint, Flex, Layout, Rect},
    style::Style,
    text::{Line, Span},
    widgets::{Cell, Paragraph, Row, Table},
};

use super::{Theme, widgets::dim};
use crate::{
    close::records::Resource,
    tui::{
        format,
        model::{Freshness, Model, TableModel, Total, text},
    },
};

/// One column of a table: its title, and how wide it may be drawn.
pub struct Column {
    pub title: &'static str,
    /// The narrowest the column is of use at: rather than go narrower, it
    /// is left out.
    min: u16,
    /// The widest it grows (`u16::MAX`: no limit).
    max: u16,
    /// Its share of the width left once the shown columns have their
    /// minimum.
    grow: u16,
    /// Which columns stay as the width shrinks: rank 0, the one naming
    /// the record, always; then 1, 2, … while they fit.
    rank: u8,
    /// Its cells are never cut (amounts): it is as wide as its widest
    /// visible cell, or left out.
    whole: bool,
}

impl Column {
    /// Always `width` wide.
    const fn fixed(title: &'static str, width: u16, rank: u8) -> Self {
        Self {
            title,
            min: width,
            max: width,
            grow: 0,
            rank,
            whole: false,
        }
    }

    /// From `min` to `max` wide, growing at a share of one.
    const fn range(title: &'static str, min: u16, max: u16, rank: u8) -> Self {
        Self {
            title,
            min,
            max,
            grow: 1,
            rank,
            whole: false,
        }
    }

    /// At least `min` wide, and takes a share of `grow` of what is left.
    const fn fill(title: &'static str, min: u16, grow: u16, rank: u8) -> Self {
        Self {
            title,
            min,
            max: u16::MAX,
            grow,
            rank,
            whole: false,
        }
    }

    const fn whole(self) -> Self {
        Self {
            whole: true,
            ..self
        }
    }
}

/// The columns of each resource, in the order they are drawn. Services
/// build `RecordRow::cells` in this order.
pub fn columns(resource: Resource) -> &'static [Column] {
    match resource {
        Resource::Leads => LEADS,
        Resource::Contacts => CONTACTS,
        Resource::Opportunities => OPPORTUNITIES,
        Resource::Tasks | Resource::Activities => TASKS,
    }
}

const LEADS: &[Column] = &[
    Column::fill("Name", 16, 3, 0),
    Column::range("Status", 10, 16, 1),
    Column::fixed("Contacts", 8, 3),
    Column::fixed("Updated", 16, 2),
];

const CONTACTS: &[Column] = &[
    Column::fill("Name", 14, 2, 0),
    Column::fill("Title", 6, 1, 4),
    Column::fill("Lead", 10, 2, 3),
    Column::fill("Email", 12, 2, 1),
    Column::range("Phone", 12, 16, 2).whole(),
];

const OPPORTUNITIES: &[Column] = &[
    Column::fill("Lead", 14, 3, 0),
    Column::fixed("Value", 12, 1).whole(),
    Column::range("Status", 10, 20, 2),
    Column::fill("Pipeline", 8, 1, 4),
    Column::fixed("Conf.", 5, 5),
    Column::fixed("Close date", 10, 3),
];

const TASKS: &[Column] = &[
    Column::fixed("Due", 10, 1),
    Column::fill("Text", 16, 3, 0),
    Column::fill("Lead", 10, 2, 3),
    Column::fixed("Done", 4, 2),
];

pub fn render(frame: &mut Frame, area: Rect, model: &Model, table: &TableModel, theme: Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(summary(model, table, theme, top.width), top);
    if model.connection.active().is_none() {
        frame.render_widget(
            Paragraph::new(dim(
                "No account is connected: press 1, then c to connect.",
                theme,
            )),
            rest,
        );
        return;
    }
    let name = table.resource.name();
    let query = table.query.value().trim();
    let empty = match (table.total, &table.error) {
        (_, Some(why)) if table.rows.is_empty() => Some(format!("could not load {name}: {why}")),
        (Total::Unknown, _) => Some("loading…".to_owned()),
        (Total::Exact(0), _) if query.is_empty() => Some(format!("no {name} yet")),
        (Total::Exact(0), _) => Some(format!("no {name} match “{query}”")),
        _ => None,
    };
    if let Some(text) = empty {
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(rest);
        let shown = column_widths(columns(table.resource), &[], head.width);
        frame.render_widget(grid(Vec::new(), table.resource, &shown, theme), head);
        frame.render_widget(Paragraph::new(dim(text, theme)), body);
        return;
    }
    let visible = usize::from(rest.height.saturating_sub(1));
    let end = (table.top + visible).min(table.total.navigable());
    let cells: Vec<&[String]> = (table.top..end)
        .filter_map(|index| table.row(index))
        .map(|row| row.cells.as_slice())
        .collect();
    let shown = column_widths(columns(table.resource), &cells, rest.width);
    let rows = (table.top..end).map(|index| {
        let style = if index == table.selected {
            theme.selected()
        } else {
            theme.text()
        };
        match table.row(index) {
            Some(row) => Row::new(shown.iter().map(|&(column, width)| {
                let cell = row.cells.get(column).map_or("", String::as_str);
                Cell::from(fit(cell, width))
            }))
            .style(style),
            None => Row::new([Cell::from("…")]).style(style),
        }
    });
    frame.render_widget(grid(rows.collect(), table.resource, &shown, theme), rest);
}

/// The columns shown across `width`, each as its index in `columns` and
/// its width, in the order they are drawn (one space between them, and
/// no selection column: none is drawn). By rank, each column is shown if
/// it still fits at its minimum, or for a whole column at its widest
/// cell in `rows`; rank 0 always is, however narrow. What is left grows
/// the shown columns by their share, each up to its maximum.
fn column_widths(columns: &[Column], rows: &[&[String]], width: u16) -> Vec<(usize, u16)> {
    let need: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            rows.iter()
                .filter(|_| column.whole)
                .filter_map(|cells| cells.get(index))
                .map(|cell| u16::try_from(text::width(cell)).unwrap_or(u16::MAX))
                .fold(column.min, u16::max)
        })
        .collect();
    let mut by_rank: Vec<usize> = (0..columns.len()).collect();
    by_rank.sort_by_key(|&index| columns[index].rank);
    let mut widths: Vec<Option<u16>> = vec![None; columns.len()];
    let mut used = 0u16;
    for (n, &index) in by_rank.iter().enumerate() {
        if n == 0 {
            used = need[index].min(width);
            widths[index] = Some(used);
        } else if u32::from(used) + 1 + u32::from(need[index]) <= u32::from(width) {
            used += 1 + need[index];
            widths[index] = Some(need[index]);
        }
    }
    // One column at a time, to the shown column with the largest
    // share / (grown + 1), D'Hondt's rule: the shares stay in proportion
    // and a narrow spare goes to the largest share. Ties go leftmost.
    let mut grown = vec![0u32; columns.len()];
    for _ in used..width {
        let Some(index) = (0..columns.len())
            .filter(|&index| {
                let column = &columns[index];
                column.grow > 0 && widths[index].is_some_and(|w| w < column.max.max(need[index]))
            })
            .min_by(|&a, &b| {
                let share = |index: usize| u32::from(columns[index].grow);
                (share(b) * (grown[a] + 1)).cmp(&(share(a) * (grown[b] + 1)))
            })
        else {
            break;
        };
        grown[index] += 1;
        widths[index] = widths[index].map(|w| w + 1);
    }
    widths
        .into_iter()
        .enumerate()
        .filter_map(|(index, width)| Some((index, width?)))
        .collect()
}

/// `text` on one line (line breaks and tabs read as spaces: a cell is one
/// row high), cut to `width` columns with "…" where it was cut, so a cut
/// value (an email, say) never passes for a whole one.
pub(super) fn fit(cell: &str, width: u16) -> Cow<'_, str> {
    let one_line: Cow<'_, str> = if cell.contains(['\n', '\r', '\t']) {
        Cow::Owned(cell.replace(['\n', '\r', '\t'], " "))
    } else {
        Cow::Borrowed(cell)
    };
    let width = usize::from(width);
    if text::width(&one_line) <= width {
        return one_line;
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in Span::raw(one_line.as_ref()).styled_graphemes(Style::new()) {
        let cells = usize::from(grapheme.symbol.cell_width());
        if used + cells + 1 > width {
            break;
        }
        used += cells;
        out.push_str(grapheme.symbol);
    }
    if width > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// The table of `rows` under the titles of the `shown` columns.
fn grid<'a>(
    rows: Vec<Row<'a>>,
    resource: Resource,
    shown: &[(usize, u16)],
    theme: Theme,
) -> Table<'a> {
    let columns = columns(resource);
    let header = Row::new(
        shown
            .iter()
            .map(|&(column, _)| Cell::from(columns[column].title)),
    )
    .style(theme.column_header());
    Table::new(
        rows,
        shown.iter().map(|&(_, width)| Constraint::Length(width)),
    )
    .header(header)
    .column_spacing(1)
    .flex(Flex::Start)
}

/// What sets a table's search apart on its summary line.
const SEARCH: &str = "   / ";

/// "Leads  120 of 2,000 · synced 5 min ago   / acme▏", `width` columns
/// wide at most. A search too long for the line keeps its end (and the
/// cursor) in view: the row and age go first, then the query's start.
fn summary(model: &Model, table: &TableModel, theme: Theme, width: u16) -> Line<'static> {
    let query = table.query.value().trim();
    let count = match (table.total, table.unfiltered) {
        (Total::Unknown, _) => String::new(),
        (Total::Exact(n), Some(all)) if !query.is_empty() => {
            format!(
                "{} of {}",
                format::thousands(n as u64),
                format::thousands(all as u64)
            )
        }
        (Total::Exact(n), _) => format::thousands(n as u64),
        (Total::AtLeast(n), _) => format!("{}+", format::thousands(n as u64)),
    };
    let position = if table.total.known() > 0 {
        format!(" · row {}", format::thousands(table.selected as u64 + 1))
    } else {
        String::new()
    };
    let freshness = match table.freshness {
        Freshness::Unknown => String::new(),
        Freshness::Live => " · live from Close".to_owned(),
        Freshness::Synced(at) => format!(" · synced {}", format::ago(model.now, at)),
    };
    let heading = format!("{}  ", title(table.resource));
    let mut details = format!("{position}{freshness}");
    // Why the last read failed, while older rows stay shown.
    let error = table
        .error
        .as_ref()
        .filter(|_| !table.rows.is_empty())
        .map(|why| format!("  ({why})"));
    let mut search = None;
    if table.searching || !query.is_empty() {
        let cursor = if table.searching { "▏" } else { "" };
        let typed = format!("{}{cursor}", table.query.value());
        let fixed = text::width(&heading)
            + text::width(&count)
            + SEARCH.len()
            + error.as_deref().map_or(0, text::width);
        let room = usize::from(width);
        if fixed + text::width(&details) + text::width(&typed) > room {
            details.clear();
        }
        let left = room.saturating_sub(fixed + text::width(&details));
        search = Some(text::tail(&typed, left));
    }
    let mut spans = vec![
        Span::styled(heading, theme.heading()),
        Span::raw(count),
        Span::styled(details, theme.dim()),
    ];
    if let Some(search) = search {
        spans.push(Span::styled(SEARCH, theme.key()));
        spans.push(Span::styled(search, theme.input()));
    }
    if let Some(error) = error {
        spans.push(Span::styled(error, theme.error()));
    }
    Line::from(spans)
}

fn title(resource: Resource) -> &'static str {
    match resource {
        Resource::Leads => "Leads",
        Resource::Contacts => "Contacts",
        Resource::Opportunities => "Opportunities",
        Resource::Tasks => "Tasks",
        Resource::Activities => "Activities",
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
pub(super) mod tests;
