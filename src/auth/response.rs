//! The authorization response: the query string the browser brings back,
//! whether it reaches the loopback server or is pasted by the user.
//!
//! One function judges it, so both routes refuse the same things: a missing
//! or different `state`, repeated parameters, a missing code. An `error`
//! from the authorization server becomes a typed denial.

use url::form_urlencoded;

use super::pkce::constant_time_eq;
use crate::{printable::printable_capped, secret::Secret};

/// Why a redirect did not yield a usable authorization code. Each message is
/// one line a user can act on, and never contains the code or the state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    #[error("authorization was denied in the browser")]
    Denied,
    #[error("the authorization server answered `{error}`{}", describe(description))]
    Provider {
        error: String,
        description: Option<String>,
    },
    #[error(
        "the redirect has no `state`, so it cannot be tied to this login: paste the address \
         from the tab this login opened"
    )]
    MissingState,
    #[error(
        "the redirect's `state` does not match this login (an old tab or a forged link): paste \
         the address from the tab this login opened"
    )]
    StateMismatch,
    #[error("the redirect repeats the `{0}` parameter, which a genuine one never does")]
    Duplicate(&'static str),
    #[error("the redirect carries no authorization code")]
    MissingCode,
    /// The login timed out, and the loopback server had only answers
    /// without its `state`.
    #[error(
        "the browser came back {0} time(s), never with this login's `state` (an old tab, or \
         another page calling the port): start the login again"
    )]
    NotThisLogin(usize),
    #[error("that is not a URL: paste the whole address from the browser's address bar")]
    NotAUrl,
    #[error("that URL does not go to {expected}: paste the address the browser was sent back to")]
    WrongTarget { expected: String },
}

impl RedirectError {
    /// True when the input was simply not this login's redirect (a paste
    /// of the wrong thing, or of an old tab's address); the login can keep
    /// waiting for a better one, as its loopback server does.
    pub fn is_wrong_input(&self) -> bool {
        matches!(
            self,
            Self::NotAUrl | Self::WrongTarget { .. } | Self::MissingState | Self::StateMismatch
        )
    }
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

/// True when a query is an authorization response at all (it has `code` or
/// `error`); anything else on the callback path is noise to ignore.
pub fn is_authorization_response(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "code" || k == "error")
}

/// Whether the query carries this login's `state`, once: only such an
/// answer came back from the authorization this login started. Any page
/// the browser opens can send it to the loopback server; the rest must not
/// end the login.
pub fn is_for(query: &str, expected_state: &Secret) -> bool {
    let mut states = form_urlencoded::parse(query.as_bytes()).filter(|(key, _)| key == "state");
    match (states.next(), states.next()) {
        (Some((_, state)), None) => constant_time_eq(&state, expected_state.expose()),
        _ => false,
    }
}

/// Checks an authorization response and returns its code. (The loopback
/// server first sets aside answers without the login's state, [`is_for`];
/// a pasted URL is the user's own, and is judged whole here.)
///
/// An `error` wins over a missing `state`: the login fails either way, and
/// "denied" is the truer reason when a server leaves `state` off its error
/// redirects. A `state` that is present but different always fails as a
/// mismatch.
pub fn validate(query: &str, expected_state: &Secret) -> Result<Secret, RedirectError> {
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let (slot, name) = match key.as_ref() {
            "state" => (&mut state, "state"),
            "code" => (&mut code, "code"),
            "error" => (&mut error, "error"),
            "error_description" => (&mut description, "error_description"),
            _ => continue,
        };
        if slot.is_some() {
            return Err(RedirectError::Duplicate(name));
        }
        *slot = Some(value.into_owned());
    }
    let state_matches = state
        .as_deref()
        .map(|s| constant_time_eq(s, expected_state.expose()));
    if state_matches == Some(false) {
        return Err(RedirectError::StateMismatch);
    }
    if let Some(error) = error {
        return Err(if error == "access_denied" {
            RedirectError::Denied
        } else {
            RedirectError::Provider {
                error: printable_capped(&error, 64),
                description: description.map(|d| printable_capped(&d, 200)),
            }
        });
    }
    if state_matches.is_none() {
        return Err(RedirectError::MissingState);
    }
    match code {
        Some(code) if !code.is_empty() => Ok(Secret::new(code)),
        _ => Err(RedirectError::MissingCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_table() {
        let state = Secret::new("st");
        let cases: [(&str, Result<&str, RedirectError>); 12] = [
            ("code=c1&state=st", Ok("c1")),
            ("state=st&code=c%2B1&extra=x", Ok("c+1")),
            ("code=c1", Err(RedirectError::MissingState)),
            ("code=c1&state=ST", Err(RedirectError::StateMismatch)),
            ("code=c1&state=st2", Err(RedirectError::StateMismatch)),
            (
                "code=c1&state=st&state=xx",
                Err(RedirectError::Duplicate("state")),
            ),
            (
                "code=c1&code=c2&state=st",
                Err(RedirectError::Duplicate("code")),
            ),
            ("code=&state=st", Err(RedirectError::MissingCode)),
            ("state=st", Err(RedirectError::MissingCode)),
            ("error=access_denied&state=st", Err(RedirectError::Denied)),
            ("error=access_denied", Err(RedirectError::Denied)),
            (
                "error=access_denied&state=bad",
                Err(RedirectError::StateMismatch),
            ),
        ];
        for (query, expected) in cases {
            let got = validate(query, &state).map(|c| c.expose().to_owned());
            assert_eq!(got, expected.map(str::to_owned), "{query}");
        }
    }

    #[test]
    fn provider_errors_are_kept_printable() {
        let err = validate(
            "error=server_error&error_description=boom%1B%5B31m%0Ared&state=st",
            &Secret::new("st"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the authorization server answered `server_error`: boom[31mred"
        );
        assert!(!err.is_wrong_input());
        assert!(RedirectError::NotAUrl.is_wrong_input());
        // An old tab's address is asked for again, not the end of the login.
        assert!(RedirectError::StateMismatch.is_wrong_input());
        assert!(RedirectError::MissingState.is_wrong_input());
        assert!(!RedirectError::Denied.is_wrong_input());
    }

    #[test]
    fn denial_message_is_the_documented_one() {
        assert_eq!(
            RedirectError::Denied.to_string(),
            "authorization was denied in the browser"
        );
    }

    #[test]
    fn recognises_authorization_responses() {
        assert!(is_authorization_response("code=x"));
        assert!(is_authorization_response("a=1&error=x"));
        assert!(!is_authorization_response("state=x"));
        assert!(!is_authorization_response(""));
    }
}
