//! The few members of a record the cache reads, each kept as the slice of
//! text that holds its value, found while the record is scanned once.
//!
//! Sync stores each record's JSON as Close sent it, so the cache needs only
//! a few fields out of it. The accessors read leniently, exactly as
//! `close::records`' do on a parsed `Value`; a later duplicate key wins
//! there too, so a later member simply takes the slot.

use std::borrow::Cow;

use super::scan::{Result, Scan, Unescaped};

/// The members the cache reads, out of any record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Id,
    LeadId,
    DisplayName,
    Name,
    Title,
    Emails,
    Phones,
    Email,
    Phone,
    PhoneFormatted,
    LeadName,
    StatusLabel,
    StatusType,
    Value,
    ValueCurrency,
    ValuePeriod,
    Confidence,
    UserName,
    DateWon,
    ExpectedDate,
    Type,
    Text,
    DueDate,
    Date,
    IsComplete,
    AssignedToName,
    Subject,
    Note,
    BodyText,
    DateCreated,
    DateUpdated,
}

const KEYS: usize = Key::DateUpdated as usize + 1;

impl Key {
    pub fn of(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "lead_id" => Self::LeadId,
            "display_name" => Self::DisplayName,
            "name" => Self::Name,
            "title" => Self::Title,
            "emails" => Self::Emails,
            "phones" => Self::Phones,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "phone_formatted" => Self::PhoneFormatted,
            "lead_name" => Self::LeadName,
            "status_label" => Self::StatusLabel,
            "status_type" => Self::StatusType,
            "value" => Self::Value,
            "value_currency" => Self::ValueCurrency,
            "value_period" => Self::ValuePeriod,
            "confidence" => Self::Confidence,
            "user_name" => Self::UserName,
            "date_won" => Self::DateWon,
            "expected_date" => Self::ExpectedDate,
            "_type" => Self::Type,
            "text" => Self::Text,
            "due_date" => Self::DueDate,
            "date" => Self::Date,
            "is_complete" => Self::IsComplete,
            "assigned_to_name" => Self::AssignedToName,
            "subject" => Self::Subject,
            "note" => Self::Note,
            "body_text" => Self::BodyText,
            "date_created" => Self::DateCreated,
            "date_updated" => Self::DateUpdated,
            _ => return None,
        })
    }
}

/// The members of one JSON object that [`Key`] names, as slices of its
/// text (the last one, if a key repeats).
#[derive(Clone, Copy, Default)]
pub(super) struct Fields<'a> {
    slots: [Option<&'a str>; KEYS],
    /// A bit per slot that holds a string with an escape.
    escaped: u64,
}

impl<'a> Fields<'a> {
    /// The object `text` holds; `None` when it holds anything else.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut scan = Scan::new(text);
        if scan.peek() != Some(b'{') {
            return None;
        }
        let mut fields = Self::default();
        scan.object(|scan, key| fields.member(scan, &key)).ok()?;
        scan.end().ok()?;
        Some(fields)
    }

    /// Reads the value of the member `key` at the cursor, keeping it if
    /// the cache reads it.
    pub fn member(&mut self, scan: &mut Scan<'a>, key: &str) -> Result<()> {
        let (value, escaped) = scan.value_escaped()?;
        self.set(key, value, escaped);
        Ok(())
    }

    /// Keeps `value` as the member `key` if the cache reads it; `escaped`:
    /// it is a string with an escape.
    pub fn set(&mut self, key: &str, value: &'a str, escaped: bool) {
        if let Some(key) = Key::of(key) {
            self.slots[key as usize] = Some(value);
            let bit = 1 << key as usize;
            self.escaped = self.escaped & !bit | if escaped { bit } else { 0 };
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: Key) -> Option<&'a str> {
        self.slots[key as usize]
    }

    /// A string field as it is (`Value::as_str`).
    pub fn str(&self, key: Key) -> Option<Cow<'a, str>> {
        self.string(key)
    }

    /// A string field's content, borrowed when it has no escapes (its
    /// text was checked when the record was scanned).
    fn string(&self, key: Key) -> Option<Cow<'a, str>> {
        let raw = self.get(key).filter(|raw| first(raw) == b'"')?;
        if self.escaped & 1 << key as usize == 0 {
            return Some(Cow::Borrowed(&raw[1..raw.len() - 1]));
        }
        serde_json::from_str::<Unescaped<'_>>(raw).ok().map(|k| k.0)
    }

    /// A text field, if it is a non-empty string; numbers and booleans as
    /// text (`records::text`).
    pub fn text(&self, key: Key) -> Option<Cow<'a, str>> {
        let raw = self.get(key)?;
        match first(raw) {
            b'"' => self.string(key).filter(|s| !blank(s)),
            b't' => Some(Cow::Borrowed("true")),
            b'f' => Some(Cow::Borrowed("false")),
            b'-' | b'0'..=b'9' => Some(Cow::Owned(number(raw)?.to_string())),
            _ => None,
        }
    }

    /// A finite number, or a string holding one (`records::number`).
    pub fn number(&self, key: Key) -> Option<f64> {
        let raw = self.get(key)?;
        match first(raw) {
            b'"' => self.string(key)?.trim().parse().ok(),
            b'-' | b'0'..=b'9' => number(raw)?.as_f64(),
            _ => None,
        }
        .filter(|n: &f64| n.is_finite())
    }

    /// `true`, a non-zero number, or "true"/"True"/"1".
    pub fn truthy(&self, key: Key) -> bool {
        let Some(raw) = self.get(key) else {
            return false;
        };
        match first(raw) {
            b't' => true,
            b'-' | b'0'..=b'9' => number(raw)
                .and_then(|n| n.as_f64())
                .is_some_and(|n| n != 0.0),
            b'"' => self
                .string(key)
                .is_some_and(|s| matches!(s.trim(), "true" | "True" | "1")),
            _ => false,
        }
    }

    /// Calls `item` with each item of a list field; anything that is not
    /// a list counts as empty (`records::list`).
    pub fn each(&self, key: Key, mut item: impl FnMut(&'a str)) {
        if let Some(raw) = self.get(key).filter(|raw| first(raw) == b'[') {
            // The text was checked when the record was scanned.
            let _ = Scan::new(raw).array(|scan| {
                item(scan.value()?);
                Ok(())
            });
        }
    }

    /// The first item of a list field.
    pub fn first_item(&self, key: Key) -> Option<&'a str> {
        let raw = self.get(key).filter(|raw| first(raw) == b'[')?;
        let mut scan = Scan::new(&raw[1..]);
        match scan.peek() {
            Some(b']') | None => None,
            Some(_) => scan.value().ok(),
        }
    }

    /// The record's id: a non-empty string (`records::id`).
    pub fn id(&self) -> Option<Cow<'a, str>> {
        self.str(Key::Id).filter(|s| !s.is_empty())
    }
}

fn first(raw: &str) -> u8 {
    raw.as_bytes().first().copied().unwrap_or(b' ')
}

/// Empty or whitespace (`str::trim`'s), quickly for the usual text that
/// starts with a letter or digit.
fn blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_alphanumeric() => false,
        _ => s.trim().is_empty(),
    }
}

fn number(raw: &str) -> Option<serde_json::Number> {
    serde_json::from_str(raw).ok()
}

/// Writes `key` as a JSON string.
pub(crate) fn push_key(out: &mut String, key: &str) {
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(key);
        out.push('"');
    } else {
        // A string always serializes.
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
    }
}
