//! The token endpoint's answer, decoded from any status and any body.
//!
//! Input: two bytes of status, then the body.
//!
//! Invariants: no panic; success only for a 2xx with a non-empty access
//! token; and no message or `Debug` output ever contains a token-looking
//! value the body carried as `access_token` or `refresh_token`, unless the
//! body also put it in a field that is shown on purpose (`error`,
//! `error_description` and the like).
#![no_main]

use close_tui::auth::client::decode_token_response;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Body fields whose text may be shown to the user.
const SHOWN: [&str; 6] = [
    "error",
    "error_description",
    "scope",
    "organization_id",
    "user_id",
    "token_type",
];

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = u16::from_le_bytes(*status) % 1000;
    let result = decode_token_response(status, body);
    let printed = match &result {
        Ok(token) => {
            assert!((200..300).contains(&status), "success for HTTP {status}");
            assert!(!token.access_token.expose().is_empty());
            format!("{token:?}")
        }
        Err(err) => {
            assert!(!err.to_string().chars().any(char::is_control), "{err}");
            format!("{err} {err:?}")
        }
    };
    for secret in token_looking_values(body) {
        assert!(!printed.contains(&secret), "a token leaked: {printed}");
    }
});

/// The `access_token` and `refresh_token` strings of a JSON body that look
/// like tokens (16+ characters of a token's alphabet, so none can be
/// spelled by the messages' own words) and are not also in a shown field.
fn token_looking_values(body: &[u8]) -> Vec<String> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let shown: Vec<String> = SHOWN
        .iter()
        .filter_map(|key| map.get(*key))
        .map(|v| match v {
            Value::String(s) => s.chars().filter(|c| !c.is_control()).collect(),
            other => other.to_string(),
        })
        .collect();
    ["access_token", "refresh_token"]
        .iter()
        .filter_map(|key| map.get(*key)?.as_str())
        .filter(|t| {
            t.len() >= 16
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
        .filter(|t| !shown.iter().any(|s| s.contains(*t)))
        .map(str::to_owned)
        .collect()
}
