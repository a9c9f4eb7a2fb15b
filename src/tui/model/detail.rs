//! A record's detail view: sections of text lines, built by the service
//! from the record, and a lead's activity timeline loaded after it.

use super::{Generation, Loadable};
use crate::close::records::Resource;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetailSection {
    pub title: String,
    /// Already formatted; an empty section shows "none".
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordDetail {
    pub title: String,
    pub sections: Vec<DetailSection>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailModel {
    pub resource: Resource,
    pub id: String,
    /// The row's first cell, shown while the record loads.
    pub title: String,
    pub generation: Generation,
    pub body: Loadable<RecordDetail>,
    /// Only leads have a timeline; `Idle` for the others.
    pub activities: Loadable<Vec<String>>,
    /// First line shown.
    pub scroll: usize,
}

impl DetailModel {
    pub fn new(resource: Resource, id: String, title: String, generation: Generation) -> Self {
        let mut body = Loadable::Idle;
        body.start();
        Self {
            resource,
            id,
            title,
            generation,
            body,
            activities: Loadable::Idle,
            scroll: 0,
        }
    }

    /// How many lines the body has, for scrolling bounds.
    pub fn line_count(&self) -> usize {
        let body = self.body.value().map_or(1, |d| {
            d.sections.iter().map(|s| s.lines.len().max(1) + 2).sum()
        });
        let timeline = self.activities.value().map_or(2, |a| a.len().max(1) + 2);
        body + timeline
    }
}
