//! The self-signed certificate behind the https loopback transport.
//!
//! It is made once, for `127.0.0.1`, `localhost` and `::1`, and kept in the
//! directory the caller names (the data dir), so the browser warns once and
//! a user can choose to trust that one certificate. The key file is 0600
//! from its creation.

use std::{
    fs, io,
    path::{Path, PathBuf},
    sync::Arc,
};

use tokio_rustls::rustls::{
    self, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
};

use crate::paths::create_private_dir;

pub const CERT_FILE: &str = "loopback-cert.pem";
pub const KEY_FILE: &str = "loopback-key.pem";

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot keep the loopback certificate in {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("cannot make the loopback certificate: {0}")]
    Generate(String),
    #[error("cannot set up TLS for the loopback server: {0}")]
    Config(String),
}

/// The kept certificate and key, as PEM.
pub struct LoopbackCert {
    pub cert_path: PathBuf,
    pub cert_pem: String,
    key_pem: String,
}

impl std::fmt::Debug for LoopbackCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackCert")
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

impl LoopbackCert {
    /// Loads the certificate kept in `dir`, or makes and keeps a new one
    /// when there is none or what is there cannot be used.
    pub fn load_or_create(dir: &Path) -> Result<Self, TlsError> {
        let cert_path = dir.join(CERT_FILE);
        let key_path = dir.join(KEY_FILE);
        if let (Ok(cert_pem), Ok(key_pem)) = (
            fs::read_to_string(&cert_path),
            fs::read_to_string(&key_path),
        ) {
            let kept = Self {
                cert_path: cert_path.clone(),
                cert_pem,
                key_pem,
            };
            if kept.server_config().is_ok() {
                return Ok(kept);
            }
            tracing::warn!("the kept loopback certificate is unusable; making a new one");
        }
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TlsError::Io { path, source }
        };
        create_private_dir(dir).map_err(io_err(dir))?;
        let names = ["127.0.0.1", "localhost", "::1"]
            .map(str::to_owned)
            .to_vec();
        let made = rcgen::generate_simple_self_signed(names)
            .map_err(|err| TlsError::Generate(err.to_string()))?;
        let cert_pem = made.cert.pem();
        let key_pem = made.signing_key.serialize_pem();
        write_private(&key_path, key_pem.as_bytes()).map_err(io_err(&key_path))?;
        write_private(&cert_path, cert_pem.as_bytes()).map_err(io_err(&cert_path))?;
        tracing::info!(path = %cert_path.display(), "made a loopback certificate");
        Ok(Self {
            cert_path,
            cert_pem,
            key_pem,
        })
    }

    /// The certificate in DER, e.g. to trust it in a test client.
    pub fn cert_der(&self) -> Result<CertificateDer<'static>, TlsError> {
        CertificateDer::from_pem_slice(self.cert_pem.as_bytes())
            .map_err(|err| TlsError::Config(format!("certificate: {err}")))
    }

    /// A rustls server configuration (HTTP/1.1 only) for this certificate.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|err| TlsError::Config(format!("key: {err}")))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|err| TlsError::Config(err.to_string()))?
            .with_no_client_auth()
            .with_single_cert(vec![self.cert_der()?], key)
            .map_err(|err| TlsError::Config(err.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Writes `bytes` to `path` through a temporary file that is 0600 from the
/// start, then renames it into place, so no reader sees half a key.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use io::Write;
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_then_reused_and_key_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = LoopbackCert::load_or_create(dir.path()).unwrap();
        let second = LoopbackCert::load_or_create(dir.path()).unwrap();
        assert_eq!(first.cert_pem, second.cert_pem);
        second.server_config().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{first:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn a_damaged_key_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let first = LoopbackCert::load_or_create(dir.path()).unwrap();
        fs::write(dir.path().join(KEY_FILE), "garbage").unwrap();
        let second = LoopbackCert::load_or_create(dir.path()).unwrap();
        assert_ne!(first.cert_pem, second.cert_pem);
        second.server_config().unwrap();
    }
}
