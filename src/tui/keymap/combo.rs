//! One key with its modifiers, as written in config.toml (`"ctrl-c"`,
//! `"shift-tab"`, `"pgdn"`, `"G"`) and as shown in hints.

use std::{fmt, str::FromStr};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key press, normalized so that the same key always compares equal:
/// a character carries its case and never the Shift flag, and Shift-Tab is
/// `BackTab` without Shift (terminals report both forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyCombo {
    pub const fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        Self { code, mods }
    }

    pub const fn plain(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::NONE)
    }

    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Only Ctrl and Alt matter for matching; see the type's doc for Shift.
    pub fn normalized(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                let shifted = mods.contains(KeyModifiers::SHIFT);
                mods.remove(KeyModifiers::SHIFT);
                // Ctrl-letters may arrive upper-case with some terminals;
                // otherwise Shift is in the letter's case ("shift-g" is "G").
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else if shifted {
                    let mut upper = c.to_uppercase();
                    match (upper.next(), upper.next()) {
                        (Some(one), None) => KeyCode::Char(one),
                        _ => KeyCode::Char(c),
                    }
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, mods }
    }
}

impl From<KeyEvent> for KeyCombo {
    fn from(event: KeyEvent) -> Self {
        Self::normalized(event.code, event.modifiers)
    }
}

const NAMED: [(&str, KeyCode); 17] = [
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("space", KeyCode::Char(' ')),
    ("minus", KeyCode::Char('-')),
];

/// Why a key name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a key: use a character, a name like enter/esc/pgdn/f5, with ctrl-/alt-/shift- before it"
)]
pub struct BadKey(pub String);

impl FromStr for KeyCombo {
    type Err = BadKey;

    fn from_str(text: &str) -> Result<Self, BadKey> {
        let bad = || BadKey(text.to_owned());
        let mut mods = KeyModifiers::NONE;
        let mut rest = text.trim();
        // A single character is always the key itself, even "-".
        while rest.chars().count() > 1 {
            let Some((head, tail)) = rest.split_once('-') else {
                break;
            };
            match head.to_ascii_lowercase().as_str() {
                "ctrl" | "c" => mods |= KeyModifiers::CONTROL,
                "alt" | "a" | "m" => mods |= KeyModifiers::ALT,
                "shift" | "s" => mods |= KeyModifiers::SHIFT,
                _ => return Err(bad()),
            }
            rest = tail;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            (None, _) => return Err(bad()),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(&(_, code)) = NAMED.iter().find(|(name, _)| *name == lower) {
                    code
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse().ok()) {
                    KeyCode::F(n)
                } else {
                    return Err(bad());
                }
            }
        };
        Ok(Self::normalized(code, mods))
    }
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_to_normalized_keys() {
        let parse = |s: &str| s.parse::<KeyCombo>().unwrap();
        assert_eq!(parse("ctrl-c"), KeyCombo::ctrl('c'));
        assert_eq!(parse("Ctrl-C"), KeyCombo::ctrl('c'));
        assert_eq!(parse("G"), KeyCombo::char('G'));
        assert_eq!(parse("shift-g"), KeyCombo::char('G'));
        assert_eq!(parse("shift-é"), KeyCombo::char('É'));
        assert_eq!(parse("shift-1"), KeyCombo::char('1'));
        assert_eq!(parse("shift-tab"), KeyCombo::plain(KeyCode::BackTab));
        assert_eq!(parse("pgdn"), KeyCombo::plain(KeyCode::PageDown));
        assert_eq!(parse("-"), KeyCombo::char('-'));
        assert_eq!(parse("f5"), KeyCombo::plain(KeyCode::F(5)));
        assert!("hyper-x".parse::<KeyCombo>().is_err());
        assert!("".parse::<KeyCombo>().is_err());
        assert!("nonsense".parse::<KeyCombo>().is_err());
    }

    #[test]
    fn terminal_events_match_their_names() {
        let shifted_g = KeyCombo::normalized(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(shifted_g, KeyCombo::char('G'));
        let backtab = KeyCombo::normalized(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(backtab, KeyCombo::plain(KeyCode::BackTab));
        assert_eq!(KeyCombo::ctrl('c').to_string(), "Ctrl-c");
    }
}
