//! `close-tui logout [--all]`: revoke at Close (best effort, and said when
//! it fails), then delete the local secrets.

use std::process::ExitCode;

use super::{CommandResult, fail};
use crate::{
    auth::client::TokenClient,
    config::Settings,
    session::{open_store, token_client},
    store::{Account, AuthKind, Store},
};

#[derive(Debug, Clone, clap::Args)]
pub struct LogoutArgs {
    /// Log out of every stored account, not just the active one
    #[arg(long)]
    pub all: bool,
}

pub async fn run(settings: &Settings, args: LogoutArgs) -> CommandResult {
    let store = open_store(settings).map_err(fail)?;
    let accounts: Vec<Account> = if args.all {
        store.list_accounts().map_err(fail)?
    } else {
        store.active_account().map_err(fail)?.into_iter().collect()
    };
    if accounts.is_empty() {
        println!("Not logged in.");
        return Ok(ExitCode::SUCCESS);
    }
    let client = token_client(settings);
    for account in &accounts {
        let note = revoke(&store, client.as_ref(), account).await;
        store.delete_account(account.id()).map_err(fail)?;
        println!(
            "Logged out of {} ({}){note}",
            account.profile.organization_name, account.profile.user_email
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Revokes the account's tokens; returns a note for the user when that was
/// not possible. Revoking the refresh token ends the whole grant; the access
/// token is revoked too, since not every server ties the two together.
async fn revoke(store: &Store, client: Option<&TokenClient>, account: &Account) -> String {
    if account.profile.auth == AuthKind::ApiKey {
        return "; API keys stay valid until you delete them in Close's settings".into();
    }
    let Some(client) = client else {
        return "; not revoked at Close (no OAuth client configured)".into();
    };
    let credentials = match store.credentials(account.id()) {
        Ok(credentials) => credentials,
        Err(err) => return format!("; not revoked at Close ({err})"),
    };
    let mut failures = Vec::new();
    for token in [&credentials.refresh_token, &credentials.access_token]
        .into_iter()
        .flatten()
    {
        if let Err(err) = client.revoke(token).await {
            failures.push(err.to_string());
        }
    }
    if failures.is_empty() {
        String::new()
    } else {
        eprintln!(
            "warning: revoking at Close failed ({}); the local secrets are deleted anyway",
            failures.join("; ")
        );
        "; revoke failed, local secrets deleted".into()
    }
}
