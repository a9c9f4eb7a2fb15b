//! The lead search `query=` language, the subset sync tools and people use:
//!
//! - free text: `acme`, `"blue sun"` (case-insensitive substring of the lead
//!   name, a contact name or a contact email);
//! - `date_updated>="2024-03-05T14:22"` and `date_created…`, with `>`, `>=`,
//!   `<`, `<=`; values are RFC 3339, `YYYY-MM-DD[THH:MM[:SS]]` (UTC);
//!   `updated`/`created` are accepted as aliases;
//! - `status:"Potential"` (lead status label, case-insensitive);
//! - `sort:date_updated`, `sort:-date_updated`, `sort:date_created`, ….
//!
//! Terms are ANDed. Anything else is a 400 naming the term.

use crate::sandbox::data::{Ts, time};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Created,
    Updated,
}

/// Bounds on one date; `(ts, inclusive)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub lo: Option<(Ts, bool)>,
    pub hi: Option<(Ts, bool)>,
}

impl DateRange {
    pub fn is_open(&self) -> bool {
        self.lo.is_none() && self.hi.is_none()
    }

    pub fn contains(&self, ts: Ts) -> bool {
        let above = self
            .lo
            .is_none_or(|(t, inc)| if inc { ts >= t } else { ts > t });
        let below = self
            .hi
            .is_none_or(|(t, inc)| if inc { ts <= t } else { ts < t });
        above && below
    }

    /// Adds a bound (`op` is `>`, `>=`, `<` or `<=`), keeping the tighter
    /// of two on the same side.
    pub fn add(&mut self, op: &str, ts: Ts) {
        let tighter_lo =
            |new: (Ts, bool), old: (Ts, bool)| new.0 > old.0 || (new.0 == old.0 && !new.1);
        let tighter_hi =
            |new: (Ts, bool), old: (Ts, bool)| new.0 < old.0 || (new.0 == old.0 && !new.1);
        match op {
            ">=" | ">" => {
                let new = (ts, op == ">=");
                if self.lo.is_none_or(|old| tighter_lo(new, old)) {
                    self.lo = Some(new);
                }
            }
            _ => {
                let new = (ts, op == "<=");
                if self.hi.is_none_or(|old| tighter_hi(new, old)) {
                    self.hi = Some(new);
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadQuery {
    /// Lower-cased words that must all match.
    pub text: Vec<String>,
    /// Lower-cased lead status label.
    pub status: Option<String>,
    pub created: DateRange,
    pub updated: DateRange,
    pub sort: SortField,
    pub descending: bool,
}

impl Default for LeadQuery {
    /// No filter, newest created first: the order of the plain lead list.
    fn default() -> Self {
        Self {
            text: Vec::new(),
            status: None,
            created: DateRange::default(),
            updated: DateRange::default(),
            sort: SortField::Created,
            descending: true,
        }
    }
}

/// One whitespace-separated term; quotes group and are dropped.
struct Token {
    text: String,
    quoted_whole: bool,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let (mut text, mut in_quotes, mut quoted_whole) = (String::new(), false, c == '"');
        while let Some(&c) = chars.peek() {
            if c == '"' {
                in_quotes = !in_quotes;
            } else if c.is_whitespace() && !in_quotes {
                break;
            } else {
                if !in_quotes {
                    quoted_whole = false;
                }
                text.push(c);
            }
            chars.next();
        }
        if in_quotes {
            return Err("Unterminated quote in query.".into());
        }
        tokens.push(Token { text, quoted_whole });
    }
    Ok(tokens)
}

pub fn parse(input: &str) -> Result<LeadQuery, String> {
    let mut q = LeadQuery::default();
    for token in tokenize(input)? {
        let text = token.text;
        if token.quoted_whole {
            if !text.is_empty() {
                q.text.push(text.to_lowercase());
            }
            continue;
        }
        let ident_len = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(text.len());
        let (ident, rest) = text.split_at(ident_len);
        let op_len = rest
            .chars()
            .take_while(|c| matches!(c, '<' | '>' | '=' | ':'))
            .count();
        if op_len == 0 {
            q.text.push(text.to_lowercase());
            continue;
        }
        let (op, value) = rest.split_at(op_len);
        if ident.is_empty() {
            return Err(format!("Unexpected '{text}' in query."));
        }
        match (ident, op) {
            ("sort", ":") => {
                let (descending, field) = match value.strip_prefix('-') {
                    Some(f) => (true, f),
                    None => (false, value),
                };
                q.sort = date_field(field).ok_or_else(|| {
                    format!("Cannot sort by '{field}'; use date_created or date_updated.")
                })?;
                q.descending = descending;
            }
            ("status" | "lead_status", ":" | "=") => {
                if value.is_empty() {
                    return Err(format!("'{text}' needs a status label."));
                }
                q.status = Some(value.to_lowercase());
            }
            (field, ">" | ">=" | "<" | "<=") if date_field(field).is_some() => {
                let ts = time::parse(value).ok_or_else(|| {
                    format!("Invalid date '{value}' in '{text}'; use YYYY-MM-DDTHH:MM.")
                })?;
                match date_field(field) {
                    Some(SortField::Created) => q.created.add(op, ts),
                    _ => q.updated.add(op, ts),
                }
            }
            (field, _) if date_field(field).is_some() => {
                return Err(format!(
                    "Use >, >=, < or <= to compare {field}, not '{op}'."
                ));
            }
            _ => return Err(format!("Unknown search term '{text}'.")),
        }
    }
    Ok(q)
}

fn date_field(name: &str) -> Option<SortField> {
    match name {
        "date_created" | "created" => Some(SortField::Created),
        "date_updated" | "updated" => Some(SortField::Updated),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_sync_tools_query() {
        let q = parse(r#"date_updated>="2024-03-05T14:22" sort:date_updated"#).unwrap();
        let t = time::parse("2024-03-05T14:22").unwrap();
        assert_eq!(q.updated.lo, Some((t, true)));
        assert_eq!(q.sort, SortField::Updated);
        assert!(!q.descending);
        assert!(q.text.is_empty() && q.created.is_open());
    }

    #[test]
    fn free_text_status_and_bounds_combine() {
        let q = parse(r#"Acme "blue sun" status:"Bad Fit" created<2024-01-01 created<=2023-06-01 sort:-updated"#)
            .unwrap();
        assert_eq!(q.text, vec!["acme", "blue sun"]);
        assert_eq!(q.status.as_deref(), Some("bad fit"));
        assert_eq!(
            q.created.hi,
            Some((time::parse("2023-06-01").unwrap(), true))
        );
        assert!(q.descending && q.sort == SortField::Updated);
        let range = q.created;
        assert!(range.contains(time::parse("2023-06-01").unwrap()));
        assert!(!range.contains(time::parse("2023-06-02").unwrap()));
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        for bad in [
            "foo:bar",
            "date_updated>=yesterday",
            "date_updated:2024-01-01",
            "sort:name",
            ">= 2024",
            "\"open",
            "status:",
        ] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(parse("").unwrap(), LeadQuery::default());
    }
}
