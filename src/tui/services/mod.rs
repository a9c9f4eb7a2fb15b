//! The effects `update` asks for. Each `Cmd` runs on its own task with
//! owned inputs and answers with a `Msg`; nothing here touches the model.

mod account;
pub mod cache;
mod login;
mod records;
mod rows;
mod session;
mod sync;
mod watch;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use tokio::sync::{OnceCell, mpsc, oneshot};
use tracing::Instrument;

use self::session::SessionSlot;
use super::{
    model::Generation,
    msg::{Cmd, Msg},
};
use crate::{
    close::records::Resource,
    config::Settings,
    store::{KeyConfig, Store, cache::Cache},
};

/// Why a service failed; shown to the user as a toast or inline.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("no account is connected")]
    NoAccount,
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Api(#[from] crate::close::ApiError),
    #[error("{0}")]
    Session(#[from] crate::session::SessionError),
    #[error("{0}")]
    Other(String),
}

/// What every task may need, shared read-only.
pub struct Shared {
    pub settings: Settings,
    /// Where the store's key lives; `None` follows `CLOSE_TUI_KEY_STORE`.
    keys: Option<KeyConfig>,
    /// The database, opened once on a blocking thread by whichever task
    /// needs it first, so the first frame never waits for SQLite or the
    /// keyring. `Err` when it cannot be opened: the app still runs and
    /// shows why.
    store: OnceCell<Result<Arc<Store>, String>>,
    /// The offline cache in the same database, on connections of its own,
    /// opened when a screen first reads it; `None` when it cannot be
    /// opened (the screens then read from Close directly).
    cache: OnceCell<Option<Arc<Cache>>>,
    /// The demo sandbox approves consent by itself, so the app fetches the
    /// authorize URL itself instead of opening a browser.
    pub auto_approve: bool,
    pub tx: mpsc::UnboundedSender<Msg>,
    pub session: SessionSlot,
    /// The newest page request of each resource, so an older one still
    /// queued (keys typed faster than the cache answers) is skipped
    /// instead of making the newest wait behind it.
    pub pages: Mutex<HashMap<Resource, Generation>>,
    /// The background sync that may still speak to the app (see
    /// `sync.rs`): one at a time, and an older one's news is dropped.
    pub sync: sync::Current,
}

impl Shared {
    /// The store, opening it on first use.
    pub async fn store(&self) -> Result<Arc<Store>, ServiceError> {
        self.store
            .get_or_init(|| {
                let settings = self.settings.clone();
                let keys = self.keys.clone();
                blocking_open(move || match keys {
                    Some(keys) => Store::open(&settings.db_path, keys).map(Arc::new),
                    None => crate::session::open_store(&settings),
                })
            })
            .await
            .clone()
            .map_err(ServiceError::Other)
    }

    /// The store when it is open already (after any `store().await`).
    pub fn store_now(&self) -> Option<Arc<Store>> {
        self.store.get()?.clone().ok()
    }

    /// The offline cache, opened (after the store) on first use.
    pub async fn cache(&self) -> Option<Arc<Cache>> {
        self.store().await.ok()?;
        self.cache
            .get_or_init(|| {
                let path = self.settings.db_path.clone();
                async move {
                    blocking_open(move || Cache::open(&path).map(Arc::new))
                        .await
                        .inspect_err(|err| {
                            tracing::warn!(%err, "the cache cannot be opened; reading from Close");
                        })
                        .ok()
                }
            })
            .await
            .clone()
    }

    /// The cache when a screen has opened it already.
    pub fn cache_now(&self) -> Option<Arc<Cache>> {
        self.cache.get()?.clone()
    }

    pub fn send(&self, msg: Msg) {
        // The receiver lives as long as the app loop; after it has gone
        // there is nobody to tell.
        let _ = self.tx.send(msg);
    }

    /// Sends `result` as a message, telling the app first when it failed
    /// because Close could not be reached (so the badge says offline and
    /// the screen retries).
    pub fn reply<T>(
        &self,
        result: Result<T, ServiceError>,
        msg: impl FnOnce(Result<T, String>) -> Msg,
    ) {
        if let Err(ServiceError::Api(err)) = &result
            && unreachable(err)
        {
            self.send(Msg::Offline(err.to_string()));
        }
        self.send(msg(result.map_err(|e| e.to_string())));
    }

    /// True when a newer page of `resource` than `generation` was asked
    /// for: the model drops this one's answer anyway.
    pub fn superseded(&self, resource: Resource, generation: Generation) -> bool {
        let pages = self.pages.lock().unwrap_or_else(PoisonError::into_inner);
        pages
            .get(&resource)
            .is_some_and(|newest| *newest > generation)
    }
}

/// Whether `err` means Close cannot be reached (now): the app goes offline,
/// shows why, and retries.
pub(super) fn unreachable(err: &crate::close::ApiError) -> bool {
    use crate::close::ApiError;
    matches!(
        err,
        ApiError::Network(_) | ApiError::Refused(_) | ApiError::Server { .. }
    )
}

/// Opens part of the database on the blocking pool.
async fn blocking_open<T: Send + 'static>(
    open: impl FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, String> {
    match tokio::task::spawn_blocking(open).await {
        Ok(result) => result.map_err(|err| err.to_string()),
        Err(err) => Err(err.to_string()),
    }
}

/// Runs one command's work on its own task, inside a span naming the
/// command, so the log shows which command a line belongs to.
fn spawn(cmd: &'static str, work: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(work.instrument(tracing::info_span!("tui_cmd", cmd)));
}

/// A login in flight: where pasted URLs go and how to stop it.
struct LoginHandle {
    paste: mpsc::Sender<String>,
    cancel: Option<oneshot::Sender<()>>,
}

pub struct Services {
    shared: Arc<Shared>,
    logins: HashMap<Generation, LoginHandle>,
}

impl Services {
    /// `keys` overrides where the store's key lives (the demo keeps its own
    /// key file); `None` follows `CLOSE_TUI_KEY_STORE`.
    pub fn new(
        settings: Settings,
        auto_approve: bool,
        keys: Option<KeyConfig>,
        tx: mpsc::UnboundedSender<Msg>,
    ) -> Self {
        let shared = Arc::new(Shared {
            settings,
            keys,
            store: OnceCell::new(),
            cache: OnceCell::new(),
            auto_approve,
            tx,
            session: SessionSlot::default(),
            pages: Mutex::default(),
            sync: sync::Current::default(),
        });
        // Start opening the database now, beside the terminal's set-up and
        // the first frame.
        let opening = Arc::clone(&shared);
        tokio::spawn(async move {
            let _ = opening.store().await;
        });
        tokio::spawn(watch::cache_changes(Arc::clone(&shared)));
        Self {
            shared,
            logins: HashMap::new(),
        }
    }

    /// Starts one command. Returns at once; the answer comes as a `Msg`.
    /// `Quit` and `Copy` belong to the app loop and are ignored here.
    pub fn run(&mut self, cmd: Cmd) {
        let shared = Arc::clone(&self.shared);
        match cmd {
            Cmd::Quit | Cmd::Copy { .. } => {}
            Cmd::LoadAccounts => {
                spawn("load_accounts", async move {
                    session::load_accounts(&shared).await
                });
            }
            Cmd::Activate(id) => {
                spawn(
                    "activate",
                    async move { session::activate(&shared, id).await },
                );
            }
            Cmd::StartLogin { attempt } => {
                self.logins.retain(|_, h| !h.paste.is_closed());
                let (paste, pasted) = mpsc::channel(4);
                let (cancel, cancelled) = oneshot::channel();
                self.logins.insert(
                    attempt,
                    LoginHandle {
                        paste,
                        cancel: Some(cancel),
                    },
                );
                spawn("login", login::oauth(shared, attempt, pasted, cancelled));
            }
            Cmd::PasteRedirect { attempt, text } => {
                if let Some(handle) = self.logins.get(&attempt) {
                    let paste = handle.paste.clone();
                    let text = text.expose().to_owned();
                    tokio::spawn(async move { paste.send(text).await });
                }
            }
            Cmd::CancelLogin { attempt } => {
                if let Some(mut handle) = self.logins.remove(&attempt)
                    && let Some(cancel) = handle.cancel.take()
                {
                    let _ = cancel.send(());
                }
            }
            Cmd::OpenBrowser { url } => {
                let env = crate::auth::browser::BrowserEnv::from_process(false);
                let launch =
                    crate::auth::browser::open(&url, shared.settings.browser.as_deref(), &env);
                if let crate::auth::browser::Launch::Failed { reason }
                | crate::auth::browser::Launch::Skipped { reason } = launch
                {
                    shared.send(Msg::Error(format!("no browser opened: {reason}")));
                }
            }
            Cmd::ApiKeyLogin { attempt, key } => {
                spawn("api_key_login", login::api_key(shared, attempt, key));
            }
            Cmd::Sync => {
                // A sync still running (for the account before a switch,
                // say) stops: two at once would fetch and write twice.
                let (epoch, stale) = shared.sync.begin();
                if let Some(stale) = stale {
                    stale.abort();
                }
                let task = tokio::spawn(
                    sync::run(Arc::clone(&shared), epoch)
                        .instrument(tracing::info_span!("tui_cmd", cmd = "sync")),
                );
                shared.sync.started(epoch, task.abort_handle());
            }
            Cmd::Disconnect(id) => {
                // Its sync stops first, or it would write its records back
                // into the cache the logout empties.
                if let Some(stopped) = shared.sync.stop_for(&id) {
                    stopped.abort();
                    shared.send(Msg::Synced(Err(
                        "sync stopped: the account was disconnected".into(),
                    )));
                }
                spawn("disconnect", account::disconnect(shared, id));
            }
            Cmd::LoadProfile { generation } => {
                spawn("profile", account::profile(shared, generation));
            }
            Cmd::LoadOrganization {
                generation,
                organization_id,
            } => {
                spawn(
                    "organization",
                    account::organization(shared, generation, organization_id),
                );
            }
            Cmd::FetchPage(request) => {
                shared
                    .pages
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(request.resource, request.generation);
                spawn("page", records::page(shared, request));
            }
            Cmd::LoadDetail {
                resource,
                generation,
                id,
                from_close,
            } => {
                let detail = records::detail(shared, resource, generation, id, from_close);
                spawn("detail", detail);
            }
            Cmd::LoadActivities {
                resource,
                generation,
                lead_id,
            } => {
                spawn(
                    "activities",
                    records::activities(shared, resource, generation, lead_id),
                );
            }
        }
    }
}
