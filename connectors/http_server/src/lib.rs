//! `http_server`: Tremor's HTTP server connector; the implementation is
//! `tremor_connector_http::server` (shared with `http_client`), this crate registers it.

pub use tremor_connector_http::server::{HttpServer, HttpServerConfig, CONNECTOR_TYPE};

tremor_pdk::connector_module!(
    CONNECTOR_TYPE,
    tremor_connector_http::server::new_connector,
    codec_in_config
);
