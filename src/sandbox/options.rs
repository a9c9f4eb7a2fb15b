//! `close-tui sandbox` flags.

use std::{net::IpAddr, path::PathBuf};

#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Loopback address to listen on (127.0.0.1 or ::1)
    #[arg(long, default_value = "127.0.0.1", value_parser = loopback)]
    pub host: IpAddr,
    /// Port to listen on; 0 picks any free port
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// How many leads to generate (spread over the two organizations), at
    /// most 1,000,000 (about 1.5 GB of memory)
    #[arg(long, default_value_t = 500, value_parser = lead_count())]
    pub leads: usize,
    /// Seed for the generated data; the same seed gives the same records
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The OAuth client id the sandbox accepts
    #[arg(long, default_value = "sandbox-client")]
    pub client_id: String,
    /// The OAuth client secret the sandbox accepts
    #[arg(long, default_value = "sandbox-secret")]
    pub client_secret: String,
    /// An allowed redirect URI (repeatable). When none is given, any loopback
    /// http or https redirect is accepted (RFC 8252)
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,
    /// Access-token lifetime in seconds (1 to 31,536,000, a year)
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
    pub access_ttl: u64,
    /// Requests per second per endpoint group; 0 turns rate limiting off
    #[arg(long, default_value_t = 0)]
    pub rate_limit: u32,
    /// Added latency for every API request, in milliseconds (at most 60,000)
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(..=60_000))]
    pub latency_ms: u64,
    /// Fraction (0 to 1) of API requests answered 503
    #[arg(long, default_value_t = 0.0, value_parser = fraction, allow_negative_numbers = true)]
    pub fail_rate: f64,
    /// Fraction (0 to 1) of token-endpoint requests answered 503
    #[arg(long, default_value_t = 0.0, value_parser = fraction, allow_negative_numbers = true)]
    pub token_fail_rate: f64,
    /// List endpoints answer 400 when _skip is above N, as Close does; 0 = off
    #[arg(long, default_value_t = 0)]
    pub max_skip: usize,
    /// The most records a page of leads, contacts, opportunities, tasks or
    /// activities allows (`_limit`), below each list's own maximum; 0 = each
    /// list's own (Close does not publish them)
    #[arg(long, default_value_t = 0)]
    pub max_limit: usize,
    /// Answer activity lists oldest first when they give no `_order_by`
    /// (Close does not document its default order)
    #[arg(long)]
    pub activities_oldest_first: bool,
    /// Hours east of UTC in which date filters without a zone are read when
    /// a request sends no `x-tz-offset` header (-14 to 14; Close reads them
    /// in the zone that header names)
    #[arg(long, default_value_t = 0.0, value_parser = tz_hours, allow_negative_numbers = true)]
    pub tz_offset: f64,
    /// Approve every valid authorization request at once, as the first
    /// organization's first user, without showing the consent form (for
    /// `close-tui demo --auto-approve` on machines with no browser)
    #[arg(long)]
    pub auto_approve: bool,
    /// Write one JSON line per request to FILE (never a secret)
    #[arg(long, value_name = "FILE")]
    pub log_requests: Option<PathBuf>,
    /// The API key to accept, instead of a random one, so that a restarted
    /// sandbox accepts the same key; it starts with `api_`, as Close's do
    #[arg(long, value_name = "KEY", value_parser = api_key)]
    pub api_key: Option<String>,
    /// For tests: append every secret the sandbox issues (API key, client
    /// secret, codes, access and refresh tokens) to FILE, one per line
    #[arg(long, value_name = "FILE")]
    pub record_secrets: Option<PathBuf>,
}

impl SandboxArgs {
    /// The flags' defaults, as `close-tui sandbox` with no flags gets them.
    pub fn defaults() -> Self {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: SandboxArgs,
        }
        <Wrapper as clap::Parser>::parse_from(["sandbox"]).args
    }
}

/// Reads `--host`: loopback only. The sandbox approves logins and hands
/// out tokens to anyone who can reach it, and its admin hooks change and
/// delete data unasked, so it never listens beyond this machine.
fn loopback(text: &str) -> Result<IpAddr, String> {
    match text.trim().parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => Ok(ip),
        Ok(_) => Err(
            "a loopback address (127.0.0.1 or ::1): the sandbox has no real security, \
             so it never listens beyond this machine (use `ssh -L` to reach it from another)"
                .to_owned(),
        ),
        Err(_) => Err("an IP address, such as 127.0.0.1".to_owned()),
    }
}

/// Reads `--api-key`: `api_` and at least one more character, no spaces.
fn api_key(text: &str) -> Result<String, String> {
    match text.strip_prefix("api_") {
        Some(rest) if !rest.is_empty() && !text.chars().any(char::is_whitespace) => {
            Ok(text.to_owned())
        }
        _ => Err("a key that starts with `api_`, as Close's keys do, with no spaces".to_owned()),
    }
}

/// Reads `--tz-offset`: hours from UTC, as `x-tz-offset` gives them.
fn tz_hours(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(hours) if (-14.0..=14.0).contains(&hours) => Ok(hours),
        _ => Err("hours from UTC, from -14 to 14 (e.g. -5 or 5.5)".to_owned()),
    }
}

/// The sandbox's lead count: its data lives in memory, about 1.5 KB a lead.
pub fn lead_count() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(..=1_000_000)
}

/// Reads `--fail-rate` and `--token-fail-rate`: a fraction of requests.
fn fraction(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err("a fraction from 0 to 1 (e.g. 0.2)".to_owned()),
    }
}
