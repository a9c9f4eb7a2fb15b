//! The live check of `close-tui status`: `/me/` as the active account,
//! within a deadline, without losing a token refresh it started.

use std::{io::IsTerminal, sync::Arc, time::Duration};

use indicatif::ProgressBar;
use tokio::{sync::broadcast, task::JoinHandle};

use super::CheckJson;
use crate::{
    auth::tokens::{TokenManager, TokenState},
    close::{ApiError, ClientEvent, CredentialsError, types::Me},
    config::Settings,
    session::Session,
    store::{AccountState, Store},
};

/// How long `status` waits for the live check, token refresh included. The
/// HTTP clients allow 30 s a request and `/me/` is retried on timeouts, so a
/// Close that accepts the connection and never answers would hold `status`
/// for minutes; someone asking "am I still logged in?" should hear back in
/// seconds, and a Close that slow is as good as unreachable.
pub(super) const LIVE_CHECK_DEADLINE: Duration = Duration::from_secs(10);

/// What the live check against `/me/` found.
pub(super) enum Check {
    Skipped,
    Ok,
    NeedsLogin(String),
    Unreachable(String),
}

impl Check {
    pub(super) fn json(&self) -> Option<CheckJson> {
        let (result, reason) = match self {
            Self::Skipped => return None,
            Self::Ok => ("ok", None),
            Self::NeedsLogin(reason) => ("needs_login", Some(reason.clone())),
            Self::Unreachable(reason) => ("unreachable", Some(reason.clone())),
        };
        Some(CheckJson { result, reason })
    }
}

/// Calls `/me/` as the active account, which refreshes the token if due,
/// for at most [`LIVE_CHECK_DEADLINE`], or until a connection to Close
/// fails. A check still running then is reported unreachable and handed
/// back, to be settled after the output.
pub(super) async fn check_active(
    settings: &Settings,
    store: &Arc<Store>,
) -> (Check, Option<Overdue>) {
    let Ok(Some(account)) = store.active_account() else {
        return (Check::Skipped, None);
    };
    if account.state != AccountState::Connected {
        return (Check::Skipped, None);
    }
    let session = match Session::for_account(settings, Arc::clone(store), account) {
        Ok(session) => session,
        Err(err) => return (Check::Unreachable(err.to_string()), None),
    };
    // The check runs in its own task, so that giving up on it is a choice
    // made in `Overdue::settle`, under the token manager's pause, and never
    // a future dropped mid-refresh.
    let client = session.client.clone();
    let retries = client.events();
    let mut task = tokio::spawn(async move { client.me().await });
    let spinner = checking();
    let answer = tokio::select! {
        answer = tokio::time::timeout(LIVE_CHECK_DEADLINE, &mut task) => answer,
        reason = connection_failed(retries) => {
            spinner.finish_and_clear();
            let overdue = Overdue {
                tokens: Arc::clone(&session.tokens),
                task,
            };
            return (Check::Unreachable(reason), Some(overdue));
        }
    };
    spinner.finish_and_clear();
    let check = match answer {
        Ok(Ok(Ok(_))) => Check::Ok,
        Ok(Ok(Err(ApiError::Credentials(CredentialsError::NeedsLogin(reason))))) => {
            Check::NeedsLogin(reason)
        }
        Ok(Ok(Err(ApiError::Unauthorized))) => {
            Check::NeedsLogin("Close rejected the credentials".into())
        }
        Ok(Ok(Err(err))) => Check::Unreachable(err.to_string()),
        Ok(Err(join)) => Check::Unreachable(join.to_string()),
        Err(_) => {
            tracing::warn!(deadline = ?LIVE_CHECK_DEADLINE, "Close did not answer the live check");
            let overdue = Overdue {
                tokens: Arc::clone(&session.tokens),
                task,
            };
            let reason = format!(
                "Close did not answer within {} s",
                LIVE_CHECK_DEADLINE.as_secs()
            );
            return (Check::Unreachable(reason), Some(overdue));
        }
    };
    (check, None)
}

/// The reason of the live check's first retry after a refused connection:
/// nothing listens where Close should be, and the retries would only hold
/// `status` until the deadline. Other retries (a name that did not
/// resolve, a 503, a timeout) may yet succeed and are waited for.
async fn connection_failed(mut events: broadcast::Receiver<ClientEvent>) -> String {
    loop {
        match events.recv().await {
            Ok(ClientEvent::Retrying {
                reason,
                refused: true,
                ..
            }) => {
                return reason;
            }
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}

/// "Checking with Close…" on stderr while the live check runs, when stderr
/// is a terminal; hidden otherwise, so nothing reaches a script's output.
fn checking() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner().with_message("Checking with Close…");
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// A live check given up on (past [`LIVE_CHECK_DEADLINE`], or after a
/// failed connection) and still running.
pub(super) struct Overdue {
    tokens: Arc<TokenManager>,
    task: JoinHandle<Result<Me, ApiError>>,
}

impl Overdue {
    /// Stops the check without losing tokens. Close rotates refresh tokens:
    /// one it has answered but we have not stored yet is gone for good if
    /// the refresh is dropped (and returning from `main` drops every task).
    /// So an in-flight refresh is let finish and store its tokens, bounded
    /// by the token client's own timeout, and the check is aborted only
    /// under the manager's pause, when no refresh is running and none can
    /// start. The output is already printed by then; the wait only delays
    /// the exit, and only when a refresh was in flight.
    pub(super) async fn settle(self) {
        let refreshing = matches!(*self.tokens.state().borrow(), TokenState::Refreshing);
        if refreshing && std::io::stderr().is_terminal() {
            note!("Letting a token refresh already sent to Close finish, so its tokens are kept…");
        }
        let _pause = self.tokens.pause_refreshes().await;
        self.task.abort();
        // Returns at the task's next await point: it cannot refresh while
        // the pause is held.
        let _ = self.task.await;
    }
}
