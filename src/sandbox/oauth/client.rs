//! Client authentication at the token and revoke endpoints: HTTP Basic or
//! `client_id`/`client_secret` in the body (RFC 6749 2.3.1), never both.

use axum::http::{HeaderMap, header};
use base64::{Engine, engine::general_purpose::STANDARD};

use super::{OAuthError, form::Params};
use crate::sandbox::state::Sandbox;

/// Checks the client's credentials and returns its id.
pub fn authenticate(
    sandbox: &Sandbox,
    headers: &HeaderMap,
    params: &Params,
) -> Result<String, OAuthError> {
    let (id, secret) = match headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let (id, secret) = basic_credentials(value.to_str().ok())
                .ok_or_else(|| OAuthError::invalid_client("Malformed HTTP Basic credentials."))?;
            if params.get("client_secret").is_some() {
                return Err(OAuthError::invalid_request(
                    "Use one client authentication method, not both.",
                ));
            }
            if params.get("client_id").is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the Basic credentials.",
                ));
            }
            (id, secret)
        }
        None => match (params.get("client_id"), params.get("client_secret")) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
            _ => {
                return Err(OAuthError::invalid_client(
                    "Client authentication is required.",
                ));
            }
        },
    };
    let options = &sandbox.options;
    let id_ok = constant_time_eq(id.as_bytes(), options.client_id.as_bytes());
    let secret_ok = constant_time_eq(secret.as_bytes(), options.client_secret.as_bytes());
    if id_ok && secret_ok {
        Ok(id)
    } else {
        Err(OAuthError::invalid_client(
            "Unknown client or wrong secret.",
        ))
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))`.
fn basic_credentials(value: Option<&str>) -> Option<(String, String)> {
    let (scheme, encoded) = value?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// Compares without an early exit, so timing says nothing about how much of
/// a secret matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let header = format!("Basic {}", STANDARD.encode("my%20id:s%3Acret"));
        let (id, secret) = basic_credentials(Some(&header)).expect("well-formed");
        assert_eq!((id.as_str(), secret.as_str()), ("my id", "s:cret"));
        assert!(basic_credentials(Some("Bearer abc")).is_none());
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
