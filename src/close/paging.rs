//! One page of a list endpoint, and the `max_skip` refusal deep paging
//! meets.
//!
//! Close caps `_skip` per resource and answers a deeper page with a 400
//! whose message names `max_skip = N` (research/close-api.md, addendum).
//! Sync engines move a date window forward instead of paging past it; they
//! learn the cap from that message with [`max_skip_of`].

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
        let mut params: Vec<(&str, String)> = Vec::with_capacity(query.len() + 2);
        params.extend(query.iter().cloned());
        params.push(("_skip", skip.to_string()));
        params.push(("_limit", limit.to_string()));
        self.get(path, &params).await
    }

    /// [`CloseClient::page`] with each record left as its JSON text.
    pub async fn raw_page(
        &self,
        path: &str,
        query: &[(&str, String)],
        skip: usize,
        limit: usize,
    ) -> Result<RawPage, ApiError> {
        let mut params: Vec<(&str, String)> = Vec::with_capacity(query.len() + 2);
        params.extend(query.iter().cloned());
        params.push(("_skip", skip.to_string()));
        params.push(("_limit", limit.to_string()));
        self.get(path, &params).await
    }
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
