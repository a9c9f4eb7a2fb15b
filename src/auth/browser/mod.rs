//! Opening the consent page in a browser, without ever blocking.
//!
//! `$BROWSER` (or the config's `browser`) always wins and runs even with no
//! display, because text browsers count. Otherwise, where no graphical
//! browser is likely (an SSH session, or Linux with no display), nothing is
//! launched: the caller shows the URL, the paste option and an `ssh -L`
//! hint. The `open` crate ignores `$BROWSER`, hence this module.

use std::{
    process::{Command, Stdio},
    thread,
};

/// What the launch did. The caller shows the URL in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// A browser is starting; `how` says which, for the status line.
    Started { how: String },
    /// No browser was tried, for `reason`.
    Skipped { reason: String },
    /// The configured browser command could not be started.
    Failed { reason: String },
}

/// The parts of the process environment that decide how to open a browser,
/// passed in so tests need not touch the real environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowserEnv {
    /// `std::env::consts::OS`.
    pub os: String,
    pub display: Option<String>,
    pub wayland_display: Option<String>,
    pub ssh_connection: Option<String>,
    /// `$BROWSER`, used when the settings name no browser.
    pub browser: Option<String>,
    /// Let a `$BROWSER` command use this terminal (the `login` command, where
    /// a text browser may run). The TUI owns the terminal, so it says no and
    /// the command gets no stdin/stdout/stderr.
    pub share_terminal: bool,
}

impl BrowserEnv {
    pub fn from_process(share_terminal: bool) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            os: std::env::consts::OS.to_owned(),
            display: var("DISPLAY"),
            wayland_display: var("WAYLAND_DISPLAY"),
            ssh_connection: var("SSH_CONNECTION"),
            browser: var("BROWSER"),
            share_terminal,
        }
    }

    /// Why no graphical browser is likely here, if that is the case.
    pub fn headless_reason(&self) -> Option<String> {
        if self.ssh_connection.is_some() {
            return Some("this is an SSH session, so a browser here would not reach you".into());
        }
        let own_gui = matches!(self.os.as_str(), "macos" | "windows" | "ios" | "android");
        if !own_gui && self.display.is_none() && self.wayland_display.is_none() {
            return Some(
                "there is no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)".into(),
            );
        }
        None
    }
}

/// Opens `url`. Returns at once: commands are spawned and reaped on a
/// background thread, and the `open` crate runs on one too.
pub fn open(url: &str, browser_setting: Option<&str>, env: &BrowserEnv) -> Launch {
    if let Some(command) = browser_setting.or(env.browser.as_deref()) {
        return run_command(command, url, env.share_terminal);
    }
    if let Some(reason) = env.headless_reason() {
        return Launch::Skipped { reason };
    }
    let url = url.to_owned();
    let spawned = thread::Builder::new()
        .name("open-browser".into())
        .spawn(move || {
            if let Err(err) = open_system(&url) {
                tracing::warn!(%err, "the system browser could not be opened");
            }
        });
    match spawned {
        Ok(_) => Launch::Started {
            how: "the system browser".into(),
        },
        Err(err) => Launch::Failed {
            reason: format!("cannot start a thread to open the browser: {err}"),
        },
    }
}

/// Settings that hold secrets, which a browser has no business inheriting.
const SECRET_VARS: [&str; 2] = ["CLOSE_CLIENT_SECRET", "CLOSE_API_KEY"];

/// `open::that`, with the launchers' environment cleared of our secrets.
fn open_system(url: &str) -> std::io::Result<()> {
    let mut last = None;
    for mut command in open::commands(url) {
        for name in SECRET_VARS {
            command.env_remove(name);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match command.status() {
            Ok(status) if status.success() => return Ok(()),
            Ok(status) => last = Some(std::io::Error::other(format!("launcher {status}"))),
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no launcher for this system")))
}

fn run_command(command_line: &str, url: &str, share_terminal: bool) -> Launch {
    let argv = match browser_argv(command_line, url) {
        Ok(argv) => argv,
        Err(reason) => return Launch::Failed { reason },
    };
    let Some((program, args)) = argv.split_first() else {
        return Launch::Failed {
            reason: "the BROWSER setting is empty".into(),
        };
    };
    let mut command = Command::new(program);
    command.args(args);
    for name in SECRET_VARS {
        command.env_remove(name);
    }
    if !share_terminal {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    }
    match command.spawn() {
        Ok(mut child) => {
            // Reap the child whenever it exits, so no zombie is left behind.
            let reaper = thread::Builder::new()
                .name("browser-reaper".into())
                .spawn(move || match child.wait() {
                    Ok(status) if !status.success() => {
                        tracing::warn!(%status, "the BROWSER command failed");
                    }
                    _ => {}
                });
            if let Err(err) = reaper {
                tracing::warn!(%err, "cannot watch the BROWSER command");
            }
            Launch::Started {
                how: format!("`{program}` (from BROWSER)"),
            }
        }
        Err(err) => Launch::Failed {
            reason: format!("cannot run the BROWSER command `{program}`: {err}"),
        },
    }
}

/// The argument vector for a `$BROWSER` command line: split like a shell
/// would, with the URL as one more argument at the end. (No `%s`
/// substitution: inside `sh -c '… %s'` the URL's `&` would become shell
/// syntax.)
pub fn browser_argv(command_line: &str, url: &str) -> Result<Vec<String>, String> {
    let mut argv = split_command_line(command_line)?;
    argv.push(url.to_owned());
    Ok(argv)
}

/// Splits a command line with POSIX shell word rules: blanks separate,
/// single quotes are literal, double quotes allow `\"`, `\\`, `\$` and
/// `` \` ``, and a backslash outside quotes escapes the next character.
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("BROWSER has an unclosed ' quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("BROWSER has an unclosed \" quote".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("BROWSER has an unclosed \" quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => word.push(c),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The hint for a login over SSH: forward the callback port from the machine
/// with the browser, then open the URL there.
pub fn ssh_tunnel_hint(callback: std::net::SocketAddr) -> String {
    let port = callback.port();
    let host = match callback.ip() {
        std::net::IpAddr::V4(ip) => ip.to_string(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!(
        "on the machine with the browser, run `ssh -L {port}:{host}:{port} USER@THIS_HOST`, then open the URL there"
    )
}

#[cfg(test)]
mod tests;
