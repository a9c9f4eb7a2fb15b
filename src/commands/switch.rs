//! `close-tui switch ORG`: make another stored account the active one.

use std::process::ExitCode;

use super::{CommandResult, fail};
use crate::{config::Settings, session::open_existing_store};

#[derive(Debug, Clone, clap::Args)]
pub struct SwitchArgs {
    /// The organization's id or name (case-insensitive)
    pub organization: String,
}

pub async fn run(settings: &Settings, args: SwitchArgs) -> CommandResult {
    let store = open_existing_store(settings).map_err(fail)?;
    let Some(account) = store.find_account(&args.organization).map_err(fail)? else {
        let known: Vec<String> = store
            .list_accounts()
            .map_err(fail)?
            .iter()
            .map(|a| {
                format!(
                    "{} ({})",
                    a.profile.organization_name,
                    a.id().organization_id
                )
            })
            .collect();
        let known = if known.is_empty() {
            "none; run `close-tui login`".to_owned()
        } else {
            known.join(", ")
        };
        return Err(fail(format!(
            "no stored account for `{}`. Stored accounts: {known}",
            args.organization
        )));
    };
    store.set_active(account.id()).map_err(fail)?;
    say!(
        "Switched to {} as {}",
        account.profile.organization_name,
        account.profile.user_email
    )?;
    Ok(ExitCode::SUCCESS)
}
