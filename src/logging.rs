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
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(true);
    // A second init (tests, or the demo's nested setup) keeps the first one.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init();
    Ok(LogGuard {
        _worker: worker,
        path,
    })
}
