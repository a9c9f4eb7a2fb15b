//! The second half of a login: wait for the code, exchange it, and hand
//! the caller the tokens plus the browser tab still waiting for its page.

use tokio::sync::mpsc;

use super::{Login, LoginError, Progress};
use crate::auth::{
    callback::{CallbackServer, Outcome, PendingCallback, Responder},
    client::{TokenClient, TokenResponse},
    redirect::parse_pasted,
};
use crate::secret::Secret;

/// A finished exchange. Look up the profile, store the account, then
/// answer the browser with [`BrowserReply::finish`].
#[derive(Debug)]
pub struct Connected {
    pub tokens: TokenResponse,
    pub browser: BrowserReply,
}

/// The browser tab that brought the code (none for a paste). Dropping it
/// unanswered shows the tab a "stopped waiting" page.
#[derive(Debug, Default)]
pub struct BrowserReply {
    responder: Option<Responder>,
    server: Option<CallbackServer>,
}

impl BrowserReply {
    /// True when a browser tab is waiting for the outcome.
    pub fn has_tab(&self) -> bool {
        self.responder.is_some()
    }

    /// Shows the tab its page and waits until the callback server has
    /// stopped (its port is free when this returns).
    pub async fn finish(mut self, outcome: Outcome) {
        if let Some(responder) = self.responder.take() {
            responder.respond(outcome);
        }
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

impl Login {
    /// Waits for the authorization code (callback or paste), then exchanges
    /// it. `pasted` carries whatever the user pastes; wrong input is
    /// reported as [`Progress::PasteRejected`] and the wait goes on. For a
    /// paste transport, a closed `pasted` channel ends the attempt.
    pub async fn finish(
        mut self,
        client: &TokenClient,
        mut pasted: Option<mpsc::Receiver<String>>,
        mut progress: impl FnMut(Progress) + Send,
    ) -> Result<Connected, LoginError> {
        progress(self.awaiting());
        let (code, responder) = self.wait_for_code(&mut pasted, &mut progress).await?;
        let mut reply = BrowserReply {
            responder,
            server: self.server.take(),
        };
        if reply.responder.is_none()
            && let Some(server) = reply.server.take()
        {
            // The paste won: nobody will come to the callback any more.
            server.shutdown().await;
        }
        progress(Progress::Exchanging);
        let exchange = client.exchange_code(&code, self.pkce.verifier(), &self.redirect_uri);
        let result = tokio::select! {
            result = exchange => result.map_err(LoginError::Exchange),
            () = self.canceller.cancelled() => Err(LoginError::Cancelled),
        };
        match result {
            Ok(tokens) => Ok(Connected {
                tokens,
                browser: reply,
            }),
            Err(err) => {
                reply
                    .finish(Outcome::Failure {
                        reason: err.to_string(),
                    })
                    .await;
                Err(err)
            }
        }
    }

    async fn wait_for_code(
        &mut self,
        pasted: &mut Option<mpsc::Receiver<String>>,
        progress: &mut (impl FnMut(Progress) + Send),
    ) -> Result<(Secret, Option<Responder>), LoginError> {
        if self.server.is_none() && pasted.is_none() {
            return Err(LoginError::NothingPasted);
        }
        loop {
            let server = self.server.as_mut();
            let has_server = server.is_some();
            let next_callback = async {
                match server {
                    Some(server) => server.next().await,
                    None => std::future::pending().await,
                }
            };
            let next_paste = async {
                match pasted.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                callback = next_callback => {
                    let pending: PendingCallback = callback?;
                    let (code, responder) = pending.into_parts();
                    return Ok((code, Some(responder)));
                }
                line = next_paste => match line {
                    None => {
                        *pasted = None;
                        if !has_server {
                            return Err(LoginError::NothingPasted);
                        }
                    }
                    Some(text) => match parse_pasted(&text, &self.redirect_uri, &self.state) {
                        Ok(code) => return Ok((code, None)),
                        Err(err) if err.is_wrong_input() => {
                            progress(Progress::PasteRejected { reason: err.to_string() });
                        }
                        Err(err) => return Err(err.into()),
                    },
                },
                () = tokio::time::sleep_until(self.deadline), if !has_server => {
                    return Err(LoginError::TimedOut(self.timeout));
                }
                () = self.canceller.cancelled(), if !has_server => {
                    return Err(LoginError::Cancelled);
                }
            }
        }
    }
}
