//! `close-tui status`: the stored accounts, which one is active, and whether
//! it works, like `gh auth status`. `--json` prints the documented schema.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{CommandResult, fail};
use crate::{
    close::{ApiError, CredentialsError},
    config::Settings,
    session::{Session, open_store},
    store::{Account, AccountState, AuthKind, Store},
};

#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Don't contact Close; report what is stored
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Serialize)]
struct StatusJson {
    active: Option<String>,
    key_store: &'static str,
    accounts: Vec<AccountJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct AccountJson {
    organization_id: String,
    organization_name: String,
    user_id: String,
    user_email: String,
    auth: &'static str,
    active: bool,
    state: &'static str,
    access_token_expires_at: Option<String>,
    last_refresh_at: Option<String>,
    refresh_token_stored: bool,
}

/// What the live check against `/me/` found.
enum Check {
    Skipped,
    Ok,
    NeedsLogin(String),
    Unreachable(String),
}

pub async fn run(settings: &Settings, args: StatusArgs) -> CommandResult {
    let store = match open_store(settings) {
        Ok(store) => store,
        Err(err) => return signed_out(&args, &err.to_string()),
    };
    let check = if args.offline {
        Check::Skipped
    } else {
        check_active(settings, &store).await
    };
    let accounts = store.list_accounts().map_err(fail)?;
    let usable = accounts
        .iter()
        .find(|a| a.active)
        .is_some_and(|a| a.state == AccountState::Connected)
        && !matches!(check, Check::NeedsLogin(_) | Check::Unreachable(_));
    if args.json {
        print_json(&store, &accounts, None);
    } else {
        print_text(settings, &store, &accounts, &check);
    }
    Ok(if usable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Calls `/me/` as the active account, which refreshes the token if due.
async fn check_active(settings: &Settings, store: &std::sync::Arc<Store>) -> Check {
    let Ok(Some(account)) = store.active_account() else {
        return Check::Skipped;
    };
    if account.state != AccountState::Connected {
        return Check::Skipped;
    }
    let session = match Session::for_account(settings, std::sync::Arc::clone(store), account) {
        Ok(session) => session,
        Err(err) => return Check::Unreachable(err.to_string()),
    };
    match session.client.me().await {
        Ok(_) => Check::Ok,
        Err(ApiError::Credentials(CredentialsError::NeedsLogin(reason))) => {
            Check::NeedsLogin(reason)
        }
        Err(ApiError::Unauthorized) => Check::NeedsLogin("Close rejected the credentials".into()),
        Err(err) => Check::Unreachable(err.to_string()),
    }
}

fn signed_out(args: &StatusArgs, reason: &str) -> CommandResult {
    if args.json {
        let json = StatusJson {
            active: None,
            key_store: "file",
            accounts: Vec::new(),
            error: Some(format!("signed out: {reason}")),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    } else {
        println!("Signed out: {reason}");
    }
    Ok(ExitCode::FAILURE)
}

fn rfc3339(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn print_json(store: &Store, accounts: &[Account], error: Option<String>) {
    let json = StatusJson {
        active: accounts
            .iter()
            .find(|a| a.active)
            .map(|a| a.id().organization_id.clone()),
        key_store: store.key_store().as_str(),
        accounts: accounts
            .iter()
            .map(|a| AccountJson {
                organization_id: a.id().organization_id.clone(),
                organization_name: a.profile.organization_name.clone(),
                user_id: a.id().user_id.clone(),
                user_email: a.profile.user_email.clone(),
                auth: a.profile.auth.as_str(),
                active: a.active,
                state: a.state.as_str(),
                access_token_expires_at: rfc3339(a.access_token_expires_at),
                last_refresh_at: rfc3339(a.last_refresh_at),
                refresh_token_stored: a.refresh_token_stored,
            })
            .collect(),
        error,
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
}

fn print_text(settings: &Settings, store: &Store, accounts: &[Account], check: &Check) {
    println!("Close API: {}", settings.api_url);
    if accounts.is_empty() {
        println!("  Not logged in. Run `close-tui login`.");
    }
    let now = Utc::now();
    for account in accounts {
        let mark = match (&account.state, account.active, check) {
            (AccountState::NeedsLogin { .. }, _, _) => "✗",
            (_, true, Check::NeedsLogin(_) | Check::Unreachable(_)) => "!",
            _ => "✓",
        };
        let active = if account.active { "  (active)" } else { "" };
        println!(
            "{mark} {} ({}) as {}{active}",
            account.profile.organization_name,
            account.id().organization_id,
            account.profile.user_email
        );
        let auth = match account.profile.auth {
            AuthKind::OAuth => "OAuth",
            AuthKind::ApiKey => "API key",
        };
        let masked = store
            .credentials(account.id())
            .ok()
            .and_then(|c| c.access_token.or(c.api_key))
            .map(|secret| format!(", {}", secret.masked()))
            .unwrap_or_default();
        println!("  - auth: {auth}{masked}");
        if let AccountState::NeedsLogin { reason } = &account.state {
            println!("  - needs login: {reason}");
        }
        if let Some(expires) = account.access_token_expires_at {
            println!(
                "  - access token {}",
                relative("expires", "expired", expires, now)
            );
        }
        if let Some(refreshed) = account.last_refresh_at {
            println!(
                "  - last refresh {} ago",
                span((now - refreshed).num_seconds().max(0))
            );
        }
        if account.profile.auth == AuthKind::OAuth {
            let stored = if account.refresh_token_stored {
                "stored"
            } else {
                "missing"
            };
            println!("  - refresh token: {stored}");
        }
        if account.active {
            match check {
                Check::Ok => println!("  - checked with Close just now: working"),
                Check::NeedsLogin(reason) => println!("  - Close refused it: {reason}"),
                Check::Unreachable(reason) => println!("  - could not check with Close: {reason}"),
                Check::Skipped => {}
            }
        }
    }
    println!("Key store: {}", store.key_store().as_str());
}

fn span(secs: i64) -> String {
    match secs {
        i64::MIN..=59 => format!("{secs} s"),
        60..=5399 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

/// "expires in 41 min" / "expired 3 min ago".
fn relative(future: &str, past: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (at - now).num_seconds();
    if secs >= 0 {
        format!("{future} in {}", span(secs))
    } else {
        format!("{past} {} ago", span(-secs))
    }
}
