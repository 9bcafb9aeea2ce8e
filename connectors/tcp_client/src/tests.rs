//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits. The
//! scenarios every stream client shares are `tremor_connector_net::testing::client`.

use super::*;
use tremor_connector_net::testing::{run, ClientFixture};
use tremor_pdk::{Connector, ConnectorContext, ErrorKind};

struct Fixture;

impl ClientFixture for Fixture {
    type Socket = TcpClientConfig;

    fn setup(ctx: ConnectorContext) -> (Self, async_net::TcpListener, TcpClient) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let config = format!(r#"{{"url": "127.0.0.1:{port}"}}"#);
        let client = new_connector(ctx, &config).expect("valid config");
        let listener = async_net::TcpListener::try_from(listener).expect("async listener");
        (Fixture, listener, client)
    }

    fn is_connected(connector: &TcpClient) -> bool {
        connector
            .with_stream(|s| s.tcp().local_addr().ok())
            .flatten()
            .is_some()
    }
}

tremor_connector_net::client_tests!(Fixture);

#[test]
fn a_refused_connection_is_a_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let config = format!(r#"{{"url": "127.0.0.1:{port}"}}"#);
    let mut c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid");
    let err = run(c.connect(1)).expect_err("nobody listens");
    assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
    assert!(err.message.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn tcp_nodelay_reaches_the_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    for (options, want) in [
        (r#""socket_options": {"TCP_NODELAY": false}"#, false),
        (r#""no_delay": false"#, false),
        (
            r#""no_delay": false, "socket_options": {"TCP_NODELAY": true}"#,
            true,
        ),
        (
            r#""socket_options": {"SO_REUSEADDR": false, "SO_REUSEPORT": true}"#,
            true,
        ),
    ] {
        let config = format!(r#"{{"url": "127.0.0.1:{port}", {options}}}"#);
        let mut c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect(options);
        run(c.connect(1)).expect("connects");
        let nodelay = c.with_stream(|s| s.tcp().nodelay().ok()).flatten();
        assert_eq!(nodelay, Some(want), "{options}");
    }
}
