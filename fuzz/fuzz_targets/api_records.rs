//! API list pages: a `Page` decoded from any body, then every lenient
//! accessor on every record, for every key it has and the usual ones.
//!
//! Invariants: no panic; `id` is never empty; `text` is never blank; a
//! `number` is always finite (a record's "NaN" or "inf" is no number).
#![no_main]

use close_tui::close::records::{self, Page};
use libfuzzer_sys::fuzz_target;

const KEYS: [&str; 8] = [
    "id",
    "display_name",
    "name",
    "status_label",
    "contacts",
    "value",
    "confidence",
    "date_updated",
];

fuzz_target!(|data: &[u8]| {
    let Ok(page) = serde_json::from_slice::<Page>(data) else {
        return;
    };
    for record in &page.data {
        if let Some(id) = records::id(record) {
            assert!(!id.is_empty());
        }
        let own: Vec<&str> = record
            .as_object()
            .map(|map| map.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for key in KEYS.iter().copied().chain(own) {
            if let Some(text) = records::text(record, key) {
                assert!(!text.trim().is_empty(), "{key}");
            }
            if let Some(number) = records::number(record, key) {
                assert!(number.is_finite(), "{key}: {number}");
            }
            for item in records::list(record, key) {
                let _ = records::id(item);
                let _ = records::text(item, "email");
            }
        }
    }
});
