//! Errors that cross the boundary.

use abi_stable::{std_types::RString, StableAbi};
use std::fmt;

/// What kind of failure a [`ConnectorError`] reports. An open set: values this version does not
/// know print as `error(N)` and are handled like [`ErrorKind::OTHER`].
#[repr(transparent)]
#[derive(StableAbi, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorKind(pub u8);

impl ErrorKind {
    /// Anything not covered below.
    pub const OTHER: Self = Self(0);
    /// The connector's configuration is invalid; retrying will not help.
    pub const CONFIG: Self = Self(1);
    /// An I/O operation failed (file, socket, stdio).
    pub const IO: Self = Self(2);
    /// The remote side is gone or unreachable; the runtime reconnects per the reconnect policy.
    pub const CONNECTION: Self = Self(3);
    /// Code inside the connector panicked; the panic was caught on the connector's side.
    pub const PANIC: Self = Self(4);
    /// The call is not supported by this connector (e.g. no source).
    pub const UNSUPPORTED: Self = Self(5);
    /// Received data violates the protocol the connector speaks.
    pub const PROTOCOL: Self = Self(6);

    /// A short lower-case name for logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::CONFIG => "config",
            Self::IO => "io",
            Self::CONNECTION => "connection",
            Self::PANIC => "panic",
            Self::UNSUPPORTED => "unsupported",
            Self::PROTOCOL => "protocol",
            _ => "error",
        }
    }
}

impl fmt::Debug for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            "error" if *self != Self::OTHER => write!(f, "error({})", self.0),
            name => f.write_str(name),
        }
    }
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
