//! Tests with real Unix sockets in temp dirs, driven through the pdk traits. The scenarios
//! every stream client shares are `tremor_connector_net::testing::client`.

use super::*;
use async_net::unix::UnixListener;
use tremor_connector_net::testing::{run, ClientFixture};
use tremor_pdk::{Connector, ConnectorContext};

/// Keeps the temp dir of the server socket.
struct Fixture {
    _dir: tempfile::TempDir,
}

fn client(path: &std::path::Path, ctx: ConnectorContext) -> UnixSocketClient {
    let config = format!(r#"{{"path": {:?}}}"#, path.display().to_string());
    new_connector(ctx, &config).expect("valid config")
}

impl ClientFixture for Fixture {
    type Socket = UnixSocketClientConfig;

    fn setup(ctx: ConnectorContext) -> (Self, UnixListener, UnixSocketClient) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.sock");
        let listener = UnixListener::bind(&path).expect("bind");
        (Fixture { _dir: dir }, listener, client(&path, ctx))
    }

    fn is_connected(connector: &UnixSocketClient) -> bool {
        connector.is_connected()
    }
}

tremor_connector_net::client_tests!(Fixture);

#[test]
fn a_missing_or_dead_socket_is_a_connection_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nobody.sock");
    let mut c = client(&path, tremor_pdk::testing::null_context("t"));
    let err = run(c.connect(1)).expect_err("no socket file");
    assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
    assert!(err.message.contains("nobody.sock"), "{err}");
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind"));
    let err = run(c.connect(2)).expect_err("nobody listens");
    assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
}
