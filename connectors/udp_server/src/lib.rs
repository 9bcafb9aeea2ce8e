//! `udp_server`: not implemented yet.

use tremor_pdk::{CodecRequirement, Connector, ConnectorContext, ConnectorError, Result};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "udp_server";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

fn new_connector(_ctx: ConnectorContext, _config: &str) -> Result<Placeholder, ConnectorError> {
    Err(ConnectorError::config("the udp_server connector is not implemented yet"))
}

/// Placeholder until the connector is written.
pub struct Placeholder;

impl Connector for Placeholder {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::REQUIRED
    }
}
