//! The cache's one-pass record reader (`store::cache::prepare`, a JSON
//! scanner of its own) against serde_json: any text, as every resource.
//!
//! Invariants: no panic; a record is accepted exactly when serde_json
//! reads the text as an object (keys decoded, values kept as raw text)
//! whose last `id` is a non-empty string, and it gets that id.
#![no_main]

use std::collections::BTreeMap;

use close_tui::{close::records::Resource, store::cache::prepare};
use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let expected = serde_json::from_str::<BTreeMap<String, &RawValue>>(text)
        .ok()
        .and_then(|members| serde_json::from_str::<String>(members.get("id")?.get()).ok())
        .filter(|id| !id.is_empty());
    for resource in Resource::ALL {
        let found = prepare(resource, text).ok().map(|p| p.id().to_owned());
        assert_eq!(found, expected, "{resource:?}");
    }
});
