//! Short messages in the corner that go away by themselves.

use chrono::{DateTime, Duration, Utc};

/// How long a toast stays.
pub const TOAST_SECS: i64 = 5;
/// At most this many are shown; older ones go first.
pub const MAX_TOASTS: usize = 3;

/// The longest a toast stays.
pub const LONGEST_SECS: i64 = 20;

/// How long a message stays: [`TOAST_SECS`], and a second more for every
/// 20 characters past 60, up to [`LONGEST_SECS`], so a long one can be read.
fn lasts(text: &str) -> i64 {
    let extra = text.chars().count().saturating_sub(60) / 20;
    (TOAST_SECS + extra as i64).min(LONGEST_SECS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub level: ToastLevel,
    pub text: String,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toasts(Vec<Toast>);

impl Toasts {
    pub fn push(&mut self, level: ToastLevel, text: impl Into<String>, now: DateTime<Utc>) {
        let text = text.into();
        // The same message again (a retry loop) only extends the first.
        self.0.retain(|t| t.text != text);
        let until = now + Duration::seconds(lasts(&text));
        self.0.push(Toast { level, text, until });
        if self.0.len() > MAX_TOASTS {
            self.0.remove(0);
        }
    }

    /// Drops expired toasts; true when any went.
    /// Takes back a message that no longer holds ("disconnecting…").
    pub fn remove(&mut self, text: &str) {
        self.0.retain(|t| t.text != text);
    }

    pub fn expire(&mut self, now: DateTime<Utc>) -> bool {
        let before = self.0.len();
        self.0.retain(|t| t.until > now);
        before != self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Toast> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_stays_long_enough_to_read() {
        assert_eq!(lasts("synced"), TOAST_SECS);
        assert_eq!(lasts(&"x".repeat(140)), TOAST_SECS + 4);
        assert_eq!(lasts(&"x".repeat(5000)), LONGEST_SECS);
    }
}
