//! The sandbox's shared state, held in an `Arc` by every handler.

use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use tokio::sync::watch;

use super::{
    SandboxArgs, data::Dataset, faults::Faults, ratelimit::RateLimiter, reqlog::RequestLog,
    secretlog::SecretLog, stats::Stats, tokens::Tokens,
};
use crate::secret::Secret;

pub struct Sandbox {
    pub options: SandboxArgs,
    /// The generated records; API handlers read them, the admin hook changes
    /// them.
    pub data: RwLock<Dataset>,
    /// Codes, tokens and grant families the OAuth server handed out.
    pub tokens: Tokens,
    /// The one API key; it acts as [`Sandbox::api_key_owner`].
    pub api_key: Secret,
    /// (organization id, user id) of the first organization's first member.
    pub api_key_owner: (String, String),
    pub faults: Faults,
    pub stats: Stats,
    pub limiter: RateLimiter,
    /// Set by `start` when `--log-requests` names a file.
    pub request_log: Option<RequestLog>,
    /// Turns true when the server is stopping, so deliberately hanging
    /// requests let go at once.
    pub closing: watch::Sender<bool>,
}

impl Sandbox {
    /// Generates the data set the options describe.
    pub fn new(options: SandboxArgs) -> Self {
        let data = Dataset::generate(options.seed, options.leads);
        let api_key_owner = data
            .organizations()
            .first()
            .and_then(|org| {
                let owner = data.members(&org.id).first().map(|u| u.id.clone())?;
                Some((org.id.clone(), owner))
            })
            .unwrap_or_default();
        let api_key = options
            .api_key
            .clone()
            .unwrap_or_else(|| super::tokens::random_token("api_"));
        Self {
            faults: Faults::new(&options),
            options,
            data: RwLock::new(data),
            tokens: Tokens::default(),
            api_key: Secret::new(api_key),
            api_key_owner,
            stats: Stats::default(),
            limiter: RateLimiter::default(),
            request_log: None,
            closing: watch::Sender::new(false),
        }
    }

    /// Sends every secret issued from now on, and the standing ones, to
    /// `log` (`--record-secrets`).
    pub fn record_secrets(&mut self, log: SecretLog) {
        log.note(self.api_key.expose());
        log.note(&self.options.client_secret);
        self.tokens.record_to(log);
    }

    /// Reads the data set. A writer that panicked cannot have left it in a
    /// state worse than serving it, so a poisoned lock is read through.
    pub fn read_data(&self) -> RwLockReadGuard<'_, Dataset> {
        self.data.read().unwrap_or_else(PoisonError::into_inner)
    }
}
