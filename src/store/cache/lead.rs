//! A lead read in one pass over its JSON text: its members in order and
//! the fields the cache reads, as slices of the text, and its embedded
//! contacts, opportunities and tasks, each made ready for its own row as
//! the scan passes it.
//!
//! A page of leads is most of what a sync reads, and a lead is mostly its
//! children, so their bytes are looked at once: while the lead's scan is
//! inside one of those arrays, it reads each item's members too.

use std::borrow::Cow;

use super::{
    columns::values,
    fields::{Fields, Key},
    scan::{Result, Scan},
    shape::{EMBEDDED, Prepared, add_person},
};
use crate::resource::Resource;

pub(super) struct LeadText<'a> {
    /// Every member in order, as its key and its value's text.
    pub members: Vec<(Cow<'a, str>, &'a str)>,
    pub fields: Fields<'a>,
    /// Per array of [`EMBEDDED`], the last member of that name if it is an
    /// array.
    pub arrays: [Option<Array<'a>>; 3],
    /// Those arrays' items that have an id, in the order of [`EMBEDDED`]
    /// and then as they came.
    pub children: Vec<Prepared>,
    /// The contacts' searchable text.
    pub people: String,
}

/// What decides whether an embedded array leaves the lead's raw JSON.
pub(super) struct Array<'a> {
    pub len: usize,
    /// Every item is an object with an id (and, for tasks, `_type` "lead")
    /// and they all have the same `lead_id` string…
    pub fits: bool,
    /// …this one (the first item's), which must be the lead's id.
    pub lead_id: Option<Cow<'a, str>>,
}

/// The lead `text` holds; `None` when it is not a JSON object.
pub(super) fn read(text: &str) -> Option<LeadText<'_>> {
    let mut scan = Scan::new(text);
    if scan.peek() != Some(b'{') {
        return None;
    }
    let mut lead = LeadText {
        members: Vec::with_capacity(24),
        fields: Fields::default(),
        arrays: [None, None, None],
        children: Vec::new(),
        people: String::new(),
    };
    scan.object(|scan, key| lead.member(scan, key)).ok()?;
    scan.end().ok()?;
    if !lead.children.is_sorted_by_key(|c| c.resource) {
        lead.children.sort_by_key(|c| c.resource);
    }
    Some(lead)
}

impl<'a> LeadText<'a> {
    fn member(&mut self, scan: &mut Scan<'a>, key: Cow<'a, str>) -> Result<()> {
        let embedded = EMBEDDED.iter().position(|(name, ..)| *name == key);
        let value = match embedded {
            Some(array) => {
                // A repeated key: the last one wins.
                if self.arrays[array].take().is_some() {
                    let resource = resource(array);
                    self.children.retain(|c| c.resource != resource);
                    if resource == Resource::Contacts {
                        self.people.clear();
                    }
                }
                if scan.peek() == Some(b'[') {
                    self.array(scan, array)?
                } else {
                    scan.value()?
                }
            }
            None => {
                let (value, escaped) = scan.value_escaped()?;
                self.fields.set(&key, value, escaped);
                value
            }
        };
        self.members.push((key, value));
        Ok(())
    }

    /// An embedded array: each item that is an object is read, and
    /// becomes a child if it has an id.
    fn array(&mut self, scan: &mut Scan<'a>, array: usize) -> Result<&'a str> {
        let resource = resource(array);
        let mut state = Array {
            len: 0,
            fits: true,
            lead_id: None,
        };
        let text = scan.array(|scan| {
            state.len += 1;
            if scan.peek() != Some(b'{') {
                state.fits = false;
                return scan.value().map(drop);
            }
            let mut fields = Fields::default();
            let raw = scan.object(|scan, key| fields.member(scan, &key))?;
            let id = fields.id();
            let lead_id = fields.str(Key::LeadId);
            state.fits &= id.is_some()
                && lead_id.is_some()
                && (state.len == 1 || state.lead_id == lead_id)
                && (resource != Resource::Tasks
                    || fields.str(Key::Type).as_deref() == Some("lead"));
            if state.len == 1 {
                state.lead_id = lead_id;
            }
            if resource == Resource::Contacts {
                if self.people.capacity() == 0 {
                    self.people.reserve(256);
                }
                add_person(&fields, &mut self.people);
            }
            // A child without an id is kept inside the lead's raw JSON; it
            // has no row of its own.
            if let Some(id) = id {
                if self.children.capacity() == 0 {
                    self.children.reserve(8);
                }
                self.children.push(Prepared::copied(
                    resource,
                    raw,
                    &id,
                    &values(resource, &fields),
                ));
            }
            Ok(())
        })?;
        self.arrays[array] = Some(state);
        Ok(text)
    }
}

/// The resource of an array of [`EMBEDDED`].
fn resource(array: usize) -> Resource {
    match array {
        0 => Resource::Contacts,
        1 => Resource::Opportunities,
        _ => Resource::Tasks,
    }
}

impl Array<'_> {
    /// The array leaves the raw JSON of the lead `id`.
    pub fn embedded(&self, id: &str) -> bool {
        self.fits && (self.len == 0 || self.lead_id.as_deref() == Some(id))
    }
}
