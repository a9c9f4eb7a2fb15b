//! PKCE (RFC 7636, S256 only) and the `state` value that ties a redirect to
//! the login that started it.
//!
//! Both come straight from the operating system's random source: a login is
//! rare, so there is no reason to go through a user-space generator.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::{TryRng, rngs::SysRng};
use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// The OS random source failed; nothing sensible can be done without it.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(String);

/// `N` bytes from the OS, base64url-encoded without padding.
fn random_token<const N: usize>() -> Result<Secret, RandomError> {
    let mut bytes = [0u8; N];
    SysRng
        .try_fill_bytes(&mut bytes)
        .map_err(|err| RandomError(err.to_string()))?;
    let token = URL_SAFE_NO_PAD.encode(bytes);
    bytes.fill(0);
    Ok(Secret::new(token))
}

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl Pkce {
    /// A fresh verifier: 32 random bytes, which encode to 43 characters,
    /// the shortest verifier RFC 7636 allows, with 256 bits of entropy.
    pub fn generate() -> Result<Self, RandomError> {
        Ok(Self::from_verifier(random_token::<32>()?))
    }

    /// The pair for a known verifier (tests, and nothing else).
    pub fn from_verifier(verifier: Secret) -> Self {
        let challenge = s256_challenge(verifier.expose());
        Self {
            verifier,
            challenge,
        }
    }

    /// Sent to the token endpoint as `code_verifier`.
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// Sent in the authorize URL as `code_challenge`. Not secret: it is a
    /// one-way hash, and it travels through the browser anyway.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// `BASE64URL(SHA256(ASCII(verifier)))`, RFC 7636 section 4.2.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The `state` parameter: 256 random bits (the design asks for at least 128).
pub fn new_state() -> Result<Secret, RandomError> {
    random_token::<32>()
}

/// Compares two strings in time that depends only on their lengths, so a
/// guessed `state` learns nothing from how fast it was turned down.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    /// RFC 7636 Appendix B, checked against the RFC text (an often-quoted
    /// variant of this value with a typo would not match).
    fn rfc7636_appendix_b_vector() {
        let pkce = Pkce::from_verifier(Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert_eq!(
            pkce.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifier_is_43_unreserved_chars_and_fresh() {
        let a = Pkce::generate().unwrap();
        let b = Pkce::generate().unwrap();
        let v = a.verifier().expose();
        assert_eq!(v.len(), 43);
        assert!(
            v.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(v, b.verifier().expose());
        assert_eq!(a.challenge(), s256_challenge(v));
    }

    #[test]
    fn state_has_at_least_128_bits_and_differs() {
        let states: Vec<Secret> = (0..64).map(|_| new_state().unwrap()).collect();
        for state in &states {
            let decoded = URL_SAFE_NO_PAD.decode(state.expose()).unwrap();
            assert!(decoded.len() * 8 >= 128);
        }
        let mut seen: Vec<&str> = states.iter().map(Secret::expose).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), states.len());
    }

    #[test]
    fn constant_time_eq_matches_eq() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(constant_time_eq("", ""));
    }
}
