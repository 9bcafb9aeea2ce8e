//! The WebSocket connectors `ws_server` and `ws_client` (Tremor 0.13's), shared by the two
//! thin connector crates `connectors/ws_server` and `connectors/ws_client` (one connector type
//! per plugin file). Not a connector itself: it registers nothing and has no `plugin` feature.
//!
//! Both run WebSocket framing (async-tungstenite, no runtime feature) over connectors/net's
//! sockets, plain or TLS (`wss`), so a plugin never depends on the host's executor.
//!
//! * Every text or binary message is one chunk for the runtime's preprocessors and codec, with
//!   the metadata `{KEY: {"tls": BOOL, "peer": {"host": IP, "port": PORT}}}` (KEY being the
//!   connector type) plus `"binary": true` at the top level for a binary message, as Tremor
//!   0.13 sets it. Pings are answered, pongs ignored; a close ends the stream.
//! * Each event chunk goes out as one message: binary when `$binary` (Tremor's code) or
//!   `$KEY.binary` (Tremor's docs) is `true`, text otherwise. Text must be UTF-8: an event
//!   whose bytes are not fails (with a warning), the connection stays.
//!
//! [`server`]: one stream per accepted connection; replies go to the connection named by
//! `$ws_server.peer`. [`client`]: one connection on stream 0, re-established per the
//! reconnect policy.

pub mod client;
mod frames;
pub mod server;
#[cfg(test)]
mod test_support;
mod url;

pub use client::{WsClient, WsClientConfig};
pub use server::{WsServer, WsServerConfig};

use async_tungstenite::{WebSocketReceiver, WebSocketSender};
use tremor_connector_net::TcpConnection;

/// The sending half of a WebSocket connection.
type Sender = WebSocketSender<TcpConnection>;
/// The receiving half of a WebSocket connection.
type Receiver = WebSocketReceiver<TcpConnection>;

/// How long an accepted client has for its TLS and WebSocket handshakes (a client that
/// connects and stays silent must not hold a task forever); also the limit of a client's own
/// handshakes.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// `work`, or an error of kind `TimedOut` after [`HANDSHAKE_TIMEOUT`].
async fn within_handshake_timeout<T>(
    work: impl std::future::Future<Output = std::io::Result<T>>,
) -> std::io::Result<T> {
    let too_slow = async {
        async_io::Timer::after(HANDSHAKE_TIMEOUT).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no handshake within {} s", HANDSHAKE_TIMEOUT.as_secs()),
        ))
    };
    futures_lite::future::or(work, too_slow).await
}
