//! `unix_socket_client`: one connection to a Unix domain socket; sends events to it and reads
//! what the server sends.
//!
//! * `connect` opens the connection. A missing socket file or a refused connection is an
//!   error of kind `connection`, so the runtime retries per the connector's reconnect policy.
//! * Source: what the server sends, on stream 0, in chunks of at most `buf_size` bytes as they
//!   were read (frame lines with the `separate` preprocessor). When the server closes the
//!   connection the stream ends; when it breaks the stream fails. Either way the connector
//!   reports the lost connection and the runtime reconnects per policy.
//! * Sink: writes each event's bytes. A failed write, or a batch while not connected, is an
//!   error of kind `connection`: the runtime keeps the batch and sends it again after the
//!   reconnect (at least once), and the lost connection is reported.
//!
//! The connector is `tremor_connector_net::StreamClient` dialing per
//! [`UnixSocketClientConfig`]: it hands every new connection to its source and sink through a
//! shared slot tagged with a generation number; a loss is reported once per connection,
//! whichever part notices it first.

mod config;
#[cfg(test)]
mod tests;

pub use config::UnixSocketClientConfig;

use async_net::unix::UnixStream;
use tremor_connector_net::{ClientSocket, Dialed, SocketConfig, Unix};
use tremor_pdk::{io::io_error, ErrorKind, Result};

tremor_connector_net::socket_connector! {
    /// The connector: a stream client that connects to the socket file of its config.
    UnixSocketClient = StreamClient<UnixSocketClientConfig>(
        "unix_socket_client",
        UnixSocketClientConfig::from_json
    )
}

impl ClientSocket for UnixSocketClientConfig {
    type Transport = Unix;

    async fn dial(&self) -> Result<Dialed<UnixStream>> {
        let path = &self.path;
        let stream = UnixStream::connect(path).await.map_err(|e| {
            let not_found = e.kind() == std::io::ErrorKind::NotFound;
            let mut err = io_error(format!("cannot connect to {path}"), &e);
            if not_found {
                // No socket file yet means no server yet: retry like a refused connection.
                err.kind = ErrorKind::CONNECTION;
            }
            err
        })?;
        Ok(Dialed {
            stream,
            target: path.clone(),
            peer: None,
        })
    }

    fn buf_size(&self) -> usize {
        self.buf_size.bytes()
    }
}
