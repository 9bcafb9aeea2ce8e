//! `udp_server`: receives UDP datagrams; sends replies back to their senders.
//!
//! * `connect` binds the socket; a reconnect keeps it.
//! * Source: every datagram is one chunk on stream 0 (a datagram longer than `buf_size` is
//!   cut), with the metadata `{"udp_server": {"peer": "ip:port"}}` naming its sender.
//! * Sink: sends each chunk of an event as one datagram to the peer named by
//!   `udp_server.peer` in the event's metadata, so a pipeline that passes events through
//!   answers their senders. An event without that metadata fails (with a warning), and so does
//!   one whose datagram cannot be sent.
//!
//! The connector is `tremor_connector_net::DatagramConnector` around [`UdpServerConfig`],
//! which binds.

mod config;
#[cfg(test)]
mod tests;

pub use config::UdpServerConfig;

use tremor_connector_net::{bind_udp, Bound, DatagramSocket, SocketConfig};
use tremor_pdk::Result;

tremor_connector_net::socket_connector! {
    /// The connector: a datagram socket bound to the `url` of its config, replying to senders.
    UdpServer = DatagramConnector<UdpServerConfig>("udp_server", UdpServerConfig::from_json)
}

impl DatagramSocket for UdpServerConfig {
    /// A reconnect keeps the socket: it is still fine.
    const KEEP_ON_RECONNECT: bool = true;

    async fn bind(&mut self, alias: &str) -> Result<Bound> {
        let address = self.address()?;
        let (socket, local) = bind_udp(&address, &self.socket_options).await?;
        log::info!("[{alias}] receiving datagrams on {local}");
        Ok(Bound {
            socket,
            destination: None,
        })
    }

    fn buf_size(&self) -> usize {
        self.buf_size.bytes()
    }
}
