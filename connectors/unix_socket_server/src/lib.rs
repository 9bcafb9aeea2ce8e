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
//! The connector is `tremor_connector_net::StreamServer` (listener, accept loop, connections,
//! reply routing) around a [`UnixServerSocket`], which manages the socket file.

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
use tremor_connector_net::{ServerSocket, SocketConfig, Unix};
use tremor_pdk::{
    io::{io_error, IoResultExt},
    ConnectorError, Result,
};

tremor_connector_net::socket_connector! {
    /// The connector: a stream server listening on the socket file of its config.
    UnixSocketServer = StreamServer<UnixServerSocket>(
        "unix_socket_server",
        UnixSocketServerConfig::from_json
    )
}

/// The config of the socket file and whether this connector created it.
pub struct UnixServerSocket {
    config: UnixSocketServerConfig,
    /// The socket file this connector created, to remove when it stops.
    bound: Option<PathBuf>,
}

impl From<UnixSocketServerConfig> for UnixServerSocket {
    fn from(config: UnixSocketServerConfig) -> Self {
        Self {
            config,
            bound: None,
        }
    }
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

impl ServerSocket for UnixServerSocket {
    type Transport = Unix;

    fn buf_size(&self) -> usize {
        self.config.buf_size.bytes()
    }

    fn transport(&self) -> Unix {
        Unix
    }

    async fn bind(&mut self, alias: &str) -> Result<UnixListener> {
        let path = PathBuf::from(&self.config.path);
        remove_stale(&path).await?;
        let listener = UnixListener::bind(&path)
            .with_io_context(|| format!("cannot listen on {}", path.display()))?;
        self.bound = Some(path.clone());
        if let Some(mode) = self.config.mode()? {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .with_io_context(|| format!("cannot set the permissions of {}", path.display()))?;
        }
        log::info!("[{alias}] listening on {}", path.display());
        Ok(listener)
    }

    fn unbind(&mut self, alias: &str) {
        if let Some(path) = self.bound.take() {
            match std::fs::remove_file(&path) {
                Ok(()) => log::debug!("[{alias}] removed {}", path.display()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => log::warn!(
                    "[{alias}] cannot remove the socket file {}: {e}",
                    path.display()
                ),
            }
        }
    }
}
