//! The authorize request: the URL the browser opens at Close's consent page.
//!
//! Close grants every app all scopes, so no `scope` is sent. PKCE S256 is
//! always sent: it costs nothing and protects a code that leaks in transit.

use url::Url;

use super::pkce::Pkce;
use crate::secret::Secret;

/// `authorize_url` with the authorization-code request appended to any
/// query it already has.
pub fn authorize_url(
    authorize_url: &Url,
    client_id: &str,
    redirect_uri: &Url,
    state: &Secret,
    pkce: &Pkce,
) -> Url {
    let mut url = authorize_url.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri.as_str())
        .append_pair("state", state.expose())
        .append_pair("code_challenge", pkce.challenge())
        .append_pair("code_challenge_method", "S256");
    url
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn carries_every_parameter_once_and_no_scope() {
        let pkce = Pkce::from_verifier(Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        let url = authorize_url(
            &Url::parse("https://app.close.com/oauth2/authorize/?keep=1").unwrap(),
            "oa2client_x",
            &Url::parse("http://127.0.0.1:8765/callback").unwrap(),
            &Secret::new("st&=?"),
            &pkce,
        );
        assert_eq!(url.host_str(), Some("app.close.com"));
        assert_eq!(url.path(), "/oauth2/authorize/");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let map: HashMap<_, _> = pairs.iter().cloned().collect();
        assert_eq!(pairs.len(), map.len(), "no parameter twice");
        assert_eq!(map["keep"], "1");
        assert_eq!(map["response_type"], "code");
        assert_eq!(map["client_id"], "oa2client_x");
        assert_eq!(map["redirect_uri"], "http://127.0.0.1:8765/callback");
        assert_eq!(map["state"], "st&=?");
        assert_eq!(
            map["code_challenge"],
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(map["code_challenge_method"], "S256");
        assert!(!map.contains_key("scope"));
    }
}
