//! Serializing records straight from the tables into Close's JSON shapes.
//!
//! Views borrow the data set and serialize with serde's map API, so a page
//! of leads goes to bytes without building `serde_json::Value` trees. Each
//! top-level view takes the `_fields` selection and skips keys outside it.

mod activity;
mod children;
mod lead;

pub use activity::ActivityView;
pub use children::{ContactView, OpportunityView, TaskView};
pub use lead::LeadView;

use serde::{Serialize, Serializer, ser::SerializeMap};

use super::params::Fields;
use crate::sandbox::data::{Dataset, Kind};

/// A JSON object being written, minus the keys `_fields` leaves out.
pub struct Obj<'f, M> {
    map: M,
    fields: Option<&'f Fields>,
}

impl<'f, M: SerializeMap> Obj<'f, M> {
    pub fn new<S>(s: S, fields: Option<&'f Fields>) -> Result<Self, S::Error>
    where
        S: Serializer<SerializeMap = M, Error = M::Error>,
    {
        Ok(Self {
            map: s.serialize_map(None)?,
            fields,
        })
    }

    pub fn e<V: Serialize + ?Sized>(&mut self, key: &str, value: &V) -> Result<(), M::Error> {
        if self.fields.is_none_or(|f| f.has(key)) {
            self.map.serialize_entry(key, value)
        } else {
            Ok(())
        }
    }

    pub fn end(self) -> Result<M::Ok, M::Error> {
        self.map.end()
    }
}

/// A record id, encoded while it is written.
#[derive(Clone, Copy)]
pub struct Id<'a>(pub &'a Dataset, pub Kind, pub u32);

impl Serialize for Id<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.codec().encode(self.1, self.2).as_str())
    }
}

/// A user id and name pair's id half; users are few and keep their ids.
pub fn user_id(ds: &Dataset, user: u16) -> &str {
    ds.users()
        .get(usize::from(user))
        .map_or("", |u| u.id.as_str())
}

pub fn user_name(ds: &Dataset, user: u16) -> &str {
    ds.users()
        .get(usize::from(user))
        .map_or("", |u| u.display_name.as_str())
}

/// A lead's children of one kind, as a JSON array of full records.
pub struct Many<'a, V> {
    pub ds: &'a Dataset,
    pub rows: std::ops::Range<usize>,
    pub view: fn(&'a Dataset, usize) -> V,
}

impl<V: Serialize> Serialize for Many<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rows.clone().map(|row| (self.view)(self.ds, row)))
    }
}

/// A North American number written as Close does, `+14155550123` and
/// `+1 415-555-0123`, from stack buffers (contacts carry several).
pub struct PhoneDigits {
    e164: [u8; 12],
    formatted: [u8; 15],
}

impl PhoneDigits {
    pub fn new(national: u64) -> Self {
        let mut digits = [b'0'; 10];
        let mut v = national;
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        let mut e164 = *b"+1__________";
        e164[2..].copy_from_slice(&digits);
        let mut formatted = *b"+1 ___-___-____";
        formatted[3..6].copy_from_slice(&digits[..3]);
        formatted[7..10].copy_from_slice(&digits[3..6]);
        formatted[11..].copy_from_slice(&digits[6..]);
        Self { e164, formatted }
    }

    /// Both buffers hold only ASCII digits and punctuation.
    pub fn e164(&self) -> &str {
        std::str::from_utf8(&self.e164).unwrap_or_default()
    }

    pub fn formatted(&self) -> &str {
        std::str::from_utf8(&self.formatted).unwrap_or_default()
    }
}
