//! The tokens Close issued for an OAuth login until it is stored: a login
//! that fails after the exchange, or is given up half-way, revokes them, so
//! no live grant is left that nothing here knows of.

use super::{CompleteLoginError, NewLogin, token_client};
use crate::{
    auth::{client::TokenClient, tokens::InFlight},
    config::Settings,
    secret::Secret,
};

/// The tokens Close issued for a login not stored yet. Dropped before the
/// login kept or revoked them (its future dropped half-way), it revokes
/// them on a task of its own.
pub(super) struct Issued {
    client: Option<TokenClient>,
    tokens: Vec<Secret>,
}

impl Issued {
    pub(super) fn new(settings: &Settings, login: &NewLogin) -> Self {
        let tokens: Vec<Secret> = match login {
            NewLogin::OAuth(tokens) => [
                tokens.refresh_token.clone(),
                Some(tokens.access_token.clone()),
            ]
            .into_iter()
            .flatten()
            .collect(),
            NewLogin::ApiKey(_) => Vec::new(),
        };
        let client = (!tokens.is_empty())
            .then(|| token_client(settings))
            .flatten();
        Self { client, tokens }
    }

    /// The login stored them.
    pub(super) fn keep(&mut self) {
        self.tokens.clear();
    }

    /// `error`, with how revoking the tokens went (as it was for an API
    /// key: none were issued).
    pub(super) async fn fail(&mut self, error: CompleteLoginError) -> CompleteLoginError {
        match self.revoke().await {
            Some(revoked) => CompleteLoginError::Revoked {
                error: Box::new(error),
                revoked,
            },
            None => error,
        }
    }

    /// Revokes them; a clause saying how that went, for the error (`None`
    /// when none were issued: an API key).
    async fn revoke(&mut self) -> Option<String> {
        if self.tokens.is_empty() {
            return None;
        }
        let tokens = std::mem::take(&mut self.tokens);
        let Some(client) = self.client.take() else {
            return Some(
                "; the tokens Close issued for this login stay valid until they expire (no \
                 OAuth client configured to revoke them)"
                    .into(),
            );
        };
        // On a task of its own: a caller that gives up on the login now
        // does not cut the revoke short.
        let revoking = tokio::spawn(revoke_within_deadline(client, tokens, InFlight::revoke()));
        Some(match revoking.await {
            Ok(Ok(failures)) if failures.is_empty() => {
                "; the tokens Close issued for this login were revoked".into()
            }
            Ok(Ok(failures)) => format!(
                "; revoking the tokens Close issued for this login failed: {}",
                failures.join("; ")
            ),
            Ok(Err(_)) => format!(
                "; the revoke endpoint did not answer within {} s, so the tokens Close issued \
                 for this login may stay valid until they expire",
                FAILED_LOGIN_REVOKE_DEADLINE.as_secs()
            ),
            Err(err) => format!("; the tokens Close issued for this login were not revoked: {err}"),
        })
    }
}

impl Drop for Issued {
    fn drop(&mut self) {
        let (Some(client), false) = (self.client.take(), self.tokens.is_empty()) else {
            return;
        };
        let tokens = std::mem::take(&mut self.tokens);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            tracing::info!("a login given up after the token exchange: revoking its tokens");
            runtime.spawn(revoke_within_deadline(client, tokens, InFlight::revoke()));
        }
    }
}

/// How long a failed login waits for Close to revoke the tokens it issued
/// (a revoke sends two requests).
const FAILED_LOGIN_REVOKE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Revokes `tokens`, counted as in flight (`held`) so the process waits
/// for it before it exits.
async fn revoke_within_deadline(
    client: TokenClient,
    tokens: Vec<Secret>,
    held: InFlight,
) -> Result<Vec<String>, tokio::time::error::Elapsed> {
    let revoked = tokio::time::timeout(
        FAILED_LOGIN_REVOKE_DEADLINE,
        revoke_all(&client, tokens.iter()),
    )
    .await;
    drop(held);
    revoked
}

/// Revokes each token in turn; the reasons of those that failed.
pub(super) async fn revoke_all(
    client: &TokenClient,
    tokens: impl Iterator<Item = &Secret>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for token in tokens {
        if let Err(err) = client.revoke(token).await {
            failures.push(err.to_string());
        }
    }
    failures
}
