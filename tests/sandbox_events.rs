#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Deleting records through `/_sandbox/touch`, and Close's event log
//! (`/api/v1/event/`), over real HTTP against a sandbox on a free port.

mod sandbox_support;

use std::collections::{HashMap, HashSet};

use close_tui::sandbox::SandboxArgs;
use reqwest::StatusCode;
use sandbox_support::{Harness, with_admins};
use serde_json::{Value, json};

/// A sandbox and an access token for the admin of each organization.
struct Api {
    h: Harness,
    org_ids: Vec<String>,
    tokens: Vec<String>,
}

impl Api {
    async fn leads(leads: usize) -> Self {
        let (h, org_ids, tokens) = with_admins(SandboxArgs {
            leads,
            ..SandboxArgs::defaults()
        })
        .await;
        Self { h, org_ids, tokens }
    }

    async fn get(&self, org: usize, path: &str) -> (StatusCode, Value) {
        let res = self
            .h
            .http
            .get(self.h.url(path))
            .bearer_auth(&self.tokens[org])
            .send()
            .await
            .unwrap();
        (res.status(), res.json().await.unwrap())
    }

    async fn ok(&self, org: usize, path: &str) -> Value {
        let (status, body) = self.get(org, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    /// Every record of a list, paging with `_skip`.
    async fn all(&self, org: usize, path: &str) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        loop {
            let page = format!("{path}{sep}_limit=100&_skip={}", out.len());
            let body = self.ok(org, &page).await;
            out.extend(body["data"].as_array().unwrap().iter().cloned());
            if !body["has_more"].as_bool().unwrap() {
                return out;
            }
        }
    }

    /// `POST /_sandbox/touch` in organization `org`; must succeed.
    async fn touch(&self, org: usize, mut body: Value) -> Value {
        body["organization_id"] = json!(self.org_ids[org]);
        let (status, answer) = self.post_touch(body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    async fn post_touch(&self, body: Value) -> (StatusCode, Value) {
        let res = self
            .h
            .http
            .post(self.h.url("/_sandbox/touch"))
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status(), res.json().await.unwrap())
    }

    async fn totals(&self, org: usize) -> Value {
        let path = format!("/_sandbox/totals?organization_id={}", self.org_ids[org]);
        self.ok(org, &path).await
    }

    /// Every event a query selects, following `cursor_next`; also returns
    /// how many pages it took.
    async fn events(&self, org: usize, query: &str, limit: usize) -> (Vec<Value>, usize) {
        let (mut out, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
        loop {
            let mut path = format!("/api/v1/event/?{query}&_limit={limit}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&_cursor={}", enc(c)));
            }
            let body = self.ok(org, &path).await;
            let data = body["data"].as_array().unwrap();
            assert!(data.len() <= limit, "{path}");
            out.extend(data.iter().cloned());
            pages += 1;
            match body["cursor_next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return (out, pages),
            }
        }
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap()
}

fn ids(records: &[Value], key: &str) -> Vec<String> {
    records
        .iter()
        .map(|r| r[key].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn deleted_records_leave_every_list_search_lookup_and_total() {
    let api = Api::leads(300).await;
    let lists = [
        ("/api/v1/contact/", "contacts"),
        ("/api/v1/opportunity/", "opportunities"),
        ("/api/v1/task/?_type=all", "tasks"),
        ("/api/v1/task/", "lead_tasks"),
        ("/api/v1/activity/", "activities"),
    ];
    let leads_before = api.all(0, "/api/v1/lead/").await;
    let names: HashMap<String, String> = leads_before
        .iter()
        .map(|l| {
            (
                ids(std::slice::from_ref(l), "id").remove(0),
                l["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut before = HashMap::new();
    for (path, _) in lists {
        before.insert(path, api.all(0, path).await);
    }

    let touched = api.touch(0, json!({"delete": 3})).await;
    let deleted: HashSet<String> = strings(&touched["deleted"]).into_iter().collect();
    assert_eq!(deleted.len(), 3);
    assert_eq!(
        touched["changed"],
        json!([]),
        "a delete-only touch changes nothing"
    );

    let totals = api.totals(0).await;
    let leads = api.all(0, "/api/v1/lead/").await;
    assert_eq!(leads.len(), leads_before.len() - 3);
    assert_eq!(leads.len() as u64, totals["leads"].as_u64().unwrap());
    assert!(ids(&leads, "id").iter().all(|id| !deleted.contains(id)));
    let sorted = api
        .ok(0, "/api/v1/lead/?query=sort%3Adate_updated&_limit=1")
        .await;
    assert_eq!(sorted["total_results"], totals["leads"]);
    for id in &deleted {
        let (status, _) = api.get(0, &format!("/api/v1/lead/{id}/")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let acts = api.ok(0, &format!("/api/v1/activity/?lead_id={id}")).await;
        assert_eq!(acts["data"], json!([]));
        // A search for its name finds the others of that name, not it.
        let found = api
            .all(
                0,
                &format!("/api/v1/lead/?query={}", enc(&format!("\"{}\"", names[id]))),
            )
            .await;
        assert!(!ids(&found, "id").contains(id));
    }
    for (path, total) in lists {
        let now = api.all(0, path).await;
        let was = &before[path];
        let gone: Vec<&Value> = was
            .iter()
            .filter(|r| deleted.contains(r["lead_id"].as_str().unwrap()))
            .collect();
        assert_eq!(now.len(), was.len() - gone.len(), "{path}");
        assert_eq!(now.len() as u64, totals[total].as_u64().unwrap(), "{path}");
        assert!(
            now.iter()
                .all(|r| !deleted.contains(r["lead_id"].as_str().unwrap()))
        );
        let resource = path
            .trim_start_matches("/api/v1/")
            .split('/')
            .next()
            .unwrap();
        for child in gone.iter().take(2) {
            let id = child["id"].as_str().unwrap();
            let (status, _) = api.get(0, &format!("/api/v1/{resource}/{id}/")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{resource} {id}");
        }
    }
    assert!(
        before["/api/v1/activity/"].len() > api.all(0, "/api/v1/activity/").await.len(),
        "the deleted leads had activities"
    );

    // A deleted contact leaves its lead, which is bumped.
    let touched = api
        .touch(0, json!({"resource": "contact", "delete": 1}))
        .await;
    let contact = strings(&touched["deleted"]).remove(0);
    let (status, _) = api.get(0, &format!("/api/v1/contact/{contact}/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let logged = api
        .ok(
            0,
            &format!("/api/v1/event/?object_id={contact}&action=deleted"),
        )
        .await;
    let lead_id = logged["data"][0]["lead_id"].as_str().unwrap().to_owned();
    let lead = api.ok(0, &format!("/api/v1/lead/{lead_id}/")).await;
    assert!(!ids(lead["contacts"].as_array().unwrap(), "id").contains(&contact));
    assert!(lead["date_updated"].as_str().unwrap() >= touched["date_updated"].as_str().unwrap());
    let listed = api
        .all(0, &format!("/api/v1/contact/?lead_id={lead_id}"))
        .await;
    assert!(!ids(&listed, "id").contains(&contact));
    assert_eq!(
        api.totals(0).await["contacts"].as_u64().unwrap(),
        totals["contacts"].as_u64().unwrap() - 1
    );

    // Deleted tasks leave the task list and the lead's tasks.
    let touched = api.touch(0, json!({"resource": "task", "delete": 2})).await;
    let tasks = ids(&api.all(0, "/api/v1/task/?_type=all").await, "id");
    for id in strings(&touched["deleted"]) {
        assert!(!tasks.contains(&id));
        let (status, _) = api.get(0, &format!("/api/v1/task/{id}/")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    assert_eq!(
        tasks.len() as u64,
        api.totals(0).await["tasks"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn the_event_log_pages_deleted_leads_newest_first_by_cursor() {
    let api = Api::leads(300).await;
    let mut calls = Vec::new();
    for n in [2, 1, 3] {
        calls.push(api.touch(0, json!({"delete": n})).await);
    }
    // Events of other kinds and actions, that the filter must leave out.
    api.touch(0, json!({"resource": "contact", "delete": 1}))
        .await;
    let changed = api.touch(0, json!({"count": 30})).await;
    let mut want: Vec<String> = calls.iter().flat_map(|c| strings(&c["deleted"])).collect();
    want.reverse();

    let (events, pages) = api.events(0, "object_type=lead&action=deleted", 2).await;
    assert_eq!(ids(&events, "object_id"), want, "newest first, each once");
    assert_eq!(pages, 3);
    let dates = ids(&events, "date_updated");
    assert!(dates.is_sorted_by(|a, b| a >= b));
    let user = api.h.sandbox.state.read_data().members(&api.org_ids[0])[0]
        .id
        .clone();
    for e in &events {
        let call = calls
            .iter()
            .find(|c| strings(&c["deleted"]).contains(&e["object_id"].as_str().unwrap().to_owned()))
            .unwrap();
        assert!(e["id"].as_str().unwrap().starts_with("ev_"));
        assert_eq!(e["date_created"], e["date_updated"]);
        assert_eq!(e["organization_id"], json!(api.org_ids[0]));
        assert_eq!(e["user_id"], json!(user));
        assert_eq!(e["request_id"], call["request_id"]);
        assert_eq!(e["lead_id"], e["object_id"]);
        for (key, value) in [
            ("api_key_id", json!(null)),
            ("object_type", json!("lead")),
            ("action", json!("deleted")),
            ("changed_fields", json!([])),
            ("meta", json!({})),
            ("data", json!(null)),
            ("previous_data", json!(null)),
        ] {
            assert_eq!(e[key], value, "{key}");
        }
    }
    let one = api
        .ok(
            0,
            &format!("/api/v1/event/{}/", events[0]["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(one, events[0]);

    // A date bound keeps the newer deletions.
    let since = enc(calls[2]["date_updated"].as_str().unwrap());
    let (newer, _) = api
        .events(
            0,
            &format!("object_type=lead&action=deleted&date_updated__gte={since}"),
            50,
        )
        .await;
    let mut last_call = strings(&calls[2]["deleted"]);
    last_call.reverse();
    assert_eq!(ids(&newer, "object_id"), last_call);

    // One request's events: its leads and all their children.
    let req = calls[0]["request_id"].as_str().unwrap();
    let (of_request, _) = api.events(0, &format!("request_id={req}"), 50).await;
    let leads: HashSet<String> = strings(&calls[0]["deleted"]).into_iter().collect();
    assert!(of_request.len() > leads.len());
    assert!(
        of_request
            .iter()
            .all(|e| leads.contains(e["lead_id"].as_str().unwrap()))
    );
    assert!(
        of_request
            .iter()
            .any(|e| e["object_type"].as_str().unwrap().starts_with("activity."))
    );

    // Changed leads are `updated` events with their changed fields.
    let (updated, _) = api.events(0, "object_type=lead&action=updated", 50).await;
    let changed_ids: HashSet<String> = strings(&changed["changed"]).into_iter().collect();
    let updated_ids: HashSet<String> = ids(&updated, "object_id").into_iter().collect();
    assert!(changed_ids.is_subset(&updated_ids));
    assert!(
        updated
            .iter()
            .all(|e| !e["changed_fields"].as_array().unwrap().is_empty())
    );

    // The other organization sees none of it.
    let other = api.ok(1, "/api/v1/event/").await;
    assert_eq!(
        (other["data"].clone(), other["cursor_next"].clone()),
        (json!([]), json!(null))
    );

    // `_limit` above 50 is capped.
    let capped = api.ok(0, "/api/v1/event/?_limit=500").await;
    assert_eq!(capped["data"].as_array().unwrap().len(), 50);
    assert!(capped["cursor_next"].is_string());
}

#[tokio::test]
async fn the_event_log_refuses_what_close_refuses() {
    let api = Api::leads(100).await;
    api.touch(0, json!({"delete": 3})).await;
    let user = api.h.sandbox.state.read_data().members(&api.org_ids[0])[0]
        .id
        .clone();
    let first = api.ok(0, "/api/v1/event/?_limit=1").await;
    let cursor = enc(first["cursor_next"].as_str().unwrap());
    for (path, says) in [
        (
            format!("/api/v1/event/?action=deleted&user_id={user}"),
            "not supported",
        ),
        ("/api/v1/event/?action=deleted".into(), "not supported"),
        ("/api/v1/event/?_cursor=not-a-cursor".into(), "_cursor"),
        ("/api/v1/event/?_cursor=AAAAAAAA".into(), "_cursor"),
        ("/api/v1/event/?_skip=5".into(), "_skip"),
        (
            "/api/v1/event/?date_updated__gte=yesterday".into(),
            "date_updated__gte",
        ),
    ] {
        let (status, body) = api.get(0, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body.to_string().contains(says), "{path}: {body}");
    }
    // A cursor is the organization's own.
    let (status, _) = api
        .get(1, &format!("/api/v1/event/?_cursor={cursor}"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api
        .get(
            1,
            &format!(
                "/api/v1/event/{}/",
                first["data"][0]["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn touch_counts_default_as_before_and_delete_is_capped() {
    let api = Api::leads(100).await;
    for (body, changed) in [
        (json!({}), 1),
        (json!({"count": 5}), 5),
        (json!({"create": 2}), 1),
        (json!({"delete": 1}), 0),
        (json!({"delete": 1, "count": 2}), 2),
    ] {
        let touched = api.touch(0, body.clone()).await;
        assert_eq!(strings(&touched["changed"]).len(), changed, "{body}");
        assert!(touched["request_id"].as_str().unwrap().starts_with("req_"));
    }
    let (status, body) = api.post_touch(json!({"delete": 10_001})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("delete"));
}
