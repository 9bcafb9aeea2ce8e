//! Tremor's `socket_options` records of the IP connectors, and the sockets built with them.
//!
//! `SO_REUSEPORT` and `SO_REUSEADDR` must be set between `socket()` and `bind()`/`connect()`,
//! which async-net does not offer, so these sockets are made with socket2 and then handed to
//! async-net.

use async_io::Async;
use async_net::{TcpListener, TcpStream, UdpSocket};
use serde::Deserialize;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::{io, net::SocketAddr};

/// The `socket_options` of `tcp_client` and `tcp_server`, with Tremor 0.13's names and
/// defaults.
///
/// ```json
/// {"SO_REUSEPORT": false, "SO_REUSEADDR": true, "TCP_NODELAY": true}
/// ```
#[derive(Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TcpSocketOptions {
    /// `SO_REUSEPORT`: several sockets (of this or other processes) may bind the same
    /// address and port; the kernel spreads connections over the listeners (default false).
    #[serde(rename = "SO_REUSEPORT", default)]
    pub so_reuseport: bool,
    /// `SO_REUSEADDR`: a listener may bind a port that connections of an earlier listener
    /// still hold in TIME_WAIT (`None`: Tremor's default, true).
    #[serde(rename = "SO_REUSEADDR", default)]
    pub so_reuseaddr: Option<bool>,
    /// `TCP_NODELAY`: small writes go out at once instead of being coalesced (Nagle's
    /// algorithm off). `None`: the connector's default (true, or `tcp_client`'s `no_delay`).
    #[serde(rename = "TCP_NODELAY", default)]
    pub tcp_nodelay: Option<bool>,
}

impl TcpSocketOptions {
    /// `SO_REUSEADDR` as set, or Tremor's default (true).
    pub fn reuseaddr(&self) -> bool {
        self.so_reuseaddr.unwrap_or(true)
    }

    /// `TCP_NODELAY` as set, or `default`.
    pub fn nodelay_or(&self, default: bool) -> bool {
        self.tcp_nodelay.unwrap_or(default)
    }

    fn apply(&self, socket: &Socket, nodelay: bool) -> io::Result<()> {
        socket.set_reuse_port(self.so_reuseport)?;
        socket.set_reuse_address(self.reuseaddr())?;
        socket.set_tcp_nodelay(nodelay)
    }
}

/// The `socket_options` of `udp_client` and `udp_server`, with Tremor 0.13's names and
/// defaults.
///
/// ```json
/// {"SO_REUSEPORT": false, "SO_REUSEADDR": true}
/// ```
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UdpSocketOptions {
    /// `SO_REUSEPORT`: several sockets may bind the same address and port; the kernel
    /// spreads the datagrams that arrive over them (default false).
    #[serde(rename = "SO_REUSEPORT", default)]
    pub so_reuseport: bool,
    /// `SO_REUSEADDR` (default true, as in Tremor).
    #[serde(rename = "SO_REUSEADDR", default = "default_true")]
    pub so_reuseaddr: bool,
}

fn default_true() -> bool {
    true
}

impl Default for UdpSocketOptions {
    fn default() -> Self {
        Self {
            so_reuseport: false,
            so_reuseaddr: true,
        }
    }
}

impl UdpSocketOptions {
    fn apply(&self, socket: &Socket) -> io::Result<()> {
        socket.set_reuse_port(self.so_reuseport)?;
        socket.set_reuse_address(self.so_reuseaddr)
    }
}

/// Tries `attempt` on each address `address` resolves to; the first success wins, else the
/// last error.
async fn first_resolved<T>(
    address: &str,
    mut attempt: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last_error = None;
    for addr in async_net::resolve(address).await? {
        match attempt(addr) {
            Ok(done) => return Ok(done),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(nothing_resolved))
}

fn nothing_resolved() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "the address resolves to nothing")
}

fn socket_for(addr: SocketAddr, kind: Type, protocol: Protocol) -> io::Result<Socket> {
    Socket::new(Domain::for_address(addr), kind, Some(protocol))
}

/// A TCP listener on `address` (`host:port`) with `options` and a listen queue of `backlog`
/// connections.
pub async fn tcp_listen(
    address: &str,
    options: &TcpSocketOptions,
    backlog: i32,
) -> io::Result<TcpListener> {
    let listener = first_resolved(address, |addr| {
        let socket = socket_for(addr, Type::STREAM, Protocol::TCP)?;
        options.apply(&socket, options.nodelay_or(true))?;
        socket.bind(&addr.into())?;
        socket.listen(backlog)?;
        Ok(std::net::TcpListener::from(socket))
    })
    .await?;
    Ok(Async::new(listener)?.into())
}

/// A TCP connection to `address` (`host:port`) with `options`, `TCP_NODELAY` being `nodelay`.
pub async fn tcp_connect(
    address: &str,
    options: &TcpSocketOptions,
    nodelay: bool,
) -> io::Result<TcpStream> {
    let mut last_error = None;
    for addr in async_net::resolve(address).await? {
        match connect_one(addr, options, nodelay).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(nothing_resolved))
}

async fn connect_one(
    addr: SocketAddr,
    options: &TcpSocketOptions,
    nodelay: bool,
) -> io::Result<TcpStream> {
    let socket = socket_for(addr, Type::STREAM, Protocol::TCP)?;
    options.apply(&socket, nodelay)?;
    socket.set_nonblocking(true)?;
    match socket.connect(&SockAddr::from(addr)) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    let stream = Async::new(std::net::TcpStream::from(socket))?;
    // A non-blocking connect finishes when the socket becomes writable; its outcome is
    // then the socket's pending error.
    stream.writable().await?;
    if let Some(e) = stream.get_ref().take_error()? {
        return Err(e);
    }
    Ok(stream.into())
}

/// The receive buffer a UDP socket asks for: room for a burst of about a thousand full-size
/// Ethernet datagrams between two pulls.
const UDP_RECV_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// A UDP socket bound to `address` (`host:port`) with `options`.
pub async fn udp_bind(address: &str, options: &UdpSocketOptions) -> io::Result<UdpSocket> {
    let socket = first_resolved(address, |addr| {
        let socket = socket_for(addr, Type::DGRAM, Protocol::UDP)?;
        options.apply(&socket)?;
        // Datagrams are read only when the runtime pulls, so a burst that arrives while a batch
        // is being decoded and routed must fit the kernel's receive buffer (Tremor reads in a
        // task of its own). Best effort: the kernel caps the size at net.core.rmem_max, and a
        // smaller buffer still works, only with less room for bursts.
        let _ = socket.set_recv_buffer_size(UDP_RECV_BUFFER_BYTES);
        socket.bind(&addr.into())?;
        Ok(std::net::UdpSocket::from(socket))
    })
    .await?;
    Ok(Async::new(socket)?.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(json: &str) -> Result<TcpSocketOptions, serde_json::Error> {
        serde_json::from_str(json)
    }

    fn udp(json: &str) -> Result<UdpSocketOptions, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn tcp_options_default_as_in_tremor() {
        let o = tcp("{}").expect("empty");
        assert_eq!(o, TcpSocketOptions::default());
        assert!(!o.so_reuseport && o.reuseaddr() && o.nodelay_or(true));
        assert!(
            !o.nodelay_or(false),
            "an absent TCP_NODELAY takes the caller's default"
        );
    }

    #[test]
    fn each_tcp_option_is_read() {
        assert!(tcp(r#"{"SO_REUSEPORT": true}"#).expect("ok").so_reuseport);
        assert!(!tcp(r#"{"SO_REUSEADDR": false}"#).expect("ok").reuseaddr());
        assert!(!tcp(r#"{"TCP_NODELAY": false}"#)
            .expect("ok")
            .nodelay_or(true));
        assert!(tcp(r#"{"TCP_NODELAY": true}"#)
            .expect("ok")
            .nodelay_or(false));
    }

    #[test]
    fn udp_options_default_as_in_tremor_and_each_is_read() {
        let o = udp("{}").expect("empty");
        assert_eq!(o, UdpSocketOptions::default());
        assert!(!o.so_reuseport && o.so_reuseaddr);
        assert!(udp(r#"{"SO_REUSEPORT": true}"#).expect("ok").so_reuseport);
        assert!(!udp(r#"{"SO_REUSEADDR": false}"#).expect("ok").so_reuseaddr);
    }

    #[test]
    fn unknown_or_mistyped_options_are_errors() {
        for bad in [r#"{"SO_LINGER": 1}"#, r#"{"so_reuseport": true}"#] {
            let err = tcp(bad).expect_err(bad).to_string();
            assert!(err.contains("unknown field"), "{bad}: {err}");
            assert!(udp(bad).is_err(), "{bad}");
        }
        assert!(udp(r#"{"TCP_NODELAY": true}"#).is_err(), "not a UDP option");
        assert!(tcp(r#"{"SO_REUSEPORT": "yes"}"#).is_err());
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        async_io::block_on(future)
    }

    /// Reads an option back from the socket the kernel holds.
    fn sock_ref<S: std::os::fd::AsFd>(s: &S) -> socket2::SockRef<'_> {
        socket2::SockRef::from(s)
    }

    #[test]
    fn the_options_reach_the_sockets() {
        run(async {
            let options = tcp(r#"{"SO_REUSEPORT": true, "TCP_NODELAY": false}"#).expect("ok");
            let listener = tcp_listen("127.0.0.1:0", &options, 16)
                .await
                .expect("listens");
            let s = sock_ref(&listener);
            assert!(s.reuse_port().expect("read") && s.reuse_address().expect("read"));
            let address = listener.local_addr().expect("bound").to_string();
            let stream = tcp_connect(&address, &options, false)
                .await
                .expect("connects");
            let s = sock_ref(&stream);
            assert!(!s.tcp_nodelay().expect("read") && s.reuse_port().expect("read"));
            let stream = tcp_connect(&address, &TcpSocketOptions::default(), true)
                .await
                .expect("connects");
            assert!(sock_ref(&stream).tcp_nodelay().expect("read"));

            let plain = UdpSocketOptions {
                so_reuseaddr: false,
                ..UdpSocketOptions::default()
            };
            let socket = udp_bind("127.0.0.1:0", &plain).await.expect("binds");
            let s = sock_ref(&socket);
            assert!(!s.reuse_port().expect("read") && !s.reuse_address().expect("read"));
        });
    }

    #[test]
    fn so_reuseport_lets_two_udp_sockets_share_a_port_and_refused_connects_fail() {
        run(async {
            let reuse = udp(r#"{"SO_REUSEPORT": true}"#).expect("ok");
            let first = udp_bind("127.0.0.1:0", &reuse).await.expect("binds");
            let address = first.local_addr().expect("bound").to_string();
            udp_bind(&address, &reuse).await.expect("shares the port");
            let no_reuse = UdpSocketOptions {
                so_reuseaddr: false,
                so_reuseport: false,
            };
            udp_bind(&address, &no_reuse).await.expect_err("taken");

            let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let address = closed.local_addr().expect("bound").to_string();
            drop(closed);
            let err = tcp_connect(&address, &TcpSocketOptions::default(), true)
                .await
                .expect_err("nobody listens");
            assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
        });
    }
}
