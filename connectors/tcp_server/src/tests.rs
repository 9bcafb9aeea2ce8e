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

/// A TLS server reads what a TLS client sends and answers it; a client that trusts another CA
/// is refused and the server goes on. (The shared scenarios dial before they pull, which a
/// handshake needing the server's pulls cannot do; so this test interleaves them itself.)
#[test]
fn tls_clients_are_served_and_answered() {
    use futures_lite::{future, AsyncWriteExt};
    use tremor_connector_net::testing::{assert_wrong_ca_refused, pull_data, read_exactly};
    use tremor_connector_net::TlsClientConfig;
    use tremor_pdk::testing::{self as pdk, TestEvent, TestSinkBatch};

    let dir = std::env::temp_dir().join(format!("tremor-tcp-server-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut trusted = Vec::new();
    for name in ["localhost", "other"] {
        let generated =
            rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("a certificate");
        let (cert, key) = (
            dir.join(format!("{name}.cert")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cert, generated.cert.pem()).expect("write cert");
        std::fs::write(&key, generated.key_pair.serialize_pem()).expect("write key");
        trusted.push((cert, key));
    }
    let tls = serde_json::json!({"cert": trusted[0].0, "key": trusted[0].1});
    let mut server = server_on("127.0.0.1:0", &format!(r#", "tls": {tls}"#));
    let mut source = server.create_source().expect("ok").expect("source");
    let mut sink = server.create_sink().expect("ok").expect("sink");
    let dial = |ca: std::path::PathBuf, address: SocketAddr| async move {
        let client = TlsClientConfig {
            cafile: Some(ca),
            domain: Some("localhost".into()),
            ..TlsClientConfig::default()
        };
        let name = client.server_name("t", "localhost").expect("a name");
        let tcp = TcpStream::connect(address).await?;
        let session = client
            .connector("t")
            .expect("files")
            .connect(name, tcp)
            .await?;
        std::io::Result::Ok(TcpConnection::tls(session))
    };
    run(async {
        assert!(server.connect(1).await.expect("listens"));
        let address = server.socket().local_addr().expect("bound");
        assert_wrong_ca_refused(dial(trusted[1].0.clone(), address), &mut source).await;

        let sending = async {
            let mut client = dial(trusted[0].0.clone(), address)
                .await
                .expect("handshake");
            client.write_all(b"hello").await.expect("sent");
            client
        };
        let (mut client, batch) = future::zip(sending, pull_data(&mut source)).await;
        assert_eq!((batch.stream, pdk::joined(&batch)), (0, b"hello".to_vec()));
        let meta = pdk::meta_value(&batch).expect("JSON metadata");
        assert_eq!(meta["tcp_server"]["connection"], 0);

        let reply = TestEvent::new("hi there")
            .with_meta(serde_json::json!({"tcp_server": {"connection": 0}}).to_string());
        pdk::send(&mut sink, &TestSinkBatch::from_events([reply]))
            .await
            .expect("sent");
        assert_eq!(read_exactly(&mut client, 8).await, b"hi there");
    });
    let _ = std::fs::remove_dir_all(dir);
}

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
