//! `tcp_client`: one TCP connection to a server; sends events to it and reads what it sends.
//!
//! * `connect` opens the connection. A refused connection is an error of kind `connection`,
//!   so the runtime retries per the connector's reconnect policy.
//! * Source: what the server sends, on stream 0, in chunks of at most `buf_size` bytes as they
//!   were read (frame lines with the `separate` preprocessor). When the server closes the
//!   connection the stream ends; when it breaks the stream fails. Either way the connector
//!   reports the lost connection and the runtime reconnects per policy.
//! * Sink: writes each event's bytes. A failed write, or a batch while not connected, is an
//!   error of kind `connection`: the runtime keeps the batch and sends it again after the
//!   reconnect (at least once), and the lost connection is reported.
//!
//! The connector hands every new connection to its source and sink through a shared slot
//! tagged with a generation number; a loss is reported once per connection, whichever part
//! notices it first.

mod config;
#[cfg(test)]
mod tests;

pub use config::{TcpClientConfig, TcpClientSocketOptions};

use async_net::TcpStream;
use std::net::SocketAddr;
use tremor_connector_net::{ClientLink, Tcp};
use tremor_pdk::{
    io::IoResultExt, CodecRequirement, Connector, ConnectorContext, ConnectorError, RawSinkBox,
    RawSourceBox, Result,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "tcp_client";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<TcpClient, ConnectorError> {
    Ok(TcpClient {
        config: TcpClientConfig::from_json(config)?,
        link: ClientLink::new(ctx, CONNECTOR_TYPE),
    })
}

/// The connector.
pub struct TcpClient {
    config: TcpClientConfig,
    link: ClientLink<Tcp>,
}

impl TcpClient {
    /// The local address of the current connection, if connected.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.link.with_stream(|s| s.local_addr().ok()).flatten()
    }
}

impl Connector for TcpClient {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(self.link.source(self.config.buf_size)))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(self.link.sink()))
    }

    async fn connect(&mut self, attempt: u64) -> Result<bool> {
        let address = self.config.address()?;
        let stream = TcpStream::connect(address.as_str())
            .await
            .with_io_context(|| format!("cannot connect to {address}"))?;
        stream.set_nodelay(self.config.tcp_nodelay())?;
        let peer = stream.peer_addr().ok().map(|p| p.to_string());
        let target = peer.clone().unwrap_or(address);
        self.link.connected(stream, &target, peer, attempt)?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        self.link.close()
    }
}
