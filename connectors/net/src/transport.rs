//! The stream transports: what the generic client and server need of a socket type.

use crate::TcpConnection;
use async_net::{
    unix::{UnixListener, UnixStream},
    TcpListener,
};
use futures_lite::{AsyncRead, AsyncWrite};
use futures_rustls::TlsAcceptor;
use std::{future::Future, io, net::Shutdown};

/// A stream socket type: its connections, its listener and the names of its peers.
///
/// A value of the type carries the options applied to accepted connections.
pub trait Transport: Send + Sync + 'static {
    /// One connection. Clones share the socket (the reader and the writer of a connection).
    type Stream: AsyncRead + AsyncWrite + Clone + Unpin + Send + Sync + 'static;
    /// A listening socket. Clones share the socket.
    type Listener: Clone + Send + Sync + 'static;
    /// The address of an accepted connection's peer.
    type Peer: Send + 'static;

    /// Waits for the next connection; hands the listener back for the next accept.
    fn accept(listener: Self::Listener) -> impl Future<Output = Accepted<Self>> + Send + 'static;

    /// Closes both directions of a connection; the peer may be gone already, so this cannot
    /// fail.
    fn shutdown(stream: &Self::Stream);

    /// The peer as metadata and log messages show it; `None` where it has no useful name
    /// (an unnamed Unix socket client).
    fn peer_name(peer: &Self::Peer) -> Option<String>;

    /// Applies this transport's options to an accepted connection. The connection works
    /// either way, so a failure is only logged.
    fn configure(&self, _stream: &Self::Stream) -> Result<(), String> {
        Ok(())
    }

    /// Finishes an accepted connection before it is handed out (the TLS handshake). Runs
    /// beside the accept loop and the other connections, so a slow client stalls only itself;
    /// a failure drops only this connection.
    fn establish(
        &self,
        stream: Self::Stream,
    ) -> impl Future<Output = io::Result<Self::Stream>> + Send + 'static {
        std::future::ready(Ok(stream))
    }
}

/// Writes all of `bytes` and flushes them: a TLS session buffers what the socket does not take
/// at once, and nothing else would push it out.
pub(crate) async fn send<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> io::Result<()> {
    use futures_lite::AsyncWriteExt;
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// What an accept gives: the listener back, and the connection with its peer.
pub type Accepted<T> = (
    <T as Transport>::Listener,
    io::Result<(<T as Transport>::Stream, <T as Transport>::Peer)>,
);

/// The part of a [`Transport`] impl that reads the same for every async-net socket type: the
/// associated types, `accept` and `shutdown` (whose types have the same inherent methods but
/// no trait in common).
macro_rules! async_net_socket {
    ($stream:ty, $listener:ty, $peer:ty) => {
        type Stream = $stream;
        type Listener = $listener;
        type Peer = $peer;

        async fn accept(listener: $listener) -> Accepted<Self> {
            let result = listener.accept().await;
            (listener, result)
        }

        fn shutdown(stream: &$stream) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    };
}

/// How long an accepted client has to finish its TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// TCP, plain or TLS.
#[derive(Clone, Default)]
pub struct Tcp {
    /// `TCP_NODELAY` on accepted connections.
    pub nodelay: bool,
    /// The TLS handshake accepted connections go through; `None`: plain TCP.
    pub tls: Option<TlsAcceptor>,
}

impl Transport for Tcp {
    type Stream = TcpConnection;
    type Listener = TcpListener;
    type Peer = std::net::SocketAddr;

    async fn accept(listener: TcpListener) -> Accepted<Self> {
        let result = listener.accept().await;
        (
            listener,
            result.map(|(s, peer)| (TcpConnection::Plain(s), peer)),
        )
    }

    fn shutdown(stream: &TcpConnection) {
        stream.shutdown();
    }

    fn peer_name(peer: &Self::Peer) -> Option<String> {
        Some(peer.to_string())
    }

    fn configure(&self, stream: &TcpConnection) -> Result<(), String> {
        stream
            .tcp()
            .set_nodelay(self.nodelay)
            .map_err(|e| format!("cannot set TCP_NODELAY: {e}"))
    }

    fn establish(
        &self,
        stream: TcpConnection,
    ) -> impl Future<Output = io::Result<TcpConnection>> + Send + 'static {
        let tls = self.tls.clone();
        async move {
            match (tls, stream) {
                (Some(acceptor), TcpConnection::Plain(tcp)) => {
                    let handshake = async { acceptor.accept(tcp).await.map(TcpConnection::tls) };
                    // A client that connects and never speaks must not hold a task forever.
                    let too_slow = async {
                        async_io::Timer::after(TLS_HANDSHAKE_TIMEOUT).await;
                        Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!(
                                "no TLS handshake within {} s",
                                TLS_HANDSHAKE_TIMEOUT.as_secs()
                            ),
                        ))
                    };
                    futures_lite::future::or(handshake, too_slow).await
                }
                (_, stream) => Ok(stream),
            }
        }
    }
}

/// Unix domain stream sockets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unix;

impl Transport for Unix {
    async_net_socket!(UnixStream, UnixListener, async_net::unix::SocketAddr);

    fn peer_name(_peer: &Self::Peer) -> Option<String> {
        // Clients rarely bind a name; the connection number identifies them.
        None
    }
}
