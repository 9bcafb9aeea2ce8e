//! TLS for the TCP connectors: Tremor's `tls` settings, the rustls configs made from their PEM
//! files, and the connection type that is either plain TCP or TLS over it.
//!
//! * tcp_server: `tls = {"cert": PATH, "key": PATH}` (PEM certificate chain and private key).
//! * tcp_client: `tls = true` (Mozilla's roots, the url's host as the name to verify) or
//!   `tls = {"cafile": PATH, "domain": NAME, "cert": PATH, "key": PATH}`, every key optional:
//!   `cafile` replaces the roots, `domain` the name to verify, `cert` + `key` are a client
//!   certificate.
//! * Absent, `null` or `false`: plain TCP.

use async_net::TcpStream;
use futures_lite::{AsyncRead, AsyncWrite};
use futures_rustls::{TlsAcceptor, TlsConnector, TlsStream};
use rustls::{
    pki_types::{CertificateDer, PrivateKeyDer, ServerName},
    ClientConfig, RootCertStore, ServerConfig,
};
use rustls_pki_types::pem::PemObject;
use serde::{de::DeserializeOwned, Deserialize};
use std::{
    io,
    net::Shutdown,
    path::{Path, PathBuf},
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard},
    task::{Context, Poll},
};
use tremor_pdk::{ConnectorError, Result};

/// tcp_server's `tls` record.
#[derive(Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsServerConfig {
    /// The PEM file with the server's certificate (chain), its own certificate first.
    pub cert: PathBuf,
    /// The PEM file with the certificate's private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// tcp_client's `tls` record (`true` is the record with every key absent).
#[derive(Deserialize, Debug, Clone, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsClientConfig {
    /// The PEM file of the CA(s) to trust instead of Mozilla's roots.
    #[serde(default)]
    pub cafile: Option<PathBuf>,
    /// The name the server's certificate must carry (default: the url's host).
    #[serde(default)]
    pub domain: Option<String>,
    /// The PEM file of a client certificate (chain), with `key`.
    #[serde(default)]
    pub cert: Option<PathBuf>,
    /// The PEM file of the client certificate's private key, with `cert`.
    #[serde(default)]
    pub key: Option<PathBuf>,
}

/// Reads a `tls` field: `None` when TLS is off (absent, `null`, `false`), the record else.
/// `true` is `T::default()` where `T` has one (`allow_true`), an error otherwise.
fn tls_setting<T: DeserializeOwned + Default>(
    connector_type: &str,
    tls: Option<&serde_json::Value>,
    allow_true: bool,
    expected: &str,
) -> Result<Option<T>> {
    let bad = |why: String| ConnectorError::config(format!("{connector_type} `tls`: {why}"));
    match tls {
        None | Some(serde_json::Value::Null | serde_json::Value::Bool(false)) => Ok(None),
        Some(serde_json::Value::Bool(true)) if allow_true => Ok(Some(T::default())),
        Some(record @ serde_json::Value::Object(_)) => serde_json::from_value(record.clone())
            .map(Some)
            .map_err(|e| bad(e.to_string())),
        Some(other) => Err(bad(format!("expected {expected}, got {other}"))),
    }
}

impl TlsServerConfig {
    /// tcp_server's `tls` field: `None` when TLS is off; the record else (an error of kind
    /// `config` for anything else).
    pub fn from_field(
        connector_type: &str,
        tls: Option<&serde_json::Value>,
    ) -> Result<Option<Self>> {
        /// `tls_setting` wants a default for `true`; a server has none, so `true` is refused.
        #[derive(Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        struct Record {
            cert: Option<PathBuf>,
            key: Option<PathBuf>,
        }
        let expected = r#"{"cert": PATH, "key": PATH}"#;
        let Some(record) = tls_setting::<Record>(connector_type, tls, false, expected)? else {
            return Ok(None);
        };
        match (record.cert, record.key) {
            (Some(cert), Some(key)) => Ok(Some(Self { cert, key })),
            (cert, _) => Err(ConnectorError::config(format!(
                "{connector_type} `tls` needs `{}` (expected {expected})",
                if cert.is_none() { "cert" } else { "key" }
            ))),
        }
    }

    /// Loads the certificate and key: the acceptor for incoming connections. Errors (kind
    /// `config`) name the file and what is wrong with it.
    pub fn acceptor(&self, connector_type: &str) -> Result<TlsAcceptor> {
        let certs = load_certs(connector_type, "cert", &self.cert)?;
        let key = load_key(connector_type, "key", &self.key)?;
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| rustls_error(connector_type, e))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| {
                ConnectorError::config(format!(
                    "{connector_type} `tls`: {} and {} do not make a certificate and key: {e}",
                    self.cert.display(),
                    self.key.display()
                ))
            })?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

impl TlsClientConfig {
    /// tcp_client's `tls` field: `None` when TLS is off; `true` is every key at its default.
    pub fn from_field(
        connector_type: &str,
        tls: Option<&serde_json::Value>,
    ) -> Result<Option<Self>> {
        let expected = r#"a boolean or {"cafile", "domain", "cert", "key"}"#;
        let config: Option<Self> = tls_setting(connector_type, tls, true, expected)?;
        if let Some(c) = &config {
            if c.cert.is_some() != c.key.is_some() {
                return Err(ConnectorError::config(format!(
                    "{connector_type} `tls`: a client certificate needs both `cert` and `key`"
                )));
            }
        }
        Ok(config)
    }

    /// Loads the CA file (or takes Mozilla's roots) and the client certificate: the connector
    /// for outgoing connections. Errors (kind `config`) name the file and what is wrong.
    pub fn connector(&self, connector_type: &str) -> Result<TlsConnector> {
        let mut roots = RootCertStore::empty();
        match &self.cafile {
            Some(cafile) => {
                for ca in load_certs(connector_type, "cafile", cafile)? {
                    roots.add(ca).map_err(|e| {
                        ConnectorError::config(format!(
                            "{connector_type} `tls.cafile`: {}: bad CA certificate: {e}",
                            cafile.display()
                        ))
                    })?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| rustls_error(connector_type, e))?
            .with_root_certificates(roots);
        let config = match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => {
                let certs = load_certs(connector_type, "cert", cert)?;
                let key = load_key(connector_type, "key", key)?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(|e| rustls_error(connector_type, e))?
            }
            _ => builder.with_no_client_auth(),
        };
        Ok(TlsConnector::from(Arc::new(config)))
    }

    /// The name the server's certificate must carry: `domain`, else `host` (the url's host, a
    /// DNS name or an IP address).
    pub fn server_name(&self, connector_type: &str, host: &str) -> Result<ServerName<'static>> {
        let name = self.domain.as_deref().unwrap_or(host);
        // An IPv6 url host comes in brackets.
        let name = name.trim_start_matches('[').trim_end_matches(']');
        ServerName::try_from(name.to_string()).map_err(|e| {
            ConnectorError::config(format!(
                "{connector_type} `tls`: `{name}` is no name to verify a certificate for: {e}"
            ))
        })
    }
}

/// The crypto provider: ring, named explicitly so that no process-wide default is needed.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn rustls_error(connector_type: &str, e: rustls::Error) -> ConnectorError {
    ConnectorError::config(format!("{connector_type} `tls`: {e}"))
}

fn read_pem(connector_type: &str, field: &str, path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        ConnectorError::config(format!(
            "{connector_type} `tls.{field}`: cannot read {}: {e}",
            path.display()
        ))
    })
}

/// Every certificate in a PEM file; none is an error.
fn load_certs(
    connector_type: &str,
    field: &str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>> {
    let pem = read_pem(connector_type, field, path)?;
    let bad = |why: String| {
        ConnectorError::config(format!(
            "{connector_type} `tls.{field}`: {}: {why}",
            path.display()
        ))
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("bad PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad("no PEM certificate found".into()));
    }
    Ok(certs)
}

/// The first private key in a PEM file.
fn load_key(connector_type: &str, field: &str, path: &Path) -> Result<PrivateKeyDer<'static>> {
    let pem = read_pem(connector_type, field, path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        let why = match e {
            rustls_pki_types::pem::Error::NoItemsFound => "no PEM private key found".to_string(),
            e => format!("bad PEM private key: {e}"),
        };
        ConnectorError::config(format!(
            "{connector_type} `tls.{field}`: {}: {why}",
            path.display()
        ))
    })
}

/// A TCP connection, plain or TLS. Clones share the connection (the reader and the writer).
#[derive(Clone)]
pub enum TcpConnection {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over `tcp`. The reader and the writer take turns on the session; each holds the
    /// lock only for one poll, which never blocks.
    Tls {
        /// The socket under the session (for socket options and shutdown).
        tcp: TcpStream,
        /// The session.
        session: Arc<Mutex<TlsStream<TcpStream>>>,
    },
}

impl TcpConnection {
    /// A TLS connection whose handshake is done.
    pub fn tls(session: impl Into<TlsStream<TcpStream>>) -> Self {
        let session = session.into();
        Self::Tls {
            tcp: session.get_ref().0.clone(),
            session: Arc::new(Mutex::new(session)),
        }
    }

    /// The socket.
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(tcp) | Self::Tls { tcp, .. } => tcp,
        }
    }

    /// Closes both directions; a TLS session says so first (close_notify) as far as the
    /// socket takes it without waiting.
    pub fn shutdown(&self) {
        if let Self::Tls { session, .. } = self {
            if let Ok(mut session) = session.lock() {
                let close =
                    futures_lite::future::poll_fn(|cx| Pin::new(&mut *session).poll_close(cx));
                let _ = futures_lite::future::block_on(futures_lite::future::poll_once(close));
            }
        }
        let _ = self.tcp().shutdown(Shutdown::Both);
    }
}

fn session(
    session: &Mutex<TlsStream<TcpStream>>,
) -> io::Result<MutexGuard<'_, TlsStream<TcpStream>>> {
    session
        .lock()
        .map_err(|_| io::Error::other("the TLS session broke in another task"))
}

impl AsyncRead for TcpConnection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Self::Tls { session: s, .. } => {
                let mut s = session(s)?;
                match Pin::new(&mut *s).poll_read(cx, buf) {
                    // A peer that closes the socket without close_notify (many do) ends the
                    // stream like a plain TCP close: the events are framed by the codec, so a
                    // cut-off message is seen there.
                    Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        Poll::Ready(Ok(0))
                    }
                    other => other,
                }
            }
        }
    }
}

impl AsyncWrite for TcpConnection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Self::Tls { session: s, .. } => Pin::new(&mut *session(s)?).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Self::Tls { session: s, .. } => Pin::new(&mut *session(s)?).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(tcp) => Pin::new(tcp).poll_close(cx),
            Self::Tls { session: s, .. } => Pin::new(&mut *session(s)?).poll_close(cx),
        }
    }
}
