//! `close-tui demo`: the sandbox in this process on a free loopback port,
//! with its own database and key file in a fresh directory (never the real
//! ones), and the terminal app pointed at it.

use std::{path::PathBuf, process::ExitCode};

use super::{CommandResult, fail};
use crate::{
    config::{Flags, Settings},
    logging, paths,
    sandbox::{self, SandboxArgs},
    store::{KeyConfig, KeyMode},
    tui::{self, AppOptions, model::Screen},
};

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// How many leads the sandbox generates
    #[arg(long, default_value_t = 500)]
    pub leads: usize,
    /// The sandbox approves logins by itself, as its first user: no browser
    /// is needed to connect
    #[arg(long)]
    pub auto_approve: bool,
}

pub async fn run(flags: &Flags, args: DemoArgs, screen: Option<Screen>) -> CommandResult {
    super::tui::require_terminal()?;
    let root = demo_dir();
    paths::create_private_dir(&root)
        .map_err(|e| fail(format!("cannot create {}: {e}", root.display())))?;
    let dirs = paths::Dirs::under(&root);
    let _log = logging::init(&dirs.state).ok();
    let sandbox = sandbox::start(SandboxArgs {
        leads: args.leads,
        auto_approve: args.auto_approve,
        ..SandboxArgs::defaults()
    })
    .await
    .map_err(fail)?;
    let info = &sandbox.info;
    let env = [
        ("CLOSE_CLIENT_ID", info.client_id.clone()),
        ("CLOSE_CLIENT_SECRET", info.client_secret.clone()),
        ("CLOSE_AUTHORIZE_URL", info.authorize_url.clone()),
        ("CLOSE_TOKEN_URL", info.token_url.clone()),
        ("CLOSE_REVOKE_URL", info.revoke_url.clone()),
        ("CLOSE_API_URL", info.api_url.clone()),
        // Port 0: the login binds any free port and sends that one.
        ("REDIRECT_URI", "http://127.0.0.1:0/callback".to_owned()),
    ]
    .map(|(k, v)| (k.to_owned(), v));
    // The user's key bindings still apply; nothing else of theirs is read.
    let keys = Settings::load(flags).map(|s| s.keys).unwrap_or_default();
    let demo_flags = Flags {
        config: None,
        db: Some(dirs.data.join("demo.db")),
    };
    let mut settings = Settings::resolve(dirs.clone(), &demo_flags, &[], &env).map_err(fail)?;
    settings.keys = keys;
    let options = AppOptions {
        screen,
        auto_approve: args.auto_approve,
        target: Some(format!("demo sandbox at {}", info.base_url)),
        keys: Some(KeyConfig::new(KeyMode::File, &dirs.config)),
    };
    let result = tui::run(settings, options).await;
    sandbox.stop().await;
    // The demo leaves nothing behind; a failure to clean up is harmless.
    let _ = std::fs::remove_dir_all(&root);
    result?;
    Ok(ExitCode::SUCCESS)
}

/// A fresh directory per run, under the system's temp dir.
fn demo_dir() -> PathBuf {
    std::env::temp_dir().join(format!("close-tui-demo-{}", std::process::id()))
}
