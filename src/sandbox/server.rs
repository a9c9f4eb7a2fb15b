//! Starting and stopping the sandbox: the listener, the router with its
//! layers, and the handle tests and `close-tui demo` hold.

use std::{
    io,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{HeaderValue, StatusCode, header},
    middleware::{from_fn_with_state, map_response},
    response::{IntoResponse, Response},
    serve::ListenerExt,
};
use serde::Serialize;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::limit::RequestBodyLimitLayer;

use super::{
    SandboxArgs, admin, api, error::ApiError, guard::guard, oauth, reqlog, secretlog,
    state::Sandbox,
};

/// The largest request body accepted anywhere.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long `stop` waits for in-flight requests before cutting them off.
const DRAIN: Duration = Duration::from_secs(5);

/// What `close-tui sandbox` prints as its one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxInfo {
    pub base_url: String,
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: String,
    pub api_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub api_key: String,
}

impl SandboxInfo {
    /// The settings (as environment variables) that point close-tui at this
    /// sandbox: its OAuth client, endpoints and API, and a loopback
    /// redirect on a free port (port 0: the login binds one and sends it).
    pub fn client_env(&self) -> [(&'static str, String); 7] {
        [
            ("CLOSE_CLIENT_ID", self.client_id.clone()),
            ("CLOSE_CLIENT_SECRET", self.client_secret.clone()),
            ("CLOSE_AUTHORIZE_URL", self.authorize_url.clone()),
            ("CLOSE_TOKEN_URL", self.token_url.clone()),
            ("CLOSE_REVOKE_URL", self.revoke_url.clone()),
            ("CLOSE_API_URL", self.api_url.clone()),
            ("REDIRECT_URI", "http://127.0.0.1:0/callback".to_owned()),
        ]
    }
}

/// A sandbox serving in a background task. Dropping it stops the server too,
/// but without waiting; call [`RunningSandbox::stop`] to wait.
pub struct RunningSandbox {
    pub info: SandboxInfo,
    pub state: Arc<Sandbox>,
    address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

/// Binds `args.host:args.port` (port 0 picks a free one) and serves in a
/// background task.
pub async fn start(args: SandboxArgs) -> io::Result<RunningSandbox> {
    let listener = TcpListener::bind((args.host, args.port)).await?;
    let address = reachable(listener.local_addr()?);
    let mut sandbox = Sandbox::new(args);
    if let Some(path) = sandbox.options.log_requests.clone() {
        sandbox.request_log = Some(reqlog::RequestLog::open(&path)?);
    }
    if let Some(path) = sandbox.options.record_secrets.clone() {
        sandbox.record_secrets(secretlog::SecretLog::open(&path)?);
    }
    let state = Arc::new(sandbox);
    let app = router(Arc::clone(&state));
    let (shutdown, stopped) = oneshot::channel::<()>();
    let closing = state.closing.clone();
    let task = tokio::spawn(async move {
        // Without TCP_NODELAY a small response written in two pieces can
        // wait for the client's delayed ACK (40 ms on Linux).
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // A dropped handle counts as a stop request too.
                let _ = stopped.await;
                closing.send_replace(true);
            })
            .await
    });
    let base_url = format!("http://{address}");
    let info = SandboxInfo {
        authorize_url: format!("{base_url}/oauth2/authorize/"),
        token_url: format!("{base_url}/oauth2/token/"),
        revoke_url: format!("{base_url}/oauth2/revoke/"),
        api_url: format!("{base_url}/api/v1/"),
        client_id: state.options.client_id.clone(),
        client_secret: state.options.client_secret.clone(),
        api_key: state.api_key.expose().to_owned(),
        base_url,
    };
    Ok(RunningSandbox {
        info,
        state,
        address,
        shutdown: Some(shutdown),
        task,
    })
}

impl RunningSandbox {
    /// `http://HOST:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.info.base_url
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting, lets in-flight requests finish (for a few seconds at
    /// most), and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let abort = self.task.abort_handle();
        match tokio::time::timeout(DRAIN, &mut self.task).await {
            Ok(Ok(Err(error))) => tracing::warn!(%error, "the sandbox server failed"),
            Ok(_) => {}
            Err(_) => abort.abort(),
        }
    }
}

/// A wildcard bind address is not one a client can dial; name loopback.
fn reachable(address: SocketAddr) -> SocketAddr {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, address.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, address.port()).into(),
        _ => address,
    }
}

/// Every route, with the layers in this order, outermost first: request
/// log, JSON errors, body limit; the API routes add the auth guard.
pub fn router(state: Arc<Sandbox>) -> Router {
    let api = api::router().layer(from_fn_with_state(Arc::clone(&state), guard));
    Router::new()
        .merge(oauth::router())
        .nest("/api/v1", api)
        .nest("/_sandbox", api::admin_router().merge(admin::router()))
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(map_response(json_errors))
        .layer(from_fn_with_state(Arc::clone(&state), reqlog::log_requests))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Turns the plain-text or empty error bodies that axum and tower-http
/// produce (405, 413, extractor rejections) into Close's `{"error": …}`.
/// JSON errors and the HTML pages of the consent flow pass through.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let message = match text.trim() {
        "" => default_message(status),
        text => text,
    };
    let body = serde_json::json!({ "error": message }).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body)).into_response()
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "The requested URL was not found on the server.",
        StatusCode::METHOD_NOT_ALLOWED => "The method is not allowed for the requested URL.",
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is too large.",
        status => status.canonical_reason().unwrap_or("Request failed."),
    }
}
