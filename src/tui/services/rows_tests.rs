//! The lead detail: its custom fields, from both places Close puts them,
//! and its timestamps.

use serde_json::json;

use super::*;

fn custom(lead: Value) -> Vec<String> {
    let detail = detail(Resource::Leads, &lead);
    let section = detail
        .sections
        .into_iter()
        .find(|s| s.title == "Custom fields")
        .unwrap();
    section
        .lines
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn custom_fields_keyed_by_id_are_listed_by_id() {
    let lead = json!({
        "id": "lead_1",
        "custom.cf_color": "Red",
        "custom.cf_seats": 42,
        "custom.cf_tags": ["a", "b"],
        "custom.cf_unset": null,
    });
    assert_eq!(
        custom(lead),
        ["cf_color Red", "cf_seats 42", "cf_tags a, b"]
    );
}

#[test]
fn values_the_custom_object_shows_are_not_listed_twice() {
    let lead = json!({
        "id": "lead_1",
        "custom": {"Color": "Red", "Size": "L"},
        "custom.cf_1": "Red",
        "custom.cf_2": "L",
        "custom.cf_3": "only by id",
    });
    assert_eq!(custom(lead), ["Color Red", "Size L", "cf_3 only by id"]);
}

#[test]
fn equal_values_pair_one_to_one() {
    let lead = json!({
        "id": "lead_1",
        "custom": {"Trial": "Yes"},
        "custom.cf_1": "Yes",
        "custom.cf_2": "Yes",
    });
    assert_eq!(custom(lead), ["Trial Yes", "cf_2 Yes"]);
    let lead = json!({
        "id": "lead_1",
        "custom": {"cf_1": "Yes", "Other": "Yes"},
        "custom.cf_1": "Yes",
        "custom.cf_2": "Yes",
    });
    assert_eq!(
        custom(lead),
        ["Other Yes", "cf_1 Yes"],
        "an id in the object pairs by name, the rest by value"
    );
}

#[test]
fn timestamps_read_as_in_the_tables() {
    let lead = json!({
        "id": "lead_1",
        "date_created": "2025-05-28T13:50:29.476000+00:00",
        "date_updated": "2025-05-31T21:39:12.699000+00:00",
    });
    let detail = detail(Resource::Leads, &lead);
    let lines = &detail.sections[0].lines;
    assert!(
        lines.contains(&"Created      2025-05-28 13:50".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Updated      2025-05-31 21:39".to_owned()),
        "{lines:?}"
    );
    let opportunity = json!({"id": "oppo_1", "date_won": "2025-06-30"});
    let detail = super::detail(Resource::Opportunities, &opportunity);
    assert!(
        detail.sections[0]
            .lines
            .contains(&"Close date   2025-06-30".to_owned()),
        "{:?}",
        detail.sections[0].lines
    );
}

#[test]
fn opportunities_and_tasks_read_as_in_the_tables() {
    let opportunity = json!({"id": "oppo_1", "lead_name": "Acme", "confidence": 75});
    let detail = super::detail(Resource::Opportunities, &opportunity);
    assert_eq!(detail.title, "Acme", "named after its lead");
    let lines = &detail.sections[0].lines;
    assert!(lines.contains(&"Confidence   75%".to_owned()), "{lines:?}");
    let task = json!({"id": "task_1", "text": "Call back", "is_complete": false});
    let detail = super::detail(Resource::Tasks, &task);
    assert_eq!(detail.title, "Call back");
    let lines = &detail.sections[0].lines;
    assert!(lines.contains(&"Done         no".to_owned()), "{lines:?}");
}

#[test]
fn a_contact_from_close_shows_its_phone_formatted_as_the_cache_does() {
    let contact = json!({"id": "cont_1", "name": "Ann", "phones": [
        {"phone": "+18935552005", "phone_formatted": "+1 893-555-2005"}]});
    let row = super::row(Resource::Contacts, &contact).unwrap();
    assert_eq!(row.cells[4], "+1 893-555-2005");
    let named = json!({"id": "cont_1", "lead_id": "lead_1", "lead_name": "Acme"});
    assert_eq!(
        super::row(Resource::Contacts, &named).unwrap().cells[2],
        "Acme"
    );
    let unnamed = json!({"id": "cont_1", "lead_id": "lead_1"});
    assert_eq!(
        super::row(Resource::Contacts, &unnamed).unwrap().cells[2],
        "lead_1"
    );
    let plain = json!({"id": "cont_2", "phones": [{"phone": "+18935552006"}]});
    let row = super::row(Resource::Contacts, &plain).unwrap();
    assert_eq!(row.cells[4], "+18935552006");
}
