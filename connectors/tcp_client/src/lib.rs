//! `tcp_client`: not implemented yet.

use tremor_pdk::{CodecRequirement, Connector, ConnectorContext, ConnectorError, Result};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "tcp_client";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(_ctx: ConnectorContext, _config: &str) -> Result<Placeholder, ConnectorError> {
    Err(ConnectorError::config("the tcp_client connector is not implemented yet"))
}

/// Placeholder until the connector is written.
pub struct Placeholder;

impl Connector for Placeholder {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }
}
