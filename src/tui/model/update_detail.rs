//! The detail views of the data screens: opening a record, its body and
//! a lead's timeline arriving, loading them again.

use super::{DetailModel, Generation, Model, RecordDetail};
use crate::{close::records::Resource, tui::msg::Cmd};

pub fn open_selected(model: &mut Model) -> Vec<Cmd> {
    let Some(i) = Model::data_index(model.screen) else {
        return Vec::new();
    };
    let table = &mut model.tables[i];
    let Some(row) = table.selected_row() else {
        return Vec::new();
    };
    let (id, title) = (
        row.id.clone(),
        row.cells.first().cloned().unwrap_or_default(),
    );
    table.searching = false;
    let resource = table.resource;
    let generation = model.detail_generation.bump();
    model.details[i] = Some(DetailModel::new(resource, id.clone(), title, generation));
    vec![Cmd::LoadDetail {
        resource,
        generation,
        id,
        from_close: false,
    }]
}

/// Loads the open record again: from Close when `from_close` (a reload),
/// else as it opened (a retry after a failure).
pub(super) fn reopen_detail(model: &mut Model, i: usize, from_close: bool) -> Vec<Cmd> {
    let Some(detail) = &mut model.details[i] else {
        return Vec::new();
    };
    let generation = model.detail_generation.bump();
    detail.generation = generation;
    detail.body.start();
    vec![Cmd::LoadDetail {
        resource: detail.resource,
        generation,
        id: detail.id.clone(),
        from_close,
    }]
}

/// Asks again for a lead's timeline that failed while the rest of it
/// loaded (its activities come from Close the first time it is opened).
pub(super) fn reload_activities(model: &mut Model, i: usize) -> Vec<Cmd> {
    let Some(detail) = &mut model.details[i] else {
        return Vec::new();
    };
    detail.activities.start();
    vec![Cmd::LoadActivities {
        resource: detail.resource,
        generation: detail.generation,
        lead_id: detail.id.clone(),
    }]
}

pub fn close_detail(model: &mut Model) -> Vec<Cmd> {
    if let Some(i) = Model::data_index(model.screen) {
        model.details[i] = None;
    }
    Vec::new()
}

pub(super) fn index_of(resource: Resource) -> Option<usize> {
    match resource {
        Resource::Leads => Some(0),
        Resource::Contacts => Some(1),
        Resource::Opportunities => Some(2),
        Resource::Tasks => Some(3),
        Resource::Activities => None,
    }
}

pub fn on_detail(
    model: &mut Model,
    resource: Resource,
    generation: Generation,
    result: Result<RecordDetail, String>,
    live: bool,
) -> Vec<Cmd> {
    let Some(detail) = index_of(resource).and_then(|i| model.details[i].as_mut()) else {
        return Vec::new();
    };
    if detail.generation != generation {
        return Vec::new();
    }
    let loaded = result.is_ok();
    detail.body.finish(result);
    // Only Close's answer says Close is back; the cache answers offline.
    if loaded && live {
        model.offline = None;
    }
    let Some(detail) = index_of(resource).and_then(|i| model.details[i].as_mut()) else {
        return Vec::new();
    };
    // The timeline is the slow part of a lead; it comes after the rest.
    if loaded && resource == Resource::Leads {
        detail.activities.start();
        return vec![Cmd::LoadActivities {
            resource,
            generation,
            lead_id: detail.id.clone(),
        }];
    }
    Vec::new()
}

pub fn on_activities(
    model: &mut Model,
    resource: Resource,
    generation: Generation,
    result: Result<Vec<String>, String>,
) -> Vec<Cmd> {
    if let Some(detail) = index_of(resource).and_then(|i| model.details[i].as_mut())
        && detail.generation == generation
    {
        detail.activities.finish(result);
    }
    Vec::new()
}
