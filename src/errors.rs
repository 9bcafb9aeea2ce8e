//! Errors of the runtime.
//!
//! Each part of the runtime has its own error type ([`crate::codec::CodecError`],
//! [`crate::preprocessor::ProcessorConfigError`], [`crate::connectors::reconnect::ReconnectError`],
//! [`crate::troy::TroyError`]); they convert into [`Error`] with `?`. Those modules never import
//! this one, so the Troy planner can use them without an import cycle.

use crate::{
    codec::CodecError, connectors::reconnect::ReconnectError, preprocessor::ProcessorConfigError,
};
use std::fmt;

/// Everything that can go wrong while loading or running a deployment.
#[derive(Debug)]
pub enum Error {
    /// The deployment file is invalid (its message names file:line:column).
    Troy(crate::troy::TroyError),
    /// A deployment names a connector type nobody provides.
    UnknownConnectorType {
        /// The type name.
        name: String,
        /// The alias of the connector being created.
        alias: String,
    },
    /// A deployment is well-formed but cannot run as written (a missing codec, a bad port...).
    Deploy(String),
    /// A connector refused to be created (bad config, ...).
    Connector {
        /// The connector's alias.
        alias: String,
        /// Its error.
        error: tremor_pdk::ConnectorError,
    },
    /// A codec cannot be created as configured.
    Codec(CodecError),
    /// A preprocessor or postprocessor cannot be created as configured.
    Processor(ProcessorConfigError),
    /// A reconnect policy cannot be read.
    Reconnect(ReconnectError),
    /// An error tied to a statement of the deployment: `FILE:LINE:COL: error`.
    At {
        /// Where, as `FILE:LINE:COL`.
        at: String,
        /// What went wrong there.
        error: Box<Error>,
    },
    /// An I/O error outside connectors (reading a deployment file, a pid file ...).
    Io {
        /// What was being done, e.g. `cannot write pid file /run/tremor.pid`.
        context: String,
        /// The underlying error.
        error: std::io::Error,
    },
}

impl Error {
    /// This error, located at `at` (`FILE:LINE:COL`) unless it already names a place.
    #[must_use]
    pub fn at(self, at: String) -> Self {
        match self {
            Self::Troy(_) | Self::At { .. } => self,
            other => Self::At {
                at,
                error: Box::new(other),
            },
        }
    }

    /// An I/O error with what was being done (`cannot write pid file ...`).
    pub fn io(context: impl Into<String>, error: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            error,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Troy(e) => write!(f, "{e}"),
            Self::UnknownConnectorType { name, .. } => write!(f, "Unknown connector type {name}"),
            Self::Deploy(m) => f.write_str(m),
            Self::Connector { alias, error } => write!(f, "connector `{alias}`: {error}"),
            Self::Codec(e) => write!(f, "{e}"),
            Self::Processor(e) => write!(f, "{e}"),
            Self::Reconnect(e) => write!(f, "{e}"),
            Self::At { at, error } => write!(f, "{at}: {error}"),
            Self::Io { context, error } => write!(f, "{context}: {error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Troy(e) => Some(e),
            Self::Codec(e) => Some(e),
            Self::Processor(e) => Some(e),
            Self::Reconnect(e) => Some(e),
            Self::Io { error, .. } => Some(error),
            Self::At { error, .. } => Some(error.as_ref()),
            Self::UnknownConnectorType { .. } | Self::Deploy(_) | Self::Connector { .. } => None,
        }
    }
}

impl From<crate::troy::TroyError> for Error {
    fn from(e: crate::troy::TroyError) -> Self {
        Self::Troy(e)
    }
}

impl From<CodecError> for Error {
    fn from(e: CodecError) -> Self {
        Self::Codec(e)
    }
}

impl From<ProcessorConfigError> for Error {
    fn from(e: ProcessorConfigError) -> Self {
        Self::Processor(e)
    }
}

impl From<ReconnectError> for Error {
    fn from(e: ReconnectError) -> Self {
        Self::Reconnect(e)
    }
}

/// The runtime's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_errors_convert_with_their_message() {
        let codec: Error = CodecError::Unknown {
            name: "jsn".into(),
            known: crate::codec::NAMES,
        }
        .into();
        assert!(
            codec.to_string().starts_with("unknown codec `jsn`"),
            "{codec}"
        );
        let reconnect: Error = ReconnectError::BadField {
            field: "randomized",
            expected: "a bool",
        }
        .into();
        assert_eq!(
            reconnect.to_string(),
            "invalid reconnect policy: `randomized` must be a bool"
        );
        let io = Error::io(
            "cannot write pid file /nope",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(
            io.to_string(),
            "cannot write pid file /nope: entity not found"
        );
        assert!(std::error::Error::source(&io).is_some());
    }
}
