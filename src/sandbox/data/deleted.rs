//! Which rows are deleted. Rows stay in their tables (a lead's children
//! are named by a `Span`, and ids by the row), so a deletion is a bit per
//! row: one bitset per table, empty until something is deleted, so a data
//! set nobody deletes from pays nothing.

use super::{Dataset, Kind, records::Span};

/// A growable set of row numbers; rows past the end are not in it.
#[derive(Debug, Clone, Default)]
pub struct Bits(Vec<u64>);

impl Bits {
    pub fn contains(&self, row: usize) -> bool {
        self.0
            .get(row / 64)
            .is_some_and(|word| word >> (row % 64) & 1 == 1)
    }

    pub fn insert(&mut self, row: usize) {
        let word = row / 64;
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << (row % 64);
    }
}

/// The deleted rows of each table.
#[derive(Debug, Clone, Default)]
pub struct Deleted {
    leads: Bits,
    contacts: Bits,
    opportunities: Bits,
    tasks: Bits,
    activities: Bits,
}

impl Deleted {
    /// The set of a record table; `None` for kinds that are never deleted.
    fn table(&self, kind: Kind) -> Option<&Bits> {
        match kind {
            Kind::Lead => Some(&self.leads),
            Kind::Contact => Some(&self.contacts),
            Kind::Opportunity => Some(&self.opportunities),
            Kind::Task => Some(&self.tasks),
            Kind::Activity => Some(&self.activities),
            _ => None,
        }
    }

    pub fn contains(&self, kind: Kind, row: usize) -> bool {
        self.table(kind).is_some_and(|bits| bits.contains(row))
    }

    pub fn insert(&mut self, kind: Kind, row: usize) {
        let bits = match kind {
            Kind::Lead => &mut self.leads,
            Kind::Contact => &mut self.contacts,
            Kind::Opportunity => &mut self.opportunities,
            Kind::Task => &mut self.tasks,
            Kind::Activity => &mut self.activities,
            _ => return,
        };
        bits.insert(row);
    }
}

impl Dataset {
    /// Whether the row of a record table was deleted.
    pub fn is_deleted(&self, kind: Kind, row: usize) -> bool {
        self.deleted.contains(kind, row)
    }

    /// The rows of a lead's span (in the `kind` table) that are not deleted.
    pub fn live(&self, kind: Kind, span: Span) -> impl Iterator<Item = usize> + '_ {
        let bits = self.deleted.table(kind);
        span.range()
            .filter(move |&row| !bits.is_some_and(|b| b.contains(row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_grow_on_insert_and_read_false_past_the_end() {
        let mut bits = Bits::default();
        assert!(!bits.contains(0) && !bits.contains(1_000_000));
        bits.insert(130);
        bits.insert(0);
        assert!(bits.contains(130) && bits.contains(0));
        assert!(!bits.contains(129) && !bits.contains(131) && !bits.contains(64));
        assert_eq!(bits.0.len(), 3);
    }
}
