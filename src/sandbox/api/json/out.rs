//! A small JSON writer for the record views, appending to a `Vec<u8>`.
//!
//! A page of 100 leads is about 350 KB of JSON with a few thousand keys,
//! ids and dates. Going through serde cost ~60 instructions a byte (one
//! `io::Write` call per token, a `format!` per built string); this writes
//! keys and literals as byte slices, checks a whole string for characters
//! that need escaping before copying it in one go, and formats ids, dates
//! and numbers on the stack. The output is byte for byte what serde_json
//! wrote: the same escapes, no spaces.

use crate::sandbox::{
    api::params::Fields,
    data::{Dataset, Kind, Ts, time::Day},
};

/// Something that can write itself as one JSON value.
pub trait WriteJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// The few serde-built bodies (`/me/`, statuses, test hooks) go through
/// serde_json. Writing a `Value` into a `Vec` cannot fail: its keys are
/// strings and the writer never returns an error.
impl WriteJson for serde_json::Value {
    fn write_json(&self, out: &mut Vec<u8>) {
        let _ = serde_json::to_writer(&mut *out, self);
    }
}

/// Whether a byte must be escaped inside a JSON string, as serde_json
/// decides: quote, backslash and control characters; nothing else.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any byte of `bytes` needs escaping, eight bytes at a time: the
/// page path writes ~250 KB of string values and a byte loop was the
/// largest single cost in it.
fn any_escape(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The classic "has a byte less than n" test: exact as a yes/no answer.
    let less = |w: u64, n: u64| w.wrapping_sub(LO * n) & !w & HI;
    let hit = |w: u64| less(w, 0x20) | less(w ^ (LO * 0x22), 1) | less(w ^ (LO * 0x5c), 1) != 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if hit(u64::from_le_bytes(word)) {
            return true;
        }
    }
    // The tail, padded with a byte that never needs escaping, takes one
    // more word instead of a byte loop (most strings here are short).
    let tail = chunks.remainder();
    let mut word = [b' '; 8];
    word[..tail.len()].copy_from_slice(tail);
    hit(u64::from_le_bytes(word))
}

/// The inside of a JSON string (no quotes), escaped.
pub fn str_body(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !any_escape(bytes) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// A quoted, escaped JSON string.
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    str_body(out, s);
    out.push(b'"');
}

pub fn number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

pub fn ts(out: &mut Vec<u8>, t: Ts) {
    let mut buf = [b'"'; 34];
    let (_, inner) = buf.split_at_mut(1);
    if let Some(inner) = inner.first_chunk_mut::<32>() {
        t.write_ascii(inner);
    }
    out.extend_from_slice(&buf);
}

pub fn day(out: &mut Vec<u8>, d: Day) {
    let mut buf = [0u8; 32];
    let full = Ts(i64::from(d.0) * crate::sandbox::data::time::MICROS_PER_DAY).format(&mut buf);
    out.push(b'"');
    out.extend_from_slice(&full.as_bytes()[..10]);
    out.push(b'"');
}

/// A record id; ids are ASCII letters, digits and `_`, never escaped.
pub fn id(out: &mut Vec<u8>, ds: &Dataset, kind: Kind, index: u32) {
    out.push(b'"');
    out.extend_from_slice(ds.codec().encode(kind, index).as_bytes());
    out.push(b'"');
}

/// Writes `[a,b,…]`, one element per item.
pub fn array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (n, item) in items.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

/// A JSON object being written, minus the keys `_fields` leaves out. Each
/// method writes one member; the value is written only when the key is
/// selected.
pub struct Obj<'o, 'f> {
    out: &'o mut Vec<u8>,
    fields: Option<&'f Fields>,
    first: bool,
}

impl<'o, 'f> Obj<'o, 'f> {
    pub fn new(out: &'o mut Vec<u8>, fields: Option<&'f Fields>) -> Self {
        out.push(b'{');
        Self {
            out,
            fields,
            first: true,
        }
    }

    /// Writes `,"key":` and hands out the buffer for the value, or `None`
    /// when `_fields` leaves the key out.
    // Inlined, a literal key's length is a constant and its copy a move.
    #[inline(always)]
    pub fn key(&mut self, key: &str) -> Option<&mut Vec<u8>> {
        if self.fields.is_some_and(|f| !f.has(key)) {
            return None;
        }
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        // Keys are this module's callers' literals and the generated
        // custom field names and keys: none needs escaping.
        debug_assert!(!any_escape(key.as_bytes()), "{key:?}");
        self.out.reserve(key.len() + 4);
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        Some(self.out)
    }

    #[inline]
    pub fn str(&mut self, key: &str, value: &str) {
        if let Some(out) = self.key(key) {
            string(out, value);
        }
    }

    #[inline]
    pub fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(out) = self.key(key) {
            match value {
                Some(v) => string(out, v),
                None => out.extend_from_slice(b"null"),
            }
        }
    }

    /// A string value known to need no escaping, written with its quotes
    /// as given (`"…"`) or as a bare literal (`null`, `[]`, `false`).
    #[inline]
    pub fn raw(&mut self, key: &str, json: &[u8]) {
        if let Some(out) = self.key(key) {
            out.extend_from_slice(json);
        }
    }

    #[inline]
    pub fn num(&mut self, key: &str, value: u64) {
        if let Some(out) = self.key(key) {
            number(out, value);
        }
    }

    #[inline]
    pub fn bool(&mut self, key: &str, value: bool) {
        self.raw(key, if value { b"true" } else { b"false" });
    }

    #[inline]
    pub fn ts(&mut self, key: &str, value: Ts) {
        if let Some(out) = self.key(key) {
            ts(out, value);
        }
    }

    #[inline]
    pub fn opt_day(&mut self, key: &str, value: Option<Day>) {
        if let Some(out) = self.key(key) {
            match value {
                Some(d) => day(out, d),
                None => out.extend_from_slice(b"null"),
            }
        }
    }

    #[inline]
    pub fn id(&mut self, key: &str, ds: &Dataset, kind: Kind, index: u32) {
        if let Some(out) = self.key(key) {
            id(out, ds, kind, index);
        }
    }

    #[inline]
    pub fn opt_id(&mut self, key: &str, ds: &Dataset, kind: Kind, index: Option<u32>) {
        if let Some(out) = self.key(key) {
            match index {
                Some(i) => id(out, ds, kind, i),
                None => out.extend_from_slice(b"null"),
            }
        }
    }

    /// Any other value, written by `f`.
    #[inline]
    pub fn with(&mut self, key: &str, f: impl FnOnce(&mut Vec<u8>)) {
        if let Some(out) = self.key(key) {
            f(out);
        }
    }

    pub fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_serde_json_does() {
        for s in [
            "plain",
            "",
            "quote \" and \\ back",
            "tab\tnew\nline\r",
            "\u{1}\u{8}\u{c}\u{1f}\u{7f}",
            "ünïcødé / <p>",
            "a longer string past one word, with ü and ÿ and ~ but no escapes",
        ] {
            let mut ours = Vec::new();
            string(&mut ours, s);
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        // Every byte that needs an escape is found at every offset of a
        // word, among high (non-ASCII) bytes that must not trip the check.
        for special in ['"', '\\', '\n', '\u{0}', '\u{1f}'] {
            let base: String = "é_~ÿ".chars().cycle().take(12).collect();
            for at in (0..=base.len()).filter(|&at| base.is_char_boundary(at)) {
                let mut s = base.clone();
                s.insert(at, special);
                let mut ours = Vec::new();
                string(&mut ours, &s);
                assert_eq!(ours, serde_json::to_vec(&s).unwrap(), "{s:?}");
            }
        }
    }

    #[test]
    fn an_object_skips_keys_outside_fields() {
        let fields = crate::sandbox::api::params::Params::parse(Some("_fields=b,c"))
            .unwrap()
            .fields();
        let mut out = Vec::new();
        let mut o = Obj::new(&mut out, fields.as_ref());
        o.num("a", 1);
        o.str("b", "x");
        o.opt_str("c", None);
        o.end();
        assert_eq!(out, br#"{"b":"x","c":null}"#);
    }
}
