//! Writing records straight from the tables into Close's JSON shapes.
//!
//! Views borrow the data set and write bytes with the small writer in
//! `out`, so a page of leads goes to bytes without building
//! `serde_json::Value` trees or going through serde. Each top-level view
//! takes the `_fields` selection and skips keys outside it.

mod activity;
mod children;
mod event;
mod lead;
pub mod out;

pub use activity::ActivityView;
pub use children::{ContactView, OpportunityView, TaskView};
pub use event::EventView;
pub use lead::LeadView;
pub use out::WriteJson;

use crate::sandbox::data::Dataset;

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
