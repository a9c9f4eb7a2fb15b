//! Helpers shared by the sync, cache and export tests: a sandbox over
//! loopback, a real SQLite file in a temp dir, and an API-key client.
#![allow(dead_code)] // each test crate uses a different subset

use std::{collections::HashSet, sync::Arc, time::Duration};

use close_tui::{
    close::records::Resource,
    close::{AuthHeader, Backoff, CloseClient, Credentials, StaticCredentials, http_client},
    sandbox::{RunningSandbox, SandboxArgs, start},
    secret::Secret,
    store::{AccountId, KeyConfig, KeyMode, Store, cache::Cache},
    sync::{SyncOptions, Syncer},
};
use serde_json::Value;

pub struct Env {
    pub sandbox: RunningSandbox,
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub cache: Arc<Cache>,
    pub account: AccountId,
    pub http: reqwest::Client,
}

/// Quick retries, so fault-injection tests stay fast.
pub fn fast_backoff() -> Backoff {
    Backoff {
        base: Duration::from_millis(5),
        cap: Duration::from_millis(100),
        max_retries: 10,
    }
}

pub async fn env(args: SandboxArgs) -> Env {
    let sandbox = start(args).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyConfig::new(KeyMode::File, &dir.path().join("config"));
    let store = Store::open(dir.path().join("close.db"), keys).unwrap();
    let cache = Arc::new(store.cache().unwrap());
    let http = reqwest::Client::new();
    let me = api_client(&sandbox).me().await.unwrap();
    let account = AccountId::new(me.organizations[0].id.clone(), me.id.clone());
    Env {
        sandbox,
        dir,
        store,
        cache,
        account,
        http,
    }
}

pub fn api_client(sandbox: &RunningSandbox) -> CloseClient<StaticCredentials> {
    client_with(sandbox, StaticCredentials(key(sandbox)))
}

pub fn key(sandbox: &RunningSandbox) -> AuthHeader {
    AuthHeader::ApiKey(Secret::new(sandbox.info.api_key.clone()))
}

pub fn client_with<C: Credentials>(sandbox: &RunningSandbox, credentials: C) -> CloseClient<C> {
    CloseClient::with_backoff(
        http_client().unwrap(),
        sandbox.info.api_url.parse().unwrap(),
        credentials,
        fast_backoff(),
    )
}

impl Env {
    pub fn syncer(&self) -> Syncer<StaticCredentials> {
        self.syncer_with(api_client(&self.sandbox))
    }

    pub fn syncer_with<C: Credentials + 'static>(&self, client: CloseClient<C>) -> Syncer<C> {
        Syncer::new(client, Arc::clone(&self.cache), self.account.clone()).with_options(
            SyncOptions {
                concurrency: 4,
                ..SyncOptions::default()
            },
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.info.base_url)
    }

    /// `GET` a test hook's JSON.
    async fn hook(&self, path: &str) -> Value {
        self.http
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn totals(&self) -> Value {
        let org = &self.account.organization_id;
        self.hook(&format!("/_sandbox/totals?organization_id={org}"))
            .await
    }

    pub async fn stats(&self) -> Value {
        self.hook("/_sandbox/stats").await
    }

    pub async fn touch(&self, body: Value) -> Value {
        let url = self.url("/_sandbox/touch");
        let response = self.http.post(url).json(&body).send().await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.unwrap()
    }

    pub async fn faults(&self, body: Value) {
        let url = self.url("/_sandbox/faults");
        let response = self.http.post(url).json(&body).send().await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// The names of the cache file's indexes (those with DDL), sorted.
    pub fn indexes(&self) -> Vec<String> {
        let conn = rusqlite::Connection::open(self.cache.path()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
                 ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Every cached record of `resource` (raw JSON), asserting ids are unique.
    pub fn cached(&self, resource: Resource) -> Vec<Value> {
        self.cached_of(&self.account, resource)
    }

    /// [`Env::cached`] for another account sharing the cache file.
    pub fn cached_of(&self, account: &AccountId, resource: Resource) -> Vec<Value> {
        let mut out = Vec::new();
        self.cache
            .export_raw(account, resource, |raw| {
                out.push(serde_json::from_str::<Value>(raw).unwrap());
                Ok(())
            })
            .unwrap();
        let ids: HashSet<&str> = out.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), out.len(), "duplicate {} ids", resource.name());
        out
    }

    pub fn cached_ids(&self, resource: Resource) -> HashSet<String> {
        self.cached(resource)
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The ids the server lists at `path` (a small organization: paged
    /// plainly, no max_skip).
    pub async fn server_ids(&self, path: &str, extra: &[(&str, &str)]) -> HashSet<String> {
        let client = api_client(&self.sandbox);
        let mut ids = HashSet::new();
        let mut skip = 0;
        loop {
            let mut q: Vec<(&str, String)> = vec![("_fields", "id".to_owned())];
            q.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
            let page = client.page(path, &q, skip, 100).await.unwrap();
            skip += page.data.len();
            ids.extend(
                page.data
                    .iter()
                    .map(|r| r["id"].as_str().unwrap().to_owned()),
            );
            if !page.has_more {
                return ids;
            }
        }
    }

    /// Asserts the cache holds exactly what the sandbox's totals count.
    pub async fn assert_complete(&self) {
        self.assert_complete_of(&self.account).await;
    }

    /// [`Env::assert_complete`] for `account`, synced from the same
    /// organization into the same cache.
    pub async fn assert_complete_of(&self, account: &AccountId) {
        let totals = self.totals().await;
        let count = |key: &str| totals[key].as_u64().unwrap() as usize;
        let cached = |resource| self.cached_of(account, resource).len();
        assert_eq!(cached(Resource::Leads), count("leads"), "leads");
        assert_eq!(cached(Resource::Contacts), count("contacts"), "contacts");
        assert_eq!(
            cached(Resource::Opportunities),
            count("opportunities"),
            "opportunities"
        );
        assert_eq!(cached(Resource::Tasks), count("tasks"), "tasks");
    }
}

pub fn sandbox_args(leads: usize) -> SandboxArgs {
    SandboxArgs {
        leads,
        ..SandboxArgs::defaults()
    }
}
