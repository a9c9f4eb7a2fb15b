//! Lifecycles of data that arrives later: [`Loadable`] for one value, and
//! [`Generation`] tags so that a reply to an older request is dropped.

/// A request tag. Each new request for the same thing takes the next one;
/// a reply is applied only when its tag is still the current one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Generation(u64);

impl Generation {
    /// Moves on to a new request and returns its tag. Every older tag is
    /// stale from now on.
    pub fn bump(&mut self) -> Generation {
        self.0 += 1;
        *self
    }

    /// True when `reply` answers the latest request.
    pub fn is_current(self, reply: Generation) -> bool {
        self == reply
    }
}

/// Data fetched in the background. On failure the last good value stays on
/// screen beside the error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loadable<T> {
    /// Not asked for yet.
    #[default]
    Idle,
    /// Asked for; `last` is what was shown before, kept while reloading.
    Loading {
        last: Option<T>,
    },
    Loaded(T),
    Failed {
        error: String,
        last: Option<T>,
    },
}

impl<T> Loadable<T> {
    /// The value to show, current or last good.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Loaded(value) => Some(value),
            Self::Loading { last } | Self::Failed { last, .. } => last.as_ref(),
            Self::Idle => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Self::Loading { .. })
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Starts a (re)load, keeping what is shown.
    pub fn start(&mut self) {
        let last = self.take_value();
        *self = Self::Loading { last };
    }

    /// Applies a result: success replaces, failure keeps the last good value.
    pub fn finish(&mut self, result: Result<T, String>) {
        *self = match result {
            Ok(value) => Self::Loaded(value),
            Err(error) => Self::Failed {
                error,
                last: self.take_value(),
            },
        };
    }

    fn take_value(&mut self) -> Option<T> {
        match std::mem::take(self) {
            Self::Loaded(value) => Some(value),
            Self::Loading { last } | Self::Failed { last, .. } => last,
            Self::Idle => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_reload_keeps_the_last_good_value() {
        let mut data = Loadable::Idle;
        data.start();
        assert!(data.is_loading());
        data.finish(Ok(1));
        data.start();
        assert_eq!(data.value(), Some(&1));
        data.finish(Err("offline".into()));
        assert_eq!(data.value(), Some(&1));
        assert_eq!(data.error(), Some("offline"));
    }

    #[test]
    fn only_the_latest_generation_is_current() {
        let mut generation = Generation::default();
        let first = generation.bump();
        let second = generation.bump();
        assert!(!generation.is_current(first));
        assert!(generation.is_current(second));
    }
}
