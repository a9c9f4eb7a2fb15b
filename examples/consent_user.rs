//! A scripted "person at a browser", for end-to-end tests: set
//! `BROWSER="path/to/consent_user"` and close-tui runs it with the authorize
//! URL as its last argument. It loads the consent page, submits the form
//! like a person would (Allow, or Deny with `CONSENT_DECISION=deny`), follows
//! the redirect to the loopback callback, and appends what the browser tab
//! ended up showing to `CONSENT_LOG` (status and text), if set.
//!
//! For an https loopback redirect it trusts the self-signed certificate, as
//! a person does after the one-time warning, and only for loopback hosts.
//!
//! Test knobs: `CONSENT_NO_FOLLOW=1` prints the redirect URL on stdout
//! instead of following it (for the paste transport); `CONSENT_TAMPER` set
//! to `wrong_state` or `drop_state` alters the redirect's `state`;
//! `CONSENT_STRAY=1` first sends the callback server stray requests
//! (`/favicon.ico`, another path, a foreign Host) and logs their statuses;
//! `CONSENT_ORG` picks an organization on the page's picker by position
//! (0, 1, …), id or name, instead of the pre-selected first one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

fn main() {
    let url = std::env::args()
        .next_back()
        .expect("the URL as the last argument");
    let decision = std::env::var("CONSENT_DECISION").unwrap_or_else(|_| "allow".into());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(act(&url, &decision));
    log(&match outcome {
        Ok((status, text)) => format!("{status} {}", text.replace('\n', " ")),
        Err(err) => format!("error {err}"),
    });
}

async fn act(url: &str, decision: &str) -> Result<(u16, String), String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let page = client.get(url).send().await.map_err(|e| e.to_string())?;
    let status = page.status().as_u16();
    let html = page.text().await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Ok((status, text_of(&html)));
    }
    let mut form = form_fields(&html);
    form.push(("decision".into(), decision.into()));
    let action = url::Url::parse(url)
        .and_then(|base| base.join(&attribute_of(&html, "<form", "action").unwrap_or_default()))
        .map_err(|e| e.to_string())?;
    let answer = client
        .post(action)
        .form(&form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let Some(location) = answer.headers().get("location") else {
        let status = answer.status().as_u16();
        return Ok((status, text_of(&answer.text().await.unwrap_or_default())));
    };
    let mut callback = url::Url::parse(location.to_str().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    if let Ok(tamper) = std::env::var("CONSENT_TAMPER") {
        let pairs: Vec<(String, String)> = callback
            .query_pairs()
            .filter(|(name, _)| name != "state")
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        let mut query = callback.query_pairs_mut();
        query.clear().extend_pairs(&pairs);
        if tamper == "wrong_state" {
            query.append_pair("state", "not-the-state-that-was-sent");
        }
        drop(query);
    }
    if std::env::var("CONSENT_NO_FOLLOW").is_ok() {
        println!("{callback}");
        return Ok((302, format!("redirected to {callback}")));
    }
    let loopback = matches!(
        callback.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]")
    );
    let tab = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .danger_accept_invalid_certs(loopback && callback.scheme() == "https")
        .build()
        .map_err(|e| e.to_string())?;
    if std::env::var("CONSENT_STRAY").is_ok() {
        stray(&tab, &callback).await;
    }
    let shown = tab.get(callback).send().await.map_err(|e| e.to_string())?;
    let status = shown.status().as_u16();
    Ok((status, text_of(&shown.text().await.unwrap_or_default())))
}

/// Requests a browser (or another program) might send the callback server
/// before the real redirect; each status is logged.
async fn stray(client: &reqwest::Client, callback: &url::Url) {
    let mut favicon = callback.clone();
    favicon.set_path("/favicon.ico");
    favicon.set_query(None);
    let mut other = callback.clone();
    other.set_path("/other");
    let requests = [
        ("favicon", client.get(favicon)),
        ("other-path", client.get(other)),
        (
            "foreign-host",
            client.get(callback.clone()).header("host", "evil.example"),
        ),
    ];
    for (name, request) in requests {
        let status = match request.send().await {
            Ok(response) => response.status().as_u16().to_string(),
            Err(err) => format!("error {err}"),
        };
        log(&format!("stray {name} {status}"));
    }
}

fn log(line: &str) {
    if let Ok(path) = std::env::var("CONSENT_LOG") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(file, "{line}").unwrap();
    }
}

/// Every hidden input and the chosen radio button, as a browser submits:
/// the pre-checked one, or the one `CONSENT_ORG` names.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let wanted_org = std::env::var("CONSENT_ORG").ok();
    let mut fields = Vec::new();
    let mut radios = Vec::new();
    for tag in html.split("<input").skip(1) {
        let (tag, after) = tag.split_at(tag.find('>').unwrap_or(tag.len()));
        let kind = attribute(tag, "type").unwrap_or_default();
        let Some(name) = attribute(tag, "name") else {
            continue;
        };
        let value = attribute(tag, "value").unwrap_or_default();
        match kind.as_str() {
            "hidden" => fields.push((name, value)),
            "radio" => {
                // The label text follows the input: `> Name <span …`.
                let label = after
                    .trim_start_matches('>')
                    .split('<')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                radios.push((name, value, unescape(&label), tag.contains(" checked")));
            }
            _ => {}
        }
    }
    let chosen = match &wanted_org {
        Some(wanted) => radios
            .iter()
            .enumerate()
            .position(|(i, (_, value, label, _))| {
                wanted == &i.to_string() || wanted == value || wanted.eq_ignore_ascii_case(label)
            }),
        None => radios.iter().position(|(.., checked)| *checked),
    };
    if let Some(wanted) = &wanted_org {
        assert!(chosen.is_some(), "CONSENT_ORG={wanted} is not on the page");
    }
    if let Some((name, value, ..)) = chosen.map(|i| radios.swap_remove(i)) {
        fields.push((name, value));
    }
    fields
}

fn attribute_of(html: &str, tag: &str, name: &str) -> Option<String> {
    let start = html.find(tag)?;
    let end = start + html[start..].find('>')?;
    attribute(&html[start..end], name)
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The visible text of a page, roughly: tags dropped, whitespace folded.
fn text_of(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    unescape(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}
