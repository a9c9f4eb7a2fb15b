//! The text of the screens that scroll (a record's detail, the Account
//! screen): lines of plain text whose parts carry a [`Tone`] the renderer
//! turns into a style, and the one wrapping that `update` and the renderer
//! share, so a scroll bound counts exactly the rows the screen draws.

use ratatui::{buffer::CellWidth, style::Style, text::Span};
use unicode_segmentation::UnicodeSegmentation;

/// What a part of a line is, for the renderer to style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Text,
    Heading,
    Dim,
    Error,
    Label,
}

/// How many columns `text` takes on screen.
pub fn width(text: &str) -> usize {
    Span::raw(text).width()
}

/// The end of `text` in at most `columns` on screen, after a `…` when its
/// start is cut: where a one-line input's cursor is.
pub fn tail(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    if columns == 0 {
        return String::new();
    }
    let mut kept = 0;
    let mut start = text.len();
    for (at, grapheme) in text.grapheme_indices(true).rev() {
        kept += width(grapheme);
        if kept + 1 > columns {
            break;
        }
        start = at;
    }
    format!("…{}", &text[start..])
}

/// `text` padded with spaces to `columns` on screen (as is when wider).
pub fn pad(text: &str, columns: usize) -> String {
    let mut padded = text.to_owned();
    padded.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    padded
}

/// One line of text, in parts of one tone each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextLine {
    pub parts: Vec<(Tone, String)>,
}

impl TextLine {
    pub fn new(tone: Tone, text: impl Into<String>) -> Self {
        Self {
            parts: vec![(tone, text.into())],
        }
    }

    pub fn text(text: impl Into<String>) -> Self {
        Self::new(Tone::Text, text)
    }

    pub fn blank() -> Self {
        Self::default()
    }

    /// `label   value`, with the label padded to `width`.
    pub fn field(label: &str, value: impl Into<String>, width: usize) -> Self {
        Self {
            parts: vec![
                (Tone::Label, format!("{label:<width$} ")),
                (Tone::Text, value.into()),
            ],
        }
    }

    /// Whether the line fits one row `width` columns wide, told from its
    /// length alone: a column takes at least a byte of UTF-8, so a line of
    /// no more bytes than columns fits. Most lines of a long timeline do,
    /// and are then never split into graphemes.
    fn fits(&self, width: u16) -> bool {
        width > 0
            && self.parts.iter().map(|(_, text)| text.len()).sum::<usize>() <= usize::from(width)
    }

    /// How many rows [`TextLine::wrap`] makes of this line.
    pub fn rows(&self, width: u16) -> usize {
        if self.fits(width) {
            1
        } else {
            self.wrap(width).len()
        }
    }

    /// The rows this line takes `width` columns wide. A row breaks after
    /// the last space that fits and the space is dropped; a word longer
    /// than a row is cut. An empty line is one empty row.
    pub fn wrap(&self, width: u16) -> Vec<TextLine> {
        let width = usize::from(width);
        if width == 0 {
            return vec![self.clone()];
        }
        let spans: Vec<Span> = self
            .parts
            .iter()
            .map(|(_, text)| Span::raw(text.as_str()))
            .collect();
        let cells = self.parts.iter().zip(&spans).flat_map(|((tone, _), span)| {
            // The graphemes and widths the terminal buffer uses.
            span.styled_graphemes(Style::new()).map(|g| Cell {
                tone: *tone,
                symbol: g.symbol,
                width: usize::from(g.symbol.cell_width()),
                space: g.symbol.chars().all(char::is_whitespace),
            })
        });
        let mut rows = Vec::new();
        let mut row: Vec<Cell> = Vec::new();
        let mut row_width = 0;
        // Where the word being written starts in `row`, after a space.
        let mut word_start = None;
        for cell in cells {
            if cell.width > width {
                continue;
            }
            if row_width + cell.width > width {
                let carried = match word_start {
                    Some(start) if !cell.space => row.split_off(start),
                    _ => Vec::new(),
                };
                while row.last().is_some_and(|c| c.space) {
                    row.pop();
                }
                rows.push(join(&row));
                row = carried;
                row_width = row.iter().map(|c| c.width).sum();
                word_start = None;
                if cell.space {
                    continue;
                }
            }
            if cell.space && row.is_empty() && !rows.is_empty() {
                // A continued row starts at its first word.
                continue;
            }
            row_width += cell.width;
            let space = cell.space;
            row.push(cell);
            if space {
                word_start = Some(row.len());
            }
        }
        rows.push(join(&row));
        rows
    }
}

/// One grapheme of a line.
struct Cell<'a> {
    tone: Tone,
    symbol: &'a str,
    width: usize,
    space: bool,
}

fn join(cells: &[Cell]) -> TextLine {
    let mut parts: Vec<(Tone, String)> = Vec::new();
    for cell in cells {
        match parts.last_mut() {
            Some((tone, text)) if *tone == cell.tone => text.push_str(cell.symbol),
            _ => parts.push((cell.tone, cell.symbol.to_owned())),
        }
    }
    TextLine { parts }
}

/// Every line wrapped `width` columns wide: what [`window`] and
/// [`max_scroll`] must agree with (the screens draw through `window`).
#[cfg(test)]
pub fn wrap(lines: &[TextLine], width: u16) -> Vec<TextLine> {
    lines.iter().flat_map(|line| line.wrap(width)).collect()
}

/// The rows `skip..skip + take` of the lines wrapped `width` wide: only
/// the lines on screen are wrapped, and those that fit are not split.
pub fn window(lines: &[TextLine], width: u16, skip: usize, take: usize) -> Vec<TextLine> {
    let mut shown = Vec::with_capacity(take);
    let mut skip = skip;
    for line in lines {
        if shown.len() >= take {
            break;
        }
        let rows = line.rows(width);
        if skip >= rows {
            skip -= rows;
            continue;
        }
        let wrapped = if line.fits(width) {
            vec![line.clone()]
        } else {
            line.wrap(width)
        };
        let room = take - shown.len();
        shown.extend(wrapped.into_iter().skip(skip).take(room));
        skip = 0;
    }
    shown
}

/// The furthest a view `width`×`height` may scroll: its last row is then
/// at the bottom.
pub fn max_scroll(lines: &[TextLine], width: u16, height: u16) -> usize {
    let rows: usize = lines.iter().map(|line| line.rows(width)).sum();
    rows.saturating_sub(usize::from(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[TextLine]) -> Vec<String> {
        rows.iter()
            .map(|row| row.parts.iter().map(|(_, t)| t.as_str()).collect())
            .collect()
    }

    #[test]
    fn a_tail_keeps_the_end_in_whole_characters() {
        assert_eq!(tail("acme", 4), "acme");
        assert_eq!(tail("acme corp", 5), "…corp");
        // Wide characters are two columns: none is cut in half.
        assert_eq!(tail("東京都庁", 6), "…都庁");
        // A letter and its accent take one column, and go together.
        assert_eq!(
            tail("e\u{301}e\u{301}e\u{301}", 3),
            "e\u{301}e\u{301}e\u{301}"
        );
        assert_eq!(tail("e\u{301}e\u{301}e\u{301}", 2), "…e\u{301}");
        assert_eq!(tail("acme", 1), "…");
        assert_eq!(tail("acme", 0), "");
    }

    #[test]
    fn words_move_to_the_next_row_whole() {
        let line = TextLine::text("  the quick brown fox");
        assert_eq!(texts(&line.wrap(12)), ["  the quick", "brown fox"]);
        assert_eq!(texts(&line.wrap(40)), ["  the quick brown fox"]);
        assert_eq!(texts(&line.wrap(5)), ["  the", "quick", "brown", "fox"]);
    }

    #[test]
    fn a_word_longer_than_a_row_is_cut() {
        let line = TextLine::text("lead_abcdefghij ok");
        assert_eq!(texts(&line.wrap(6)), ["lead_a", "bcdefg", "hij ok"]);
    }

    #[test]
    fn tones_survive_the_wrap_and_wide_characters_count_twice() {
        let line = TextLine::field("Name", "Ann Example", 6);
        let rows = line.wrap(10);
        assert_eq!(texts(&rows), ["Name   Ann", "Example"]);
        assert_eq!(rows[0].parts[0], (Tone::Label, "Name   ".to_owned()));
        assert_eq!(rows[1].parts, [(Tone::Text, "Example".to_owned())]);
        assert_eq!(TextLine::text("日本語").wrap(4).len(), 2);
    }

    #[test]
    fn the_scroll_bound_counts_wrapped_rows() {
        let lines = vec![
            TextLine::text("one two three four"),
            TextLine::blank(),
            TextLine::text("five"),
        ];
        assert_eq!(
            texts(&wrap(&lines, 9)),
            ["one two", "three", "four", "", "five"]
        );
        assert_eq!(max_scroll(&lines, 9, 2), 3);
        assert_eq!(max_scroll(&lines, 80, 2), 1);
        assert_eq!(max_scroll(&lines, 80, 10), 0);
    }

    #[test]
    fn a_window_is_the_same_rows_as_the_whole_wrap() {
        let lines = vec![
            TextLine::text("one two three four"),
            TextLine::blank(),
            TextLine::text("日本語 日本語 日本語"),
            TextLine::text("five"),
            TextLine::field("Name", "Ann Example", 6),
        ];
        for width in [0, 1, 4, 9, 12, 80] {
            let whole = wrap(&lines, width);
            assert_eq!(
                lines.iter().map(|l| l.rows(width)).sum::<usize>(),
                whole.len(),
                "{width}"
            );
            for skip in 0..=whole.len() {
                for take in [0, 1, 3, 100] {
                    let expected: Vec<_> = whole.iter().skip(skip).take(take).cloned().collect();
                    assert_eq!(
                        window(&lines, width, skip, take),
                        expected,
                        "{width} {skip} {take}"
                    );
                }
            }
        }
    }
}
