//! Injected trouble, for tests: latency, 503s, pages that are not pages, a
//! storm of 429s and 5xx, a short access-token lifetime, rate limits, and a token endpoint that
//! misbehaves in chosen ways.
//!
//! The flags set the starting values; `POST /_sandbox/faults` changes them
//! while the sandbox runs. Each knob is an atomic, read once per request, so
//! a change applies to the next request without any lock on the hot path.

use std::{
    sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering::Relaxed},
    time::Duration,
};

use serde::{Deserialize, Serialize};

use super::{SandboxArgs, storm::Storm};

/// How the token endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenMode {
    /// As an OAuth server should.
    Normal,
    /// 500 with an RFC 6749 `server_error` body.
    Error500,
    /// Never answers; the request hangs until the client gives up (bounded
    /// by [`TOKEN_HANG`]).
    Timeout,
    /// 200 with an HTML page, as a captive portal or a misrouted proxy would.
    Html,
    /// 200 with JSON cut off halfway.
    Truncated,
    /// As `normal`, but the answer is held for [`TOKEN_SLOW`] after the
    /// grant was redeemed (a refresh token is already spent by then), as
    /// an answer lost on a slow network would be; a revoke's answer too,
    /// after the token was revoked.
    Slow,
}

/// How long a `slow` token answer is held.
pub const TOKEN_SLOW: Duration = Duration::from_secs(3);

/// The longest a `timeout` token request hangs before the sandbox gives up.
pub const TOKEN_HANG: Duration = Duration::from_secs(60);

impl TokenMode {
    const ALL: [TokenMode; 6] = [
        TokenMode::Normal,
        TokenMode::Error500,
        TokenMode::Timeout,
        TokenMode::Html,
        TokenMode::Truncated,
        TokenMode::Slow,
    ];

    fn index(self) -> u8 {
        // ALL lists every variant once, so the position always exists.
        Self::ALL.iter().position(|m| *m == self).unwrap_or(0) as u8
    }
}

/// The knobs' current values; also the JSON `/_sandbox/faults` answers.
#[derive(Debug, Clone, Serialize)]
pub struct FaultSettings {
    pub latency_ms: u64,
    pub fail_rate: f64,
    pub token_fail_rate: f64,
    pub token_mode: TokenMode,
    pub rate_limit: u32,
    pub access_ttl: u64,
    /// Attempts of each distinct API request refused with 429 or 5xx (see
    /// [`Storm`]); 0 is calm.
    pub storm: u32,
    /// Attempts of each distinct API request answered 200 with a JSON
    /// object that is not what was asked for (as a proxy or a broken
    /// deploy might), keyed like `storm`; 0 is off.
    pub garble: u32,
}

/// A `POST /_sandbox/faults` body: any subset of the knobs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultUpdate {
    pub latency_ms: Option<u64>,
    pub fail_rate: Option<f64>,
    pub token_fail_rate: Option<f64>,
    pub token_mode: Option<TokenMode>,
    pub rate_limit: Option<u32>,
    pub access_ttl: Option<u64>,
    pub storm: Option<u32>,
    pub garble: Option<u32>,
}

pub struct Faults {
    latency_ms: AtomicU64,
    fail_rate: AtomicU64,
    token_fail_rate: AtomicU64,
    token_mode: AtomicU8,
    rate_limit: AtomicU32,
    access_ttl: AtomicU64,
    pub storm: Storm,
    pub garble: Storm,
}

impl Faults {
    pub fn new(options: &SandboxArgs) -> Self {
        Self {
            latency_ms: AtomicU64::new(options.latency_ms),
            fail_rate: AtomicU64::new(clamp_fraction(options.fail_rate).to_bits()),
            token_fail_rate: AtomicU64::new(clamp_fraction(options.token_fail_rate).to_bits()),
            token_mode: AtomicU8::new(TokenMode::Normal.index()),
            rate_limit: AtomicU32::new(options.rate_limit),
            access_ttl: AtomicU64::new(options.access_ttl),
            storm: Storm::default(),
            garble: Storm::default(),
        }
    }

    /// Applies an update; a fraction outside 0..=1 is refused whole.
    pub fn update(&self, update: &FaultUpdate) -> Result<FaultSettings, String> {
        for (name, value) in [
            ("fail_rate", update.fail_rate),
            ("token_fail_rate", update.token_fail_rate),
        ] {
            if let Some(value) = value
                && !(0.0..=1.0).contains(&value)
            {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if let Some(v) = update.latency_ms {
            self.latency_ms.store(v, Relaxed);
        }
        if let Some(v) = update.fail_rate {
            self.fail_rate.store(v.to_bits(), Relaxed);
        }
        if let Some(v) = update.token_fail_rate {
            self.token_fail_rate.store(v.to_bits(), Relaxed);
        }
        if let Some(v) = update.token_mode {
            self.token_mode.store(v.index(), Relaxed);
        }
        if let Some(v) = update.rate_limit {
            self.rate_limit.store(v, Relaxed);
        }
        if let Some(v) = update.access_ttl {
            self.access_ttl.store(v, Relaxed);
        }
        if let Some(v) = update.storm {
            self.storm.set(v);
        }
        if let Some(v) = update.garble {
            self.garble.set(v);
        }
        Ok(self.settings())
    }

    pub fn settings(&self) -> FaultSettings {
        FaultSettings {
            latency_ms: self.latency_ms.load(Relaxed),
            fail_rate: f64::from_bits(self.fail_rate.load(Relaxed)),
            token_fail_rate: f64::from_bits(self.token_fail_rate.load(Relaxed)),
            token_mode: self.token_mode(),
            rate_limit: self.rate_limit(),
            access_ttl: self.access_ttl.load(Relaxed),
            storm: self.storm.attempts_refused(),
            garble: self.garble.attempts_refused(),
        }
    }

    pub fn latency(&self) -> Option<Duration> {
        match self.latency_ms.load(Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    /// Whether this API request should be answered 503.
    pub fn api_fails(&self) -> bool {
        roll(f64::from_bits(self.fail_rate.load(Relaxed)))
    }

    /// Whether this token request should be answered 503.
    pub fn token_fails(&self) -> bool {
        roll(f64::from_bits(self.token_fail_rate.load(Relaxed)))
    }

    pub fn token_mode(&self) -> TokenMode {
        let index = usize::from(self.token_mode.load(Relaxed));
        TokenMode::ALL
            .get(index)
            .copied()
            .unwrap_or(TokenMode::Normal)
    }

    /// Requests per second per endpoint group; 0 is off.
    pub fn rate_limit(&self) -> u32 {
        self.rate_limit.load(Relaxed)
    }

    pub fn access_ttl(&self) -> Duration {
        Duration::from_secs(self.access_ttl.load(Relaxed))
    }
}

fn clamp_fraction(value: f64) -> f64 {
    if value.is_nan() {
        0.0
    } else {
        value.clamp(0.0, 1.0)
    }
}

fn roll(probability: f64) -> bool {
    // The common case, no fault configured, never touches the RNG.
    probability > 0.0 && rand::random_bool(probability.min(1.0))
}
