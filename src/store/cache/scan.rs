//! A cursor over a record's JSON text that checks it as it goes, in one
//! pass, and hands back values as slices of the text.
//!
//! It accepts exactly what `serde_json` accepts when it reads an object
//! whose values it keeps as `RawValue`s: strict JSON (JSON whitespace only,
//! no control characters in strings, `\u` followed by four hex digits, no
//! leading zeros, no trailing commas), keys unescaped by `serde_json`
//! itself, and values nested to any depth. The cache only needs a few
//! members out of each record, so the callers look at keys and skip
//! everything else without building anything.

use std::borrow::Cow;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::value::RawValue;

/// The text is not what `serde_json` would accept; why does not matter,
/// the record is reported by its start.
#[derive(Debug)]
pub(super) struct Invalid;

pub(super) type Result<T> = std::result::Result<T, Invalid>;

/// Containers nested deeper than this inside a skipped value are left to
/// `serde_json`, which has no limit either.
const MAX_SKIP_DEPTH: u32 = 64;

pub(super) struct Scan<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    pub fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    /// The byte after the whitespace here, if any.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.at) {
            self.at += 1;
        }
        bytes.get(self.at).copied()
    }

    /// Only whitespace is left.
    pub fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Invalid),
        }
    }

    fn eat(&mut self, byte: u8) -> Result<()> {
        if self.peek() != Some(byte) {
            return Err(Invalid);
        }
        self.at += 1;
        Ok(())
    }

    /// Reads an object, calling `member` with each key (unescaped) while
    /// the cursor stands before its value; `member` must read the value.
    /// Returns the object's text.
    pub fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Result<()>,
    ) -> Result<&'a str> {
        self.eat(b'{')?;
        let start = self.at - 1;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(&self.text[start..self.at]);
        }
        loop {
            let key = self.key()?;
            member(self, key)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(&self.text[start..self.at]);
                }
                _ => return Err(Invalid),
            }
        }
    }

    /// Reads an array, calling `item` while the cursor stands before each
    /// item; `item` must read it. Returns the array's text.
    pub fn array(&mut self, mut item: impl FnMut(&mut Self) -> Result<()>) -> Result<&'a str> {
        self.eat(b'[')?;
        let start = self.at - 1;
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(&self.text[start..self.at]);
        }
        loop {
            item(self)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(&self.text[start..self.at]);
                }
                _ => return Err(Invalid),
            }
        }
    }

    /// A member's key and the colon after it.
    fn key(&mut self) -> Result<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(Invalid);
        }
        let (quoted, escaped) = self.string()?;
        self.eat(b':')?;
        if !escaped {
            return Ok(Cow::Borrowed(&quoted[1..quoted.len() - 1]));
        }
        // Rare: let serde_json unescape it. One it refuses (a lone
        // surrogate: a cut emoji, say) stays as it came, escapes and all:
        // no name the cache reads has one, and one odd key must not cost
        // the whole record.
        let inner = &quoted[1..quoted.len() - 1];
        Ok(serde_json::from_str::<Unescaped<'a>>(quoted).map_or(Cow::Borrowed(inner), |k| k.0))
    }

    /// Skips one value; returns its text.
    #[inline]
    pub fn value(&mut self) -> Result<&'a str> {
        self.value_escaped().map(|(text, _)| text)
    }

    /// Skips one value; returns its text, and whether it is a string with
    /// an escape.
    #[inline]
    pub fn value_escaped(&mut self) -> Result<(&'a str, bool)> {
        let first = self.peek().ok_or(Invalid)?;
        let start = self.at;
        match first {
            b'"' => return self.string(),
            b'[' | b'{' => self.container()?,
            _ => self.scalar()?,
        }
        Ok((&self.text[start..self.at], false))
    }

    /// A string, from its opening quote: its text with the quotes, and
    /// whether it holds an escape.
    #[inline]
    fn string(&mut self) -> Result<(&'a str, bool)> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut at = start + 1;
        let mut escaped = false;
        loop {
            at = special(bytes, at);
            match bytes.get(at) {
                Some(b'"') => {
                    self.at = at + 1;
                    return Ok((&self.text[start..self.at], escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    at += match bytes.get(at + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        Some(b'u')
                            if bytes
                                .get(at + 2..at + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            6
                        }
                        _ => return Err(Invalid),
                    };
                }
                // A control character, or the end of the text.
                _ => return Err(Invalid),
            }
        }
    }

    /// A number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Result<()> {
        let rest = &self.text.as_bytes()[self.at..];
        for word in [&b"true"[..], b"false", b"null"] {
            if rest.starts_with(word) {
                self.at += word.len();
                return Ok(());
            }
        }
        let digits = |at: usize| rest[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        let mut at = usize::from(rest.first() == Some(&b'-'));
        match rest.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => at += digits(at),
            _ => return Err(Invalid),
        }
        if rest.get(at) == Some(&b'.') {
            match digits(at + 1) {
                0 => return Err(Invalid),
                n => at += 1 + n,
            }
        }
        if let Some(b'e' | b'E') = rest.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = rest.get(at) {
                at += 1;
            }
            match digits(at) {
                0 => return Err(Invalid),
                n => at += n,
            }
        }
        self.at += at;
        Ok(())
    }

    /// An array or object, with whatever it holds, without recursion: a
    /// bit per open container says which it is.
    fn container(&mut self) -> Result<()> {
        let start = self.at;
        let mut objects: u64 = 0;
        let mut depth = 0;
        loop {
            // Here a value starts.
            match self.peek() {
                Some(open @ (b'[' | b'{')) => {
                    if depth == MAX_SKIP_DEPTH {
                        return self.deep(start);
                    }
                    self.at += 1;
                    objects = objects << 1 | u64::from(open == b'{');
                    depth += 1;
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.at += 1;
                        depth -= 1;
                        objects >>= 1;
                    } else {
                        if open == b'{' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(_) => self.scalar()?,
                None => return Err(Invalid),
            }
            // Here a value has ended: a comma, or the end of containers.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                let in_object = objects & 1 == 1;
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        if in_object {
                            self.key()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {}
                    Some(b']') if !in_object => {}
                    _ => return Err(Invalid),
                }
                self.at += 1;
                depth -= 1;
                objects >>= 1;
            }
        }
    }

    /// Skips a value nested too deep for [`Self::container`]'s bits, from
    /// its start, with `serde_json`.
    fn deep(&mut self, start: usize) -> Result<()> {
        let rest = &self.text[start..];
        let mut de = serde_json::Deserializer::from_str(rest);
        let raw = <&RawValue>::deserialize(&mut de).map_err(|_| Invalid)?;
        // The value is a slice of `rest` that begins where `rest` does.
        self.at = start + raw.get().len();
        Ok(())
    }
}

/// The first `"`, `\` or control character at or after `at`, or the end.
#[inline]
fn special(bytes: &[u8], at: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    let mut at = at;
    // Eight bytes at a time: a byte's high bit in `found` is set when it is
    // special; above the lowest such byte, borrows may set more, so only
    // the lowest counts.
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let found = (word.wrapping_sub(ONES * 0x20) & !word
            | quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash)
            & (ONES << 7);
        if found != 0 {
            return at + found.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        at += 1;
    }
    at
}

/// A string as `serde_json` reads it, borrowed when it has no escapes.
pub(super) struct Unescaped<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for Unescaped<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Unescaped<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(Unescaped(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Unescaped(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(V)
    }
}
