//! Close records, read leniently.
//!
//! A record is kept whole as JSON (so nothing Close sends is lost) and the
//! few fields close-tui indexes or shows are read from it with accessors that
//! accept nulls, missing keys and odd types. A record with a strange shape
//! is still stored and shown as well as it can be; it is never an error.

use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::{Value, value::RawValue};

pub use crate::resource::Resource;

/// One page of a list endpoint: `{data, has_more, total_results?}`.
///
/// `data` and `has_more` are required: a body without them (`{}`, an
/// error object a proxy answered 200 with) is not a page, and reading it
/// as an empty last page would end a sync short without a word. It fails
/// to decode instead, which the client retries and then reports.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Page {
    /// Read leniently, one by one (see [`Lenient`]).
    #[serde(deserialize_with = "lenient_records")]
    pub data: Vec<Value>,
    pub has_more: bool,
    pub total_results: Option<u64>,
}

/// A page whose records are kept as the text Close sent, unparsed; as
/// strict as [`Page`].
#[derive(Debug, Default, Deserialize)]
pub struct RawPage {
    pub data: Vec<Box<serde_json::value::RawValue>>,
    pub has_more: bool,
    pub total_results: Option<u64>,
}

/// A text field, if it is a non-empty string. Numbers and booleans are
/// rendered as text rather than dropped.
pub fn text<'a>(record: &'a Value, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    match record.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(std::borrow::Cow::Borrowed(s)),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// A numeric field; numeric strings count too. Always finite: Rust reads
/// "NaN" and "inf" as numbers, but no Close field means them.
pub fn number(record: &Value, key: &str) -> Option<f64> {
    match record.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// A list field; anything that is not a list counts as empty.
pub fn list<'a>(record: &'a Value, key: &str) -> &'a [Value] {
    record
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A record as `serde_json` reads it; or, when its text holds a lone
/// surrogate escape (half of a cut emoji, which Close's JSON may carry and
/// `serde_json` refuses), read with each one as U+FFFD. One odd character
/// must not cost a page.
#[derive(Debug, Clone)]
pub struct Lenient(pub Value);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <Box<RawValue>>::deserialize(deserializer)?;
        lenient(raw.get()).map(Lenient).map_err(D::Error::custom)
    }
}

fn lenient_records<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Value>, D::Error> {
    let records = Vec::<Lenient>::deserialize(deserializer)?;
    Ok(records.into_iter().map(|record| record.0).collect())
}

/// `text` read as JSON, lone surrogates as U+FFFD (see [`Lenient`]).
pub fn lenient(text: &str) -> serde_json::Result<Value> {
    serde_json::from_str(text).or_else(|err| match without_lone_surrogates(text) {
        Some(mended) => serde_json::from_str(&mended),
        None => Err(err),
    })
}

/// `text` with each `\u` escape of a lone surrogate written `\ufffd`;
/// `None` when it has none.
fn without_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let unit = |at: usize| {
        let escape = bytes.get(at..at + 6)?;
        let hex = escape.strip_prefix(b"\\u")?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let (mut mended, mut copied, mut at) = (String::new(), 0, 0);
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        at += match unit(at) {
            Some(0xD800..=0xDBFF) if matches!(unit(at + 6), Some(0xDC00..=0xDFFF)) => 12,
            Some(0xD800..=0xDFFF) => {
                mended.push_str(&text[copied..at]);
                mended.push_str("\\ufffd");
                copied = at + 6;
                6
            }
            Some(_) => 6,
            // Any other escape, `\\` among them: two characters.
            None => 2,
        };
    }
    (copied > 0).then(|| mended + &text[copied..])
}

/// The record's id, which every Close record has; `None` for a record that
/// lacks one (it cannot be cached, and is reported).
pub fn id(record: &Value) -> Option<&str> {
    record
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_lone_surrogate_costs_one_character_not_the_page() {
        let page = r#"{"has_more": false, "data": [
            {"id": "lead_1", "display_name": "Broken \ud83d", "x\udc80": 1},
            {"id": "lead_2", "display_name": "Whole \ud83d\ude00 \\ud800 \u00e9"}]}"#;
        let page: Page = serde_json::from_str(page).unwrap();
        assert_eq!(page.data[0]["display_name"], "Broken \u{fffd}");
        assert_eq!(page.data[0]["x\u{fffd}"], 1);
        assert_eq!(
            page.data[1]["display_name"], "Whole \u{1f600} \\ud800 \u{e9}",
            "pairs, an escaped backslash and other escapes are as they were"
        );
        assert!(
            lenient("{\"a\": [1,]}").is_err(),
            "other faults stay faults"
        );
        assert!(
            serde_json::from_str::<Page>(r#"{"has_more": false, "data": [{"a": tru}]}"#).is_err()
        );
    }

    #[test]
    fn odd_shapes_are_read_as_well_as_possible() {
        let record = json!({
            "id": "lead_1", "name": 42, "description": null, "url": "",
            "contacts": "oops", "confidence": "70", "is_complete": true,
        });
        assert_eq!(id(&record), Some("lead_1"));
        assert_eq!(text(&record, "name").as_deref(), Some("42"));
        assert_eq!(text(&record, "description"), None);
        assert_eq!(text(&record, "url"), None);
        assert_eq!(text(&record, "missing"), None);
        assert!(list(&record, "contacts").is_empty());
        assert_eq!(number(&record, "confidence"), Some(70.0));
        for odd in ["NaN", "inf", "-infinity", "1e999"] {
            assert_eq!(number(&json!({ "n": odd }), "n"), None, "{odd}");
        }
        assert_eq!(text(&record, "is_complete").as_deref(), Some("true"));
        assert_eq!(id(&json!({"id": ""})), None);
    }

    #[test]
    fn resources_round_trip_their_names() {
        for resource in Resource::ALL {
            assert_eq!(Resource::from_name(resource.name()), Some(resource));
        }
        assert_eq!(Resource::from_name("lead"), Some(Resource::Leads));
        assert_eq!(Resource::from_name("nope"), None);
    }
}
