//! Whether a login can be saved: not while the key store does not answer,
//! and a login asks before the browser opens, not after the exchange.

use super::{
    KeyStoreKind, Store,
    error::StoreError,
    keyring_io::KeyringFailure,
    keystate::{self, KeyProblem, KeyState},
};

impl Store {
    /// Whether a login could be saved now. A login is refused when the key
    /// store does not answer (see [`Store::save_login`]), and the way to
    /// learn that must not be after the browser's consent and the token
    /// exchange: logins check first.
    pub fn check_login_can_be_saved(&self) -> Result<(), StoreError> {
        let mut guard = self.lock();
        refuse_without_key_store(&mut guard, &self.keys, Saving::Nothing)
    }
}

/// What a refusal for want of a key store is about.
#[derive(Clone, Copy)]
pub(super) enum Saving {
    /// A login was checked before it started.
    Nothing,
    /// A login was being saved.
    Login,
}

/// Refuses when the key store did not answer and still does not: the key
/// of the stored logins may well be in it, and a new key would lose them
/// all. It is asked again first (a keyring unlocked since the store was
/// opened answers now).
pub(super) fn refuse_without_key_store(
    inner: &mut super::Inner,
    keys: &super::KeyConfig,
    saving: Saving,
) -> Result<(), StoreError> {
    if let KeyState::Unusable {
        problem: KeyProblem::Unavailable(_),
        ..
    } = &inner.key
    {
        inner.key = keystate::resolve(&mut inner.conn, keys)?;
    }
    let KeyState::Unusable {
        problem: KeyProblem::Unavailable(reason),
        kind,
    } = &inner.key
    else {
        return Ok(());
    };
    let stored: bool = inner.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE access_token IS NOT NULL \
             OR refresh_token IS NOT NULL OR api_key IS NOT NULL)",
        [],
        |row| row.get(0),
    )?;
    let what = match (saving, kind) {
        (Saving::Login, _) => "this login was not saved",
        (Saving::Nothing, KeyStoreKind::Keyring) => {
            "no login can be saved until the keyring answers"
        }
        (Saving::Nothing, KeyStoreKind::File) => {
            "no login can be saved until the key file can be used"
        }
    };
    let why = if stored {
        ", because the key of the logins already stored may be there"
    } else {
        ""
    };
    let way_out = match kind {
        KeyStoreKind::Keyring => {
            let unlock = if reason.contains(&KeyringFailure::TimedOut.to_string()) {
                " (if it asked to be unlocked, unlock it and log in again)"
            } else {
                ""
            };
            let instead = if stored {
                "start again with a key file (stored logins will then need to log in again)"
            } else {
                "keep the key in a file instead"
            };
            format!(
                "Log in where the keyring answers{unlock}, or set CLOSE_TUI_KEY_STORE=file \
                 to {instead}"
            )
        }
        // The reason names the file when it was the file that failed.
        KeyStoreKind::File if reason.contains(&keys.file.display().to_string()) => {
            "Check that it can be read and written, then log in again".to_owned()
        }
        KeyStoreKind::File => format!(
            "Check that {} can be read and written, then log in again",
            keys.file.display()
        ),
    };
    Err(StoreError::KeyStore {
        key_store: *kind,
        reason: format!("{reason}; {what}{why}. {way_out}"),
    })
}
