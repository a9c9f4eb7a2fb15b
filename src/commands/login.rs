//! `close-tui login`: connect a Close account by OAuth (browser or pasted
//! redirect) or by API key, without the TUI.

use std::{
    io::{BufRead, IsTerminal},
    process::ExitCode,
    time::Duration,
};

use tokio::sync::mpsc;

use super::{CommandResult, fail};
use crate::{
    auth::{
        browser::{BrowserEnv, Launch},
        callback::Outcome,
        client::{TokenClient, TokenClientConfig},
        flow::{Login, LoginOptions, Progress},
        redirect::Transport,
    },
    config::Settings,
    secret::Secret,
    session::{NewLogin, complete_login, open_store},
};

#[derive(Debug, Clone, clap::Args)]
pub struct LoginArgs {
    /// Don't open a browser: print the URL, then read the redirected URL
    /// from stdin
    #[arg(long)]
    pub no_browser: bool,
    /// Log in with an API key: the one CLOSE_API_KEY, `.env` or the config
    /// sets, else one read from stdin
    #[arg(long, conflicts_with = "no_browser")]
    pub api_key: bool,
    /// Give up waiting for the browser after this many seconds (1 to 86400)
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 300,
        value_parser = clap::value_parser!(u64).range(1..=86_400)
    )]
    pub timeout: u64,
}

pub async fn run(settings: &Settings, args: LoginArgs) -> CommandResult {
    let store = open_store(settings).map_err(fail)?;
    // Before a key is read or the browser opens: a login that cannot be
    // saved should not send anyone through Close's consent for nothing.
    store.check_login_can_be_saved().map_err(fail)?;
    let account = if args.api_key {
        let key = api_key(settings).await?;
        complete_login(settings, &store, NewLogin::ApiKey(key))
            .await
            .map_err(fail)?
    } else {
        let client = TokenClientConfig::from_settings(settings)
            .and_then(TokenClient::new)
            .map_err(fail)?;
        let mut options =
            LoginOptions::from_settings(settings, args.no_browser, BrowserEnv::from_process(true))
                .map_err(fail)?;
        options.timeout = Duration::from_secs(args.timeout);
        let login = Login::start(options).await.map_err(fail)?;
        let pasted = reads_paste(&login).then(read_stdin_lines);
        let paste_too = pasted.is_some();
        let connected = login
            .finish(&client, pasted, |progress| report(progress, paste_too))
            .await
            .map_err(fail)?;
        match complete_login(settings, &store, NewLogin::OAuth(connected.tokens)).await {
            Ok(account) => {
                connected
                    .browser
                    .finish(Outcome::Success {
                        organization: account.profile.organization_name.clone(),
                        email: account.profile.user_email.clone(),
                    })
                    .await;
                account
            }
            Err(err) => {
                connected
                    .browser
                    .finish(Outcome::Failure {
                        reason: err.to_string(),
                    })
                    .await;
                return Err(fail(err));
            }
        }
    };
    say!(
        "Connected to {} as {}",
        account.profile.organization_name,
        account.profile.user_email
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The configured key (`CLOSE_API_KEY`, `.env` or the config's `api_key`),
/// else the first line of stdin (typed at a prompt, or piped). With a key
/// configured, stdin is not read at all: it may be a pipe that stays open
/// (`ssh host close-tui login --api-key` without `-t`), and a loop feeding
/// other lines would lose one. Which key is used is said when stdin is
/// not a terminal, where a piped key may have been meant.
async fn api_key(settings: &Settings) -> color_eyre::Result<Secret> {
    let terminal = std::io::stdin().is_terminal();
    if let Some(key) = &settings.api_key {
        if !terminal {
            match &settings.api_key_origin {
                Some(origin) => note!("Using the API key set by {origin}; stdin is not read."),
                None => note!("Using the configured API key; stdin is not read."),
            }
        }
        return Ok(key.clone());
    }
    // Off before the prompt, so nothing typed or pasted ahead of the read
    // shows either; the read ends it (or `main`, after an interrupt).
    let quiet = terminal.then(super::noecho::EchoOff::on_stdin);
    if terminal {
        note!("Paste your Close API key and press Enter (it will not show):");
    }
    read_key(quiet)
        .await?
        .ok_or_else(|| fail("no API key given: pipe it on stdin or set CLOSE_API_KEY"))
}

/// The first line of stdin, trimmed; `None` when there is none (`/dev/null`,
/// an empty pipe). On a blocking thread, so that Ctrl-C (see `interrupt`)
/// is heard while it waits.
async fn read_key(quiet: Option<super::noecho::EchoOff>) -> color_eyre::Result<Option<Secret>> {
    let line = tokio::task::spawn_blocking(move || {
        // A key typed or pasted at the terminal does not show, nor stay in
        // its scrollback; echo comes back when the line is read.
        let _quiet = quiet;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await
    .map_err(fail)?
    .map_err(|err| fail(format!("cannot read the API key from stdin: {err}")))?;
    let key = line.trim();
    Ok((!key.is_empty()).then(|| Secret::new(key)))
}

/// Whether the login takes a pasted redirect URL on stdin: always for the
/// paste transport, and beside the callback when no browser was opened
/// here and someone is at the terminal (the browser may be elsewhere, with
/// no tunnel back to this port).
fn reads_paste(login: &Login) -> bool {
    match login.transport() {
        Transport::Paste => true,
        _ => !matches!(login.launch(), Launch::Started { .. }) && std::io::stdin().is_terminal(),
    }
}

/// Lines typed or piped on stdin, for a pasted redirect URL. A thread, because
/// stdin reads block.
fn read_stdin_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Progress on stderr; the URL is always shown, whatever the browser did.
/// `paste_too`: a pasted redirect URL is read beside the callback.
fn report(progress: Progress, paste_too: bool) {
    match progress {
        Progress::AwaitingBrowser {
            authorize_url,
            transport,
            launch,
            ssh_hint,
            ..
        } => {
            note!("Open this URL in a browser to connect Close:\n\n  {authorize_url}\n");
            match launch {
                Launch::Started { how } => note!("Opened it with {how}."),
                Launch::Skipped { reason } | Launch::Failed { reason } => {
                    note!("No browser was opened: {reason}.")
                }
            }
            if let Some(hint) = ssh_hint {
                note!("{hint}");
            }
            match transport {
                Transport::Paste => note!(
                    "After approving, paste the URL your browser was sent to, then press Enter:"
                ),
                Transport::LoopbackHttps { .. } => note!(
                    "Your browser will warn once about the local certificate; that is expected. Waiting…"
                ),
                Transport::LoopbackHttp { .. } => note!("Waiting for the browser…"),
            }
            if paste_too && !matches!(transport, Transport::Paste) {
                note!(
                    "Or, once approved, paste the URL your browser was sent to here and press Enter."
                );
            }
        }
        Progress::PasteRejected { reason } => {
            note!("That is not the redirect URL ({reason}); paste it again:")
        }
        Progress::Exchanging => note!("Exchanging the code for tokens…"),
    }
}
