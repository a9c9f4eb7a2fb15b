//! The terminal hanging up. A closed terminal window or SSH session
//! normally sends the app SIGHUP (see `app.rs`), but not when a parent
//! ignores the signal and keeps it (`nohup`, a shell with `trap '' HUP`):
//! crossterm's reader then spins on the dead terminal without reporting
//! it, at a full core, for ever. A thread waits in poll(2) for the hangup
//! alone, asleep until it comes.

use std::io::IsTerminal;

use rustix::event::{PollFd, PollFlags, poll};
use tokio::sync::oneshot;

/// Resolves `Ok` when stdin's terminal hangs up; `Err` when there is no
/// terminal to watch (the watcher gave up), which means never.
pub fn watch() -> oneshot::Receiver<()> {
    let (tx, rx) = oneshot::channel();
    if !std::io::stdin().is_terminal() {
        return rx;
    }
    let spawned = std::thread::Builder::new()
        .name("hangup".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            // No events asked for: poll still reports a hangup or an error.
            let mut fds = [PollFd::new(&stdin, PollFlags::empty())];
            loop {
                match poll(&mut fds, None) {
                    Ok(_) if !fds[0].revents().is_empty() => {
                        let _ = tx.send(());
                        return;
                    }
                    Ok(_) | Err(rustix::io::Errno::INTR) => {}
                    Err(err) => {
                        tracing::warn!(%err, "cannot watch the terminal for a hangup");
                        return;
                    }
                }
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "cannot watch the terminal for a hangup");
    }
    rx
}
