//! `udp_client`: sends events as UDP datagrams to one address; reads the datagrams that
//! arrive on its own socket.
//!
//! * `connect` resolves `url`, binds the local socket (`bind`) and keeps both; a reconnect
//!   resolves and binds again.
//! * Sink: sends each chunk of an event as one datagram to `url`. An event whose datagram
//!   cannot be sent fails (with a warning). UDP does not tell whether anyone received it.
//! * Source: every datagram that arrives on the bound socket (replies, typically) is one chunk
//!   on stream 0; a datagram longer than `buf_size` is cut.
//!
//! The connector is `tremor_connector_net::DatagramConnector` around [`UdpClientConfig`],
//! which binds and resolves.

mod config;
#[cfg(test)]
mod tests;

pub use config::UdpClientConfig;

use tremor_connector_net::{bind_udp, Bound, DatagramSocket, SocketConfig};
use tremor_pdk::{io::IoResultExt, ConnectorError, Result};

tremor_connector_net::socket_connector! {
    /// The connector: a datagram socket sending to the `url` of its config.
    UdpClient = DatagramConnector<UdpClientConfig>("udp_client", UdpClientConfig::from_json)
}

impl DatagramSocket for UdpClientConfig {
    /// A reconnect resolves `url` and binds again.
    const KEEP_ON_RECONNECT: bool = false;

    async fn bind(&mut self, alias: &str) -> Result<Bound> {
        let address = self.address()?;
        let target = async_net::resolve(address.as_str())
            .await
            .with_io_context(|| format!("cannot resolve {address}"))?
            .into_iter()
            .next()
            .ok_or_else(|| ConnectorError::io(format!("{address} resolves to no address")))?;
        let bind = match &self.bind {
            Some(bind) => bind.as_str(),
            None if target.is_ipv6() => "[::]:0",
            None => "0.0.0.0:0",
        };
        let (socket, local) = bind_udp(bind, &self.socket_options).await?;
        log::info!("[{alias}] sending datagrams from {local} to {target}");
        Ok(Bound {
            socket,
            destination: Some(target),
        })
    }

    fn buf_size(&self) -> usize {
        self.buf_size.bytes()
    }
}
