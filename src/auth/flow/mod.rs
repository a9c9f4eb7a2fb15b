//! One login attempt, from the authorize URL to the token response.
//!
//! [`Login::start`] makes the PKCE pair and `state`, binds the callback
//! server (or chooses paste), builds the URL and launches the browser.
//! [`Login::finish`] waits for the callback or a pasted URL (validated the
//! same way), then exchanges the code. It never prints: progress goes to a
//! callback, so the `login` command and a TUI task drive it alike. The
//! profile lookup and storage stay with the caller, which then answers the
//! waiting browser tab through [`BrowserReply`].

use std::{path::PathBuf, time::Duration};

use url::Url;

use super::{
    authorize::authorize_url,
    browser::{self, BrowserEnv, Launch},
    callback::{CallbackError, CallbackOptions, CallbackServer, Canceller, DEFAULT_TIMEOUT},
    client::TokenError,
    pkce::{self, Pkce, RandomError},
    redirect::Transport,
    response::RedirectError,
    tls::{LoopbackCert, TlsError},
};
use crate::{config::Settings, secret::Secret};

/// Everything one attempt needs.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    pub client_id: String,
    pub authorize_url: Url,
    /// As configured; port 0 means "any free port" and is replaced by the
    /// bound one in the request.
    pub redirect_uri: Url,
    /// `--no-browser`, or the user picked "paste" in the connect dialog.
    pub force_paste: bool,
    /// Try to open a browser (false for `--no-browser`).
    pub launch_browser: bool,
    pub browser: Option<String>,
    pub browser_env: BrowserEnv,
    /// Where the https transport keeps its certificate (the data dir).
    pub cert_dir: PathBuf,
    pub timeout: Duration,
}

impl LoginOptions {
    pub fn from_settings(
        settings: &Settings,
        no_browser: bool,
        browser_env: BrowserEnv,
    ) -> Result<Self, LoginError> {
        let client_id = settings.client_id.clone().ok_or_else(|| {
            LoginError::Setup(
                "CLOSE_CLIENT_ID is not set: configure the OAuth app's client id".into(),
            )
        })?;
        Ok(Self {
            client_id,
            authorize_url: settings.authorize_url.clone(),
            redirect_uri: settings.redirect_uri.clone(),
            force_paste: no_browser,
            launch_browser: !no_browser,
            browser: settings.browser.clone(),
            browser_env,
            cert_dir: settings.dirs.data.clone(),
            timeout: DEFAULT_TIMEOUT,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The callback port could not be bound.
    #[error(transparent)]
    Bind(CallbackError),
    /// The redirect was refused: denied, wrong or missing state, and so on.
    #[error(transparent)]
    Redirect(#[from] RedirectError),
    #[error("no answer from the browser within {} s: start the login again", .0.as_secs())]
    TimedOut(Duration),
    #[error("the login was cancelled")]
    Cancelled,
    #[error("no redirect URL was pasted")]
    NothingPasted,
    #[error("the code exchange failed: {0}")]
    Exchange(#[source] TokenError),
}

impl LoginError {
    pub fn is_denied(&self) -> bool {
        matches!(self, Self::Redirect(RedirectError::Denied))
    }
}

impl From<CallbackError> for LoginError {
    fn from(err: CallbackError) -> Self {
        match err {
            CallbackError::Rejected(rejection) => Self::Redirect(rejection),
            CallbackError::TimedOut(d) => Self::TimedOut(d),
            CallbackError::Cancelled => Self::Cancelled,
            bind => Self::Bind(bind),
        }
    }
}

/// Where an attempt stands, for a status line or a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Waiting for the browser (or a paste) until `deadline`.
    AwaitingBrowser {
        authorize_url: Url,
        transport: Transport,
        /// The bound callback port, for loopback transports.
        port: Option<u16>,
        launch: Launch,
        /// Set when no browser was launched here and a port is bound.
        ssh_hint: Option<String>,
        deadline: std::time::Instant,
    },
    /// A pasted text was not the redirect; still waiting.
    PasteRejected { reason: String },
    /// The code arrived; the token request is under way.
    Exchanging,
}

/// A started attempt.
pub struct Login {
    authorize_url: Url,
    redirect_uri: Url,
    transport: Transport,
    launch: Launch,
    state: Secret,
    pkce: Pkce,
    server: Option<CallbackServer>,
    canceller: Canceller,
    deadline: tokio::time::Instant,
    timeout: Duration,
}

impl Login {
    /// Prepares the request, binds the callback server for a loopback
    /// redirect, and launches the browser (unless told not to).
    pub async fn start(options: LoginOptions) -> Result<Self, LoginError> {
        let transport = Transport::select(&options.redirect_uri, options.force_paste);
        let state = pkce::new_state()?;
        let pkce = Pkce::generate()?;
        let canceller = Canceller::new();
        let mut redirect_uri = options.redirect_uri.clone();
        let server = match &transport {
            Transport::Paste => None,
            Transport::LoopbackHttp { port, path } | Transport::LoopbackHttps { port, path } => {
                let tls = match transport {
                    Transport::LoopbackHttps { .. } => {
                        Some(LoopbackCert::load_or_create(&options.cert_dir)?.server_config()?)
                    }
                    _ => None,
                };
                let ipv6 = matches!(options.redirect_uri.host(), Some(url::Host::Ipv6(_)));
                let server = CallbackServer::bind(CallbackOptions {
                    port: *port,
                    ipv6,
                    path: path.clone(),
                    expected_state: state.clone(),
                    timeout: options.timeout,
                    tls,
                })
                .await
                .map_err(LoginError::Bind)?
                .with_canceller(canceller.clone());
                if *port == 0 {
                    // Port 0 asked for any free port; the request must
                    // name the one we got. (`set_port` only fails for
                    // URLs without a host, which a loopback URL has.)
                    let _ = redirect_uri.set_port(Some(server.port()));
                }
                Some(server)
            }
        };
        let url = authorize_url(
            &options.authorize_url,
            &options.client_id,
            &redirect_uri,
            &state,
            &pkce,
        );
        let launch = if options.launch_browser {
            browser::open(
                url.as_str(),
                options.browser.as_deref(),
                &options.browser_env,
            )
        } else {
            Launch::Skipped {
                reason: "you asked not to open a browser".into(),
            }
        };
        Ok(Self {
            authorize_url: url,
            redirect_uri,
            transport,
            launch,
            state,
            pkce,
            deadline: server
                .as_ref()
                .map(CallbackServer::deadline)
                .unwrap_or_else(|| crate::auth::callback::deadline_after(options.timeout)),
            server,
            canceller,
            timeout: options.timeout,
        })
    }

    /// The URL to show (always) and to open.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The redirect URI sent, with the bound port filled in.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub fn launch(&self) -> &Launch {
        &self.launch
    }

    /// The bound callback port, for loopback transports.
    pub fn port(&self) -> Option<u16> {
        self.server.as_ref().map(CallbackServer::port)
    }

    /// The bound callback address (127.0.0.1 or ::1, as the redirect URI
    /// names), for loopback transports.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.server.as_ref().map(CallbackServer::local_addr)
    }

    /// The `ssh -L` hint, when a port is bound and no browser was started.
    pub fn ssh_hint(&self) -> Option<String> {
        match (&self.launch, self.address()) {
            (Launch::Started { .. }, _) | (_, None) => None,
            (_, Some(address)) => Some(browser::ssh_tunnel_hint(address)),
        }
    }

    pub fn deadline(&self) -> std::time::Instant {
        self.deadline.into_std()
    }

    /// Cancels the attempt from anywhere (Esc, Ctrl-C).
    pub fn canceller(&self) -> Canceller {
        self.canceller.clone()
    }

    /// The progress report for the waiting step.
    pub fn awaiting(&self) -> Progress {
        Progress::AwaitingBrowser {
            authorize_url: self.authorize_url.clone(),
            transport: self.transport.clone(),
            port: self.port(),
            launch: self.launch.clone(),
            ssh_hint: self.ssh_hint(),
            deadline: self.deadline(),
        }
    }
}

mod finish;

pub use finish::{BrowserReply, Connected};
