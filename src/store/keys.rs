//! Where the database key lives: the OS keyring, or a 0600 key file.
//!
//! The key is never in the database. `KeyMode::Auto` asks the keyring first,
//! on a thread with a timeout (Secret Service can hang on an unlock prompt),
//! and falls back to the key file in the config dir. Which key is *right* is
//! decided by the store against its key-check value, not here: this module
//! only finds candidates and writes new keys.

use std::{
    fmt,
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD};

use super::{cipher::KeyBytes, error::StoreError, keyfile, keyring_io, keyring_io::KeyringFailure};

/// Environment variable that picks the key store: `auto`, `keyring` or `file`.
pub const KEY_STORE_ENV: &str = "CLOSE_TUI_KEY_STORE";
/// How long a keyring call may take before we fall back (gh uses 3 s too).
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyMode {
    /// Keyring when it answers in time, else the key file.
    #[default]
    Auto,
    Keyring,
    File,
}

impl FromStr for KeyMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(Self::Auto),
            "keyring" => Ok(Self::Keyring),
            "file" => Ok(Self::File),
            other => Err(format!(
                "{KEY_STORE_ENV}={other:?} is not one of auto, keyring, file"
            )),
        }
    }
}

/// Where the key in use came from (or, when it is missing, would live).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStoreKind {
    Keyring,
    File,
}

impl KeyStoreKind {
    /// The word `status --json` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keyring => "keyring",
            Self::File => "file",
        }
    }
}

impl fmt::Display for KeyStoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Keyring => "keyring",
            Self::File => "key file",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyConfig {
    pub mode: KeyMode,
    /// The key file, used in `File` mode and as `Auto`'s fallback.
    pub file: PathBuf,
    pub keyring_service: String,
    pub keyring_user: String,
    pub keyring_timeout: Duration,
}

impl KeyConfig {
    /// The standard layout: `store.key` in the config dir, keyring entry
    /// `close-tui` / `database-key`.
    pub fn new(mode: KeyMode, config_dir: &Path) -> Self {
        Self {
            mode,
            file: config_dir.join("store.key"),
            keyring_service: "close-tui".to_owned(),
            keyring_user: "database-key".to_owned(),
            keyring_timeout: KEYRING_TIMEOUT,
        }
    }

    /// Like `new`, with the mode taken from `CLOSE_TUI_KEY_STORE` (default
    /// `auto`). An unknown value is an error rather than a silent default.
    pub fn from_env(config_dir: &Path) -> Result<Self, StoreError> {
        let mode = match std::env::var(KEY_STORE_ENV) {
            Ok(value) => value.parse().map_err(StoreError::Setting)?,
            Err(std::env::VarError::NotPresent) => KeyMode::Auto,
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(StoreError::Setting(format!(
                    "{KEY_STORE_ENV} is not valid UTF-8"
                )));
            }
        };
        Ok(Self::new(mode, config_dir))
    }
}

impl KeyConfig {
    /// Deletes the key from the keyring (when the mode uses it) and the key
    /// file. Only sensible after `Store::delete_all`: secrets still sealed
    /// with this key would be lost.
    pub fn forget_key(&self) -> Result<(), StoreError> {
        if self.mode != KeyMode::File {
            keyring_io::delete(self).map_err(|failure| StoreError::KeyStore {
                key_store: KeyStoreKind::Keyring,
                reason: failure.to_string(),
            })?;
        }
        keyfile::delete(&self.file).map_err(|err| StoreError::io(&self.file, err))
    }
}

/// A key found in one store. `key` is `None` when the entry exists but does
/// not hold a valid key (e.g. a truncated key file).
pub(crate) struct Candidate {
    pub kind: KeyStoreKind,
    pub key: Option<KeyBytes>,
}

/// What a lookup found, in preference order (keyring first).
pub(crate) struct Lookup {
    pub candidates: Vec<Candidate>,
    /// The keyring answered (with a key or "no entry") within the timeout.
    pub keyring_answered: bool,
    /// A reason why the configured store could not be read at all.
    pub unavailable: Option<String>,
    /// In `Auto` mode, why the keyring was skipped (the key may be there).
    pub keyring_failure: Option<String>,
}

impl Lookup {
    /// Where a new key should be written.
    pub fn home(&self, mode: KeyMode) -> KeyStoreKind {
        match mode {
            KeyMode::Keyring => KeyStoreKind::Keyring,
            KeyMode::File => KeyStoreKind::File,
            KeyMode::Auto if self.keyring_answered => KeyStoreKind::Keyring,
            KeyMode::Auto => KeyStoreKind::File,
        }
    }
}

pub(crate) fn lookup(config: &KeyConfig) -> Lookup {
    let mut found = Lookup {
        candidates: Vec::new(),
        keyring_answered: false,
        unavailable: None,
        keyring_failure: None,
    };
    if config.mode != KeyMode::File {
        match keyring_io::get(config) {
            Ok(text) => {
                found.keyring_answered = true;
                found.candidates.push(Candidate {
                    kind: KeyStoreKind::Keyring,
                    key: decode(&text),
                });
            }
            Err(KeyringFailure::NoEntry) => found.keyring_answered = true,
            Err(failure) => {
                if config.mode == KeyMode::Auto {
                    tracing::warn!(%failure, "keyring unavailable; using the key file");
                    found.keyring_failure = Some(failure.to_string());
                } else {
                    found.unavailable = Some(failure.to_string());
                }
            }
        }
    }
    if config.mode != KeyMode::Keyring {
        match keyfile::read(&config.file) {
            Ok(Some(text)) => found.candidates.push(Candidate {
                kind: KeyStoreKind::File,
                key: decode(&text),
            }),
            Ok(None) => {}
            Err(err) => {
                found.unavailable = Some(format!("{}: {err}", config.file.display()));
            }
        }
    }
    found
}

/// Writes `key` to `kind`, replacing what is there.
pub(crate) fn store(
    config: &KeyConfig,
    kind: KeyStoreKind,
    key: &KeyBytes,
) -> Result<(), StoreError> {
    let text = zeroize::Zeroizing::new(STANDARD.encode(key.expose()));
    match kind {
        KeyStoreKind::Keyring => {
            keyring_io::set(config, &text).map_err(|failure| StoreError::KeyStore {
                key_store: kind,
                reason: failure.to_string(),
            })
        }
        KeyStoreKind::File => keyfile::write(&config.file, text.as_bytes())
            .map_err(|err| StoreError::io(&config.file, err)),
    }
}

fn decode(text: &str) -> Option<KeyBytes> {
    let bytes = zeroize::Zeroizing::new(STANDARD.decode(text.trim()).ok()?);
    KeyBytes::from_slice(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse() {
        assert_eq!("file".parse(), Ok(KeyMode::File));
        assert_eq!(" Keyring ".parse(), Ok(KeyMode::Keyring));
        assert_eq!("auto".parse(), Ok(KeyMode::Auto));
        assert!("vault".parse::<KeyMode>().is_err());
    }

    #[test]
    fn file_mode_stores_and_finds_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let config = KeyConfig::new(KeyMode::File, &dir.path().join("cfg"));
        assert!(lookup(&config).candidates.is_empty());
        let key = KeyBytes::generate().unwrap();
        store(&config, KeyStoreKind::File, &key).unwrap();
        let found = lookup(&config);
        assert_eq!(found.candidates.len(), 1);
        let stored = found.candidates[0].key.as_ref().unwrap();
        assert_eq!(stored.expose(), key.expose());
        assert!(!found.keyring_answered);
        assert_eq!(found.home(KeyMode::File), KeyStoreKind::File);
    }

    #[test]
    fn a_damaged_key_file_is_a_candidate_without_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let config = KeyConfig::new(KeyMode::File, dir.path());
        std::fs::write(&config.file, "not base64 at all").unwrap();
        let found = lookup(&config);
        assert_eq!(found.candidates.len(), 1);
        assert!(found.candidates[0].key.is_none());
    }

    #[test]
    fn auto_falls_back_to_the_file_when_the_keyring_is_slow() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = KeyConfig::new(KeyMode::Auto, dir.path());
        // A zero timeout never waits for the keyring thread, which only reads.
        config.keyring_timeout = Duration::ZERO;
        config.keyring_service = "close-tui-unit-test-never-written".to_owned();
        let found = lookup(&config);
        assert!(!found.keyring_answered);
        assert!(found.unavailable.is_none());
        assert_eq!(found.home(KeyMode::Auto), KeyStoreKind::File);
    }
}
