//! `close-tui status`: the stored accounts, which one is active, and whether
//! it works, like `gh auth status`. `--json` prints the documented schema.

use std::{
    io::{self, Write},
    process::ExitCode,
};

use chrono::{DateTime, Utc};
use serde::Serialize;

mod check;

use check::{Check, check_active};

use super::{CommandResult, fail, output_failed};
use crate::{
    config::Settings,
    session::open_store,
    store::{Account, AccountState, AuthKind, KeyConfig, KeyMode, Store, StoreError},
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
    /// The live check of the active account; `null` when none ran
    /// (`--offline`, no active account, or one that needs a login).
    check: Option<CheckJson>,
}

#[derive(Debug, Serialize)]
struct CheckJson {
    /// `ok`, `needs_login` or `unreachable`.
    result: &'static str,
    /// Why, when not `ok`.
    reason: Option<String>,
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

pub async fn run(settings: &Settings, args: StatusArgs) -> CommandResult {
    // Only `login` makes the database: a mistyped --db reads as "not
    // logged in here", and leaves no file (or key) behind.
    if let Err(err @ StoreError::Setting(_)) = KeyConfig::from_env(&settings.dirs.config) {
        return Err(fail(err));
    }
    if matches!(settings.db_path.try_exists(), Ok(false)) {
        let path = settings.db_path.display();
        return signed_out(
            settings,
            &args,
            "Not logged in",
            &format!(
                "no database at {path}; run `close-tui login` (or check --db and CLOSE_TUI_DB)"
            ),
        );
    }
    let store = match open_store(settings) {
        Ok(store) => store,
        // A setting it does not know is the user's to fix, not a sign-out.
        Err(err @ StoreError::Setting(_)) => return Err(fail(err)),
        Err(err) => return signed_out(settings, &args, "Signed out", &err.to_string()),
    };
    let (check, overdue) = if args.offline {
        (Check::Skipped, None)
    } else {
        check_active(settings, &store).await
    };
    let accounts = store.list_accounts().map_err(fail)?;
    let usable = accounts
        .iter()
        .find(|a| a.active)
        .is_some_and(|a| a.state == AccountState::Connected)
        && !matches!(check, Check::NeedsLogin(_) | Check::Unreachable(_));
    let mut out = io::stdout().lock();
    let printed = if args.json {
        // The text puts the reason with the account; JSON's readers may
        // look only at the exit status, so it is said on stderr too.
        match &check {
            Check::NeedsLogin(reason) => {
                note!("close-tui: Close refused the credentials: {reason}")
            }
            Check::Unreachable(reason) => {
                note!("close-tui: could not check with Close ({reason}); the credentials are kept")
            }
            Check::Ok | Check::Skipped => {}
        }
        print_json(&mut out, &store, &accounts, &check)
    } else {
        print_text(&mut out, settings, &store, &accounts, &check)
    };
    drop(out);
    // Settled even when the output could not be written: it keeps tokens.
    if let Some(overdue) = overdue {
        overdue.settle().await;
    }
    printed.map_err(output_failed)?;
    Ok(if usable {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The store could not be opened (or there is none): nothing is usable.
/// JSON keeps its schema (no accounts) and the reason goes to stderr.
fn signed_out(
    settings: &Settings,
    args: &StatusArgs,
    headline: &str,
    reason: &str,
) -> CommandResult {
    if args.json {
        let key_store = match KeyConfig::from_env(&settings.dirs.config).map(|k| k.mode) {
            Ok(KeyMode::Keyring) => "keyring",
            _ => "file",
        };
        let json = StatusJson {
            active: None,
            key_store,
            accounts: Vec::new(),
            check: None,
        };
        say!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        )?;
        note!("close-tui: {}: {reason}", headline.to_lowercase());
    } else {
        say!("{headline}: {reason}")?;
    }
    Ok(ExitCode::FAILURE)
}

fn rfc3339(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn print_json(
    out: &mut impl Write,
    store: &Store,
    accounts: &[Account],
    check: &Check,
) -> io::Result<()> {
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
        check: check.json(),
    };
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    )
}

fn print_text(
    out: &mut impl Write,
    settings: &Settings,
    store: &Store,
    accounts: &[Account],
    check: &Check,
) -> io::Result<()> {
    writeln!(out, "Close API: {}", settings.api_url)?;
    if accounts.is_empty() {
        writeln!(out, "  Not logged in. Run `close-tui login`.")?;
    }
    let now = Utc::now();
    for account in accounts {
        let mark = match (&account.state, account.active, check) {
            (AccountState::NeedsLogin { .. }, _, _) => "✗",
            (_, true, Check::NeedsLogin(_) | Check::Unreachable(_)) => "!",
            _ => "✓",
        };
        let active = if account.active { "  (active)" } else { "" };
        writeln!(
            out,
            "{mark} {} ({}) as {}{active}",
            account.profile.organization_name,
            account.id().organization_id,
            account.profile.user_email
        )?;
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
        writeln!(out, "  - auth: {auth}{masked}")?;
        if let AccountState::NeedsLogin { reason } = &account.state {
            writeln!(out, "  - needs login: {reason}")?;
        }
        if let Some(expires) = account.access_token_expires_at {
            writeln!(
                out,
                "  - access token {}",
                relative("expires", "expired", expires, now)
            )?;
        }
        if let Some(refreshed) = account.last_refresh_at {
            writeln!(
                out,
                "  - last refresh {} ago",
                span((now - refreshed).num_seconds().max(0))
            )?;
        }
        if account.profile.auth == AuthKind::OAuth {
            let stored = if account.refresh_token_stored {
                "stored"
            } else {
                "missing"
            };
            writeln!(out, "  - refresh token: {stored}")?;
        }
        if account.active {
            match check {
                Check::Ok => writeln!(out, "  - checked with Close just now: working")?,
                Check::NeedsLogin(reason) => writeln!(out, "  - Close refused it: {reason}")?,
                // Say that nothing was lost: only a refused grant signs out.
                Check::Unreachable(reason) => writeln!(
                    out,
                    "  - offline: could not check with Close ({reason}); the credentials are kept, try again later"
                )?,
                Check::Skipped => {}
            }
        }
    }
    writeln!(out, "Key store: {}", store.key_store().as_str())
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
    // Compare the instants, not the whole seconds: a token that expired
    // half a second ago has already expired.
    let secs = (at - now).num_seconds().abs();
    if at > now {
        format!("{future} in {}", span(secs))
    } else {
        format!("{past} {} ago", span(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_that_just_expired_reads_as_expired() {
        let now = Utc::now();
        let half = chrono::Duration::milliseconds(500);
        assert_eq!(
            relative("expires", "expired", now - half, now),
            "expired 0 s ago"
        );
        assert_eq!(
            relative("expires", "expired", now + half, now),
            "expires in 0 s"
        );
        let later = now + chrono::Duration::seconds(41 * 60);
        assert_eq!(
            relative("expires", "expired", later, now),
            "expires in 41 min"
        );
    }
}
