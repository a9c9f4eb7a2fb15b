//! The one loop: terminal events, service replies and a frame timer that
//! runs only when something changed, in a single `tokio::select!`. A
//! one-second tick runs only while a countdown is on screen; an idle app
//! sleeps.
//!
//! Nothing before the first frame waits for the database, the keyring or
//! the network: the services open the store on a blocking thread while the
//! terminal is set up, and their answers are drawn as they come.

use std::{io::Write, time::Duration};

use base64::Engine as _;
use chrono::Utc;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::{
    sync::mpsc,
    time::{Instant, sleep_until},
};

use super::{
    keymap::Keymap,
    model::{Model, ModelOptions, Screen, update},
    msg::{Cmd, Msg},
    services::Services,
    ui::{self, Theme},
};
use crate::{config::Settings, secret::Secret, store::KeyConfig};

/// At most one frame per this interval on average (about 60 per second).
const FRAME: Duration = Duration::from_millis(16);
/// Frames drawn at once before the pace applies: start-up's few answers,
/// or one keypress after a pause, are drawn without waiting out a frame.
const BURST: usize = 4;
const TICK: Duration = Duration::from_secs(1);
/// How often a screen that says how long ago it synced is redrawn: its
/// "ago" counts in minutes.
const AGE_TICK: Duration = Duration::from_secs(10);

/// How the TUI is started.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// The screen to open on (`--screen`).
    pub screen: Option<Screen>,
    /// The demo sandbox approves logins by itself.
    pub auto_approve: bool,
    /// Running as `close-tui demo`, against its own sandbox.
    pub demo: bool,
    /// Shown in the header while no account is connected.
    pub target: Option<String>,
    /// Where the store's key lives; `None` follows `CLOSE_TUI_KEY_STORE`.
    pub keys: Option<KeyConfig>,
}

/// How the app ended, for its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit (or the terminal's input ended).
    Quit,
    /// SIGTERM: a `kill`, a service manager.
    Terminated,
    /// SIGHUP, or the terminal hung up with no signal for the app.
    HungUp,
}

impl Ended {
    /// 0 for a quit; for a signal, 128 plus its number, as the one-shot
    /// commands and a shell report a job that a signal ended.
    pub fn exit_code(self) -> std::process::ExitCode {
        match self {
            Self::Quit => std::process::ExitCode::SUCCESS,
            Self::Terminated => std::process::ExitCode::from(143),
            Self::HungUp => std::process::ExitCode::from(129),
        }
    }
}

/// Runs the TUI until the user quits (or SIGTERM or SIGHUP ends it). The
/// terminal is restored on every way out, including errors and panics.
pub async fn run(settings: Settings, options: AppOptions) -> color_eyre::Result<Ended> {
    let (keymap, keymap_errors) = Keymap::with_overrides(&settings.keys);
    let (tx, mut rx) = mpsc::unbounded_channel();
    // One message for them all: a toast each would push the first ones
    // off before they were read.
    if !keymap_errors.is_empty() {
        let listed: Vec<String> = keymap_errors.iter().map(ToString::to_string).collect();
        for problem in &listed {
            tracing::warn!(%problem, "key binding not applied");
        }
        let _ = tx.send(Msg::Error(format!(
            "config.toml, {} key binding problem(s), defaults kept: {}",
            listed.len(),
            listed.join("; ")
        )));
    }
    let mut services = Services::new(settings, options.auto_approve, options.keys.clone(), tx);
    let model_options = ModelOptions {
        auto_approve: options.auto_approve,
        demo: options.demo,
        target: options.target.clone(),
    };
    let mut model = Model::new(Utc::now(), keymap, model_options);
    // `try_init`, not `init`: with no terminal (a pipe), say so instead of
    // panicking. Its panic hook is replaced by one that also turns the
    // mouse and paste modes off, and that cannot panic itself when the
    // terminal is gone (after a hangup): ratatui's reports a failed
    // restore on stderr, which then panics inside the hook and aborts.
    let report = std::panic::take_hook();
    let terminal = ratatui::try_init();
    drop(std::panic::take_hook());
    let mut terminal = match terminal {
        Ok(terminal) => terminal,
        Err(err) => {
            std::panic::set_hook(report);
            return Err(err.into());
        }
    };
    std::panic::set_hook(Box::new(move |info| {
        disable_extras();
        let _ = ratatui::try_restore();
        report(info);
    }));
    let result = match enable_extras() {
        Ok(()) => {
            let app = App {
                model: &mut model,
                services: &mut services,
                theme: Theme::from_env(),
            };
            app.run(&mut terminal, &mut rx, options.screen).await
        }
        Err(err) => Err(err.into()),
    };
    disable_extras();
    // Best effort, quietly: after a hangup there is no terminal to restore.
    let _ = ratatui::try_restore();
    let _ = terminal.show_cursor();
    // Dropped, the terminal would report a cursor it could not show with
    // `eprintln!`, which panics when the terminal (and stderr) is gone.
    std::mem::forget(terminal);
    result
}

/// Mouse reports and bracketed paste, which `ratatui::init` leaves off.
fn enable_extras() -> std::io::Result<()> {
    crossterm::execute!(
        std::io::stdout(),
        crossterm::event::EnableMouseCapture,
        crossterm::event::EnableBracketedPaste
    )
}

fn disable_extras() {
    // Best effort on the way out: the terminal may already be gone.
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableMouseCapture,
        crossterm::event::DisableBracketedPaste
    );
}

struct App<'a> {
    model: &'a mut Model,
    services: &'a mut Services,
    theme: Theme,
}

impl App<'_> {
    async fn run(
        mut self,
        terminal: &mut DefaultTerminal,
        rx: &mut mpsc::UnboundedReceiver<Msg>,
        screen: Option<Screen>,
    ) -> color_eyre::Result<Ended> {
        let size = terminal.size()?;
        self.apply(Msg::Resize(size.width, size.height));
        self.services.run(Cmd::LoadAccounts);
        if let Some(screen) = screen {
            self.model.screen = screen;
        }
        let mut events = EventStream::new();
        let mut signals = EndSignals::new();
        let mut ended = Ended::Quit;
        let mut dirty = true;
        let mut pacer = Pacer::default();
        let mut next_frame = Instant::now();
        let mut next_tick = Instant::now() + TICK;
        let mut next_age = Instant::now() + AGE_TICK;
        while !self.model.quit {
            let ticking = self.model.wants_tick();
            let aging = !ticking && self.model.shows_age();
            tokio::select! {
                event = events.next() => match event {
                    Some(Ok(event)) => {
                        if let Some(msg) = to_msg(event) {
                            self.apply(msg);
                            dirty = true;
                        }
                    }
                    Some(Err(err)) => return Err(err.into()),
                    None => break,
                },
                Some(msg) = rx.recv() => {
                    self.apply(msg);
                    dirty = true;
                }
                how = signals.recv() => {
                    ended = how;
                    self.apply(Msg::Terminated);
                }
                () = sleep_until(next_frame), if dirty => {
                    terminal.draw(|frame| ui::render(frame, self.model, self.theme))?;
                    dirty = false;
                    next_frame = pacer.drawn(Instant::now());
                }
                () = sleep_until(next_tick), if ticking => {
                    self.apply(Msg::Tick);
                    dirty = true;
                    next_tick = Instant::now() + TICK;
                }
                () = sleep_until(next_age), if aging => {
                    self.apply(Msg::Tick);
                    dirty = true;
                    next_age = Instant::now() + AGE_TICK;
                }
            }
            if !ticking {
                // Start a fresh second when a countdown appears.
                next_tick = Instant::now() + TICK;
            }
            if !aging {
                next_age = Instant::now() + AGE_TICK;
            }
        }
        Ok(ended)
    }

    fn apply(&mut self, msg: Msg) {
        self.model.now = Utc::now();
        for cmd in update(self.model, msg) {
            match cmd {
                Cmd::Copy { text } => copy(&text),
                Cmd::Quit => {}
                other => self.services.run(other),
            }
        }
    }
}

/// SIGTERM and SIGHUP (a `kill`, a closed terminal or SSH session) end
/// the app the way `q` does, so the terminal is restored; so does the
/// terminal hanging up with no SIGHUP for the app (`hangup.rs`). A signal
/// that cannot be watched keeps its default action.
struct EndSignals {
    #[cfg(unix)]
    watched: Vec<(Ended, tokio::signal::unix::Signal)>,
    /// `None` once it said there is no terminal to watch: a finished
    /// receiver must not be polled again.
    #[cfg(unix)]
    hangup: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl EndSignals {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let watched = [
                (Ended::Terminated, SignalKind::terminate()),
                (Ended::HungUp, SignalKind::hangup()),
            ]
            .into_iter()
            .filter_map(|(ended, kind)| {
                let watched = signal(kind)
                    .inspect_err(|err| tracing::warn!(%err, "cannot watch a signal"))
                    .ok()?;
                Some((ended, watched))
            })
            .collect();
            Self {
                watched,
                hangup: Some(super::hangup::watch()),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// Resolves when one of the signals arrives, or the terminal hangs
    /// up, with which; never otherwise.
    async fn recv(&mut self) -> Ended {
        #[cfg(unix)]
        {
            let signals = async {
                if !self.watched.is_empty() {
                    // `Signal::recv` is cancel-safe: a signal that arrives
                    // while no call waits is kept for the next one.
                    let arrivals = self
                        .watched
                        .iter_mut()
                        .map(|(ended, s)| Box::pin(async move { s.recv().await.map(|()| *ended) }));
                    let (arrived, _, _) = futures_util::future::select_all(arrivals).await;
                    if let Some(ended) = arrived {
                        return ended;
                    }
                }
                std::future::pending().await
            };
            // An `Err` is a watcher that gave up: no hangup will be told.
            let hung_up = async {
                let told = match &mut self.hangup {
                    Some(hangup) => hangup.await.is_ok(),
                    None => false,
                };
                self.hangup = None;
                if !told {
                    std::future::pending::<()>().await;
                }
                Ended::HungUp
            };
            tokio::select! {
                ended = signals => ended,
                ended = hung_up => ended,
            }
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

/// Frame pacing as a token bucket (GCRA): one frame per `FRAME` on
/// average, with up to `BURST` drawn back to back. `spent` is when the
/// frames drawn so far would have been paid for at the steady pace.
#[derive(Default)]
struct Pacer {
    spent: Option<Instant>,
}

impl Pacer {
    /// Records a frame drawn at `now`; returns when the next may be drawn.
    fn drawn(&mut self, now: Instant) -> Instant {
        let spent = self.spent.map_or(now, |spent| spent.max(now)) + FRAME;
        self.spent = Some(spent);
        let allowance = FRAME * (BURST as u32 - 1);
        spent
            .checked_sub(allowance)
            .map_or(now, |next| next.max(now))
    }
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Paste(text) => Some(Msg::Paste(Secret::new(text))),
        Event::Resize(width, height) => Some(Msg::Resize(width, height)),
        _ => None,
    }
}

/// OSC 52: the terminal puts the text on the clipboard, even over SSH.
fn copy(text: &str) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = std::io::stdout();
    // Unsupported terminals ignore the sequence; nothing to report.
    let _ = write!(out, "\x1b]52;c;{encoded}\x07").and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_drawn_at_once_then_paced() {
        let mut pacer = Pacer::default();
        let start = Instant::now();
        for _ in 1..BURST {
            assert_eq!(pacer.drawn(start), start);
        }
        assert_eq!(pacer.drawn(start), start + FRAME);
        assert_eq!(pacer.drawn(start + FRAME), start + FRAME * 2);
        // After a pause the whole burst is there again.
        let later = start + Duration::from_secs(1);
        for _ in 1..BURST {
            assert_eq!(pacer.drawn(later), later);
        }
        assert_eq!(pacer.drawn(later), later + FRAME);
    }
}
