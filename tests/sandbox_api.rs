#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sandbox's REST API over real HTTP: a sandbox on a free loopback port,
//! called as the admin of each organization with an OAuth access token.

mod sandbox_support;

use std::collections::HashSet;

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use close_tui::sandbox::SandboxArgs;
use sandbox_support::{Harness, with_admins};
use serde_json::{Value, json};

struct Api {
    h: Harness,
    org_ids: Vec<String>,
    tokens: Vec<String>,
}

impl Api {
    async fn new(args: SandboxArgs) -> Self {
        let (h, org_ids, tokens) = with_admins(args).await;
        Self { h, org_ids, tokens }
    }

    async fn leads(n: usize) -> Self {
        Self::new(SandboxArgs {
            leads: n,
            ..SandboxArgs::defaults()
        })
        .await
    }

    /// Sends `req` to the sandbox as the admin of organization `org`.
    async fn call(&self, org: usize, req: Request<Body>) -> (StatusCode, Value) {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let mut request = self
            .h
            .http
            .request(parts.method, self.h.url(&parts.uri.to_string()))
            .bearer_auth(&self.tokens[org])
            .body(body.to_vec());
        for (name, value) in &parts.headers {
            request = request.header(name, value);
        }
        let res = request.send().await.unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes)));
        (status, body)
    }

    async fn get(&self, org: usize, uri: &str) -> (StatusCode, Value) {
        self.call(org, Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    async fn ok(&self, org: usize, uri: &str) -> Value {
        let (status, body) = self.get(org, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        body
    }

    /// Every record of a list, paging with `_skip`.
    async fn all(&self, org: usize, path: &str, limit: usize) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        loop {
            let body = self
                .ok(
                    org,
                    &format!("{path}{sep}_limit={limit}&_skip={}", out.len()),
                )
                .await;
            let page = body["data"].as_array().unwrap().clone();
            assert!(page.len() <= limit);
            out.extend(page);
            if !body["has_more"].as_bool().unwrap() {
                return out;
            }
        }
    }

    async fn totals(&self, org: usize) -> Value {
        self.ok(
            org,
            &format!("/_sandbox/totals?organization_id={}", self.org_ids[org]),
        )
        .await
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn unique(ids: &[String]) -> HashSet<&String> {
    let set: HashSet<_> = ids.iter().collect();
    assert_eq!(set.len(), ids.len(), "duplicate ids");
    set
}

#[tokio::test]
async fn paging_returns_every_lead_exactly_once() {
    let api = Api::leads(300).await;
    for org in 0..2 {
        let leads = api.all(org, "/api/v1/lead/", 37).await;
        unique(&ids(&leads));
        assert_eq!(
            leads.len() as u64,
            api.totals(org).await["leads"].as_u64().unwrap()
        );
        let created: Vec<&str> = leads
            .iter()
            .map(|l| l["date_created"].as_str().unwrap())
            .collect();
        assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
        for kind in ["contact/", "opportunity/", "task/?_type=all", "activity/"] {
            let rows = api.all(org, &format!("/api/v1/{kind}"), 100).await;
            unique(&ids(&rows));
            let key = match kind {
                "task/?_type=all" => "tasks",
                "opportunity/" => "opportunities",
                "activity/" => "activities",
                _ => "contacts",
            };
            assert_eq!(
                rows.len() as u64,
                api.totals(org).await[key].as_u64().unwrap(),
                "{kind}"
            );
        }
    }
    assert_eq!(api.totals(0).await["leads"], 180);
}

#[tokio::test]
async fn limits_and_max_skip_are_enforced() {
    let api = Api::new(SandboxArgs {
        leads: 300,
        max_skip: 100,
        ..SandboxArgs::defaults()
    })
    .await;
    let (status, body) = api.get(0, "/api/v1/lead/?_limit=201").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["field-errors"]["_limit"].is_string(), "{body}");
    assert_eq!(
        api.ok(0, "/api/v1/lead/?_limit=200").await["data"]
            .as_array()
            .unwrap()
            .len(),
        180
    );
    for uri in [
        "/api/v1/contact/?_limit=101",
        "/api/v1/opportunity/?_limit=251",
        "/api/v1/activity/?_limit=101",
    ] {
        assert_eq!(api.get(0, uri).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }
    let (status, body) = api.get(0, "/api/v1/lead/?_skip=101").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("max_skip = 100"),
        "{body}"
    );
    assert_eq!(
        api.get(0, "/api/v1/activity/?_skip=101").await.0,
        StatusCode::BAD_REQUEST
    );
    api.ok(0, "/api/v1/lead/?_skip=100").await;
}

#[tokio::test]
async fn date_updated_query_returns_exactly_the_matching_leads_in_order() {
    let api = Api::leads(300).await;
    let leads = api.all(0, "/api/v1/lead/", 200).await;
    let mut dates: Vec<&str> = leads
        .iter()
        .map(|l| l["date_updated"].as_str().unwrap())
        .collect();
    dates.sort();
    let minute = &dates[dates.len() / 2][..16]; // YYYY-MM-DDTHH:MM
    let expected: HashSet<String> = leads
        .iter()
        .filter(|l| &l["date_updated"].as_str().unwrap()[..16] >= minute)
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    let q = enc(&format!(r#"date_updated>="{minute}" sort:date_updated"#));
    let first = api
        .ok(0, &format!("/api/v1/lead/?query={q}&_limit=10"))
        .await;
    assert_eq!(
        first["total_results"].as_u64().unwrap() as usize,
        expected.len()
    );
    let found = api.all(0, &format!("/api/v1/lead/?query={q}"), 10).await;
    let found_ids = ids(&found);
    assert_eq!(
        unique(&found_ids)
            .into_iter()
            .cloned()
            .collect::<HashSet<_>>(),
        expected
    );
    let order: Vec<&str> = found
        .iter()
        .map(|l| l["date_updated"].as_str().unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "ascending date_updated"
    );

    let q = enc(&format!(r#"date_updated<"{minute}" sort:-date_updated"#));
    let older = api.all(0, &format!("/api/v1/lead/?query={q}"), 50).await;
    assert_eq!(older.len() + expected.len(), leads.len());
    let order: Vec<&str> = older
        .iter()
        .map(|l| l["date_updated"].as_str().unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] >= w[1]),
        "descending date_updated"
    );
}

#[tokio::test]
async fn free_text_and_bad_queries() {
    let api = Api::leads(300).await;
    let leads = api.all(1, "/api/v1/lead/", 200).await;
    let word = leads[0]["name"]
        .as_str()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_uppercase();
    let expected = leads
        .iter()
        .filter(|l| {
            let hit = |s: &str| s.to_lowercase().contains(&word.to_lowercase());
            hit(l["name"].as_str().unwrap())
                || l["contacts"].as_array().unwrap().iter().any(|c| {
                    hit(c["name"].as_str().unwrap())
                        || c["emails"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|e| hit(e["email"].as_str().unwrap()))
                })
        })
        .count();
    let body = api
        .ok(1, &format!("/api/v1/lead/?query={}", enc(&word)))
        .await;
    assert_eq!(body["total_results"].as_u64().unwrap() as usize, expected);
    for bad in [
        "foo:bar",
        "date_updated>=yesterday",
        "sort:name",
        "\"unterminated",
    ] {
        let (status, body) = api
            .get(1, &format!("/api/v1/lead/?query={}", enc(bad)))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(body["error"].is_string());
    }
}

#[tokio::test]
async fn gt_filters_return_exactly_the_matching_records() {
    let api = Api::leads(300).await;
    for (path, field, total) in [
        ("/api/v1/opportunity/", "date_updated", true),
        ("/api/v1/activity/", "date_created", false),
    ] {
        let rows = api.all(0, path, 100).await;
        let mut dates: Vec<&str> = rows.iter().map(|r| r[field].as_str().unwrap()).collect();
        dates.sort();
        let cut = dates[dates.len() / 3];
        let expected: HashSet<String> = rows
            .iter()
            .filter(|r| r[field].as_str().unwrap() > cut)
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        let filtered = format!("{path}?{field}__gt={}", enc(cut));
        let found = api.all(0, &filtered, 30).await;
        let found_ids = ids(&found);
        assert_eq!(
            unique(&found_ids)
                .into_iter()
                .cloned()
                .collect::<HashSet<_>>(),
            expected,
            "{path}"
        );
        if total {
            let body = api.ok(0, &format!("{filtered}&_limit=5")).await;
            assert_eq!(
                body["total_results"].as_u64().unwrap() as usize,
                expected.len()
            );
        }
        let before = api
            .all(0, &format!("{path}?{field}__lt={}", enc(cut)), 100)
            .await;
        assert!(before.iter().all(|r| r[field].as_str().unwrap() < cut));
    }
}

#[tokio::test]
async fn dates_without_a_zone_are_read_in_the_x_tz_offset_zone() {
    // This organization's default zone is five hours west of UTC; a
    // request says otherwise with `x-tz-offset` (hours).
    let api = Api::new(SandboxArgs {
        leads: 300,
        tz_offset: -5.0,
        ..SandboxArgs::defaults()
    })
    .await;
    let rows = api.all(0, "/api/v1/opportunity/", 100).await;
    let date = |r: &Value| {
        chrono::DateTime::parse_from_rfc3339(r["date_updated"].as_str().unwrap()).unwrap()
    };
    let mut dates: Vec<_> = rows.iter().map(date).collect();
    dates.sort();
    let naive = dates[dates.len() / 2]
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let cut = chrono::NaiveDateTime::parse_from_str(&naive, "%Y-%m-%dT%H:%M:%S").unwrap();
    // Read `minutes` east of UTC, the naive cut is that much earlier in UTC.
    let after = |minutes: i64| -> HashSet<String> {
        let utc = cut - chrono::TimeDelta::minutes(minutes);
        rows.iter()
            .filter(|r| date(r).naive_utc() > utc)
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let uri = format!(
        "/api/v1/opportunity/?date_updated__gt={}&_limit=250",
        enc(&naive)
    );
    for (header, minutes) in [
        (Some("0"), 0),
        (Some("2"), 120),
        (Some("-3.5"), -210),
        (None, -300),
    ] {
        let mut request = Request::get(&uri);
        if let Some(value) = header {
            request = request.header("x-tz-offset", value);
        }
        let (status, body) = api.call(0, request.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["has_more"], false);
        let found: HashSet<String> = ids(body["data"].as_array().unwrap()).into_iter().collect();
        let expected = after(minutes);
        assert!(!expected.is_empty() && expected.len() < rows.len());
        assert_eq!(found, expected, "x-tz-offset {header:?}");
    }
}

#[tokio::test]
async fn activities_sort_as_order_by_says() {
    let api = Api::leads(100).await;
    let dates = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["date_created"].as_str().unwrap().to_owned())
            .collect()
    };
    let lead = &api.ok(0, "/api/v1/lead/?_limit=1").await["data"][0]["id"];
    let lead = lead.as_str().unwrap();
    for (order, newest) in [
        ("-date_created", true),
        ("date_created", false),
        ("-activity_at", true),
    ] {
        let body = api
            .ok(
                0,
                &format!("/api/v1/activity/?lead_id={lead}&_order_by={order}"),
            )
            .await;
        let mut sorted = dates(&body);
        sorted.sort();
        if newest {
            sorted.reverse();
        }
        assert_eq!(dates(&body), sorted, "{order}");
    }
    let body = api
        .ok(0, "/api/v1/activity/?_order_by=date_created&_limit=20")
        .await;
    assert!(
        dates(&body).is_sorted(),
        "oldest first across the organization"
    );
    for refused in ["-activity_at", "name"] {
        let (status, body) = api
            .get(0, &format!("/api/v1/activity/?_order_by={refused}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert!(body["field-errors"]["_order_by"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn activity_type_filter_needs_lead_id() {
    let api = Api::leads(100).await;
    let (status, body) = api.get(0, "/api/v1/activity/?_type=Call").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("lead_id"));
    let lead = &api.ok(0, "/api/v1/lead/?_limit=1").await["data"][0]["id"];
    let lead = lead.as_str().unwrap();
    let all = api
        .ok(0, &format!("/api/v1/activity/?lead_id={lead}"))
        .await;
    let all = all["data"].as_array().unwrap();
    assert!((2..=6).contains(&all.len()));
    assert!(all.iter().all(|a| a["lead_id"] == lead));
    let notes = api
        .ok(0, &format!("/api/v1/activity/?lead_id={lead}&_type=Note"))
        .await;
    let notes = notes["data"].as_array().unwrap();
    assert_eq!(
        notes.len(),
        all.iter().filter(|a| a["_type"] == "Note").count()
    );
}

#[tokio::test]
async fn fields_trim_records() {
    let api = Api::leads(50).await;
    let body = api
        .ok(0, "/api/v1/lead/?_fields=id,name,status_label")
        .await;
    for lead in body["data"].as_array().unwrap() {
        let keys: HashSet<&str> = lead
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, HashSet::from(["id", "name", "status_label"]));
    }
    let me = api.ok(0, "/api/v1/me/?_fields=id,email").await;
    assert_eq!(me.as_object().unwrap().len(), 2);
    let opp = api
        .ok(0, "/api/v1/opportunity/?_fields=id,value&_limit=3")
        .await;
    assert_eq!(opp["data"][0].as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn records_have_close_shapes() {
    let api = Api::leads(200).await;
    let leads = api.all(0, "/api/v1/lead/", 200).await;
    let lead = leads
        .iter()
        .find(|l| !l["opportunities"].as_array().unwrap().is_empty())
        .unwrap();
    for key in [
        "id",
        "display_name",
        "name",
        "status_id",
        "status_label",
        "description",
        "url",
        "html_url",
        "organization_id",
        "date_created",
        "date_updated",
        "created_by",
        "updated_by",
        "contacts",
        "opportunities",
        "tasks",
        "addresses",
        "custom",
    ] {
        assert!(lead.get(key).is_some(), "lead lacks {key}");
    }
    assert!(lead["id"].as_str().unwrap().starts_with("lead_"));
    assert!(lead["status_id"].as_str().unwrap().starts_with("stat_"));
    let date = lead["date_created"].as_str().unwrap();
    assert_eq!(date.len(), 32);
    assert!(date.ends_with("+00:00") && date.as_bytes()[19] == b'.');
    let opp = &lead["opportunities"][0];
    assert!(opp["id"].as_str().unwrap().starts_with("oppo_"));
    assert!(opp["pipeline_id"].as_str().unwrap().starts_with("pipe_"));
    assert!(["active", "won", "lost"].contains(&opp["status_type"].as_str().unwrap()));
    assert!(opp["value"].is_u64() && opp["lead_name"] == lead["name"]);
    assert!(leads.iter().any(|l| {
        l.as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("custom.cf_"))
    }));
    assert!(leads.iter().any(|l| l["description"].is_null()));
    let one = api
        .ok(
            0,
            &format!("/api/v1/lead/{}/", lead["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(&one, lead);
    let contact = &leads.iter().find(|l| l["contacts"][0].is_object()).unwrap()["contacts"][0];
    let same = api
        .ok(
            0,
            &format!("/api/v1/contact/{}/", contact["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(&same, contact);

    let me = api.ok(0, "/api/v1/me/").await;
    assert_eq!(me["organizations"][0]["id"], api.org_ids[0]);
    assert_eq!(me["memberships"][0]["organization_id"], api.org_ids[0]);
    let org = api
        .ok(0, &format!("/api/v1/organization/{}/", api.org_ids[0]))
        .await;
    assert_eq!(org["memberships"][0]["user_id"], me["id"]);
    assert!(
        !org["pipelines"][0]["statuses"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let statuses = api.ok(0, "/api/v1/status/opportunity/").await;
    assert!(
        statuses["data"][0]["pipeline_id"]
            .as_str()
            .unwrap()
            .starts_with("pipe_")
    );
    assert!(
        api.ok(0, "/api/v1/status/lead/").await["data"]
            .as_array()
            .unwrap()
            .len()
            >= 4
    );
    assert_eq!(
        api.ok(0, "/api/v1/pipeline/").await["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let users = api.ok(0, "/api/v1/user/").await;
    let user_id = users["data"][1]["id"].as_str().unwrap();
    assert_eq!(
        api.ok(0, &format!("/api/v1/user/{user_id}/")).await["id"],
        user_id
    );

    let lead_tasks = api.all(0, "/api/v1/task/", 1000).await;
    assert!(lead_tasks.iter().all(|t| t["_type"] == "lead"));
    let all_tasks = api.all(0, "/api/v1/task/?_type=all", 1000).await;
    assert!(all_tasks.len() > lead_tasks.len());
    let done = api
        .all(0, "/api/v1/task/?_type=all&is_complete=true", 1000)
        .await;
    assert!(done.iter().all(|t| t["is_complete"] == true));
}

#[tokio::test]
async fn same_seed_same_json_other_seed_other_json() {
    let page = |seed| async move {
        let api = Api::new(SandboxArgs {
            leads: 120,
            seed,
            ..SandboxArgs::defaults()
        })
        .await;
        api.ok(0, "/api/v1/lead/?_limit=50").await
    };
    assert_eq!(page(11).await, page(11).await);
    assert_ne!(page(11).await, page(12).await);
}

#[tokio::test]
async fn organizations_are_isolated() {
    let api = Api::leads(200).await;
    let a: HashSet<String> = ids(&api.all(0, "/api/v1/lead/", 200).await)
        .into_iter()
        .collect();
    let b = ids(&api.all(1, "/api/v1/lead/", 200).await);
    assert!(b.iter().all(|id| !a.contains(id)));
    let (status, _) = api
        .get(1, &format!("/api/v1/lead/{}/", a.iter().next().unwrap()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .get(1, &format!("/api/v1/organization/{}/", api.org_ids[0]))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = api
        .ok(
            1,
            &format!("/api/v1/contact/?lead_id={}", a.iter().next().unwrap()),
        )
        .await;
    assert_eq!(body["data"], json!([]));
    let opp = &api.ok(0, "/api/v1/opportunity/?_limit=1").await["data"][0]["id"];
    let (status, _) = api
        .get(
            1,
            &format!("/api/v1/opportunity/{}/", opp.as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn touch_then_date_updated_query_finds_exactly_the_touched_leads() {
    let api = Api::leads(300).await;
    let before = api.totals(1).await;
    let req = Request::post("/_sandbox/touch")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"organization_id": api.org_ids[1], "count": 4, "create": 2}).to_string(),
        ))
        .unwrap();
    let (status, touched) = api.call(1, req).await;
    assert_eq!(status, StatusCode::OK, "{touched}");
    let mut want: HashSet<String> = serde_json::from_value(touched["changed"].clone()).unwrap();
    want.extend(serde_json::from_value::<Vec<String>>(touched["created"].clone()).unwrap());
    assert_eq!(want.len(), 6);
    let since = touched["date_updated"].as_str().unwrap();
    let q = enc(&format!(r#"date_updated>="{since}" sort:date_updated"#));
    let found = api.all(1, &format!("/api/v1/lead/?query={q}"), 100).await;
    assert_eq!(ids(&found).into_iter().collect::<HashSet<_>>(), want);
    let after = api.totals(1).await;
    assert_eq!(
        after["leads"].as_u64().unwrap(),
        before["leads"].as_u64().unwrap() + 2
    );
    assert_eq!(
        api.all(1, "/api/v1/lead/", 200).await.len() as u64,
        after["leads"].as_u64().unwrap()
    );

    let req = Request::post("/_sandbox/touch")
        .body(Body::from(
            json!({"count": 3, "resource": "opportunity"}).to_string(),
        ))
        .unwrap();
    let (_, touched) = api.call(0, req).await;
    let cut = enc(touched["date_updated"].as_str().unwrap());
    let found = api
        .all(
            0,
            &format!("/api/v1/opportunity/?date_updated__gt={cut}"),
            100,
        )
        .await;
    assert_eq!(found.len(), 2, "strictly after the first of three stamps");
    for body in [
        "{nope",
        r#"{"resource": "activity", "count": 2}"#,
        r#"{"create": 1, "activities": 256}"#,
    ] {
        let req = Request::post("/_sandbox/touch")
            .body(Body::from(body))
            .unwrap();
        let (status, _) = api.call(0, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test]
async fn bad_inputs_get_close_style_errors() {
    let api = Api::leads(50).await;
    for uri in [
        "/api/v1/lead/?_limit=abc",
        "/api/v1/lead/?_limit=-1",
        "/api/v1/lead/?_skip=-5",
        "/api/v1/lead/?_skip=999999999999999999999999999",
        "/api/v1/opportunity/?date_updated__gt=notadate",
        "/api/v1/opportunity/?status_type=maybe",
        "/api/v1/activity/?date_created__lt=2024-13-01",
        "/api/v1/task/?is_complete=perhaps",
    ] {
        let (status, body) = api.get(0, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(body.is_object(), "{uri}");
    }
    for uri in [
        "/api/v1/lead/lead_nope/",
        "/api/v1/contact/cont_abc/",
        "/api/v1/activity/acti_0000000000000000000000/",
        "/api/v1/user/user_x/",
        "/api/v1/organization/orga_x/",
    ] {
        let (status, body) = api.get(0, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body["error"].is_string());
    }
    let body = api.ok(0, "/api/v1/lead/?_skip=99999").await;
    assert_eq!(body, json!({"data": [], "has_more": false}));
}
