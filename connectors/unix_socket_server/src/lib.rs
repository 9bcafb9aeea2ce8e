//! `unix_socket_server`: listens on a Unix domain socket; reads what clients send and writes
//! replies back to the connection a request came from.
//!
//! * `connect` removes a stale socket file at `path` (one nobody listens on any more; a live
//!   one or a file that is no socket is an error), binds the listener and applies
//!   `permissions`. A reconnect keeps the listener. The socket file is removed when the
//!   connector stops (and when it is dropped).
//! * Source: every accepted connection is a stream of its own, with stream id = the connection
//!   number (0, 1, 2, ... for the life of the connector). Data arrives in chunks of at most
//!   `buf_size` bytes as they were read (frame lines with the `separate` preprocessor), each
//!   batch with the metadata `{"unix_socket_server": {"connection": N}}`. A client closing its
//!   side ends the stream; a broken connection fails it.
//! * Sink: writes each event's bytes to the connection named by
//!   `unix_socket_server.connection` in its metadata. An event without that metadata, or for a
//!   connection that is gone, fails (with a warning). After a client closed its side, replies
//!   may still be written to it for [`LINGER`]; then the server closes the connection.
//!
//! The listener, the accept loop, the connections and the reply routing are
//! `tremor_connector_net::Server`; this crate manages the socket file.

mod config;
#[cfg(test)]
mod tests;

pub use config::UnixSocketServerConfig;
pub use tremor_connector_net::LINGER;

use async_net::unix::{UnixListener, UnixStream};
use std::{
    io,
    os::unix::fs::{FileTypeExt, PermissionsExt},
    path::{Path, PathBuf},
};
use tremor_connector_net::{Server, Unix};
use tremor_pdk::{
    io::{io_error, IoResultExt},
    CodecRequirement, Connector, ConnectorContext, ConnectorError, RawSinkBox, RawSourceBox,
    Result,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "unix_socket_server";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(ctx: ConnectorContext, config: &str) -> Result<UnixSocketServer, ConnectorError> {
    Ok(UnixSocketServer {
        config: UnixSocketServerConfig::from_json(config)?,
        server: Server::new(ctx.alias(), CONNECTOR_TYPE),
        alias: ctx.alias(),
        bound: None,
    })
}

/// The connector.
pub struct UnixSocketServer {
    alias: String,
    config: UnixSocketServerConfig,
    server: Server<Unix>,
    /// The socket file this connector created, to remove when it stops.
    bound: Option<PathBuf>,
}

/// Removes a socket file nobody listens on; refuses to touch anything else.
async fn remove_stale(path: &Path) -> Result<()> {
    let shown = path.display();
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(format!("cannot inspect {shown}"), &e)),
    };
    if !meta.file_type().is_socket() {
        return Err(ConnectorError::io(format!(
            "{shown} exists and is not a socket; not removing it"
        )));
    }
    match UnixStream::connect(path).await {
        Ok(_) => Err(ConnectorError::io(format!(
            "{shown} is in use: another process listens on it"
        ))),
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => std::fs::remove_file(path)
            .with_io_context(|| format!("cannot remove the stale socket {shown}")),
        Err(e) => Err(io_error(format!("cannot check the socket {shown}"), &e)),
    }
}

impl UnixSocketServer {
    fn remove_socket_file(&mut self) {
        if let Some(path) = self.bound.take() {
            match std::fs::remove_file(&path) {
                Ok(()) => log::debug!("[{}] removed {}", self.alias, path.display()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => log::warn!(
                    "[{}] cannot remove the socket file {}: {e}",
                    self.alias,
                    path.display()
                ),
            }
        }
    }
}

impl Connector for UnixSocketServer {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(self.server.source(Unix, self.config.buf_size)))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(self.server.sink()))
    }

    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        if self.server.is_listening()? {
            // A reconnect: the listener is still fine (and the source still accepts on it).
            return Ok(true);
        }
        let path = PathBuf::from(&self.config.path);
        remove_stale(&path).await?;
        let listener = UnixListener::bind(&path)
            .with_io_context(|| format!("cannot listen on {}", path.display()))?;
        self.bound = Some(path.clone());
        if let Some(mode) = self.config.mode()? {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .with_io_context(|| format!("cannot set the permissions of {}", path.display()))?;
        }
        log::info!("[{}] listening on {}", self.alias, path.display());
        self.server.listen(listener)?;
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        self.server.close()?;
        self.remove_socket_file();
        log::info!("[{}] stopped listening", self.alias);
        Ok(())
    }
}

impl Drop for UnixSocketServer {
    fn drop(&mut self) {
        self.remove_socket_file();
    }
}
