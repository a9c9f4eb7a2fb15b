//! Login attempts: OAuth in the browser (or by paste), and API keys. Each
//! step is reported as `Msg::Login` for its attempt.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};

use super::Shared;
use crate::{
    auth::{
        browser::{BrowserEnv, Launch},
        callback::Outcome,
        client::{TokenClient, TokenClientConfig},
        flow::{Login, LoginOptions, Progress},
        redirect::Transport,
    },
    secret::Secret,
    session::{NewLogin, complete_login},
    store::Store,
    tui::{
        model::{Generation, LoginWait},
        msg::{LoginEvent, Msg},
    },
};

fn report(shared: &Shared, attempt: Generation, event: LoginEvent) {
    shared.send(Msg::Login { attempt, event });
}

/// One OAuth attempt, until it connects, fails or is cancelled.
pub async fn oauth(
    shared: Arc<Shared>,
    attempt: Generation,
    pasted: mpsc::Receiver<String>,
    cancelled: oneshot::Receiver<()>,
) {
    let run = run_oauth(&shared, attempt, pasted);
    let result = tokio::select! {
        result = run => result,
        // Dropping the attempt drops its callback server.
        _ = cancelled => return,
    };
    match result {
        Ok(()) => {}
        Err(reason) => report(&shared, attempt, LoginEvent::Failed(reason)),
    }
}

async fn run_oauth(
    shared: &Arc<Shared>,
    attempt: Generation,
    pasted: mpsc::Receiver<String>,
) -> Result<(), String> {
    let settings = &shared.settings;
    let store = shared.store().await.map_err(|e| e.to_string())?;
    can_be_saved(&store).await?;
    let client = TokenClientConfig::from_settings(settings)
        .and_then(TokenClient::new)
        .map_err(|e| e.to_string())?;
    // The TUI owns the terminal: a BROWSER command gets none of it.
    let mut options = LoginOptions::from_settings(settings, false, BrowserEnv::from_process(false))
        .map_err(|e| e.to_string())?;
    if shared.auto_approve {
        options.launch_browser = false;
    }
    let login = Login::start(options).await.map_err(|e| e.to_string())?;
    if shared.auto_approve {
        approve_without_browser(login.authorize_url().to_string());
    }
    let auto_approve = shared.auto_approve;
    let progress = {
        let shared = Arc::clone(shared);
        move |step: Progress| {
            let event = match step {
                Progress::AwaitingBrowser { .. } => return,
                Progress::PasteRejected { reason } => LoginEvent::PasteRejected(reason),
                Progress::Exchanging => LoginEvent::Exchanging,
            };
            report(&shared, attempt, event);
        }
    };
    report(
        shared,
        attempt,
        LoginEvent::Waiting(wait_of(&login, auto_approve)),
    );
    let connected = login
        .finish(&client, Some(pasted), progress)
        .await
        .map_err(|e| e.to_string())?;
    // The old session holds the old tokens; the next account read makes a new one.
    shared.session.clear();
    match complete_login(settings, &store, NewLogin::OAuth(connected.tokens)).await {
        Ok(account) => {
            connected
                .browser
                .finish(Outcome::Success {
                    organization: account.profile.organization_name.clone(),
                    email: account.profile.user_email.clone(),
                })
                .await;
            report(shared, attempt, LoginEvent::Connected(account));
            Ok(())
        }
        Err(err) => {
            let reason = err.to_string();
            connected
                .browser
                .finish(Outcome::Failure {
                    reason: reason.clone(),
                })
                .await;
            Err(reason)
        }
    }
}

/// Whether a login could be saved now (see
/// [`Store::check_login_can_be_saved`]): asked before the browser opens.
async fn can_be_saved(store: &Arc<Store>) -> Result<(), String> {
    let store = Arc::clone(store);
    match tokio::task::spawn_blocking(move || store.check_login_can_be_saved()).await {
        Ok(checked) => checked.map_err(|e| e.to_string()),
        Err(err) => Err(err.to_string()),
    }
}

/// Where the callback server listens (`[::1]:PORT` for a redirect to
/// `[::1]`), or the port asked for.
fn bound(login: &Login, port: u16) -> String {
    login.address().map_or_else(
        || format!("127.0.0.1:{port}"),
        |address| address.to_string(),
    )
}

/// What the dialog shows while waiting.
fn wait_of(login: &Login, auto_approve: bool) -> LoginWait {
    let (transport, https) = match login.transport() {
        Transport::LoopbackHttp { port, .. } => {
            (format!("loopback http on {}", bound(login, *port)), false)
        }
        Transport::LoopbackHttps { port, .. } => {
            (format!("loopback https on {}", bound(login, *port)), true)
        }
        Transport::Paste => ("paste the redirected URL".to_owned(), false),
    };
    let (launch, browser_opened) = match login.launch() {
        _ if auto_approve => (
            "not needed: the sandbox approves by itself".to_owned(),
            false,
        ),
        Launch::Started { how } => (format!("opened with {how}"), true),
        Launch::Skipped { reason } => (format!("not opened: {reason}"), false),
        Launch::Failed { reason } => (format!("failed: {reason}"), false),
    };
    let left = login
        .deadline()
        .saturating_duration_since(std::time::Instant::now());
    LoginWait {
        url: login.authorize_url().to_string(),
        transport,
        https,
        listening: login.port().is_some(),
        launch,
        browser_opened,
        ssh_hint: if auto_approve { None } else { login.ssh_hint() },
        deadline: Utc::now() + chrono::Duration::from_std(left).unwrap_or_default(),
    }
}

/// For the demo's auto-approving sandbox: follow the authorize URL's
/// redirect to our own callback, as a browser would. Not awaited: the
/// callback answers only once the login is stored.
fn approve_without_browser(url: String) {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
        {
            Ok(client) => client,
            Err(err) => return tracing::warn!(%err, "no HTTP client for auto-approve"),
        };
        if let Err(err) = client.get(url).send().await {
            tracing::warn!(error = %crate::close::network_message(&err), "auto-approve failed");
        }
    });
}

/// An API-key login: check the key with `/me/`, then store it.
pub async fn api_key(shared: Arc<Shared>, attempt: Generation, key: Secret) {
    let store = match shared.store().await {
        Ok(store) => store,
        Err(err) => return report(&shared, attempt, LoginEvent::Failed(err.to_string())),
    };
    if let Err(reason) = can_be_saved(&store).await {
        return report(&shared, attempt, LoginEvent::Failed(reason));
    }
    shared.session.clear();
    let event = match complete_login(&shared.settings, &store, NewLogin::ApiKey(key)).await {
        Ok(account) => LoginEvent::Connected(account),
        Err(err) => LoginEvent::Failed(err.to_string()),
    };
    report(&shared, attempt, event);
}
