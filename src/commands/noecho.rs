//! Typing a secret at the terminal without it showing: echo is off while
//! the line is read, and back on however the command ends.
//!
//! The guard restores the terminal when the read ends. An interrupt drops
//! the command without waiting for the blocking read, so `main` calls
//! [`restore`] on its way out too: the mode saved here is put back once.

use std::sync::{Mutex, MutexGuard, PoisonError};

#[cfg(unix)]
type Saved = rustix::termios::Termios;
#[cfg(not(unix))]
type Saved = ();

/// The terminal's mode before echo went off, while it is off.
static SAVED: Mutex<Option<Saved>> = Mutex::new(None);

fn saved() -> MutexGuard<'static, Option<Saved>> {
    SAVED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Echo off on stdin until dropped; nothing when stdin is not a terminal
/// (or its mode cannot be changed: then the key shows, as before).
pub struct EchoOff(());

impl EchoOff {
    pub fn on_stdin() -> Self {
        #[cfg(unix)]
        {
            use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
            let stdin = std::io::stdin();
            if let Ok(mode) = tcgetattr(&stdin) {
                let mut quiet = mode.clone();
                quiet.local_modes.remove(LocalModes::ECHO);
                if tcsetattr(&stdin, OptionalActions::Now, &quiet).is_ok() {
                    *saved() = Some(mode);
                }
            }
        }
        Self(())
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal's echo back if this process turned it off. The
/// Enter that ended the line was not echoed either, so a line break goes
/// to stderr for it.
pub fn restore() {
    let Some(mode) = saved().take() else {
        return;
    };
    #[cfg(unix)]
    {
        use rustix::termios::{OptionalActions, tcsetattr};
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &mode);
    }
    #[cfg(not(unix))]
    let () = mode;
    eprintln!();
}
