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
//! The connector is `tremor_connector_net::StreamClient` dialing per [`TcpClientConfig`]: it
//! hands every new connection to its source and sink through a shared slot tagged with a
//! generation number; a loss is reported once per connection, whichever part notices it first.

mod config;
#[cfg(test)]
mod tests;

pub use config::TcpClientConfig;
pub use tremor_connector_net::TcpSocketOptions;

use tremor_connector_net::{tcp_connect, ClientSocket, Dialed, SocketConfig, Tcp, TcpConnection};
use tremor_pdk::{io::IoResultExt, ConnectorError, Result};

tremor_connector_net::socket_connector! {
    /// The connector: a stream client that dials per its config.
    TcpClient = StreamClient<TcpClientConfig>("tcp_client", TcpClientConfig::from_json)
}

impl ClientSocket for TcpClientConfig {
    type Transport = Tcp;

    async fn dial(&self) -> Result<Dialed<TcpConnection>> {
        let address = self.address()?;
        let tcp = tcp_connect(&address, &self.socket_options, self.tcp_nodelay())
            .await
            .with_io_context(|| format!("cannot connect to {address}"))?;
        let peer = tcp.peer_addr().ok().map(|p| p.to_string());
        let stream = match self.tls()? {
            None => TcpConnection::Plain(tcp),
            Some(tls) => {
                let host = address
                    .rsplit_once(':')
                    .map_or(address.as_str(), |(h, _)| h);
                let name = tls.server_name(CONNECTOR_TYPE, host)?;
                let session = tls
                    .connector(CONNECTOR_TYPE)?
                    .connect(name, tcp)
                    .await
                    // A connection error: the runtime retries per the reconnect policy (the
                    // server may be restarting with a new certificate).
                    .map_err(|e| {
                        ConnectorError::connection(format!(
                            "TLS handshake with {address} failed: {e}"
                        ))
                    })?;
                TcpConnection::tls(session)
            }
        };
        Ok(Dialed {
            target: peer.clone().unwrap_or(address),
            peer,
            stream,
        })
    }

    fn buf_size(&self) -> usize {
        self.buf_size.bytes()
    }
}
