//! `prepare`'s one-pass reader against the reader it replaced (kept in
//! `reference.rs`) and against `serde_json`, over ordinary, odd and broken
//! records: the same columns, raw text, search text, children and errors.

use serde_json::{Value, json, value::RawValue};

use super::{
    fields::{Fields, Key},
    reference,
    scan::Scan,
    shape::prepare,
};
use crate::close::records::{self, Resource};

/// A lead as Close sends it, with a bit of everything.
fn lead() -> Value {
    json!({
        "id": "lead_1", "display_name": "Acme \"Rockets\"", "name": "Acme",
        "status_label": "Potential", "description": "Line\nbreak \u{e9}\u{1F600}",
        "custom": {"deep": [1, 2.5, -3e-2, {"x": [true, false, null]}], "": ""},
        "date_created": "2025-01-01T00:00:00+00:00", "date_updated": "2025-02-01T00:00:00+00:00",
        "contacts": [
            {"id": "cont_1", "lead_id": "lead_1", "display_name": "Ann", "title": "CEO",
             "emails": [{"email": "ann@acme.co", "type": "office"}, {"email": "a@b.c"}],
             "phones": [{"phone": "+1 555-0100", "phone_formatted": "+1 555-0100"}, {"phone": 5550199}],
             "urls": [], "date_updated": "2025-01-02"},
            {"id": "cont_2", "lead_id": "lead_1", "name": "Bob", "emails": [], "phones": "none"},
        ],
        "opportunities": [
            {"id": "oppo_1", "lead_id": "lead_1", "lead_name": "Acme", "status_label": "Won",
             "status_type": "won", "value": 12850000, "value_currency": "USD",
             "value_period": "monthly", "confidence": "70", "user_name": "Eve",
             "expected_date": "2025-03-01", "date_updated": "2025-01-03"},
        ],
        "tasks": [
            {"id": "task_1", "lead_id": "lead_1", "_type": "lead", "text": "Call",
             "date": "2025-04-01", "is_complete": 1, "assigned_to_name": "Eve"},
        ],
    })
}

/// Odd and broken variants of a lead's text.
fn odd_leads() -> Vec<String> {
    let compact = lead().to_string();
    let pretty = serde_json::to_string_pretty(&lead()).unwrap();
    let mut texts = vec![
        compact.clone(),
        pretty.clone(),
        format!(" \n\t{pretty}\r\n "),
        // Escaped keys, for the arrays and for the columns.
        compact.replace("\"contacts\"", "\"con\\u0074acts\""),
        compact.replace("\"lead_id\"", "\"lead\\u005fid\""),
        compact.replace("\"description\"", "\"desc\\\"ri\\\\ption\\/\""),
        // A lone surrogate in a value (in a key, which the old reader
        // refused, see `lone_surrogates_keep_the_record`).
        compact.replace("Line\\nbreak", "\\ud800 Line"),
        compact.replace("\"Acme\"", "\"\\u0041cme\""),
        // Repeated keys: the last one wins, and every one leaves the raw.
        compact.replacen(
            '{',
            r#"{"id":"lead_0","contacts":[{"id":"c0","lead_id":"lead_1"}],"#,
            1,
        ),
        compact.replacen(
            '{',
            r#"{"tasks":[{"id":"t0","lead_id":"lead_1","_type":"lead"}],"#,
            1,
        ),
        compact.replace("\"tasks\":[", "\"tasks\":\"none\",\"tasks\":["),
        compact.replace("]}", "],\"contacts\":\"gone\"}"),
        compact.replace("]}", "],\"opportunities\":[]}"),
        // Items that keep their array in the raw.
        compact.replace("\"tasks\":[", "\"tasks\":[7,"),
        compact.replace(
            "\"tasks\":[",
            "\"tasks\":[{\"lead_id\":\"lead_1\",\"_type\":\"lead\"},",
        ),
        compact.replace("\"_type\":\"lead\"", "\"_type\":\"call\""),
        compact.replace(
            "\"lead_id\":\"lead_1\",\"name\":\"Bob\"",
            "\"lead_id\":\"lead_2\"",
        ),
        compact.replace("\"id\":\"cont_2\"", "\"id\":\"\""),
        compact.replace("\"id\":\"oppo_1\"", "\"id\":7"),
        compact.replace("\"contacts\":[", "\"contacts\":[[1],null,\"x\","),
        // Numbers, literals and nesting.
        compact.replace("12850000", "-0.5e+3"),
        compact.replace("12850000", "1e400"),
        compact.replace("12850000", "18446744073709551616"),
        compact.replace("\"70\"", "\" 1e2 \""),
        compact.replace("\"custom\":{", &format!("\"custom\":{}{{", "[".repeat(150))),
        compact.replace(
            "\"custom\":{",
            &format!(
                "\"custom\":{}0{},\"c\":{{",
                "[{\"a\":".repeat(70),
                "}]".repeat(70)
            ),
        ),
        // No id, or not a lead at all.
        compact.replacen("\"id\":\"lead_1\"", "\"id\":\"\"", 1),
        compact.replacen("\"id\":\"lead_1\"", "\"id\":1", 1),
        "{}".into(),
        "[]".into(),
        "".into(),
        "\u{a0}{\"id\":\"x\"}".into(),
        "{\"id\":\"x\"} {}".into(),
    ];
    // Broken: each must be refused as the old reader refused it.
    for broken in [
        ("12850000", "012"),
        ("12850000", "1."),
        ("12850000", "1e"),
        ("12850000", "-"),
        ("12850000", "+1"),
        ("12850000", "1,"),
        ("true", "tru"),
        ("null", "nul"),
        ("\"Call\"", "\"Ca\tll\""),
        ("\"Call\"", "\"Ca\\x\""),
        ("\"Call\"", "\"Ca\\u12\""),
        ("\"Call\"", "\"Call"),
        ("\"Call\"", "Call"),
        ("[]", "[,]"),
        ("[]", "[1,]"),
        ("}]", "},]"),
        ("\"urls\":", "\"urls\" "),
        ("\"urls\":", "urls:"),
        (",", ",,"),
    ] {
        texts.push(compact.replacen(broken.0, broken.1, 1));
    }
    texts.push(compact[..compact.len() - 1].to_owned());
    texts.push(format!("{compact}x"));
    texts.push(format!("{{\"id\":\"x\",\"deep\":{}}}", "[".repeat(200)));
    texts
}

fn same(resource: Resource, text: &str) {
    assert_eq!(
        prepare(resource, text),
        reference::prepare(resource, text),
        "{} {text}",
        resource.name()
    );
}

#[test]
fn prepare_reads_every_record_as_before() {
    let records = odd_leads();
    for text in &records {
        for resource in Resource::ALL {
            same(resource, text);
        }
    }
    let lead = lead();
    for (key, resource) in [
        ("contacts", Resource::Contacts),
        ("opportunities", Resource::Opportunities),
        ("tasks", Resource::Tasks),
    ] {
        for item in lead[key].as_array().unwrap() {
            same(resource, &item.to_string());
            same(Resource::Activities, &item.to_string());
        }
    }
    let activity = json!({"id": "acti_1", "lead_id": "lead_1", "_type": "Note",
        "note": "  ", "body_text": "Hi", "user_name": "Eve", "date_created": "2025-01-01"});
    same(Resource::Activities, &activity.to_string());
    // The lead leaves its embedded arrays out of its raw, and keeps the rest.
    let prepared = prepare(Resource::Leads, &records[0]).unwrap();
    assert_eq!(
        prepared.values().last(),
        Some(rusqlite::types::ValueRef::Integer(7))
    );
    assert!(!prepared.raw().contains("cont_1") && prepared.raw().contains("\"deep\""));
}

/// Small edits anywhere in a lead's text (deleted, doubled or replaced
/// characters, JSON's own punctuation among them): the new reader accepts,
/// refuses and reads each text exactly as the old one.
#[test]
fn prepare_reads_mangled_leads_as_before() {
    let base: Vec<Vec<char>> = [lead().to_string(), odd_leads()[1].clone()]
        .iter()
        .map(|t| t.chars().collect())
        .collect();
    let alphabet: Vec<char> = "{}[]:,\"\\ \n0123456789-+.eEtfnulrsu_a\u{1}\u{e9}"
        .chars()
        .collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut accepted = 0;
    for round in 0..6000 {
        let mut chars = base[round % base.len()].clone();
        for _ in 0..1 + next(3) {
            let mut at = next(chars.len());
            // Half the edits fall on punctuation, where the grammar is.
            if next(2) == 0 {
                while !"{}[]:,\"".contains(chars[at]) {
                    at = (at + 1) % chars.len();
                }
            }
            match next(4) {
                0 => {
                    chars.remove(at);
                }
                1 => chars.insert(at, chars[at]),
                2 => chars[at] = alphabet[next(alphabet.len())],
                _ => chars.insert(at, alphabet[next(alphabet.len())]),
            }
        }
        let text: String = chars.into_iter().collect();
        same(Resource::Leads, &text);
        accepted += usize::from(prepare(Resource::Leads, &text).is_ok());
    }
    // Both outcomes are well represented.
    assert!((1000..5000).contains(&accepted), "{accepted} accepted");
}

/// A value is accepted, and spans, exactly as `serde_json` reads it as a
/// `RawValue`.
#[test]
fn scan_accepts_what_serde_json_accepts() {
    let deep = format!("{}1{}", "[{\"k\":".repeat(100), "}]".repeat(100));
    let values = [
        "0",
        "-0",
        "01",
        "-",
        "1.5",
        "1.",
        ".5",
        "1e5",
        "1E+5",
        "1e-5",
        "1e",
        "-1.5e3x",
        "1.5.2",
        "true",
        "tru",
        "truex",
        "null",
        "false",
        "\"a\"",
        "\"a\\\"b\"",
        "\"\\u00e9\"",
        "\"\\u00g9\"",
        "\"\\ud800\"",
        "\"a\tb\"",
        "\"a",
        "[]",
        "[1,2]",
        "[1,]",
        "[,1]",
        "{}",
        "{\"a\":1}",
        "{\"a\":1,}",
        "[1}",
        "{\"a\":1]",
        "[{]}",
        "{\"a\":[}",
        "{\"a\" : [ {} , [ ] ] }",
        "{1:2}",
        "{\"a\"}",
        "[}",
        "{]",
        "[[[]]",
        &deep,
        " [1] ",
        "\u{a0}1",
    ];
    for text in values {
        let theirs = serde_json::from_str::<&RawValue>(text)
            .map(RawValue::get)
            .ok();
        let mut scan = Scan::new(text);
        let ours = scan.value().ok().filter(|_| scan.end().is_ok());
        assert_eq!(ours, theirs, "{text}");
    }
}

/// A lone surrogate (a cut emoji) in a key or a value costs neither the
/// record nor its id: Close's pages may carry one, and the page reader
/// takes them.
#[test]
fn lone_surrogates_keep_the_record() {
    let lead = r#"{"id":"lead_8","display_name":"Broken \ud83d","custom.cf_\udc80":"v",
        "contacts":[{"id":"cont_8","lead_id":"lead_8","name":"A \udc80","x\ud800y":1}]}"#;
    let prepared = prepare(Resource::Leads, lead).unwrap();
    assert_eq!(prepared.id(), "lead_8");
    assert!(
        prepared.raw().contains(r#""custom.cf_\udc80":"v""#),
        "the key is kept as Close sent it: {}",
        prepared.raw()
    );
    let children = &prepared.lead.as_ref().unwrap().children;
    assert_eq!(children.len(), 1);
    assert!(children[0].raw().contains(r#""x\ud800y":1"#));
    let contact = r#"{"id":"cont_9","lead_id":"lead_8","\udead":true}"#;
    assert_eq!(prepare(Resource::Contacts, contact).unwrap().id(), "cont_9");
}

/// Every accessor agrees with its `Value` counterpart.
#[test]
fn fields_read_as_values_do() {
    let record = json!({
        "id": "lead_1", "name": 42, "note": null, "title": "", "subject": "  ",
        "emails": "oops", "confidence": "70", "is_complete": true, "value": -1.5,
        "text": "a\"b\\c\u{e9}", "phones": [1, {"a": 2}], "date": 0, "_type": " True ",
        "lead_id": 18446744073709551615u64, "due_date": "1e999",
    });
    let text = serde_json::to_string_pretty(&record).unwrap();
    let fields = Fields::parse(&text).unwrap();
    for (name, _) in record.as_object().unwrap() {
        let key = Key::of(name).unwrap();
        assert_eq!(fields.text(key), records::text(&record, name), "{name}");
        assert_eq!(fields.number(key), records::number(&record, name), "{name}");
        assert_eq!(fields.str(key).as_deref(), record[name].as_str(), "{name}");
        let mut items = Vec::new();
        fields.each(key, |item| items.push(item));
        let values: Vec<Value> = items
            .iter()
            .map(|r| serde_json::from_str(r).unwrap())
            .collect();
        assert_eq!(values, records::list(&record, name), "{name} list");
        assert_eq!(fields.first_item(key), items.first().copied());
    }
    assert!(fields.truthy(Key::IsComplete) && fields.truthy(Key::Value));
    assert!(fields.truthy(Key::Type) && !fields.truthy(Key::Date));
    assert!(!fields.truthy(Key::Title) && !fields.truthy(Key::Email));
    assert_eq!(fields.id().as_deref(), Some("lead_1"));
    assert!(Fields::parse("[1]").is_none() && Fields::parse("nul").is_none());
    let dup = Fields::parse(r#"{"id": "a", "id": "b"}"#).unwrap();
    assert_eq!(dup.id().as_deref(), Some("b"));
    let mut out = String::new();
    super::fields::push_key(&mut out, "a\"b");
    super::fields::push_key(&mut out, "plain");
    assert_eq!(out, r#""a\"b""plain""#);
}
