//! Keyring calls, each on its own thread with a timeout.
//!
//! Secret Service may block on an unlock prompt or a dead D-Bus peer, and
//! the keyring crate has no timeout of its own. A call that does not answer
//! in time is abandoned: its thread is detached and finishes (or not) on its
//! own, and the caller falls back or reports the keyring as unavailable.

use std::{fmt, sync::mpsc, thread};

use zeroize::Zeroizing;

use super::keys::KeyConfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyringFailure {
    /// The keyring answered: there is no such entry.
    NoEntry,
    TimedOut,
    /// Any other keyring error, reduced to its message (never the data).
    Failed(String),
}

impl fmt::Display for KeyringFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoEntry => f.write_str("no key in the keyring"),
            Self::TimedOut => f.write_str("the keyring did not answer in time"),
            Self::Failed(reason) => f.write_str(reason),
        }
    }
}

/// Reads the key entry as text.
pub(crate) fn get(config: &KeyConfig) -> Result<Zeroizing<String>, KeyringFailure> {
    let (service, user) = (config.keyring_service.clone(), config.keyring_user.clone());
    timed(config, move || {
        let entry = keyring::Entry::new(&service, &user)?;
        let bytes = Zeroizing::new(entry.get_secret()?);
        // A non-UTF-8 entry is not ours; it shows up as "not a valid key".
        Ok(Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned()))
    })
}

/// Writes (or replaces) the key entry.
pub(crate) fn set(config: &KeyConfig, text: &str) -> Result<(), KeyringFailure> {
    let (service, user) = (config.keyring_service.clone(), config.keyring_user.clone());
    let text = Zeroizing::new(text.to_owned());
    timed(config, move || {
        keyring::Entry::new(&service, &user)?.set_secret(text.as_bytes())
    })
}

/// Deletes the key entry; a missing entry is not an error.
pub(crate) fn delete(config: &KeyConfig) -> Result<(), KeyringFailure> {
    let (service, user) = (config.keyring_service.clone(), config.keyring_user.clone());
    match timed(config, move || {
        keyring::Entry::new(&service, &user)?.delete_credential()
    }) {
        Err(KeyringFailure::NoEntry) => Ok(()),
        other => other,
    }
}

fn timed<T: Send + 'static>(
    config: &KeyConfig,
    call: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, KeyringFailure> {
    let (tx, rx) = mpsc::channel();
    let spawned = thread::Builder::new()
        .name("keyring".to_owned())
        .spawn(move || {
            // The receiver is gone after a timeout; nobody needs the answer.
            let _ = tx.send(call());
        });
    if let Err(err) = spawned {
        return Err(KeyringFailure::Failed(err.to_string()));
    }
    match rx.recv_timeout(config.keyring_timeout) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(keyring::Error::NoEntry)) => Err(KeyringFailure::NoEntry),
        Ok(Err(err)) => Err(KeyringFailure::Failed(err.to_string())),
        Err(_) => Err(KeyringFailure::TimedOut),
    }
}
