//! Where things are on screen, in rows. The renderer and `update` (which
//! turns a mouse click into a row) share these numbers.

/// Title and tabs, then the status line.
pub const HEADER_ROWS: u16 = 2;
/// Key hints.
pub const FOOTER_ROWS: u16 = 1;
/// A data screen's count/search line and the column headings.
pub const TABLE_CHROME_ROWS: u16 = 2;
/// A detail view's title line.
pub const DETAIL_TITLE_ROWS: u16 = 1;
/// The `?` overlay's borders and its hint line.
pub const HELP_CHROME_ROWS: u16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub width: u16,
    pub height: u16,
}

impl Layout {
    pub fn new(width: u16, height: u16) -> Self {
        Self { width, height }
    }

    /// Rows between the header and the footer.
    pub fn body_rows(self) -> u16 {
        self.height.saturating_sub(HEADER_ROWS + FOOTER_ROWS)
    }

    /// Rows a detail view's body has under its title.
    pub fn detail_rows(self) -> u16 {
        self.body_rows().saturating_sub(DETAIL_TITLE_ROWS)
    }

    /// Rows of bindings the `?` overlay shows at most.
    pub fn help_rows(self) -> u16 {
        self.body_rows().saturating_sub(HELP_CHROME_ROWS)
    }

    /// The terminal row of the first table row.
    pub fn first_table_row(self) -> u16 {
        HEADER_ROWS + TABLE_CHROME_ROWS
    }

    /// How many table rows fit.
    pub fn table_rows(self) -> usize {
        usize::from(self.body_rows().saturating_sub(TABLE_CHROME_ROWS)).max(1)
    }
}
