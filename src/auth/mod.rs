//! The client side of Close's OAuth 2.0 login.
//!
//! - [`pkce`]: verifier, S256 challenge and `state`.
//! - [`authorize`]: the URL the browser opens.
//! - [`redirect`]: which transport brings the redirect back (loopback
//!   http/https, or a pasted URL), and pasted-URL checks.
//! - [`response`]: the one validation of an authorization response.
//! - [`callback`]: the loopback server; [`tls`] its kept certificate;
//!   [`pages`] what the browser is shown.
//! - [`browser`]: opening the browser without ever blocking.
//! - [`client`]: the token endpoint (code exchange, refresh, revoke) with
//!   failures classified into "needs login" and "try again later".
//! - [`flow`]: one login attempt, driven by the CLI or the TUI.
//! - [`tokens`]: the token manager, the only code that refreshes; [`schedule`]
//!   decides when.

pub mod authorize;
pub mod browser;
pub mod callback;
pub mod client;
pub mod flow;
pub mod pages;
pub mod pkce;
pub mod redirect;
pub mod response;
pub mod schedule;
pub mod tls;
pub mod tokens;
