//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits. The
//! scenarios every stream server shares are `tremor_connector_net::testing::server`.

use super::*;
use async_net::TcpStream;
use tremor_connector_net::testing::{run, ServerFixture};
use tremor_connector_net::TcpConnection;
use tremor_pdk::Connector;

struct Fixture;

fn server_on(url: &str, options: &str) -> TcpServer {
    let config = format!(r#"{{"url": "{url}"{options}}}"#);
    new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid config")
}

impl ServerFixture for Fixture {
    type Socket = TcpServerSocket;
    type Address = SocketAddr;
    const CONNECTOR_TYPE: &'static str = CONNECTOR_TYPE;

    fn server(buf_size: usize) -> (Self, TcpServer) {
        let options = format!(r#", "buf_size": {buf_size}"#);
        (Fixture, server_on("tcp://127.0.0.1:0", &options))
    }

    fn address(&self, connector: &TcpServer) -> SocketAddr {
        connector.socket().local_addr().expect("bound")
    }

    async fn dial(address: &SocketAddr) -> std::io::Result<TcpConnection> {
        TcpStream::connect(address).await.map(TcpConnection::Plain)
    }

    fn check_first_meta(meta: &serde_json::Value, client: &TcpConnection) {
        assert_eq!(meta["tcp_server"]["connection"], 0);
        let peer = client.tcp().local_addr().expect("addr").to_string();
        assert_eq!(meta["tcp_server"]["peer"], peer.as_str());
    }
}

tremor_connector_net::server_tests!(Fixture);

#[test]
fn a_port_in_use_is_an_error_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let mut c = server_on(&format!("127.0.0.1:{port}"), "");
    let err = run(c.connect(1)).expect_err("port is taken");
    assert!(err.message.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn so_reuseport_lets_two_servers_share_a_port() {
    let reusing = |port: u16| {
        server_on(
            &format!("127.0.0.1:{port}"),
            r#", "socket_options": {"SO_REUSEPORT": true}"#,
        )
    };
    run(async {
        let mut first = reusing(0);
        first.connect(1).await.expect("listens");
        let port = first.socket().local_addr().expect("bound").port();
        let mut second = reusing(port);
        second.connect(1).await.expect("shares the port");
        // Without the option the port stays taken.
        let mut plain = server_on(&format!("127.0.0.1:{port}"), "");
        plain.connect(1).await.expect_err("port is taken");
    });
}

#[test]
fn tcp_nodelay_reaches_accepted_connections() {
    run(async {
        let mut server = server_on(
            "127.0.0.1:0",
            r#", "backlog": 4, "socket_options": {"SO_REUSEADDR": false, "TCP_NODELAY": false}"#,
        );
        server.connect(1).await.expect("listens");
        let transport = server.socket().transport();
        assert!(
            !transport.nodelay,
            "accepted connections get TCP_NODELAY off"
        );
    });
}
