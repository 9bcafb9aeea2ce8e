//! `ws_server`: a WebSocket server (Tremor 0.13's connector). Every connection is a stream of
//! its own; replies go back to the connection named by `$ws_server.peer`. The connector lives
//! in `tremor_connector_ws::server` (shared with ws_client); this crate registers it, as a
//! builtin or (feature `plugin`) as a plugin file of its own.

pub use tremor_connector_ws::server::{WsServer, WsServerConfig, CONNECTOR_TYPE};

tremor_pdk::connector_module!(CONNECTOR_TYPE, tremor_connector_ws::server::new);

#[cfg(test)]
mod tests {
    use tremor_pdk::testing;

    #[test]
    fn the_module_names_the_type_and_checks_the_config() {
        let module = super::connector_module();
        assert_eq!(module.connector_type().as_str(), "ws_server");
        let ctx = || testing::null_context("t");
        testing::instantiate(module, ctx(), r#"{"url": "127.0.0.1:0"}"#).expect("valid");
        let err = testing::instantiate(module, ctx(), r#"{"url": "127.0.0.1:0", "path": "/"}"#)
            .err()
            .expect("unknown field");
        assert!(err.message.contains("unknown field `path`"), "{err}");
    }
}
