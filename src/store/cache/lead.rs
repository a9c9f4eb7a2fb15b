//! A lead read in one pass over its JSON text: its members in order, the
//! fields the cache reads, and the items of its embedded contacts,
//! opportunities and tasks with the fields each of those needs, all as
//! slices of the text.
//!
//! A page of leads is most of what a sync reads, and a lead is mostly its
//! children, so their bytes are looked at once: while the lead's scan is
//! inside one of those arrays, it reads each item's members too.

use std::borrow::Cow;

use super::{
    fields::Fields,
    scan::{Result, Scan},
    shape::EMBEDDED,
};

pub(super) struct LeadText<'a> {
    /// Every member in order, as its key and its value's text.
    pub members: Vec<(Cow<'a, str>, &'a str)>,
    pub fields: Fields<'a>,
    /// Per array of [`EMBEDDED`], the last member of that name if it is an
    /// array.
    pub arrays: [Option<Array>; 3],
    /// The items of those arrays that are objects, in order.
    pub children: Vec<Child<'a>>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Array {
    pub len: usize,
    /// Every item is an object.
    pub objects: bool,
}

pub(super) struct Child<'a> {
    /// Its array's index in [`EMBEDDED`].
    pub array: usize,
    pub raw: &'a str,
    pub fields: Fields<'a>,
}

/// The lead `text` holds; `None` when it is not a JSON object.
pub(super) fn read(text: &str) -> Option<LeadText<'_>> {
    let mut scan = Scan::new(text);
    if scan.peek() != Some(b'{') {
        return None;
    }
    let mut lead = LeadText {
        members: Vec::with_capacity(32),
        fields: Fields::default(),
        arrays: [None; 3],
        children: Vec::with_capacity(16),
    };
    scan.object(|scan, key| lead.member(scan, key)).ok()?;
    scan.end().ok()?;
    Some(lead)
}

impl<'a> LeadText<'a> {
    fn member(&mut self, scan: &mut Scan<'a>, key: Cow<'a, str>) -> Result<()> {
        let embedded = EMBEDDED.iter().position(|(name, ..)| *name == key);
        let value = match embedded {
            Some(array) => {
                // A repeated key: the last one wins.
                if self.arrays[array].take().is_some() {
                    self.children.retain(|c| c.array != array);
                }
                if scan.peek() == Some(b'[') {
                    self.array(scan, array)?
                } else {
                    scan.value()?
                }
            }
            None => {
                let value = scan.value()?;
                self.fields.set(&key, value);
                value
            }
        };
        self.members.push((key, value));
        Ok(())
    }

    /// An embedded array, with its items' fields.
    fn array(&mut self, scan: &mut Scan<'a>, array: usize) -> Result<&'a str> {
        let mut len = 0;
        let mut objects = true;
        let text = scan.array(|scan| {
            len += 1;
            if scan.peek() != Some(b'{') {
                objects = false;
                return scan.value().map(drop);
            }
            let mut fields = Fields::default();
            let raw = scan.object(|scan, key| fields.member(scan, &key))?;
            self.children.push(Child { array, raw, fields });
            Ok(())
        })?;
        self.arrays[array] = Some(Array { len, objects });
        Ok(text)
    }
}
