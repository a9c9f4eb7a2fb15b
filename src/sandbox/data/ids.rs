//! Close-style record ids (`lead_…`, `cont_…`) derived from a record's index.
//!
//! An id is the prefix plus 22 base62 characters computed from `(kind, index)`
//! with a keyed Feistel permutation. Looking an id up is decoding it, so a
//! million records need no id strings in memory and no hash map, and the same
//! seed always gives the same ids.

/// What an id names; part of the encoded value, so ids of different kinds
/// never collide even when they share a prefix (`stat_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Organization = 1,
    User = 2,
    Membership = 3,
    LeadStatus = 4,
    OpportunityStatus = 5,
    Pipeline = 6,
    CustomField = 7,
    Lead = 8,
    Contact = 9,
    Opportunity = 10,
    Task = 11,
    Activity = 12,
    Event = 13,
    /// The request a touch call stands for (`request_id` on its events).
    Request = 14,
}

impl Kind {
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Organization => "orga_",
            Kind::User => "user_",
            Kind::Membership => "memb_",
            Kind::LeadStatus | Kind::OpportunityStatus => "stat_",
            Kind::Pipeline => "pipe_",
            Kind::CustomField => "cf_",
            Kind::Lead => "lead_",
            Kind::Contact => "cont_",
            Kind::Opportunity => "oppo_",
            Kind::Task => "task_",
            Kind::Activity => "acti_",
            Kind::Event => "ev_",
            Kind::Request => "req_",
        }
    }
}

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HALF: usize = 11; // 62^11 > 2^64, so one u64 fits in 11 digits
const SUFFIX: usize = 2 * HALF;

/// An encoded id on the stack; `as_str` borrows it.
pub struct IdBuf {
    buf: [u8; 5 + SUFFIX],
    len: usize,
}

impl IdBuf {
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII prefixes and base62 digits are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// Encodes and decodes ids for one seed.
#[derive(Debug, Clone, Copy)]
pub struct IdCodec {
    keys: [u32; 4],
    filler: u64,
}

impl IdCodec {
    pub fn new(seed: u64) -> Self {
        let mut s = seed ^ 0x05EE_D1D5;
        let mut next = || {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            mix(s)
        };
        let keys = [next() as u32, next() as u32, next() as u32, next() as u32];
        Self {
            keys,
            filler: next(),
        }
    }

    pub fn encode(&self, kind: Kind, index: u32) -> IdBuf {
        let value = self.permute((u64::from(kind as u8) << 32) | u64::from(index));
        let mut out = IdBuf {
            buf: [0; 5 + SUFFIX],
            len: 0,
        };
        let prefix = kind.prefix().as_bytes();
        out.buf[..prefix.len()].copy_from_slice(prefix);
        let p = prefix.len();
        base62(value, &mut out.buf[p..p + HALF]);
        base62(mix(value ^ self.filler), &mut out.buf[p + HALF..p + SUFFIX]);
        out.len = p + SUFFIX;
        out
    }

    pub fn string(&self, kind: Kind, index: u32) -> String {
        self.encode(kind, index).as_str().to_owned()
    }

    /// The index an id of `kind` names, if it is one this codec made.
    pub fn decode(&self, kind: Kind, id: &str) -> Option<u32> {
        let suffix = id.strip_prefix(kind.prefix())?;
        if suffix.len() != SUFFIX {
            return None;
        }
        let mut value: u64 = 0;
        for &c in &suffix.as_bytes()[..HALF] {
            let digit = ALPHABET.iter().position(|&a| a == c)? as u64;
            value = value.checked_mul(62)?.checked_add(digit)?;
        }
        let plain = self.unpermute(value);
        if plain >> 32 != u64::from(kind as u8) {
            return None;
        }
        let index = plain as u32;
        (self.encode(kind, index).as_str() == id).then_some(index)
    }

    fn permute(&self, v: u64) -> u64 {
        let (mut l, mut r) = ((v >> 32) as u32, v as u32);
        for k in self.keys {
            (l, r) = (r, l ^ round(r, k));
        }
        (u64::from(l) << 32) | u64::from(r)
    }

    fn unpermute(&self, v: u64) -> u64 {
        let (mut l, mut r) = ((v >> 32) as u32, v as u32);
        for k in self.keys.iter().rev() {
            (l, r) = (r ^ round(l, *k), l);
        }
        (u64::from(l) << 32) | u64::from(r)
    }
}

fn round(x: u32, k: u32) -> u32 {
    (x ^ k).wrapping_mul(0x9E37_79B1).rotate_left(13) ^ k.rotate_right(7)
}

/// splitmix64's finalizer: a cheap, well-spread hash.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Every two-digit base62 string, so an id takes half as many divisions;
/// a page of leads writes about a thousand ids.
const PAIRS: [u8; 2 * 62 * 62] = {
    let mut table = [0u8; 2 * 62 * 62];
    let mut i = 0;
    while i < 62 * 62 {
        table[2 * i] = ALPHABET[i / 62];
        table[2 * i + 1] = ALPHABET[i % 62];
        i += 1;
    }
    table
};

/// `v` in base62, zero-padded (or cut) to fill `out`.
fn base62(mut v: u64, out: &mut [u8]) {
    let mut end = out.len();
    while end >= 2 {
        let pair = (v % (62 * 62)) as usize * 2;
        out[end - 2..end].copy_from_slice(&PAIRS[pair..pair + 2]);
        v /= 62 * 62;
        end -= 2;
    }
    if end == 1 {
        out[0] = ALPHABET[(v % 62) as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_ids() {
        let codec = IdCodec::new(7);
        for index in [0, 1, 99, 123_456, u32::MAX] {
            let id = codec.string(Kind::Lead, index);
            assert!(id.starts_with("lead_") && id.len() == 5 + SUFFIX);
            assert_eq!(codec.decode(Kind::Lead, &id), Some(index));
            assert_eq!(codec.decode(Kind::Contact, &id), None);
        }
        let other = IdCodec::new(8).string(Kind::Lead, 5);
        assert_eq!(codec.decode(Kind::Lead, &other), None);
        assert_eq!(
            codec.decode(Kind::Lead, "lead_zzzzzzzzzzzzzzzzzzzzzz"),
            None
        );
        assert_eq!(codec.decode(Kind::Lead, "lead_é"), None);
    }
}
