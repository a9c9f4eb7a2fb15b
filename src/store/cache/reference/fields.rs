//! The previous reader's view of one JSON object: its members as slices
//! of its text, parsed again from each nested value's own text. Kept for
//! tests only (see `mod.rs`).

use std::borrow::Cow;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Number, value::RawValue};

/// The members of one JSON object, as slices of its text.
pub(super) struct Fields<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> Fields<'a> {
    /// The object `text` holds; `None` when it holds anything else.
    pub fn parse(text: &'a str) -> Option<Self> {
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// Members in the order they came.
    pub fn members(&self) -> impl Iterator<Item = (&str, &'a RawValue)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), *v))
    }

    /// The value of `key` (the last one, if the key repeats).
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// A string field as it is (`Value::as_str`).
    pub fn str(&self, key: &str) -> Option<Cow<'a, str>> {
        string(self.get(key)?)
    }

    /// A text field, if it is a non-empty string; numbers and booleans as
    /// text (`records::text`).
    pub fn text(&self, key: &str) -> Option<Cow<'a, str>> {
        let raw = self.get(key)?;
        match first(raw) {
            b'"' => string(raw).filter(|s| !s.trim().is_empty()),
            b't' => Some(Cow::Borrowed("true")),
            b'f' => Some(Cow::Borrowed("false")),
            b'-' | b'0'..=b'9' => Some(Cow::Owned(number(raw)?.to_string())),
            _ => None,
        }
    }

    /// A finite number, or a string holding one (`records::number`).
    pub fn number(&self, key: &str) -> Option<f64> {
        let raw = self.get(key)?;
        match first(raw) {
            b'"' => string(raw)?.trim().parse().ok(),
            b'-' | b'0'..=b'9' => number(raw)?.as_f64(),
            _ => None,
        }
        .filter(|n: &f64| n.is_finite())
    }

    /// `true`, a non-zero number, or "true"/"True"/"1".
    pub fn truthy(&self, key: &str) -> bool {
        let Some(raw) = self.get(key) else {
            return false;
        };
        match first(raw) {
            b't' => true,
            b'-' | b'0'..=b'9' => number(raw)
                .and_then(|n| n.as_f64())
                .is_some_and(|n| n != 0.0),
            b'"' => string(raw).is_some_and(|s| matches!(s.trim(), "true" | "True" | "1")),
            _ => false,
        }
    }

    /// The items of a list field; `None` when it is not a list.
    pub fn array(&self, key: &str) -> Option<Vec<&'a RawValue>> {
        let raw = self.get(key)?;
        if first(raw) != b'[' {
            return None;
        }
        serde_json::from_str(raw.get()).ok()
    }

    /// The items of a list field; anything that is not a list counts as
    /// empty (`records::list`).
    pub fn list(&self, key: &str) -> Vec<&'a RawValue> {
        self.array(key).unwrap_or_default()
    }

    /// The record's id: a non-empty string (`records::id`).
    pub fn id(&self) -> Option<Cow<'a, str>> {
        self.str("id").filter(|s| !s.is_empty())
    }
}

fn first(raw: &RawValue) -> u8 {
    raw.get().as_bytes().first().copied().unwrap_or(b' ')
}

fn string(raw: &RawValue) -> Option<Cow<'_, str>> {
    if first(raw) != b'"' {
        return None;
    }
    serde_json::from_str::<Key<'_>>(raw.get()).ok().map(|k| k.0)
}

fn number(raw: &RawValue) -> Option<Number> {
    serde_json::from_str(raw.get()).ok()
}

/// A string, borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Fields<'de>, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(32));
                while let Some(Key(key)) = map.next_key()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Fields { members })
            }
        }
        deserializer.deserialize_map(V)
    }
}
