//! Turning HTTP responses into records or typed errors.

use std::time::Duration;

use reqwest::Response;
use serde::de::DeserializeOwned;

use super::{error::ApiError, network_message, ratelimit::retry_after};
use crate::printable::printable_capped;

/// The most of one of Close's messages an error quotes.
const MESSAGE_CHARS: usize = 300;

/// Decodes a final response: a 2xx body as `T`, anything else as an error.
pub async fn decode<T: DeserializeOwned>(path: &str, response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let path = path.to_owned();
    match status.as_u16() {
        200..=299 => {
            let bytes = response
                .bytes()
                .await
                .map_err(|err| ApiError::Network(network_message(&err)))?;
            serde_json::from_slice(&bytes).map_err(|err| ApiError::Decode {
                path,
                message: err.to_string(),
            })
        }
        400 => Err(bad_request(response).await),
        401 => Err(ApiError::Unauthorized),
        402 => Err(ApiError::PaymentRequired),
        403 => Err(ApiError::Forbidden),
        404 => Err(ApiError::NotFound { path }),
        429 => Err(ApiError::RateLimited {
            retry_after: retry_after(response.headers()).unwrap_or(Duration::from_secs(1)),
        }),
        500..=599 => Err(ApiError::Server {
            status: status.as_u16(),
            path,
        }),
        other => Err(ApiError::Unexpected {
            status: other,
            path,
        }),
    }
}

/// Close's 400 bodies: `{"errors": [...], "field-errors": {...}}`, or
/// `{"error": "..."}`.
async fn bad_request(response: Response) -> ApiError {
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let mut errors: Vec<String> = body["errors"]
        .as_array()
        .map(|list| list.iter().map(text_of).collect())
        .unwrap_or_default();
    if let Some(error) = body.get("error") {
        errors.push(text_of(error));
    }
    let field_errors = body["field-errors"]
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .map(|(field, message)| (field.clone(), text_of(message)))
                .collect()
        })
        .unwrap_or_default();
    ApiError::BadRequest {
        errors,
        field_errors,
    }
}

/// One of Close's messages, as it will be printed (see `printable`).
fn text_of(value: &serde_json::Value) -> String {
    match value.as_str() {
        Some(text) => printable_capped(text, MESSAGE_CHARS),
        None => printable_capped(&value.to_string(), MESSAGE_CHARS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closes_messages_cannot_steer_the_terminal() {
        let hostile = serde_json::json!("bad \u{1b}]0;TITLE\u{7}\u{1b}[2J lead");
        assert_eq!(text_of(&hostile), "bad ]0;TITLE[2J lead");
        let nested = serde_json::json!({"field": "x\u{9b}31m"});
        assert!(!text_of(&nested).contains('\u{9b}'));
        assert!(text_of(&serde_json::json!("a".repeat(1000))).ends_with('…'));
    }
}
