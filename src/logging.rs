//! Tracing to a file in the state directory; never to the terminal, which the
//! TUI owns. The filter comes from `CLOSE_TUI_LOG` (for example `debug`, or
//! `close_tui::auth=trace`); the default is `info`.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::paths;

pub const LOG_ENV: &str = "CLOSE_TUI_LOG";
pub const LOG_FILE: &str = "close-tui.log";
/// Lines waiting for the writer thread before new ones are dropped. The
/// queue is allocated and initialised in full at start-up: the default of
/// 128,000 lines cost 4 MB of page faults, most of a short command's run.
const QUEUED_LINES: usize = 8192;

const DEFAULT_FILTER: &str = "info";

/// Keeps the background writer alive; drop it last, so buffered lines are
/// flushed on exit.
pub struct LogGuard {
    _worker: WorkerGuard,
    pub path: PathBuf,
}

/// Installs the global subscriber writing to `state_dir/close-tui.log`. The
/// file is created 0600, and the directory 0700.
pub fn init(state_dir: &Path) -> std::io::Result<LogGuard> {
    paths::create_private_dir(state_dir)?;
    let path = state_dir.join(LOG_FILE);
    let file = paths::open_private_append(&path)?;
    let (writer, worker) = NonBlockingBuilder::default()
        .buffered_lines_limit(QUEUED_LINES)
        .finish(file);
    let (filter, refused) = filter();
    let layer = fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(true);
    // A second init (tests, or the demo's nested setup) keeps the first one.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init();
    if let Some(reason) = refused {
        tracing::warn!("{LOG_ENV} {reason}; logging at {DEFAULT_FILTER}");
    }
    Ok(LogGuard {
        _worker: worker,
        path,
    })
}

/// The filter `CLOSE_TUI_LOG` names, or the default with the reason it was
/// refused (the log says so, where someone who asked for more would look).
fn filter() -> (EnvFilter, Option<String>) {
    let refused = match std::env::var(LOG_ENV) {
        Ok(spec) if spec.trim().is_empty() => None,
        Ok(spec) => match EnvFilter::try_new(&spec) {
            Ok(filter) => return (filter, None),
            Err(err) => Some(format!("{spec:?} is not a log filter ({err})")),
        },
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => Some("is not valid UTF-8".to_owned()),
    };
    (EnvFilter::new(DEFAULT_FILTER), refused)
}
