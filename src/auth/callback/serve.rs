//! The accept loop: plain TCP or TLS, one task per connection, hyper's
//! HTTP/1 server with tight limits.
//!
//! Each connection runs on its own task, so a client that connects and sends
//! nothing (slow-loris) delays nobody else; hyper drops it when its headers
//! have not arrived in time. When the server is told to stop it closes the
//! listener at once (the port is free again) and gives connections that are
//! answering a moment to finish.

use std::{sync::Arc, time::Duration};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::{TcpListener, TcpStream},
    sync::{Semaphore, watch},
    task::JoinSet,
};
use tokio_rustls::TlsAcceptor;

/// Time a client gets to send its request headers (or finish the TLS
/// handshake). Browsers send them at once; only stalled clients wait.
pub(super) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time connections get to finish their answer once the server stops.
const GRACE: Duration = Duration::from_secs(1);
/// Header section limit (request line included): 8 KiB is plenty for a
/// callback and small enough to refuse anything stuffed.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Connections served at once; more are closed on arrival.
const MAX_CONNECTIONS: usize = 64;

pub(super) async fn run(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => {
                let tcp = match accepted {
                    Ok((tcp, _)) => tcp,
                    Err(err) => {
                        // Usually out of file descriptors; pause rather than spin.
                        tracing::warn!(%err, "loopback accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = limit.clone().try_acquire_owned() else {
                    continue;
                };
                let tls = tls.clone();
                let router = router.clone();
                let stop = stop.clone();
                connections.spawn(async move {
                    serve_tcp(tcp, tls, router, stop).await;
                    drop(permit);
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(GRACE * 2, drained).await.is_err() {
        connections.abort_all();
    }
}

async fn serve_tcp(
    tcp: TcpStream,
    tls: Option<TlsAcceptor>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let _ = tcp.set_nodelay(true);
    match tls {
        None => serve_io(tcp, router, stop).await,
        Some(acceptor) => {
            let handshake = tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(tcp));
            let stream = tokio::select! {
                done = handshake => match done {
                    Ok(Ok(stream)) => stream,
                    // A browser that distrusts the certificate aborts the
                    // handshake; it retries once the user accepts it.
                    Ok(Err(err)) => {
                        tracing::debug!(%err, "loopback TLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                },
                () = stopped(&mut stop) => return,
            };
            serve_io(stream, router, stop).await;
        }
    }
}

async fn serve_io<I>(io: I, router: Router, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES)
        .max_buf_size(2 * MAX_HEADER_BYTES)
        .keep_alive(false);
    let service = TowerToHyperService::new(router);
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(%err, "loopback connection ended with an error");
            }
        }
        () = stopped(&mut stop) => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(GRACE, connection).await;
        }
    }
}

/// Resolves once the server is told to stop. (A helper so no watch guard
/// lives across an await.)
pub(super) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}
