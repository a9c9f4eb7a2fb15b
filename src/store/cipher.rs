//! Sealing secrets for the database with ChaCha20-Poly1305.
//!
//! Each value is one BLOB: `version (1 byte) || nonce (12) || ciphertext+tag`.
//! The nonce is fresh and random for every value, and the associated data
//! names the row and column (`"{org}/{user}/refresh_token"`), so a blob
//! copied to another row or column fails to open instead of silently
//! becoming someone else's token.

use std::fmt;

use chacha20poly1305::{
    ChaCha20Poly1305, Key, KeyInit, Nonce,
    aead::{Aead, Generate, Payload},
};
use zeroize::Zeroizing;

use crate::secret::Secret;

/// The first byte of every sealed blob; a later format bumps it.
const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
pub const KEY_LEN: usize = 32;

/// A 32-byte key that is zeroed on drop and never printed.
#[derive(Clone)]
pub struct KeyBytes(Zeroizing<[u8; KEY_LEN]>);

impl KeyBytes {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self, SealError> {
        let bytes = <[u8; KEY_LEN]>::try_generate().map_err(|_| SealError::Random)?;
        Ok(Self(Zeroizing::new(bytes)))
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(array)))
    }

    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyBytes([redacted])")
    }
}

/// Why a seal or open failed. Deliberately carries no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealError {
    /// Wrong key, altered blob, or a blob from another row/column.
    Open,
    /// The OS random source failed.
    Random,
}

/// The cipher for one key. Cheap to clone: it rebuilds the ChaCha state per
/// call, so no expanded key outlives the operation.
#[derive(Clone, Debug)]
pub struct Cipher {
    key: KeyBytes,
}

impl Cipher {
    pub fn new(key: KeyBytes) -> Self {
        Self { key }
    }

    pub fn seal(&self, plaintext: &[u8], aad: &str) -> Result<Vec<u8>, SealError> {
        let cipher = ChaCha20Poly1305::new(&Key::from(*self.key.expose()));
        let nonce = Nonce::try_generate().map_err(|_| SealError::Random)?;
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            // Encryption fails only for inputs over 256 GiB.
            .map_err(|_| SealError::Open)?;
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        blob.push(FORMAT_V1);
        blob.extend_from_slice(nonce.as_slice());
        blob.extend_from_slice(&sealed);
        Ok(blob)
    }

    pub fn open(&self, blob: &[u8], aad: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let Some((&FORMAT_V1, rest)) = blob.split_first() else {
            return Err(SealError::Open);
        };
        if rest.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| SealError::Open)?;
        let cipher = ChaCha20Poly1305::new(&Key::from(*self.key.expose()));
        cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Open)
    }

    pub fn seal_secret(&self, secret: &Secret, aad: &str) -> Result<Vec<u8>, SealError> {
        self.seal(secret.expose().as_bytes(), aad)
    }

    pub fn open_secret(&self, blob: &[u8], aad: &str) -> Result<Secret, SealError> {
        let plain = self.open(blob, aad)?;
        let text = std::str::from_utf8(&plain).map_err(|_| SealError::Open)?;
        Ok(Secret::new(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> Cipher {
        Cipher::new(KeyBytes::generate().unwrap())
    }

    #[test]
    fn round_trips_with_the_same_aad() {
        let c = cipher();
        let blob = c.seal(b"sbx_rt_abc", "o/u/refresh_token").unwrap();
        assert_eq!(blob[0], FORMAT_V1);
        assert!(!blob.windows(10).any(|w| w == b"sbx_rt_abc"));
        let plain = c.open(&blob, "o/u/refresh_token").unwrap();
        assert_eq!(plain.as_slice(), b"sbx_rt_abc");
    }

    #[test]
    fn nonces_are_fresh() {
        let c = cipher();
        assert_ne!(c.seal(b"x", "a").unwrap(), c.seal(b"x", "a").unwrap());
    }

    #[test]
    fn other_aad_other_key_or_tampering_fail() {
        let c = cipher();
        let blob = c.seal(b"secret", "o/u/access_token").unwrap();
        assert_eq!(c.open(&blob, "o/u/refresh_token"), Err(SealError::Open));
        assert_eq!(
            cipher().open(&blob, "o/u/access_token"),
            Err(SealError::Open)
        );
        let mut bad = blob.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(c.open(&bad, "o/u/access_token"), Err(SealError::Open));
        assert_eq!(c.open(&blob[..5], "o/u/access_token"), Err(SealError::Open));
        assert_eq!(c.open(&[], "o/u/access_token"), Err(SealError::Open));
    }

    #[test]
    fn key_debug_is_redacted() {
        let shown = format!("{:?}", cipher());
        assert!(shown.contains("redacted"), "{shown}");
    }
}
