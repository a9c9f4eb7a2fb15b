//! What the sandbox's authorization server remembers: authorization codes,
//! access tokens, refresh tokens and the grant families that tie them together.
//!
//! A grant family is everything issued from one authorization code: the
//! first token pair and every pair rotated from it. Revoking the family (a
//! refresh-token revocation, a reused refresh token, a replayed code) kills
//! all of its tokens at once, as RFC 6749 4.1.2 and RFC 9700 ask.
//!
//! One `RwLock` guards it all. The hot path, checking an access token, takes
//! the read lock for two hash lookups; everything else is rare.

use std::{
    collections::HashMap,
    sync::{PoisonError, RwLock},
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::secretlog::SecretLog;

/// How long an authorization code can be redeemed.
const CODE_TTL: Duration = Duration::from_secs(60);
/// How long a used or expired code is kept, so that a replay still finds it
/// and revokes what it gave out.
const CODE_MEMORY: Duration = Duration::from_secs(600);
/// Expired entries are swept once every this many issues.
const SWEEP_EVERY: u64 = 256;

/// A random credential: `prefix` then 256 bits, base64url.
pub fn random_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What an authorization code was issued for.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    /// The redirect the browser was sent to.
    pub redirect_uri: String,
    /// Whether the authorization request named `redirect_uri` itself; only
    /// then must the token request repeat it (RFC 6749 4.1.3).
    pub redirect_uri_sent: bool,
    pub organization_id: String,
    pub user_id: String,
    /// The S256 PKCE challenge, when one was sent.
    pub code_challenge: Option<String>,
}

/// A freshly issued token pair.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub organization_id: String,
    pub user_id: String,
}

/// Why a grant was refused; the text becomes `error_description`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidGrant(pub &'static str);

/// Whose an access token is, when it is still good.
#[derive(Debug, Clone)]
pub struct Holder {
    pub organization_id: String,
    pub user_id: String,
}

struct Code {
    grant: CodeGrant,
    expires: Instant,
    used: bool,
    family: Option<u64>,
}

struct Access {
    family: u64,
    expires: Instant,
    revoked: bool,
}

struct Refresh {
    family: u64,
    /// False once rotated or revoked; a dead token is kept to spot reuse.
    live: bool,
}

struct Family {
    client_id: String,
    organization_id: String,
    user_id: String,
    revoked: bool,
}

#[derive(Default)]
struct Store {
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    families: HashMap<u64, Family>,
    next_family: u64,
    issued: u64,
}

#[derive(Default)]
pub struct Tokens {
    store: RwLock<Store>,
    /// `--record-secrets`: where each issued code and token is noted.
    record: Option<SecretLog>,
}

impl Tokens {
    pub fn record_to(&mut self, log: SecretLog) {
        self.record = Some(log);
    }

    fn note(&self, secret: &str) {
        if let Some(log) = &self.record {
            log.note(secret);
        }
    }

    /// Remembers a grant and returns its single-use code.
    pub fn issue_code(&self, grant: CodeGrant) -> String {
        let code = random_token("sbx_ac_");
        self.note(&code);
        let mut store = self.write();
        store.sweep_now_and_then();
        store.codes.insert(
            code.clone(),
            Code {
                grant,
                expires: Instant::now() + CODE_TTL,
                used: false,
                family: None,
            },
        );
        code
    }

    /// Redeems a code for `client_id`. `verify` checks the request against
    /// the grant (redirect_uri, PKCE); it runs after the code is marked used,
    /// so a failed check burns the code too. A replayed code revokes every
    /// token issued from it.
    pub fn redeem_code(
        &self,
        code: &str,
        client_id: &str,
        access_ttl: Duration,
        verify: impl FnOnce(&CodeGrant) -> Result<(), InvalidGrant>,
    ) -> Result<Issued, InvalidGrant> {
        let mut store = self.write();
        let now = Instant::now();
        let entry = store
            .codes
            .get_mut(code)
            .ok_or(InvalidGrant("The authorization code is unknown."))?;
        if entry.grant.client_id != client_id {
            return Err(InvalidGrant(
                "The authorization code was issued to another client.",
            ));
        }
        if entry.used {
            let family = entry.family;
            if let Some(family) = family {
                store.revoke_family(family);
            }
            return Err(InvalidGrant(
                "The authorization code was already used; tokens issued from it are revoked.",
            ));
        }
        entry.used = true;
        if now >= entry.expires {
            return Err(InvalidGrant("The authorization code has expired."));
        }
        verify(&entry.grant)?;
        let grant = entry.grant.clone();
        let family = store.new_family(&grant);
        if let Some(entry) = store.codes.get_mut(code) {
            entry.family = Some(family);
        }
        let issued = store.issue_pair(family, access_ttl);
        drop(store);
        self.note_pair(&issued);
        Ok(issued)
    }

    /// Rotates a refresh token: the old one dies, a new pair is issued in the
    /// same family. Reusing a dead token revokes the whole family (RFC 9700).
    pub fn refresh(
        &self,
        refresh_token: &str,
        client_id: &str,
        access_ttl: Duration,
    ) -> Result<Issued, InvalidGrant> {
        let mut store = self.write();
        let (family, live) = match store.refresh.get(refresh_token) {
            Some(entry) => (entry.family, entry.live),
            None => return Err(InvalidGrant("The refresh token is unknown.")),
        };
        let (owner_matches, revoked) = match store.families.get(&family) {
            Some(f) => (f.client_id == client_id, f.revoked),
            None => (false, true),
        };
        if !owner_matches {
            return Err(InvalidGrant(
                "The refresh token was issued to another client.",
            ));
        }
        if revoked {
            return Err(InvalidGrant("The refresh token has been revoked."));
        }
        if !live {
            store.revoke_family(family);
            return Err(InvalidGrant(
                "The refresh token was already used; the grant is revoked.",
            ));
        }
        if let Some(entry) = store.refresh.get_mut(refresh_token) {
            entry.live = false;
        }
        let issued = store.issue_pair(family, access_ttl);
        drop(store);
        self.note_pair(&issued);
        Ok(issued)
    }

    fn note_pair(&self, issued: &Issued) {
        self.note(&issued.access_token);
        self.note(&issued.refresh_token);
    }

    /// RFC 7009: a refresh token takes its family down with it; an access
    /// token dies alone. Unknown tokens are fine. Returns whether anything
    /// was revoked.
    pub fn revoke(&self, token: &str, client_id: &str) -> bool {
        let mut store = self.write();
        let family = if let Some(entry) = store.refresh.get(token) {
            entry.family
        } else if let Some(entry) = store.access.get(token) {
            entry.family
        } else {
            return false;
        };
        // Another client's token is left alone (RFC 7009 2.1).
        if store.families.get(&family).map(|f| f.client_id.as_str()) != Some(client_id) {
            return false;
        }
        if store.refresh.contains_key(token) {
            store.revoke_family(family);
        } else if let Some(entry) = store.access.get_mut(token) {
            entry.revoked = true;
        }
        true
    }

    /// The holder of a valid (known, unexpired, unrevoked) access token.
    pub fn check_access(&self, token: &str) -> Option<Holder> {
        let store = self.store.read().unwrap_or_else(PoisonError::into_inner);
        let entry = store.access.get(token)?;
        if entry.revoked || Instant::now() >= entry.expires {
            return None;
        }
        let family = store.families.get(&entry.family)?;
        if family.revoked {
            return None;
        }
        Some(Holder {
            organization_id: family.organization_id.clone(),
            user_id: family.user_id.clone(),
        })
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        // The store is plain maps; a panic elsewhere cannot leave it torn
        // mid-update in a way later requests could not live with.
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store {
    fn new_family(&mut self, grant: &CodeGrant) -> u64 {
        self.next_family += 1;
        let id = self.next_family;
        self.families.insert(
            id,
            Family {
                client_id: grant.client_id.clone(),
                organization_id: grant.organization_id.clone(),
                user_id: grant.user_id.clone(),
                revoked: false,
            },
        );
        id
    }

    fn issue_pair(&mut self, family: u64, access_ttl: Duration) -> Issued {
        self.sweep_now_and_then();
        let access_token = random_token("sbx_at_");
        let refresh_token = random_token("sbx_rt_");
        self.access.insert(
            access_token.clone(),
            Access {
                family,
                expires: Instant::now() + access_ttl,
                revoked: false,
            },
        );
        self.refresh
            .insert(refresh_token.clone(), Refresh { family, live: true });
        let (organization_id, user_id) = self
            .families
            .get(&family)
            .map(|f| (f.organization_id.clone(), f.user_id.clone()))
            .unwrap_or_default();
        Issued {
            access_token,
            refresh_token,
            organization_id,
            user_id,
        }
    }

    fn revoke_family(&mut self, family: u64) {
        if let Some(f) = self.families.get_mut(&family) {
            f.revoked = true;
        }
        for entry in self.refresh.values_mut().filter(|r| r.family == family) {
            entry.live = false;
        }
    }

    /// Drops expired access tokens and long-dead codes, so a long-running
    /// sandbox does not grow without bound. Dead refresh tokens stay: reuse
    /// detection needs them.
    fn sweep_now_and_then(&mut self) {
        self.issued += 1;
        if !self.issued.is_multiple_of(SWEEP_EVERY) {
            return;
        }
        let now = Instant::now();
        self.access.retain(|_, a| a.expires > now);
        self.codes.retain(|_, c| c.expires + CODE_MEMORY > now);
    }
}
