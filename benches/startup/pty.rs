//! The release binary in a pseudo-terminal, its output fed to a terminal
//! emulator (`vt100`), so "the first full frame" means what a user would
//! see: the screen's known text on the emulated screen, not bytes written.
//!
//! The pty comes from rustix (already in the tree through crossterm): the
//! child gets the slave as stdin, stdout, stderr and controlling terminal,
//! exactly as a shell would start it.

use std::{
    fs::File,
    io::{Read, Write},
    os::{
        fd::{BorrowedFd, OwnedFd},
        unix::process::CommandExt,
    },
    process::{Child, Command},
    sync::mpsc::{self, Receiver, RecvTimeoutError},
    thread,
    time::{Duration, Instant},
};

use rustix::{
    fs::{Mode, OFlags},
    pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt},
    termios::{Winsize, tcsetwinsize},
};

pub const ROWS: u16 = 40;
pub const COLS: u16 = 120;

/// A child on a pseudo-terminal, and what it has drawn so far.
pub struct Pty {
    master: File,
    pub child: Child,
    chunks: Receiver<(Instant, Vec<u8>)>,
    pub parser: vt100::Parser,
    /// Just before `spawn`: fork, exec and the dynamic loader all count.
    pub started: Instant,
    /// Bytes the child wrote to the terminal so far.
    pub bytes: usize,
    /// When the last chunk arrived.
    last: Instant,
}

impl Pty {
    /// Starts `command` on a fresh `ROWS`×`COLS` terminal.
    pub fn spawn(mut command: Command) -> Pty {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let name = ptsname(&master, Vec::new()).expect("ptsname");
        let slave: OwnedFd = rustix::fs::open(
            name.as_c_str(),
            OFlags::RDWR | OFlags::NOCTTY,
            Mode::empty(),
        )
        .expect("open the pty slave");
        let size = Winsize {
            ws_row: ROWS,
            ws_col: COLS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        tcsetwinsize(&slave, size).expect("set the window size");
        let slave = File::from(slave);
        command
            .stdin(slave.try_clone().expect("dup"))
            .stdout(slave.try_clone().expect("dup"))
            .stderr(slave);
        // SAFETY: setsid and ioctl are async-signal-safe system calls; the
        // closure allocates nothing.
        unsafe {
            command.pre_exec(|| {
                rustix::process::setsid()?;
                rustix::process::ioctl_tiocsctty(BorrowedFd::borrow_raw(0))?;
                Ok(())
            });
        }
        let master = File::from(master);
        let mut reader = master.try_clone().expect("dup the master");
        let (tx, chunks) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = vec![0; 64 * 1024];
            // EIO once the child and every copy of the slave are gone.
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                if tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    return;
                }
            }
        });
        let started = Instant::now();
        let child = command.spawn().expect("start close-tui");
        // The parent's copies of the slave go with the command.
        drop(command);
        Pty {
            master,
            child,
            chunks,
            parser: vt100::Parser::new(ROWS, COLS, 0),
            started,
            bytes: 0,
            last: started,
        }
    }

    /// Feeds output to the emulator until `done` holds for the screen; the
    /// answer is the time from `started` to the chunk that completed it.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        done: impl Fn(&vt100::Screen) -> bool,
    ) -> Option<Duration> {
        if done(self.parser.screen()) {
            return Some(self.last - self.started);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(left) {
                Ok((at, bytes)) => {
                    self.last = at;
                    self.feed(&bytes);
                    if done(self.parser.screen()) {
                        return Some(at - self.started);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Reads (and emulates) whatever arrives for `time`; returns the bytes.
    pub fn drain(&mut self, time: Duration) -> usize {
        let before = self.bytes;
        let deadline = Instant::now() + time;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.chunks.recv_timeout(left) {
                Ok((_, bytes)) => self.feed(&bytes),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    thread::sleep(left);
                    break;
                }
            }
        }
        self.bytes - before
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.bytes += bytes.len();
        self.parser.process(bytes);
    }

    pub fn contents(&self) -> String {
        self.parser.screen().contents()
    }

    /// Presses `q`, and kills the child if it has not left a second later.
    pub fn quit(mut self) {
        let _ = self.master.write_all(b"q");
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            self.drain(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Row `row` of the emulated screen, as text.
pub fn row(screen: &vt100::Screen, row: u16) -> String {
    screen
        .rows(0, COLS)
        .nth(usize::from(row))
        .unwrap_or_default()
}
