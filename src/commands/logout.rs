//! `close-tui logout [--all]`: revoke at Close (best effort, and said when
//! it fails), then delete the local secrets and the account's cached data.

use std::{process::ExitCode, time::Duration};

use super::{CommandResult, fail};
use crate::{
    config::Settings,
    session::{Revoked, SessionError, open_existing_store, revoke},
    store::Account,
};

/// How long logout waits for Close to revoke one account's tokens. The
/// token client allows 30 s a request, and a revoke sends two; someone
/// logging out should not wait a minute on a Close that does not answer.
/// The local secrets are deleted either way.
const REVOKE_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, clap::Args)]
pub struct LogoutArgs {
    /// Log out of every stored account, not just the active one
    #[arg(long)]
    pub all: bool,
}

pub async fn run(settings: &Settings, args: LogoutArgs) -> CommandResult {
    let store = match open_existing_store(settings) {
        Ok(store) => store,
        // Nothing to log out of, as with an empty database: safe to repeat.
        Err(SessionError::NoDatabase(_)) => {
            say!("Not logged in.")?;
            return Ok(ExitCode::SUCCESS);
        }
        Err(err) => return Err(fail(err)),
    };
    let accounts: Vec<Account> = if args.all {
        store.list_accounts().map_err(fail)?
    } else {
        store.active_account().map_err(fail)?.into_iter().collect()
    };
    if accounts.is_empty() {
        say!("Not logged in.")?;
        return Ok(ExitCode::SUCCESS);
    }
    // Every account is logged out even when stdout fails midway; the
    // first failed write is reported after.
    let mut printed = Ok(());
    for account in &accounts {
        let revoked = tokio::time::timeout(REVOKE_DEADLINE, revoke(settings, &store, account))
            .await
            .unwrap_or_else(|_| {
                Revoked::Failed(vec![format!(
                    "the revoke endpoint did not answer within {} s",
                    REVOKE_DEADLINE.as_secs()
                )])
            });
        if let Revoked::Failed(reasons) = &revoked {
            note!(
                "warning: revoking at Close failed ({}); the local secrets are deleted anyway",
                reasons.join("; ")
            );
        }
        let note = revoked.note();
        store.log_out(account.id()).map_err(fail)?;
        let line = say!(
            "Logged out of {} ({}){note}",
            account.profile.organization_name,
            account.profile.user_email
        );
        printed = printed.and(line);
    }
    printed?;
    Ok(ExitCode::SUCCESS)
}
