//! The authorization response, by both routes: the loopback server's query
//! validation and the pasted-redirect parser, plus the failure page that
//! echoes the reason.
//!
//! Invariants: no panic; a code comes back only from a query with exactly
//! one matching `state` and a non-empty `code`; both routes agree; every
//! message is one printable line of bounded length; the failure page adds
//! no markup of its own, whatever the reason says.
#![no_main]

use close_tui::{
    auth::{pages, redirect::parse_pasted, response},
    secret::Secret,
};
use libfuzzer_sys::fuzz_target;
use url::Url;

const STATE: &str = "st4te-Fuzz_0123456789";
const EXPECTED: &str = "http://127.0.0.1:8765/callback";

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let state = Secret::new(STATE);
    let verdict = response::validate(&query, &state);
    match &verdict {
        Ok(code) => {
            assert!(!code.expose().is_empty());
            assert!(response::is_authorization_response(&query));
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let states: Vec<&str> = pairs
                .iter()
                .filter(|(k, _)| k == "state")
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(states, [STATE], "accepted without exactly the right state");
            assert!(!pairs.iter().any(|(k, _)| k == "error"));
        }
        Err(err) => check_message(&err.to_string()),
    }

    // The same query pasted as a URL gets the same verdict, as long as the
    // URL parser leaves the query as it was.
    let expected = Url::parse(EXPECTED).unwrap();
    let pasted = format!("{EXPECTED}?{query}");
    let by_paste = parse_pasted(&pasted, &expected, &state);
    if let Ok(url) = Url::parse(pasted.trim())
        && url.query() == Some(query.as_ref())
        && !query.contains('#')
    {
        assert_eq!(
            by_paste.as_ref().map(|c| c.expose().to_owned()),
            verdict.as_ref().map(|c| c.expose().to_owned()),
            "{pasted:?}"
        );
    }
    // Anything at all, pasted as is.
    match parse_pasted(&query, &expected, &state) {
        Ok(code) => assert!(!code.expose().is_empty()),
        Err(err) => check_message(&err.to_string()),
    }
});

fn check_message(message: &str) {
    assert!(!message.chars().any(char::is_control), "{message:?}");
    assert!(message.chars().count() < 400, "{message:?}");
    // The page escapes the reason: it has exactly the template's markup.
    let page = pages::failure_html("Login failed", message);
    let bare = pages::failure_html("Login failed", "");
    assert_eq!(page.matches('<').count(), bare.matches('<').count());
    assert_eq!(page.matches('"').count(), bare.matches('"').count());
}
