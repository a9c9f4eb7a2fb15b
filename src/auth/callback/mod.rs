//! The loopback callback server: catches the browser's redirect on
//! 127.0.0.1 (or [::1] when the redirect URI names it; never a wildcard
//! address), over http or https.
//!
//! [`CallbackServer::bind`] starts it; [`CallbackServer::next`] waits for the
//! first authorization response, the timeout, or a cancel. A good response
//! arrives as a [`PendingCallback`]: the browser's request stays open until
//! its [`Responder`] says how the login ended, so the success page is only
//! shown once the account is really connected. The server stops, and the
//! port is free again, once that answer is sent, on a rejected response, on
//! timeout, on cancel, and when the server is dropped.

mod handler;
mod serve;

use std::{
    io,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::Router;
use tokio::{
    net::TcpListener,
    sync::{oneshot, watch},
    task::JoinHandle,
    time::Instant,
};
use tokio_rustls::{TlsAcceptor, rustls::ServerConfig};

use super::response::RedirectError;
use crate::secret::Secret;

/// The design's default: five minutes to finish in the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// What the server needs to know.
pub struct CallbackOptions {
    /// 0 picks a free port (tests); the bound one is in `local_addr`.
    pub port: u16,
    /// Bind `[::1]` instead of 127.0.0.1, for a redirect URI that names
    /// `[::1]` (the browser will connect there). Never a wildcard address.
    pub ipv6: bool,
    /// The redirect URI's path, matched exactly.
    pub path: String,
    pub expected_state: Secret,
    pub timeout: Duration,
    /// `Some` serves https with this configuration.
    pub tls: Option<Arc<ServerConfig>>,
}

/// How the login ended, for the page the waiting browser tab gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Success { organization: String, email: String },
    Failure { reason: String },
}

/// Answers the browser tab that brought the code.
#[derive(Debug)]
pub struct Responder(oneshot::Sender<Outcome>);

impl Responder {
    /// Sends the page. Returns false when nobody is listening any more (the
    /// tab went away or the server stopped), which is not an error.
    pub fn respond(self, outcome: Outcome) -> bool {
        self.0.send(outcome).is_ok()
    }
}

/// A good authorization response whose browser tab is still waiting.
#[derive(Debug)]
pub struct PendingCallback {
    pub(super) code: Secret,
    pub(super) respond: oneshot::Sender<Outcome>,
}

impl PendingCallback {
    pub fn code(&self) -> &Secret {
        &self.code
    }

    pub fn into_parts(self) -> (Secret, Responder) {
        (self.code, Responder(self.respond))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("port {port} is in use: close the other login, or set REDIRECT_URI to another port")]
    PortBusy { port: u16 },
    #[error("cannot listen on {}: {source}", SocketAddr::new(*ip, *port))]
    Bind {
        ip: IpAddr,
        port: u16,
        source: io::Error,
    },
    #[error(transparent)]
    Rejected(#[from] RedirectError),
    #[error("no answer from the browser within {} s: start the login again", .0.as_secs())]
    TimedOut(Duration),
    #[error("the login was cancelled")]
    Cancelled,
}

/// Cancels a waiting login from elsewhere (Esc in the TUI, Ctrl-C).
#[derive(Debug, Clone)]
pub struct Canceller(Arc<watch::Sender<bool>>);

impl Canceller {
    pub fn new() -> Self {
        Self(Arc::new(watch::Sender::new(false)))
    }

    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once `cancel` has been called.
    pub async fn cancelled(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }
}

impl Default for Canceller {
    fn default() -> Self {
        Self::new()
    }
}

/// A running callback server.
pub struct CallbackServer {
    addr: SocketAddr,
    deadline: Instant,
    timeout: Duration,
    first: Option<oneshot::Receiver<Result<PendingCallback, RedirectError>>>,
    stop: Arc<watch::Sender<bool>>,
    canceller: Canceller,
    task: Option<JoinHandle<()>>,
    shared: Arc<handler::Shared>,
}

impl CallbackServer {
    /// Binds 127.0.0.1 on the given port and starts serving. The deadline
    /// starts now.
    pub async fn bind(options: CallbackOptions) -> Result<Self, CallbackError> {
        let port = options.port;
        let ip = if options.ipv6 {
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        } else {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        };
        let listener =
            TcpListener::bind((ip, port))
                .await
                .map_err(|source| match source.kind() {
                    io::ErrorKind::AddrInUse => CallbackError::PortBusy { port },
                    _ => CallbackError::Bind { ip, port, source },
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| CallbackError::Bind { ip, port, source })?;
        let (first_tx, first_rx) = oneshot::channel();
        let stop = Arc::new(watch::Sender::new(false));
        let shared = Arc::new(handler::Shared {
            path: options.path,
            port: addr.port(),
            default_port: if options.tls.is_some() { 443 } else { 80 },
            expected_state: options.expected_state,
            first: Mutex::new(Some(first_tx)),
            ignored: AtomicUsize::new(0),
            stop: stop.clone(),
        });
        let router = Router::new()
            .fallback(handler::handle)
            .with_state(Arc::clone(&shared));
        let tls = options.tls.map(TlsAcceptor::from);
        let task = tokio::spawn(serve::run(listener, tls, router, stop.subscribe()));
        Ok(Self {
            addr,
            deadline: deadline_after(options.timeout),
            timeout: options.timeout,
            first: Some(first_rx),
            stop,
            canceller: Canceller::new(),
            task: Some(task),
            shared,
        })
    }

    /// Why no answer came in time: none at all, or only answers without
    /// this login's state (which say more).
    fn timed_out(&self) -> CallbackError {
        match self.shared.ignored.load(Ordering::Relaxed) {
            0 => CallbackError::TimedOut(self.timeout),
            ignored => RedirectError::NotThisLogin(ignored).into(),
        }
    }

    /// The address actually bound (the port matters when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// When the wait for the browser ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Use this server with a canceller shared with other parts of a login.
    pub fn with_canceller(mut self, canceller: Canceller) -> Self {
        self.canceller = canceller;
        self
    }

    pub fn canceller(&self) -> Canceller {
        self.canceller.clone()
    }

    /// Waits for the first authorization response. On an error the server
    /// has stopped and the port is free when this returns. On success it
    /// keeps running until the [`Responder`] answers (or is dropped); then it
    /// stops by itself. Call [`CallbackServer::shutdown`] to wait for that.
    pub async fn next(&mut self) -> Result<PendingCallback, CallbackError> {
        let result = match self.first.as_mut() {
            None => Err(CallbackError::Cancelled),
            Some(first) => tokio::select! {
                received = first => match received {
                    Ok(Ok(pending)) => Ok(pending),
                    Ok(Err(rejection)) => Err(rejection.into()),
                    Err(_) => Err(CallbackError::Cancelled),
                },
                () = tokio::time::sleep_until(self.deadline) => Err(self.timed_out()),
                () = self.canceller.cancelled() => Err(CallbackError::Cancelled),
            },
        };
        self.first = None;
        if result.is_err() {
            self.stop_and_wait().await;
        }
        result
    }

    /// Stops the server (a tab still waiting gets a "login stopped" page
    /// unless it was answered already) and waits until the port is free.
    pub async fn shutdown(mut self) {
        self.stop_and_wait().await;
    }

    async fn stop_and_wait(&mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl std::fmt::Debug for CallbackServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackServer")
            .field("addr", &self.local_addr())
            .finish_non_exhaustive()
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// `timeout` from now; a timeout too long for the clock (a library caller
/// passing `Duration::MAX`) waits a century instead of panicking.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_timeout_does_not_overflow_the_clock() {
        let deadline = deadline_after(Duration::MAX);
        assert!(deadline > Instant::now() + Duration::from_secs(365 * 24 * 3600));
        let soon = deadline_after(Duration::from_secs(5));
        assert!(soon <= Instant::now() + Duration::from_secs(5));
    }
}
