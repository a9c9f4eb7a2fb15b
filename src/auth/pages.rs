//! The pages the browser sees at the end of a login, and the headers that
//! keep them inert: no caching, no external loads, no scripts.
//!
//! Every value a page shows comes from the network or the user's account, so
//! each one is HTML-escaped, and the template is filled in one pass (a value
//! that looks like a placeholder stays text).

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

const SUCCESS: &str = include_str!("../../assets/callback_success.html");
const FAILURE: &str = include_str!("../../assets/callback_failure.html");

/// Styles inline, nothing else at all: not even images or fonts.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Escapes the five characters that matter in HTML text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Fills `{{name}}` placeholders with escaped values in one left-to-right
/// pass; unknown placeholders are left as they are.
fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let filled = after.find("}}").and_then(|end| {
            let name = &after[..end];
            let (_, value) = values.iter().find(|(n, _)| *n == name)?;
            Some((escape(value), end + 2))
        });
        match filled {
            Some((value, used)) => {
                out.push_str(&value);
                rest = &after[used..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn success_html(organization: &str, email: &str) -> String {
    render(SUCCESS, &[("organization", organization), ("email", email)])
}

pub fn failure_html(title: &str, reason: &str) -> String {
    render(FAILURE, &[("title", title), ("reason", reason)])
}

/// An HTML page with the headers every callback answer carries.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// A short plain answer for requests that are not a login callback.
pub fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<script>alert("x&'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn success_page_names_org_and_email_escaped() {
        let page = success_html("Acme <b>", "a@b.test");
        assert!(page.contains("Connected to <strong>Acme &lt;b&gt;</strong> as <strong>a@b.test</strong>. You can close this tab."));
    }

    #[test]
    fn values_that_look_like_placeholders_stay_text() {
        let page = success_html("{{email}}", "e@x.test");
        assert!(page.contains("<strong>{{email}}</strong>"));
    }

    #[test]
    fn script_payload_in_a_reason_comes_out_escaped() {
        let page = failure_html("Login failed", "<script>alert(1)</script>");
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn pages_are_self_contained() {
        for page in [SUCCESS, FAILURE] {
            for banned in [
                "<script", "<link", "<img", "url(", "@import", "http://", "https://",
            ] {
                assert!(!page.contains(banned), "{banned}");
            }
        }
    }

    #[test]
    fn html_answers_carry_the_hardening_headers() {
        let response = html(StatusCode::OK, String::new());
        let h = response.headers();
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::CONNECTION], "close");
        assert!(
            h[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .starts_with("default-src 'none'")
        );
    }
}
