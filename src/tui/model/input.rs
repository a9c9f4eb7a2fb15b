//! A one-line text input: the search box, the pasted redirect URL, the
//! API key (masked). The cursor stays at the end; that is all these need.

use unicode_segmentation::UnicodeSegmentation;

/// Longest input kept. A pasted URL is well under this; anything longer is
/// a mistake, refused rather than rendered.
pub const MAX_INPUT: usize = 4096;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Show `•` for each character (API keys).
    pub masked: bool,
}

/// An input may hold a key being typed or a pasted redirect with its
/// code: a `Debug` shows only its length.
impl std::fmt::Debug for TextInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextInput")
            .field("chars", &self.value.chars().count())
            .field("masked", &self.masked)
            .finish()
    }
}

impl TextInput {
    pub fn masked() -> Self {
        Self {
            value: String::new(),
            masked: true,
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Adds typed or pasted text, dropping control characters (a paste may
    /// carry a newline). Returns false when the text would be too long.
    pub fn insert(&mut self, text: &str) -> bool {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        if self.value.len() + clean.len() > MAX_INPUT {
            return false;
        }
        self.value.push_str(&clean);
        true
    }

    /// Takes off the last character as the screen shows it: a letter with
    /// its accents, a flag or a family emoji goes whole.
    pub fn backspace(&mut self) {
        let last = self.value.grapheme_indices(true).next_back();
        if let Some((at, _)) = last {
            self.value.truncate(at);
        }
    }

    pub fn clear(&mut self) {
        self.value.clear();
    }

    /// What may be drawn: the text, or one `•` per character when masked.
    pub fn display(&self) -> String {
        if self.masked {
            "•".repeat(self.value.chars().count())
        } else {
            self.value.clone()
        }
    }

    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_input_never_shows_its_text() {
        let mut input = TextInput::masked();
        input.insert("api_secret\n");
        assert_eq!(input.display(), "••••••••••");
        assert_eq!(input.value(), "api_secret");
        input.backspace();
        assert_eq!(input.value().len(), 9);
        let shown = format!("{input:?}");
        assert!(
            !shown.contains("api_secre") && shown.contains("chars: 9"),
            "{shown}"
        );
        // Nor a pasted redirect with its code.
        let mut pasted = TextInput::default();
        pasted.insert("http://127.0.0.1:8765/callback?code=c0de");
        assert!(!format!("{pasted:?}").contains("c0de"));
    }

    #[test]
    fn backspace_takes_off_what_shows_as_one_character() {
        let mut input = TextInput::default();
        // "e" and a combining acute; a flag; a family of four joined.
        input.insert("Zoe\u{301} \u{1F1EB}\u{1F1F7}\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}");
        input.backspace();
        assert_eq!(input.value(), "Zoe\u{301} \u{1F1EB}\u{1F1F7}");
        input.backspace();
        assert_eq!(input.value(), "Zoe\u{301} ");
        input.backspace();
        input.backspace();
        assert_eq!(input.value(), "Zo");
        input.clear();
        input.backspace();
        assert!(input.is_empty());
    }

    #[test]
    fn oversized_text_is_refused() {
        let mut input = TextInput::default();
        assert!(!input.insert(&"x".repeat(MAX_INPUT + 1)));
        assert!(input.is_empty());
    }
}
