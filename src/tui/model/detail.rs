//! A record's detail view: sections of text lines, built by the service
//! from the record, and a lead's activity timeline loaded after it; and the
//! text the view shows of them, which `update` scrolls through.

use super::{
    Generation, Layout, Loadable,
    text::{self, TextLine, Tone},
};
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

    /// What the body shows under the title: the sections, then (for a
    /// lead) the timeline.
    pub fn lines(&self) -> Vec<TextLine> {
        let mut lines = Vec::new();
        match &self.body {
            Loadable::Idle | Loadable::Loading { last: None } => {
                lines.push(TextLine::new(Tone::Dim, "loading…"));
            }
            Loadable::Failed { error, .. } => {
                lines.push(TextLine::new(
                    Tone::Error,
                    format!("could not load: {error}"),
                ));
            }
            _ => {}
        }
        let Some(body) = self.body.value() else {
            return lines;
        };
        for section in &body.sections {
            lines.push(TextLine::new(Tone::Heading, section.title.clone()));
            if section.lines.is_empty() {
                lines.push(TextLine::new(Tone::Dim, "  none"));
            }
            lines.extend(
                section
                    .lines
                    .iter()
                    .map(|l| TextLine::text(format!("  {l}"))),
            );
            lines.push(TextLine::blank());
        }
        if self.resource == Resource::Leads {
            lines.push(TextLine::new(Tone::Heading, "Activity"));
            match &self.activities {
                Loadable::Idle | Loadable::Loading { .. } => {
                    lines.push(TextLine::new(Tone::Dim, "  loading…"));
                }
                Loadable::Failed { error, .. } => {
                    lines.push(TextLine::new(
                        Tone::Error,
                        format!("  could not load: {error}"),
                    ));
                }
                Loadable::Loaded(items) if items.is_empty() => {
                    lines.push(TextLine::new(Tone::Dim, "  none"));
                }
                Loadable::Loaded(items) => {
                    lines.extend(items.iter().map(|l| TextLine::text(format!("  {l}"))));
                }
            }
        }
        lines
    }

    /// The furthest the body scrolls on a screen of `layout`, counted in
    /// rows as drawn (long lines wrap).
    pub fn max_scroll(&self, layout: Layout) -> usize {
        text::max_scroll(&self.lines(), layout.width, layout.detail_rows())
    }
}
