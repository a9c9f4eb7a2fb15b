//! How the browser's redirect gets back to us, chosen from the redirect URI.
//!
//! A loopback URI (`127.0.0.1`, `localhost` or `[::1]`, http or https) gets
//! a local callback server; anything else, or a user who asks for it, means
//! the user pastes the URL they were sent to. Both routes end in the same
//! validation ([`crate::auth::response`]).

use url::{Host, Url};

use super::response::{self, RedirectError};
use crate::secret::Secret;

/// Where the authorization response will arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// A plain-http callback server on 127.0.0.1 (or ::1, as the redirect
    /// URI names).
    LoopbackHttp { port: u16, path: String },
    /// The same behind TLS with a self-signed certificate.
    LoopbackHttps { port: u16, path: String },
    /// The user pastes the redirected URL.
    Paste,
}

impl Transport {
    /// The transport for `redirect_uri`. `force_paste` is `--no-browser` or
    /// the user's choice in the connect dialog.
    pub fn select(redirect_uri: &Url, force_paste: bool) -> Self {
        if force_paste || !is_loopback_name(redirect_uri) {
            return Self::Paste;
        }
        let Some(port) = redirect_uri.port_or_known_default() else {
            return Self::Paste;
        };
        let path = redirect_uri.path().to_owned();
        match redirect_uri.scheme() {
            "http" => Self::LoopbackHttp { port, path },
            "https" => Self::LoopbackHttps { port, path },
            _ => Self::Paste,
        }
    }

    /// The port to bind, for the loopback transports.
    pub fn port(&self) -> Option<u16> {
        match self {
            Self::LoopbackHttp { port, .. } | Self::LoopbackHttps { port, .. } => Some(*port),
            Self::Paste => None,
        }
    }

    pub fn is_loopback(&self) -> bool {
        !matches!(self, Self::Paste)
    }
}

/// True for the three names a loopback server can answer to. Other
/// 127.0.0.0/8 addresses are left out on purpose: we bind 127.0.0.1 or ::1
/// only.
fn is_loopback_name(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        None => false,
    }
}

/// Validates a URL the user pasted and returns the authorization code.
///
/// The URL must go to `expected` (same scheme, host, port and path); its
/// query then gets exactly the checks a loopback callback gets.
pub fn parse_pasted(
    input: &str,
    expected: &Url,
    expected_state: &Secret,
) -> Result<Secret, RedirectError> {
    let url = Url::parse(input.trim()).map_err(|_| RedirectError::NotAUrl)?;
    let same_target = url.scheme() == expected.scheme()
        && url.host() == expected.host()
        && url.port_or_known_default() == expected.port_or_known_default()
        && url.path() == expected.path();
    if !same_target {
        let mut shown = expected.clone();
        shown.set_query(None);
        shown.set_fragment(None);
        return Err(RedirectError::WrongTarget {
            expected: shown.to_string(),
        });
    }
    response::validate(url.query().unwrap_or(""), expected_state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn transport_selection_table() {
        let http = |port: u16, path: &str| Transport::LoopbackHttp {
            port,
            path: path.to_owned(),
        };
        let https = |port: u16, path: &str| Transport::LoopbackHttps {
            port,
            path: path.to_owned(),
        };
        let cases = [
            (
                "http://127.0.0.1:8765/callback",
                false,
                http(8765, "/callback"),
            ),
            ("http://localhost:9000/cb", false, http(9000, "/cb")),
            ("http://LOCALHOST:9000/cb", false, http(9000, "/cb")),
            ("http://[::1]:8765/callback", false, http(8765, "/callback")),
            ("http://127.0.0.1:0/callback", false, http(0, "/callback")),
            ("http://127.0.0.1/callback", false, http(80, "/callback")),
            (
                "https://127.0.0.1:8443/callback",
                false,
                https(8443, "/callback"),
            ),
            ("https://localhost:8443/", false, https(8443, "/")),
            (
                "https://example.com/oauth/callback",
                false,
                Transport::Paste,
            ),
            ("http://127.0.0.2:8765/callback", false, Transport::Paste),
            ("http://10.0.0.1:8765/callback", false, Transport::Paste),
            ("http://localhost.evil.com:8765/cb", false, Transport::Paste),
            ("http://127.0.0.1:8765/callback", true, Transport::Paste),
            ("https://localhost:8443/", true, Transport::Paste),
        ];
        for (uri, force, expected) in cases {
            assert_eq!(Transport::select(&url(uri), force), expected, "{uri}");
        }
        assert_eq!(http(1, "/").port(), Some(1));
        assert!(!Transport::Paste.is_loopback());
    }

    #[test]
    fn pasted_url_table() {
        let expected = url("https://app.example.com:8443/oauth/done");
        let state = Secret::new("S3cretState");
        let ok = |input: &str| parse_pasted(input, &expected, &state);
        let code =
            ok("  https://app.example.com:8443/oauth/done?code=abc&state=S3cretState\n").unwrap();
        assert_eq!(code.expose(), "abc");

        let wrong_target = |input: &str| {
            assert!(
                matches!(ok(input), Err(RedirectError::WrongTarget { .. })),
                "{input}"
            );
        };
        wrong_target("https://evil.example.com:8443/oauth/done?code=a&state=S3cretState");
        wrong_target("https://app.example.com:9443/oauth/done?code=a&state=S3cretState");
        wrong_target("https://app.example.com/oauth/done?code=a&state=S3cretState");
        wrong_target("http://app.example.com:8443/oauth/done?code=a&state=S3cretState");
        wrong_target("https://app.example.com:8443/oauth/other?code=a&state=S3cretState");

        let base = "https://app.example.com:8443/oauth/done";
        let cases = [
            ("not a url", RedirectError::NotAUrl),
            ("?code=a&state=S3cretState", RedirectError::NotAUrl),
            (
                &format!("{base}?code=a") as &str,
                RedirectError::MissingState,
            ),
            (
                &format!("{base}?code=a&state=nope"),
                RedirectError::StateMismatch,
            ),
            (
                &format!("{base}?code=a&state="),
                RedirectError::StateMismatch,
            ),
            (
                &format!("{base}?code=a&state=S3cretState&state=S3cretState"),
                RedirectError::Duplicate("state"),
            ),
            (
                &format!("{base}?code=a&code=b&state=S3cretState"),
                RedirectError::Duplicate("code"),
            ),
            (
                &format!("{base}?state=S3cretState"),
                RedirectError::MissingCode,
            ),
            (
                &format!("{base}?error=access_denied&state=S3cretState"),
                RedirectError::Denied,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(ok(input).unwrap_err(), expected, "{input}");
        }
    }

    #[test]
    fn wrong_target_message_names_the_expected_redirect() {
        let expected = url("https://app.example.com/done");
        let err = parse_pasted("https://x.test/done", &expected, &Secret::new("s")).unwrap_err();
        assert!(err.to_string().contains("https://app.example.com/done"));
    }
}
