//! The authorization server's HTML: the consent page and the error page.
//!
//! Both are plain HTML with inline CSS and no script, served with a CSP that
//! forbids everything else. Every value that came from a request is escaped.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};

const CONSENT: &str = include_str!("../../assets/sandbox_consent.html");
const ERROR: &str = include_str!("../../assets/sandbox_error.html");

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// One organization on the consent page's picker.
pub struct OrgChoice<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// Who the grant would act as: the organization's first member.
    pub acting_as: String,
}

/// The consent page. `hidden` are the request's parameters, carried by the
/// form back to the POST.
pub fn consent(
    client_id: &str,
    redirect_uri: &str,
    hidden: &[(&str, &str)],
    organizations: &[OrgChoice<'_>],
) -> Response {
    let hidden: String = hidden
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let organizations: String = organizations
        .iter()
        .enumerate()
        .map(|(i, org)| {
            format!(
                "<label><input type=\"radio\" name=\"organization_id\" value=\"{}\"{}> {} \
                 <span class=\"who\">as {}</span></label>\n",
                escape(org.id),
                if i == 0 { " checked" } else { "" },
                escape(org.name),
                escape(&org.acting_as),
            )
        })
        .collect();
    let page = CONSENT
        .replace("{{client_id}}", &escape(client_id))
        .replace("{{redirect_uri}}", &escape(redirect_uri))
        .replace("{{hidden}}", &hidden)
        .replace("{{organizations}}", &organizations);
    html(StatusCode::OK, page)
}

/// An error shown to the person at the browser, where redirecting would be
/// unsafe (an unknown client or an untrusted redirect_uri).
pub fn error(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ERROR
        .replace("{{title}}", &escape(title))
        .replace("{{message}}", &escape(message));
    html(status, page)
}

fn html(status: StatusCode, page: String) -> Response {
    let mut response = (status, Html(page)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
    }
}
