//! Close records, read leniently.
//!
//! A record is kept whole as JSON (so nothing Close sends is lost) and the
//! few fields close-tui indexes or shows are read from it with accessors that
//! accept nulls, missing keys and odd types. A record with a strange shape
//! is still stored and shown as well as it can be; it is never an error.

use serde::Deserialize;
use serde_json::Value;

pub use crate::resource::Resource;

/// One page of a list endpoint: `{data, has_more, total_results?}`.
///
/// `data` and `has_more` are required: a body without them (`{}`, an
/// error object a proxy answered 200 with) is not a page, and reading it
/// as an empty last page would end a sync short without a word. It fails
/// to decode instead, which the client retries and then reports.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Page {
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
