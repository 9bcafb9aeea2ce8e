//! `ws_client`: a WebSocket client (Tremor 0.13's connector): one connection, re-established
//! per the reconnect policy. The connector lives in `tremor_connector_ws::client` (shared with
//! ws_server); this crate registers it, as a builtin or (feature `plugin`) as a plugin file of
//! its own.

pub use tremor_connector_ws::client::{WsClient, WsClientConfig, CONNECTOR_TYPE};

tremor_pdk::connector_module!(CONNECTOR_TYPE, tremor_connector_ws::client::new);

#[cfg(test)]
mod tests {
    use tremor_pdk::testing;

    #[test]
    fn the_module_names_the_type_and_checks_the_config() {
        let module = super::connector_module();
        assert_eq!(module.connector_type().as_str(), "ws_client");
        let ctx = || testing::null_context("t");
        testing::instantiate(module, ctx(), r#"{"url": "ws://127.0.0.1:1/"}"#).expect("valid");
        let err = testing::instantiate(module, ctx(), r#"{"url": "ws://127.0.0.1/"}"#)
            .err()
            .expect("no port");
        assert!(err.message.contains("port"), "{err}");
    }
}
