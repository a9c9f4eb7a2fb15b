//! Text from Close (or from anyone who can answer where Close is expected)
//! made safe to print on a terminal.
//!
//! Control characters (C0 and C1, among them ESC and CSI) are dropped, so
//! an organization name or an error body cannot clear the screen, set the
//! window title or plant a link; so are the bidirectional overrides and
//! isolates, which can make text read other than it is. ratatui already
//! drops control characters from what it draws; this is for the lines the
//! commands print and the text they store for later.

/// `text` without the characters that steer a terminal.
pub fn printable(text: &str) -> String {
    text.chars().filter(|&c| !steers(c)).collect()
}

/// Like [`printable`], cut to `max_chars` characters with `…` after.
pub fn printable_capped(text: &str, max_chars: usize) -> String {
    let mut kept = text.chars().filter(|&c| !steers(c));
    let mut out: String = kept.by_ref().take(max_chars).collect();
    if kept.next().is_some() {
        out.push('…');
    }
    out
}

/// Control characters, and the marks that reorder text as it shows.
fn steers(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_go_letters_stay() {
        let hostile = "Acme\u{1b}]0;PWNED\u{7}\u{1b}[2J \u{9b}31m\u{202e}gpj.exe Zoë 👩‍💻";
        assert_eq!(printable(hostile), "Acme]0;PWNED[2J 31mgpj.exe Zoë 👩‍💻");
    }

    #[test]
    fn capped_counts_what_is_kept() {
        assert_eq!(printable_capped("abcdef", 3), "abc…");
        assert_eq!(printable_capped("ab\u{7}c", 3), "abc");
        assert_eq!(printable_capped("abc", 3), "abc");
    }
}
