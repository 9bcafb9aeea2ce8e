//! Turning an `std::io::Error` into a [`ConnectorError`] that says what was being done.
//!
//! A bare `io::Error` reads "Connection refused (os error 111)"; an operator needs "cannot
//! connect to 127.0.0.1:4242: Connection refused (os error 111)". These helpers put the
//! context first and keep the kind the runtime acts on: an error that means the peer is gone
//! (refused, reset, aborted, not connected, broken pipe) is of kind
//! [`ErrorKind::CONNECTION`], so the runtime reconnects per the reconnect policy; every other
//! one is of kind [`ErrorKind::IO`].
//!
//! ```
//! use tremor_pdk::io::IoResultExt;
//! let address = "127.0.0.1:1";
//! let refused: std::io::Result<()> = Err(std::io::ErrorKind::ConnectionRefused.into());
//! let err = refused.with_io_context(|| format!("cannot connect to {address}")).unwrap_err();
//! assert_eq!(err.kind, tremor_pdk::ErrorKind::CONNECTION);
//! assert!(err.message.starts_with("cannot connect to 127.0.0.1:1: "));
//! ```

use crate::error::{ConnectorError, ErrorKind};
use std::fmt;

/// The [`ErrorKind`] an I/O failure of kind `kind` is reported as: [`ErrorKind::CONNECTION`]
/// where the peer is gone, else [`ErrorKind::IO`].
pub fn error_kind(kind: std::io::ErrorKind) -> ErrorKind {
    use std::io::ErrorKind as Io;
    match kind {
        Io::ConnectionRefused
        | Io::ConnectionReset
        | Io::ConnectionAborted
        | Io::NotConnected
        | Io::BrokenPipe => ErrorKind::CONNECTION,
        _ => ErrorKind::IO,
    }
}

/// An error for `err`, which happened while doing `context` (e.g. ``cannot open `out.log` ``,
/// `cannot listen on 0.0.0.0:4242`): the message is `{context}: {err}`, the kind per
/// [`error_kind`].
pub fn io_error(context: impl fmt::Display, err: &std::io::Error) -> ConnectorError {
    ConnectorError::new(error_kind(err.kind()), format!("{context}: {err}"))
}

/// Adds context to the error of an `io::Result`, see [`io_error`].
pub trait IoResultExt<T> {
    /// Maps an error to a [`ConnectorError`] saying it happened while doing `context`.
    fn io_context(self, context: impl fmt::Display) -> Result<T, ConnectorError>;

    /// Like [`IoResultExt::io_context`], building the context only when there is an error.
    fn with_io_context<C: fmt::Display>(
        self,
        context: impl FnOnce() -> C,
    ) -> Result<T, ConnectorError>;
}

impl<T> IoResultExt<T> for std::io::Result<T> {
    fn io_context(self, context: impl fmt::Display) -> Result<T, ConnectorError> {
        self.map_err(|e| io_error(context, &e))
    }

    fn with_io_context<C: fmt::Display>(
        self,
        context: impl FnOnce() -> C,
    ) -> Result<T, ConnectorError> {
        self.map_err(|e| io_error(context(), &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn the_context_comes_first_and_the_kind_follows_the_io_kind() {
        let e = io_error(
            "cannot open `out.log`",
            &io::Error::from(io::ErrorKind::NotFound),
        );
        assert_eq!(e.kind, ErrorKind::IO);
        assert!(e.message.starts_with("cannot open `out.log`: "), "{e}");
        let e = io_error(
            format_args!("cannot connect to {}", "127.0.0.1:1"),
            &io::Error::from(io::ErrorKind::ConnectionRefused),
        );
        assert_eq!(e.kind, ErrorKind::CONNECTION);
        assert!(
            e.message.starts_with("cannot connect to 127.0.0.1:1: "),
            "{e}"
        );
    }

    #[test]
    fn results_carry_the_context_and_successes_pass_through() {
        let broken: io::Result<u8> = Err(io::ErrorKind::BrokenPipe.into());
        let e = broken.io_context("cannot write").expect_err("an error");
        assert_eq!(e.kind, ErrorKind::CONNECTION);
        assert!(e.message.starts_with("cannot write: "), "{e}");
        let mut built = false;
        let ok: io::Result<u8> = Ok(7);
        let value = ok
            .with_io_context(|| {
                built = true;
                "never shown"
            })
            .expect("ok");
        assert_eq!(value, 7);
        assert!(!built, "the context is built only for an error");
    }

    #[test]
    fn every_peer_gone_kind_is_a_connection_error() {
        use io::ErrorKind::*;
        let gone = [
            ConnectionRefused,
            ConnectionReset,
            ConnectionAborted,
            NotConnected,
            BrokenPipe,
        ];
        assert!(gone.iter().all(|&k| error_kind(k) == ErrorKind::CONNECTION));
        assert_eq!(error_kind(PermissionDenied), ErrorKind::IO);
    }
}
