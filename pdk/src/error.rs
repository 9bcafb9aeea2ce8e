//! Errors that cross the boundary.

use abi_stable::{std_types::RString, StableAbi};
use std::fmt;

open_set! {
    /// What kind of failure a [`ConnectorError`] reports. An open set: values this version does
    /// not know print as `error(N)` and are handled like [`ErrorKind::OTHER`].
    #[derive(Hash)]
    pub struct ErrorKind, unknown "error";
    /// Anything not covered below.
    OTHER = 0 => "error";
    /// The connector's configuration is invalid; retrying will not help.
    CONFIG = 1 => "config";
    /// An I/O operation failed (file, socket, stdio).
    IO = 2 => "io";
    /// The remote side is gone or unreachable; the runtime reconnects per the reconnect policy.
    CONNECTION = 3 => "connection";
    /// Code inside the connector panicked; the panic was caught on the connector's side.
    PANIC = 4 => "panic";
    /// The call is not supported by this connector (e.g. no source).
    UNSUPPORTED = 5 => "unsupported";
    /// Received data violates the protocol the connector speaks.
    PROTOCOL = 6 => "protocol";
}

/// An error returned by a connector: a kind the runtime acts on and a message for people.
#[repr(C)]
#[derive(StableAbi, Clone, Debug, PartialEq, Eq)]
pub struct ConnectorError {
    /// What failed, for the runtime to decide (reconnect, fail the connector, ...).
    pub kind: ErrorKind,
    /// What happened, in words for the operator.
    pub message: RString,
}

/// Shorthand for results of connector code.
pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;

impl ConnectorError {
    /// An error of the given kind.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: RString::from(message.into()),
        }
    }
    /// An invalid configuration.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::CONFIG, message)
    }
    /// A failed I/O operation.
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::IO, message)
    }
    /// A lost or refused connection.
    pub fn connection(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::CONNECTION, message)
    }
    /// Anything else.
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::OTHER, message)
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind, self.message)
    }
}

impl std::error::Error for ConnectorError {}

/// Without context; prefer [`crate::io::io_error`] / [`crate::io::IoResultExt`], whose message
/// says what was being done. The kind follows [`crate::io::error_kind`].
impl From<std::io::Error> for ConnectorError {
    fn from(e: std::io::Error) -> Self {
        Self::new(crate::io::error_kind(e.kind()), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_and_message() {
        let e = ConnectorError::config("missing `path`");
        assert_eq!(e.to_string(), "config error: missing `path`");
        assert_eq!(ErrorKind(200).to_string(), "error(200)");
        assert_eq!(ErrorKind::OTHER.to_string(), "error");
    }

    #[test]
    fn io_errors_map_to_connection_where_the_peer_is_gone() {
        let e: ConnectorError = std::io::Error::from(std::io::ErrorKind::BrokenPipe).into();
        assert_eq!(e.kind, ErrorKind::CONNECTION);
        let e: ConnectorError = std::io::Error::from(std::io::ErrorKind::NotFound).into();
        assert_eq!(e.kind, ErrorKind::IO);
    }
}
