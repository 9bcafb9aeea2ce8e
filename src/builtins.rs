//! Links the builtin connector crates enabled by cargo features.
//!
//! Registration itself happens through `inventory` (each crate submits its module); nothing
//! here lists connector types. But a crate that nothing references may be dropped by the
//! linker together with its registration, so each enabled crate is referenced once.

#[cfg(feature = "connector-bench")]
use tremor_connector_bench as _;
#[cfg(feature = "connector-cb")]
use tremor_connector_cb as _;
#[cfg(feature = "connector-crononome")]
use tremor_connector_crononome as _;
#[cfg(feature = "connector-dns")]
use tremor_connector_dns as _;
#[cfg(feature = "connector-exit")]
use tremor_connector_exit as _;
#[cfg(feature = "connector-file")]
use tremor_connector_file as _;
#[cfg(feature = "connector-http-client")]
use tremor_connector_http_client as _;
#[cfg(feature = "connector-http-server")]
use tremor_connector_http_server as _;
#[cfg(feature = "connector-kv")]
use tremor_connector_kv as _;
#[cfg(feature = "connector-metrics")]
use tremor_connector_metrics as _;
#[cfg(feature = "connector-metronome")]
use tremor_connector_metronome as _;
#[cfg(feature = "connector-null")]
use tremor_connector_null as _;
#[cfg(feature = "connector-stdio")]
use tremor_connector_stdio as _;
#[cfg(feature = "connector-tcp-client")]
use tremor_connector_tcp_client as _;
#[cfg(feature = "connector-tcp-server")]
use tremor_connector_tcp_server as _;
#[cfg(feature = "connector-udp-client")]
use tremor_connector_udp_client as _;
#[cfg(feature = "connector-udp-server")]
use tremor_connector_udp_server as _;
#[cfg(feature = "connector-unix-socket-client")]
use tremor_connector_unix_socket_client as _;
#[cfg(feature = "connector-unix-socket-server")]
use tremor_connector_unix_socket_server as _;
#[cfg(feature = "connector-wal")]
use tremor_connector_wal as _;
#[cfg(feature = "connector-ws-client")]
use tremor_connector_ws_client as _;
#[cfg(feature = "connector-ws-server")]
use tremor_connector_ws_server as _;

#[cfg(test)]
mod tests {
    use crate::connectors::registry::Registry;

    /// The connector types this binary was built to contain, from its cargo features.
    fn expected() -> Vec<&'static str> {
        [
            (cfg!(feature = "connector-bench"), "bench"),
            (cfg!(feature = "connector-exit"), "exit"),
            (cfg!(feature = "connector-file"), "file"),
            (cfg!(feature = "connector-metronome"), "metronome"),
            (cfg!(feature = "connector-null"), "null"),
            (cfg!(feature = "connector-stdio"), "stdio"),
            (cfg!(feature = "connector-tcp-server"), "tcp_server"),
            (cfg!(feature = "connector-tcp-client"), "tcp_client"),
            (cfg!(feature = "connector-http-server"), "http_server"),
            (cfg!(feature = "connector-http-client"), "http_client"),
            (cfg!(feature = "connector-udp-server"), "udp_server"),
            (cfg!(feature = "connector-udp-client"), "udp_client"),
            (
                cfg!(feature = "connector-unix-socket-server"),
                "unix_socket_server",
            ),
            (
                cfg!(feature = "connector-unix-socket-client"),
                "unix_socket_client",
            ),
            (cfg!(feature = "connector-cb"), "cb"),
            (cfg!(feature = "connector-crononome"), "crononome"),
            (cfg!(feature = "connector-kv"), "kv"),
            (cfg!(feature = "connector-wal"), "wal"),
            (cfg!(feature = "connector-metrics"), "metrics"),
            (cfg!(feature = "connector-dns"), "dns_client"),
            (cfg!(feature = "connector-ws-server"), "ws_server"),
            (cfg!(feature = "connector-ws-client"), "ws_client"),
        ]
        .into_iter()
        .filter_map(|(enabled, name)| enabled.then_some(name))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
    }

    #[test]
    fn every_enabled_builtin_is_registered_through_inventory() {
        let registry = Registry::with_builtins();
        assert_eq!(registry.names(), expected());
    }
}
