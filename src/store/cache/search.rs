//! Search over the cache: FTS5 with prefix matching over lead names and
//! their contacts' names, emails and phones.
//!
//! Typed text becomes a query of quoted prefix terms, ANDed, so nothing a
//! user types is read as FTS5 syntax. Leads whose name matches come first;
//! hits come in rowid order rather than by rank, because ranking every
//! match of a one-letter prefix over 100,000 leads would cost more than the
//! 10 ms a keystroke may take.

use rusqlite::params;

use super::{
    Cache,
    rows::{HitSource, SearchHit},
};
use crate::store::{AccountId, StoreError};

/// The FTS5 query for what the user typed, or `None` when it holds nothing
/// searchable. Input that looks like a phone number (digits and phone
/// punctuation only) is searched as one run of digits.
pub fn fts_query(input: &str) -> Option<String> {
    let input = input.trim();
    let phone_like = input.chars().any(|c| c.is_ascii_digit())
        && input
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let terms: Vec<String> = if phone_like {
        vec![input.chars().filter(char::is_ascii_digit).collect()]
    } else {
        input
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
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

impl Cache {
    /// Up to `limit` cached leads matching `text`: name matches first, then
    /// leads found through a contact's name, email or phone.
    pub fn search(
        &self,
        account: &AccountId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        self.read(|conn| {
            let mut hits: Vec<SearchHit> = Vec::new();
            let mut stmt = conn.prepare_cached(
                "SELECT l.id, l.name, l.status_label FROM cache_search s
                 JOIN cache_leads l ON l.rowid = s.rowid
                 WHERE cache_search MATCH ?3 AND l.account = (SELECT id FROM cache_accounts
                     WHERE organization_id = ?1 AND user_id = ?2)
                 LIMIT ?4",
            )?;
            for scoped in [format!("name : ({query})"), query.clone()] {
                if hits.len() >= limit {
                    break;
                }
                // The full query repeats the name hits first; ask for that many more.
                let want = (limit + hits.len()) as i64;
                let rows = stmt.query_map(
                    params![account.organization_id, account.user_id, scoped, want],
                    |row| {
                        Ok(SearchHit {
                            lead_id: row.get(0)?,
                            name: row.get(1)?,
                            status_label: row.get(2)?,
                            source: HitSource::Cache,
                        })
                    },
                )?;
                for hit in rows {
                    let hit = hit?;
                    if hits.len() < limit && !hits.iter().any(|h| h.lead_id == hit.lead_id) {
                        hits.push(hit);
                    }
                }
            }
            Ok(hits)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_becomes_quoted_prefix_terms() {
        assert_eq!(fts_query("acme"), Some("\"acme\"*".to_owned()));
        assert_eq!(
            fts_query("  Blue sun\" OR x"),
            Some("\"Blue\"* \"sun\"* \"OR\"* \"x\"*".to_owned())
        );
        assert_eq!(
            fts_query("pedro.young@ini"),
            Some("\"pedro\"* \"young\"* \"ini\"*".to_owned())
        );
        assert_eq!(fts_query("(954) 555-92"), Some("\"95455592\"*".to_owned()));
        assert_eq!(fts_query(" *:- "), None);
        assert_eq!(fts_query(""), None);
    }
}
