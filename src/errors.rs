//! Errors of the runtime.

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
    /// A codec, preprocessor or postprocessor error.
    Processing(String),
    /// An I/O error outside connectors (reading a deployment file, a pid file ...).
    Io(String),
    /// Plugin loading failed.
    Plugin(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Troy(e) => write!(f, "{e}"),
            Self::UnknownConnectorType { name, .. } => write!(f, "Unknown connector type {name}"),
            Self::Deploy(m) | Self::Processing(m) | Self::Io(m) | Self::Plugin(m) => f.write_str(m),
            Self::Connector { alias, error } => write!(f, "connector `{alias}`: {error}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::troy::TroyError> for Error {
    fn from(e: crate::troy::TroyError) -> Self {
        Self::Troy(e)
    }
}

/// The runtime's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
