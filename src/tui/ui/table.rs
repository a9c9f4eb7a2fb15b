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

/// The columns of each resource. Services build `RecordRow::cells` in
/// this order.
pub fn columns(resource: Resource) -> &'static [(&'static str, Constraint)] {
    use Constraint::{Fill, Length};
    match resource {
        Resource::Leads => &[
            ("Name", Fill(3)),
            ("Status", Length(14)),
            ("Contacts", Length(8)),
            ("Updated", Length(16)),
        ],
        Resource::Contacts => &[
            ("Name", Fill(2)),
            ("Title", Fill(1)),
            ("Lead", Fill(2)),
            ("Email", Fill(2)),
            ("Phone", Length(16)),
        ],
        Resource::Opportunities => &[
            ("Lead", Fill(2)),
            ("Value", Length(14)),
            ("Status", Length(10)),
            ("Pipeline", Fill(1)),
            ("Conf.", Length(5)),
            ("Close date", Length(10)),
        ],
        Resource::Tasks | Resource::Activities => &[
            ("Due", Length(10)),
            ("Text", Fill(3)),
            ("Lead", Fill(2)),
            ("Done", Length(4)),
        ],
    }
}

pub fn render(frame: &mut Frame, area: Rect, model: &Model, table: &TableModel, theme: Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(summary(model, table, theme), top);
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
        frame.render_widget(header_row(table.resource, theme), head);
        frame.render_widget(Paragraph::new(dim(text, theme)), body);
        return;
    }
    let columns = columns(table.resource);
    let widths = column_widths(columns, rest.width);
    let visible = usize::from(rest.height.saturating_sub(1));
    let end = (table.top + visible).min(table.total.navigable());
    let rows = (table.top..end).map(|index| {
        let style = if index == table.selected {
            theme.selected()
        } else {
            theme.text()
        };
        match table.row(index) {
            Some(row) => Row::new(
                row.cells
                    .iter()
                    .zip(&widths)
                    .map(|(cell, width)| Cell::from(fit(cell, *width))),
            )
            .style(style),
            None => Row::new([Cell::from("…")]).style(style),
        }
    });
    let widget = Table::new(rows, columns.iter().map(|(_, width)| *width))
        .header(header(table.resource, theme))
        .column_spacing(1);
    frame.render_widget(widget, rest);
}

/// The width each column gets across `width`, as the table lays them out
/// (one space between columns, and no selection column: none is drawn).
fn column_widths(columns: &[(&str, Constraint)], width: u16) -> Vec<u16> {
    Layout::horizontal(columns.iter().map(|(_, c)| *c))
        .flex(Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|column| column.width)
        .collect()
}

/// `text` on one line (line breaks and tabs read as spaces: a cell is one
/// row high), cut to `width` columns with "…" where it was cut, so a cut
/// value (an email, say) never passes for a whole one.
fn fit(cell: &str, width: u16) -> Cow<'_, str> {
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

fn header(resource: Resource, theme: Theme) -> Row<'static> {
    Row::new(
        columns(resource)
            .iter()
            .map(|(title, _)| Cell::from(*title)),
    )
    .style(theme.column_header())
}

fn header_row(resource: Resource, theme: Theme) -> Table<'static> {
    Table::new(
        Vec::<Row>::new(),
        columns(resource).iter().map(|(_, width)| *width),
    )
    .header(header(resource, theme))
    .column_spacing(1)
}

/// "Leads  120 of 2,000 · synced 5 min ago   / acme▏"
fn summary(model: &Model, table: &TableModel, theme: Theme) -> Line<'static> {
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
    let mut spans = vec![
        Span::styled(format!("{}  ", title(table.resource)), theme.heading()),
        Span::raw(count),
        Span::styled(format!("{position}{freshness}"), theme.dim()),
    ];
    if table.searching || !query.is_empty() {
        spans.push(Span::styled("   / ", theme.key()));
        let cursor = if table.searching { "▏" } else { "" };
        spans.push(Span::styled(
            format!("{}{cursor}", table.query.value()),
            theme.input(),
        ));
    }
    if let Some(why) = &table.error
        && !table.rows.is_empty()
    {
        spans.push(Span::styled(format!("  ({why})"), theme.error()));
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
mod tests {
    use super::*;

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

    #[test]
    fn columns_are_as_wide_as_the_table_draws_them() {
        let widths = column_widths(columns(Resource::Leads), 100);
        // Name fills what the fixed columns and three spaces leave.
        assert_eq!(widths, [59, 14, 8, 16]);
    }
}
