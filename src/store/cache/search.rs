//! Search over the cache: FTS5 with prefix matching over lead names and
//! their contacts' names, emails and phones. Contacts, opportunities and
//! tasks are found through the leads the index finds (the index has a
//! row per lead); contacts are then kept only when they match themselves.
//!
//! Typed text becomes a query of quoted prefix terms, ANDed, so nothing a
//! user types is read as FTS5 syntax. Leads whose name matches come first;
//! hits come in rowid order rather than by rank, because ranking every
//! match of a one-letter prefix over 100,000 leads would cost more than the
//! 10 ms a keystroke may take.

use std::collections::HashSet;

use rusqlite::{Connection, params};
use unicode_normalization::UnicodeNormalization;

use super::{
    Cache,
    rows::{
        ContactRow, HitSource, LeadRow, OPPORTUNITY_LIST, OpportunityRow, SearchHit, TASK_COLUMNS,
        TaskRow,
    },
};
use crate::store::{AccountId, StoreError};

/// The FTS5 query for what the user typed, or `None` when it holds nothing
/// searchable. Input that looks like a phone number (digits and phone
/// punctuation only) is searched as one run of digits.
pub fn fts_query(input: &str) -> Option<String> {
    // Composed, so a letter typed as a base and a combining accent (as
    // some keyboards and imports give it) is one letter, as the index
    // reads it.
    let input: String = input.trim().nfc().collect();
    let input = input.as_str();
    let phone_like = input.chars().any(|c| c.is_ascii_digit())
        && input
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let terms: Vec<String> = if phone_like {
        vec![input.chars().filter(char::is_ascii_digit).collect()]
    } else {
        words(input).map(str::to_owned).collect()
    };
    if terms.is_empty() {
        return None;
    }
    Some(
        terms
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The words of `input` as [`fts_query`] reads them, lowercased: what
/// each searched field must have a word starting with.
fn terms(input: &str) -> Vec<String> {
    fts_query(input)
        .map(|q| {
            q.split(' ')
                .map(|t| fold(t.trim_start_matches('"').trim_end_matches("\"*")))
                .collect()
        })
        .unwrap_or_default()
}

/// The words of `text` as the index's tokenizer (`unicode61`) cuts them:
/// runs of letters, numbers and private-use characters. Anything else,
/// marks included, separates words. A query term the tokenizer would cut
/// in two becomes a phrase, which this index (no positions) refuses: a
/// vowel sign inside a Hindi or Thai name made every search fail.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

fn is_word_char(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    c.is_ascii_alphanumeric()
        || !c.is_ascii()
            && !SEPARATING_LETTERS.contains(&c)
            && matches!(
                get_general_category(c),
                G::UppercaseLetter
                    | G::LowercaseLetter
                    | G::TitlecaseLetter
                    | G::ModifierLetter
                    | G::OtherLetter
                    | G::DecimalNumber
                    | G::LetterNumber
                    | G::OtherNumber
                    | G::PrivateUse
            )
}

/// Letters today that SQLite's older Unicode tables call marks, so its
/// tokenizer parts words at them (New Tai Lue vowel signs, two Vedic
/// signs); `tests::the_query_parts_words_where_the_index_does` finds any
/// other.
const SEPARATING_LETTERS: [char; 21] = [
    '\u{19B0}', '\u{19B1}', '\u{19B2}', '\u{19B3}', '\u{19B4}', '\u{19B5}', '\u{19B6}', '\u{19B7}',
    '\u{19B8}', '\u{19B9}', '\u{19BA}', '\u{19BB}', '\u{19BC}', '\u{19BD}', '\u{19BE}', '\u{19BF}',
    '\u{19C0}', '\u{19C8}', '\u{19C9}', '\u{1CF2}', '\u{1CF3}',
];

/// Lowercase, decomposed, without its marks: at least as forgiving as the
/// index's `remove_diacritics`, so a contact the index found by its name
/// (Dvořák for "dvorak") is kept.
fn fold(word: &str) -> String {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when every term starts a word of one of `fields` (phone numbers
/// count by their digits, and by their last ten).
fn matches_all(terms: &[String], fields: &[Option<&str>]) -> bool {
    let mut words: Vec<String> = Vec::new();
    for field in fields.iter().flatten() {
        let field: String = field.nfc().collect();
        words.extend(self::words(&field).map(fold));
        let digits: String = field.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 3 {
            if digits.len() > 10 {
                words.push(digits[digits.len() - 10..].to_owned());
            }
            words.push(digits);
        }
    }
    terms
        .iter()
        .all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
}

/// The FTS passes of a search: leads whose name matches, then the rest.
fn passes(query: &str) -> [String; 2] {
    [format!("name : ({query})"), query.to_owned()]
}

/// `SELECT columns` over the leads the index matches (`l`), joined to
/// their rows in a child table (`(table, alias)`) when one is given.
fn over_matched_leads(columns: &str, child: Option<(&str, &str)>) -> String {
    let join = child.map_or_else(String::new, |(table, a)| {
        format!(" JOIN {table} {a} ON {a}.account = l.account AND {a}.lead_id = l.id")
    });
    format!(
        "SELECT {columns} FROM cache_search s JOIN cache_leads l ON l.rowid = s.rowid{join}
         WHERE cache_search MATCH ?3 AND l.account = (SELECT id FROM cache_accounts
             WHERE organization_id = ?1 AND user_id = ?2)"
    )
}

/// A row a search returns once however many passes find it.
trait Identified {
    fn id(&self) -> &str;
}

macro_rules! identified {
    ($($row:ty),*) => {$(
        impl Identified for $row {
            fn id(&self) -> &str {
                &self.id
            }
        }
    )*};
}

identified!(LeadRow, OpportunityRow, TaskRow);

/// A contact a search found, with every email and phone it has.
struct ContactHit {
    row: ContactRow,
    reachable: Option<String>,
}

impl ContactHit {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            row: ContactRow::from_row(row)?,
            reachable: row.get(8)?,
        })
    }
}

impl Identified for ContactHit {
    fn id(&self) -> &str {
        &self.row.id
    }
}

/// One search: what was typed, for whom, and how many rows are wanted.
struct Search<'a> {
    conn: &'a Connection,
    account: &'a AccountId,
    /// The FTS query.
    query: &'a str,
    want: usize,
}

impl Search<'_> {
    /// Runs `sql` (which selects rows of some kind, with the search as
    /// `?3`) once per pass, keeping the rows `keep` accepts, each id once,
    /// until `want` are found.
    fn collect<T: Identified>(
        &self,
        sql: &str,
        map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        keep: impl Fn(&T) -> bool,
    ) -> rusqlite::Result<Vec<T>> {
        let mut found: Vec<T> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut stmt = self.conn.prepare_cached(sql)?;
        let who = (&self.account.organization_id, &self.account.user_id);
        for pass in passes(self.query) {
            if found.len() >= self.want {
                break;
            }
            let mut rows = stmt.query(params![who.0, who.1, pass])?;
            while let Some(row) = rows.next()? {
                let item = map(row)?;
                if keep(&item) && seen.insert(item.id().to_owned()) {
                    found.push(item);
                    if found.len() >= self.want {
                        break;
                    }
                }
            }
        }
        Ok(found)
    }
}

impl Cache {
    /// Runs one search for `text`: `sql` over the leads the index matches,
    /// up to `limit` rows that `keep` accepts, each id once.
    fn find<T: Identified>(
        &self,
        account: &AccountId,
        text: &str,
        limit: usize,
        sql: &str,
        map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Vec<T>, StoreError> {
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        self.read(|conn| {
            Search {
                conn,
                account,
                query: &query,
                want: limit,
            }
            .collect(sql, map, keep)
        })
    }

    /// Up to `limit` cached leads matching `text`: name matches first, then
    /// leads found through a contact's name, email or phone.
    pub fn search(
        &self,
        account: &AccountId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>, StoreError> {
        Ok(self
            .search_leads(account, text, limit)?
            .into_iter()
            .map(|lead| SearchHit {
                lead_id: lead.id,
                name: lead.name,
                status_label: lead.status_label,
                source: HitSource::Cache,
            })
            .collect())
    }

    /// [`search`](Self::search) with the whole list row of each lead.
    pub fn search_leads(
        &self,
        account: &AccountId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<LeadRow>, StoreError> {
        let sql = over_matched_leads(
            "l.id, l.name, l.status_label, l.contact_count, l.opportunity_count, l.date_updated",
            None,
        );
        self.find(account, text, limit, &sql, LeadRow::from_row, |_| true)
    }

    /// Up to `limit` cached contacts matching `text` by their name, email,
    /// phone or lead's name; found through the leads the index finds.
    pub fn search_contacts(
        &self,
        account: &AccountId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ContactRow>, StoreError> {
        let terms = terms(text);
        // The list shows a contact's first email and phone; the index has
        // them all, and so must the check, or a contact found by its
        // second address is dropped.
        let sql = over_matched_leads(
            "c.id, c.lead_id, c.name, c.title, c.email, c.phone, c.date_updated, l.name,
             CASE WHEN json_valid(c.raw) THEN (SELECT group_concat(v, char(10)) FROM (
                 SELECT json_extract(e.value, '$.email') AS v
                     FROM json_each(c.raw, '$.emails') e WHERE e.type = 'object'
                 UNION ALL SELECT json_extract(p.value, '$.phone')
                     FROM json_each(c.raw, '$.phones') p WHERE p.type = 'object')) END",
            Some(("cache_contacts", "c")),
        );
        let found = self.find(account, text, limit, &sql, ContactHit::from_row, |hit| {
            let c = &hit.row;
            let mut fields = vec![
                Some(c.name.as_str()),
                c.lead_name.as_deref(),
                c.email.as_deref(),
                c.phone.as_deref(),
            ];
            // One field per address and number: a phone counts by its own
            // digits.
            fields.extend(hit.reachable.iter().flat_map(|all| all.lines().map(Some)));
            matches_all(&terms, &fields)
        })?;
        Ok(found.into_iter().map(|hit| hit.row).collect())
    }

    /// Up to `limit` cached opportunities of the leads matching `text`.
    pub fn search_opportunities(
        &self,
        account: &AccountId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<OpportunityRow>, StoreError> {
        let sql = over_matched_leads(OPPORTUNITY_LIST, Some(("cache_opportunities", "t")));
        self.find(account, text, limit, &sql, OpportunityRow::from_row, |_| {
            true
        })
    }

    /// Up to `limit` cached tasks of the leads matching `text`.
    pub fn search_tasks(
        &self,
        account: &AccountId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<TaskRow>, StoreError> {
        let columns = TASK_COLUMNS
            .split(", ")
            .map(|c| format!("t.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = over_matched_leads(&columns, Some(("cache_tasks", "t")));
        self.find(account, text, limit, &sql, TaskRow::from_row, |_| true)
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
