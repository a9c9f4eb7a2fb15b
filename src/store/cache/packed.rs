//! A record's raw JSON, id and column values in one string.
//!
//! A sync holds tens of thousands of records between the fetch tasks that
//! read them and the writer that stores them. Each was a string for its
//! raw JSON, one for its id and one per text column (about ten
//! allocations), made on one thread and freed on another; while a first
//! sync streamed, malloc and free were about a seventh of its CPU samples,
//! these records among their largest callers. Packed, a record is one
//! allocation, sized exactly.

use std::borrow::Cow;

use rusqlite::types::ValueRef;

/// The most columns a cache table copies out of a record (opportunities).
pub const MAX_COLUMNS: usize = 11;

/// A column's value as it is read, borrowing the record's text where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
}

/// Up to [`MAX_COLUMNS`] values, in their table's column order.
#[derive(Debug)]
pub struct Vals<'a> {
    items: [Val<'a>; MAX_COLUMNS],
    len: usize,
}

impl<'a> Vals<'a> {
    pub fn new() -> Self {
        Self {
            items: std::array::from_fn(|_| Val::Null),
            len: 0,
        }
    }

    /// Adds the next column's value.
    ///
    /// # Panics
    /// Past [`MAX_COLUMNS`]: a table's columns are our own constant.
    pub fn push(&mut self, value: Val<'a>) {
        self.items[self.len] = value;
        self.len += 1;
    }

    fn as_slice(&self) -> &[Val<'a>] {
        &self.items[..self.len]
    }

    /// The bytes their text takes.
    fn text_len(&self) -> usize {
        self.as_slice()
            .iter()
            .map(|v| match v {
                Val::Text(t) => t.len(),
                _ => 0,
            })
            .sum()
    }
}

impl<'a> FromIterator<Val<'a>> for Vals<'a> {
    fn from_iter<I: IntoIterator<Item = Val<'a>>>(iter: I) -> Self {
        let mut vals = Self::new();
        for value in iter {
            vals.push(value);
        }
        vals
    }
}

/// A packed column: its text is a range of [`Packed`]'s string.
#[derive(Debug, Clone, Copy)]
enum Col {
    Null,
    Int(i64),
    Text(u32, u32),
}

/// The raw JSON, then the id, then the columns' text, in one string.
#[derive(Debug, Clone)]
pub struct Packed {
    text: String,
    raw_end: u32,
    id_end: u32,
    cols: [Col; MAX_COLUMNS],
    len: u8,
}

impl Packed {
    /// The capacity a raw JSON's string needs to hold `id` and `vals`
    /// after it, so [`Packed::new`] never grows it.
    pub fn room(id: &str, vals: &Vals<'_>) -> usize {
        id.len() + vals.text_len()
    }

    /// Packs `id` and `vals` after the raw JSON that `text` holds.
    pub fn new(mut text: String, id: &str, vals: &Vals<'_>) -> Self {
        let raw_end = offset(&text);
        text.push_str(id);
        let id_end = offset(&text);
        let mut cols = [Col::Null; MAX_COLUMNS];
        for (col, value) in cols.iter_mut().zip(vals.as_slice()) {
            *col = match value {
                Val::Null => Col::Null,
                Val::Int(n) => Col::Int(*n),
                Val::Text(t) => {
                    let start = offset(&text);
                    text.push_str(t);
                    Col::Text(start, offset(&text))
                }
            };
        }
        Self {
            text,
            raw_end,
            id_end,
            cols,
            len: vals.len as u8,
        }
    }

    pub fn raw(&self) -> &str {
        &self.text[..self.raw_end as usize]
    }

    pub fn id(&self) -> &str {
        &self.text[self.raw_end as usize..self.id_end as usize]
    }

    /// The columns' values, in order, as SQLite binds them.
    pub fn values(&self) -> impl ExactSizeIterator<Item = ValueRef<'_>> + '_ {
        self.cols[..self.len as usize].iter().map(|col| match *col {
            Col::Null => ValueRef::Null,
            Col::Int(n) => ValueRef::Integer(n),
            Col::Text(start, end) => {
                ValueRef::Text(&self.text.as_bytes()[start as usize..end as usize])
            }
        })
    }

    /// Column `at`'s text, if it has some.
    pub fn text_at(&self, at: usize) -> Option<&str> {
        match self.cols[..self.len as usize].get(at)? {
            Col::Text(start, end) => Some(&self.text[*start as usize..*end as usize]),
            _ => None,
        }
    }
}

/// Equal when they hold the same raw JSON, id and values, however packed.
impl PartialEq for Packed {
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw() && self.id() == other.id() && self.values().eq(other.values())
    }
}

/// Where the string ends, as a range bound: `prepare` refuses a record
/// past SQLite's limit of 10^9 bytes, so the packed text stays far below
/// 4 GiB.
fn offset(text: &str) -> u32 {
    u32::try_from(text.len()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_packs_in_one_string_of_exactly_its_size() {
        let vals: Vals<'_> = [
            Val::Text(Cow::Borrowed("lead_1")),
            Val::Null,
            Val::Int(7),
            Val::Text(Cow::Owned("Ann é".to_owned())),
        ]
        .into_iter()
        .collect();
        let raw = r#"{"id":"c_1"}"#;
        let mut text = String::with_capacity(raw.len() + Packed::room("c_1", &vals));
        text.push_str(raw);
        let capacity = text.capacity();
        let packed = Packed::new(text, "c_1", &vals);
        assert_eq!(packed.text.capacity(), capacity, "never grown");
        assert_eq!(packed.raw(), raw);
        assert_eq!(packed.id(), "c_1");
        let values: Vec<ValueRef<'_>> = packed.values().collect();
        assert_eq!(
            values,
            [
                ValueRef::Text(b"lead_1"),
                ValueRef::Null,
                ValueRef::Integer(7),
                ValueRef::Text("Ann é".as_bytes()),
            ]
        );
        assert_eq!(packed.text_at(3), Some("Ann é"));
        assert_eq!(packed.text_at(1), None);
        assert_eq!(packed.text_at(9), None);
    }

    #[test]
    fn records_are_equal_by_content_not_by_packing() {
        let vals: Vals<'_> = [Val::Text(Cow::Borrowed("x"))].into_iter().collect();
        let roomy = Packed::new(String::with_capacity(64) + "{}", "a", &vals);
        let tight = Packed::new("{}".to_owned(), "a", &vals);
        assert_eq!(roomy, tight);
        let other: Vals<'_> = [Val::Text(Cow::Borrowed("y"))].into_iter().collect();
        assert_ne!(roomy, Packed::new("{}".to_owned(), "a", &other));
        assert_ne!(roomy, Packed::new("{}".to_owned(), "b", &vals));
    }
}
