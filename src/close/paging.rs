//! One page of a list endpoint, and the `max_skip` refusal deep paging
//! meets.
//!
//! Close caps `_skip` per resource and answers a deeper page with a 400
//! whose message names `max_skip = N` (research/close-api.md, addendum).
//! Sync engines move a date window forward instead of paging past it; they
//! learn the cap from that message with [`max_skip_of`].

use serde::de::DeserializeOwned;

use super::{
    client::CloseClient,
    credentials::Credentials,
    error::ApiError,
    records::{Page, RawPage},
};

impl<C: Credentials> CloseClient<C> {
    /// `GET path?…&_skip=skip&_limit=limit`, as a [`Page`] of raw records.
    pub async fn page(
        &self,
        path: &str,
        query: &[(&str, String)],
        skip: usize,
        limit: usize,
    ) -> Result<Page, ApiError> {
        self.paged(path, query, skip, limit).await
    }

    /// [`CloseClient::page`] with each record left as its JSON text.
    pub async fn raw_page(
        &self,
        path: &str,
        query: &[(&str, String)],
        skip: usize,
        limit: usize,
    ) -> Result<RawPage, ApiError> {
        self.paged(path, query, skip, limit).await
    }

    /// One page, at most `limit` records long, or as many as Close allows
    /// at `path`: it does not publish its maximum `_limit`, and refuses a
    /// larger one with a field error. The next request then asks for what
    /// the error names (or half), and so does every later one at `path`.
    /// Callers page by the records they get, so a shorter page is no harm.
    async fn paged<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        skip: usize,
        limit: usize,
    ) -> Result<T, ApiError> {
        let mut limit = self.limit_at(path, limit);
        loop {
            let mut params: Vec<(&str, String)> = Vec::with_capacity(query.len() + 2);
            params.extend(query.iter().cloned());
            params.push(("_skip", skip.to_string()));
            params.push(("_limit", limit.to_string()));
            match self.get(path, &params).await {
                Err(err) if limit > MIN_LIMIT => match allowed_limit(&err, limit) {
                    Some(allowed) => {
                        tracing::info!(path, limit, allowed, "Close allows fewer records a page");
                        limit = self.lower_limit(path, allowed);
                    }
                    None => return Err(err),
                },
                result => return result,
            }
        }
    }
}

/// The fewest records a page asks for: each later page of a window starts
/// one record early to check for a shift (`sync/overlap.rs`), so a page of
/// one would bring nothing new.
const MIN_LIMIT: usize = 2;

/// The `_limit` to ask for instead, when `err` is Close refusing `asked`:
/// the largest its message names below `asked`, or half of it, and never
/// fewer than [`MIN_LIMIT`].
fn allowed_limit(err: &ApiError, asked: usize) -> Option<usize> {
    let ApiError::BadRequest { field_errors, .. } = err else {
        return None;
    };
    let (_, message) = field_errors.iter().find(|(field, _)| field == "_limit")?;
    let named = message
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|digits| digits.parse::<usize>().ok())
        .filter(|n| (1..asked).contains(n))
        .max();
    Some(named.unwrap_or(asked / 2).max(MIN_LIMIT))
}

/// The `max_skip` a 400 names, if the error is Close refusing a deep page.
pub fn max_skip_of(err: &ApiError) -> Option<usize> {
    let ApiError::BadRequest { errors, .. } = err else {
        return None;
    };
    errors.iter().find_map(|message| {
        let at = message.find("max_skip")?;
        let rest = message[at + "max_skip".len()..].trim_start();
        let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(message: &str) -> ApiError {
        ApiError::BadRequest {
            errors: vec![message.to_owned()],
            field_errors: vec![],
        }
    }

    #[test]
    fn a_refused_limit_gives_the_one_to_ask_for() {
        let limit = |message: &str| ApiError::BadRequest {
            errors: vec![],
            field_errors: vec![("_limit".into(), message.into())],
        };
        let named = limit("Ensure this value is less than or equal to 100.");
        assert_eq!(allowed_limit(&named, 200), Some(100));
        assert_eq!(allowed_limit(&limit("too large"), 200), Some(100));
        assert_eq!(allowed_limit(&limit("must be at most 500"), 200), Some(100));
        assert_eq!(
            allowed_limit(&limit("at most 1"), 3),
            Some(2),
            "never fewer than 2"
        );
        assert_eq!(allowed_limit(&bad("max_skip = 1000"), 200), None);
        assert_eq!(allowed_limit(&ApiError::Forbidden, 200), None);
    }

    #[test]
    fn the_cap_is_read_from_closes_message() {
        let err = bad(
            "The skip you set is larger than the maximum skip for this resource (max_skip = 1000). Please refine your search query.",
        );
        assert_eq!(max_skip_of(&err), Some(1000));
        assert_eq!(max_skip_of(&bad("max_skip=250")), Some(250));
        assert_eq!(max_skip_of(&bad("something else")), None);
        assert_eq!(max_skip_of(&ApiError::Unauthorized), None);
    }
}
