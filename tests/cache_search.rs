#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Searching the cache in any script: every prefix of every name, typed one
//! character at a time, is a query the index takes, and finds its lead; a
//! contact is found by any of its emails and phones, accents or not.

use close_tui::{
    close::records::Resource,
    store::{
        AccountId, KeyConfig, KeyMode, Store,
        cache::{Cache, upsert},
    },
};
use serde_json::json;

fn open() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
    let store = Store::open(dir.path().join("close.db"), keys).unwrap();
    let cache = store.cache().unwrap();
    (dir, cache)
}

/// Names whose words hold marks (vowel signs, points, harakat) that the
/// index's tokenizer reads as separators, and a circled letter it does too.
const NAMES: [&str; 7] = [
    "दीपक शर्मा",
    "हिन्दी Traders",
    "กิตติ พงษ์",
    "שָׁלוֹם Ltd",
    "مُحَمَّد الأحمد",
    "aⒶb Holdings",
    "Zoë Ångström",
];

#[test]
fn every_prefix_of_a_name_in_any_script_is_searchable() {
    let (_dir, cache) = open();
    let account = AccountId::new("orga_1", "user_1");
    cache
        .write(|tx| {
            for (i, name) in NAMES.iter().enumerate() {
                let lead = json!({"id": format!("lead_{i}"), "display_name": name});
                assert!(upsert(tx, &account, Resource::Leads, &lead)?.is_none());
            }
            Ok(())
        })
        .unwrap();
    for (i, name) in NAMES.iter().enumerate() {
        let id = format!("lead_{i}");
        let chars: Vec<char> = name.chars().collect();
        for end in 1..=chars.len() {
            let typed: String = chars[..end].iter().collect();
            let hits = cache
                .search(&account, &typed, 50)
                .unwrap_or_else(|err| panic!("{typed:?}: {err}"));
            // Each whole word typed so far finds the lead.
            if end == chars.len() || chars[end].is_whitespace() {
                assert!(
                    hits.iter().any(|h| h.lead_id == id),
                    "{typed:?} did not find {name:?}"
                );
            }
            cache.search_contacts(&account, &typed, 50).unwrap();
        }
    }
}

#[test]
fn a_contact_is_found_by_any_email_or_phone_and_without_its_accents() {
    let (_dir, cache) = open();
    let account = AccountId::new("orga_1", "user_1");
    let lead = json!({
        "id": "lead_1", "display_name": "Symphony Hall",
        "contacts": [{
            "id": "cont_1", "lead_id": "lead_1", "name": "Antonín Dvořák",
            "emails": [{"email": "first@music.example"}, {"email": "second@music.example"}],
            "phones": [{"phone": "+15550100"}, {"phone": "+1 305-777-0199"}],
        }, {
            "id": "cont_2", "lead_id": "lead_1", "name": "Bedřich Smetana",
            "emails": "not a list", "phones": [{"phone": null}, 7],
        }],
    });
    cache
        .write(|tx| {
            assert!(upsert(tx, &account, Resource::Leads, &lead)?.is_none());
            Ok(())
        })
        .unwrap();
    for typed in [
        "dvorak",
        "antonin dvo",
        "second",
        "first@music",
        "305777",
        "1305",
    ] {
        let found = cache.search_contacts(&account, typed, 10).unwrap();
        let ids: Vec<&str> = found.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["cont_1"], "{typed:?}");
    }
    let found = cache.search_contacts(&account, "bedrich", 10).unwrap();
    assert_eq!(found.len(), 1, "odd emails and phones are no error");
    // The lead's own name still brings all its contacts.
    let found = cache.search_contacts(&account, "symphony", 10).unwrap();
    assert_eq!(found.len(), 2);
}
