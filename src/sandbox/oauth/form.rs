//! OAuth parameters from a query string or a form body, checked the way RFC
//! 6749 3.1 wants: no parameter twice, and values that decode to UTF-8.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};

/// Decoded parameters; empty values count as absent (RFC 6749 3.1).
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parses `a=1&b=2`. Fails on a repeated parameter or on bytes that do
    /// not decode to UTF-8.
    pub fn parse(input: &[u8]) -> Result<Self, String> {
        if std::str::from_utf8(input).is_err() {
            return Err("The parameters are not valid UTF-8.".to_owned());
        }
        let mut params = HashMap::new();
        for (key, value) in url::form_urlencoded::parse(input) {
            // form_urlencoded decodes lossily; a replacement character means
            // the percent-encoded bytes were not UTF-8.
            if key.contains('\u{FFFD}') || value.contains('\u{FFFD}') {
                return Err("A parameter does not decode to UTF-8.".to_owned());
            }
            if value.is_empty() {
                continue;
            }
            let key = key.into_owned();
            if params.contains_key(&key) {
                return Err(format!("The parameter {key} appears more than once."));
            }
            params.insert(key, value.into_owned());
        }
        Ok(Self(params))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// Whether the request says its body is `application/x-www-form-urlencoded`
/// (parameters such as `charset` allowed).
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(Params::parse(b"a=1&a=2").is_err());
        let params = Params::parse(b"a=1&b=x%20y&c=").expect("valid form");
        assert_eq!(params.get("b"), Some("x y"));
        assert_eq!(params.get("c"), None);
    }

    #[test]
    fn bad_encodings_are_refused() {
        assert!(Params::parse(b"a=%ff").is_err());
        assert!(Params::parse(&[b'a', b'=', 0xff]).is_err());
    }
}
