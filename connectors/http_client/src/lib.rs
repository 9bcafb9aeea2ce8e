//! `http_client`: Tremor's HTTP client connector; the implementation is
//! `tremor_connector_http::client` (shared with `http_server`), this crate registers it.

pub use tremor_connector_http::client::{HttpClient, HttpClientConfig, CONNECTOR_TYPE};

tremor_pdk::connector_module!(
    CONNECTOR_TYPE,
    tremor_connector_http::client::new_connector,
    codec_in_config
);
