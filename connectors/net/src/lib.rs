//! Shared code of the socket connectors (`tcp_*`, `unix_socket_*`, `udp_*`; and the connection
//! slot of `file`). Not a connector: it registers nothing and has no `plugin` feature;
//! each connector links it in.
//!
//! * [`Slot`]: how `connect` hands a connection to the source and sink parts, with a
//!   generation number so that a loss is reported once per connection.
//! * [`Transport`]: what the generic parts need of a stream socket type, with [`Tcp`] (plain
//!   or TLS: [`TcpConnection`], [`TlsServerConfig`], [`TlsClientConfig`]) and [`Unix`].
//! * [`ClientLink`]: a client's connection, source and sink; [`StreamClient`] the connector
//!   around it, for a [`ClientSocket`] (config + dialing).
//! * [`Server`]: a server's listener, accept loop, per-connection readers and the sink that
//!   routes replies by the connection named in an event's metadata; [`StreamServer`] the
//!   connector around it, for a [`ServerSocket`] (config + binding).
//!
//! * [`SocketConfig`]: parsing a config record and checking what serde cannot.
//! * [`TcpSocketOptions`], [`UdpSocketOptions`]: Tremor's `socket_options`, and the sockets
//!   made with them ([`tcp_listen`], [`tcp_connect`], [`udp_bind`]).
//! * [`DatagramConnector`]: a UDP connector for a [`DatagramSocket`] (config + binding).
//!
//! A connector crate keeps its config, its dialing or binding (resolving, socket options,
//! socket files), its docs and its registration, and delegates the rest here.

mod address;
mod buf_size;
mod client;
mod config;
mod datagram;
mod meta;
mod server;
mod slot;
mod socket_options;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;
#[cfg(test)]
mod tls_tests;
mod transport;

pub use address::AddressField;
pub use buf_size::BufSize;
pub use client::{ClientLink, ClientSocket, Dialed, StreamClient};
pub use config::{check_socket_path, tcp_nodelay_default, SocketConfig};
pub use datagram::{bind_udp, peer_of, Bound, DatagramConnector, DatagramSocket};
pub use futures_rustls::{TlsAcceptor, TlsConnector};
pub use server::{connection_of, Server, ServerSocket, StreamServer, LINGER};
pub use slot::{lock, Slot, Watch};
pub use socket_options::{tcp_connect, tcp_listen, udp_bind, TcpSocketOptions, UdpSocketOptions};
pub use tls::{TcpConnection, TlsClientConfig, TlsServerConfig};
pub use transport::{Accepted, Tcp, Transport, Unix};

#[doc(hidden)]
pub mod __private {
    pub use tremor_pdk::{connector_module, ConnectorContext, ConnectorError};
}

/// Declares a stream socket connector: its `CONNECTOR_TYPE` const, its connector type (a
/// [`StreamClient`], [`StreamServer`] or [`DatagramConnector`] over the crate's socket type) and its registration
/// (`tremor_pdk::connector_module!`, with a `new_connector` that parses the config record with
/// the given function and makes the socket type `From` the result).
///
/// ```text
/// tremor_connector_net::socket_connector! {
///     /// The connector: a stream client that dials per its config.
///     TcpClient = StreamClient<TcpClientConfig>("tcp_client", TcpClientConfig::from_json)
/// }
/// ```
#[macro_export]
macro_rules! socket_connector {
    (
        $(#[$doc:meta])*
        $name:ident = $kind:ident<$socket:ty>($connector_type:literal, $from_config:path)
    ) => {
        /// The connector type name.
        pub const CONNECTOR_TYPE: &str = $connector_type;

        $(#[$doc])*
        pub type $name = $crate::$kind<$socket>;

        fn new_connector(
            ctx: $crate::__private::ConnectorContext,
            config: &str,
        ) -> ::std::result::Result<$name, $crate::__private::ConnectorError> {
            let socket = <$socket>::from($from_config(config)?);
            Ok($crate::$kind::new(ctx, CONNECTOR_TYPE, socket))
        }

        $crate::__private::connector_module!(CONNECTOR_TYPE, new_connector);
    };
}
