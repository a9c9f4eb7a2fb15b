//! `--record-secrets FILE`, for tests only: every secret the sandbox hands
//! out (the API key and client secret at start, then each authorization
//! code, access token and refresh token as it is issued), one per line, so
//! a test can search everything the client wrote for any of them.
//!
//! The file holds live credentials: it is created 0600 and named by the
//! test, never by default.

use std::{
    fs::{File, OpenOptions},
    io::{self, Write},
    path::Path,
    sync::{Mutex, PoisonError},
};

pub struct SecretLog {
    file: Mutex<File>,
}

impl SecretLog {
    /// Opens FILE for appending (0600 when it is created).
    pub fn open(path: &Path) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        Ok(Self {
            file: Mutex::new(options.open(path)?),
        })
    }

    /// Appends one secret; written through at once, so a test reading the
    /// file after any response sees every secret issued before it.
    pub fn note(&self, secret: &str) {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if writeln!(file, "{secret}").is_err() {
            tracing::warn!("could not write the secrets record");
        }
    }
}
