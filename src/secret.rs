//! `Secret`: a string that never shows itself by accident.
//!
//! Tokens, client secrets and API keys travel as `Secret` everywhere. `Debug`
//! prints `[redacted]`, there is no `Display`, and the bytes are zeroed on drop.
//! The only way to the value is `expose()`, so every use is easy to find.

use std::fmt;

use zeroize::Zeroize;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself. Call it only where the value leaves for its
    /// destination (a request, the cipher), never for logs or messages.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A form that is safe to print: the first four characters and the length,
    /// like `sbx_…(48 chars)`. Short secrets show nothing at all.
    pub fn masked(&self) -> String {
        let len = self.0.chars().count();
        if len < 12 {
            return "****".to_owned();
        }
        let head: String = self.0.chars().take(4).collect();
        format!("{head}…({len} chars)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("sbx_at_supersecretvalue");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("supersecret"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn masked_keeps_only_a_prefix() {
        let secret = Secret::new("sbx_at_0123456789abcdef");
        assert_eq!(secret.masked(), "sbx_…(23 chars)");
        assert_eq!(Secret::new("short").masked(), "****");
    }
}
