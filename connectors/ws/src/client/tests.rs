//! Tests with real sockets on 127.0.0.1 (ephemeral ports) against a test server, driven
//! through the pdk traits.

use super::*;
use crate::test_support::{accept, binary, listen, next_data, Certificates, Peer};
use async_tungstenite::{accept_async, tungstenite::Message};
use futures_lite::{future, StreamExt};
use tremor_connector_net::testing::{pull, pull_data, run};
use tremor_pdk::{
    testing::{self as pdk, TestEvent, TestHost, TestSinkBatch},
    ErrorKind, SourceReply,
};

/// A client connector for `url` (plus `extra` config keys) with its source and sink.
fn client(host: &TestHost, url: &str, extra: &str) -> (WsClient, RawSourceBox, RawSinkBox) {
    let config = format!(r#"{{"url": "{url}"{extra}}}"#);
    let mut client = new(host.context(), &config).expect("valid config");
    let source = client.create_source().expect("ok").expect("source");
    let sink = client.create_sink().expect("ok").expect("sink");
    (client, source, sink)
}

/// Connects `client` to the test server on `listener`; returns the server's side.
async fn connected(client: &mut WsClient, listener: &async_net::TcpListener) -> Peer {
    let (connected, peer) = future::zip(client.connect(1), accept(listener)).await;
    assert!(connected.expect("connects"));
    peer
}

#[test]
fn sends_text_and_binary_and_reads_what_the_server_sends() {
    let host = TestHost::new("t");
    run(async {
        let (listener, address) = listen().await;
        let (mut client, mut source, mut sink) =
            client(&host, &format!("ws://127.0.0.1:{}/", address.port()), "");
        let mut server = connected(&mut client, &listener).await;
        assert!(client.is_connected());
        let events = [
            TestEvent::new(r#""text""#),
            TestEvent::new([0u8, 255]).with_meta(r#"{"binary": true}"#),
            TestEvent::new("binary too").with_meta(r#"{"ws_client": {"binary": true}}"#),
        ];
        pdk::send(&mut sink, &TestSinkBatch::from_events(events))
            .await
            .expect("sent");
        assert_eq!(next_data(&mut server).await, Message::text(r#""text""#));
        assert_eq!(next_data(&mut server).await, binary(&[0, 255]));
        assert_eq!(next_data(&mut server).await, binary(b"binary too"));

        server.send(Message::text("hello")).await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!((batch.stream, pdk::joined(&batch)), (0, b"hello".to_vec()));
        assert_eq!(
            pdk::meta_value(&batch).expect("JSON"),
            serde_json::json!({"ws_client": {"tls": false, "peer": {"host": "127.0.0.1", "port": address.port()}}})
        );
        server.send(binary(&[1, 2])).await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!(pdk::joined(&batch), vec![1, 2]);
        assert_eq!(pdk::meta_value(&batch).expect("JSON")["binary"], true);
    });
}

#[test]
fn a_closing_server_ends_the_stream_and_a_reconnect_resumes() {
    let host = TestHost::new("t");
    run(async {
        let (listener, address) = listen().await;
        let (mut client, mut source, mut sink) =
            client(&host, &format!("127.0.0.1:{}", address.port()), "");
        let mut server = connected(&mut client, &listener).await;
        server.send(Message::text("one")).await.expect("sent");
        pull_data(&mut source).await;
        // The server closes, reads the client's answer and drops the connection (a client
        // waits for the server to close TCP, as the protocol says).
        let closing = async move {
            server.close(None).await.expect("sent");
            while server.next().await.is_some() {}
        };
        let (_, ended) = future::zip(closing, pull(&mut source)).await;
        assert!(
            matches!(ended, SourceReply::EndStream { stream: 0 }),
            "{ended:?}"
        );
        assert_eq!(host.connection_losses(), 1, "reported once");

        // Events wait for the reconnect: the batch is a connection error, kept by the runtime.
        let batch = TestSinkBatch::from_payloads(["after"]);
        let err = pdk::send(&mut sink, &batch)
            .await
            .expect_err("not connected");
        assert_eq!(err.kind, ErrorKind::CONNECTION);
        assert_eq!(host.connection_losses(), 1, "still once");

        let mut server = connected(&mut client, &listener).await;
        pdk::send(&mut sink, &batch)
            .await
            .expect("sent after the reconnect");
        assert_eq!(next_data(&mut server).await, Message::text("after"));
        server.send(Message::text("two")).await.expect("sent");
        assert_eq!(pdk::joined(&pull_data(&mut source).await), b"two");
    });
}

#[test]
fn a_refused_connection_is_a_connection_error() {
    let host = TestHost::new("t");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let (mut client, _, _) = client(&host, &format!("ws://127.0.0.1:{port}"), "");
    let err = run(client.connect(1)).expect_err("nobody listens");
    assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
    assert!(!client.is_connected());
}

#[test]
fn wss_with_a_ca_file_and_a_domain_and_the_wrong_ca_refused() {
    let certs = Certificates::generate("client");
    let host = TestHost::new("t");
    run(async {
        let (listener, address) = listen().await;
        let acceptor = tremor_connector_net::TlsServerConfig {
            cert: certs.trusted.0.clone(),
            key: certs.trusted.1.clone(),
        }
        .acceptor("test")
        .expect("files");
        let serve = || async {
            let (tcp, _) = listener.accept().await.expect("accepted");
            let tls = TcpConnection::tls(acceptor.accept(tcp).await?);
            accept_async(tls).await.map_err(std::io::Error::other)
        };
        let url = format!("wss://127.0.0.1:{}/", address.port());
        let tls = |ca: &std::path::PathBuf| {
            format!(
                r#", "tls": {}"#,
                serde_json::json!({"cafile": ca, "domain": "localhost"})
            )
        };

        let (mut stranger, _, _) = client(&host, &url, &tls(&certs.stranger.0));
        let (refused, _) = future::zip(stranger.connect(1), serve()).await;
        let err = refused.expect_err("wrong CA");
        assert_eq!(err.kind, ErrorKind::CONNECTION);
        assert!(err.message.contains("TLS handshake"), "{err}");

        let (mut client, mut source, mut sink) = client(&host, &url, &tls(&certs.trusted.0));
        let (connected, server) = future::zip(client.connect(1), serve()).await;
        assert!(connected.expect("connects"));
        let mut server = server.expect("handshakes");
        pdk::send(&mut sink, &TestSinkBatch::from_payloads(["secret"]))
            .await
            .expect("sent");
        assert_eq!(next_data(&mut server).await, Message::text("secret"));
        server.send(Message::text("ok")).await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!(
            pdk::meta_value(&batch).expect("JSON")["ws_client"]["tls"],
            true
        );
    });
}

#[test]
fn configs_take_tremors_keys_and_name_bad_values() {
    let target =
        |config: &str| Target::of(&WsClientConfig::from_json(config).expect(config)).expect(config);
    assert!(target(r#"{"url": "ws://127.0.0.1:1/"}"#).tls.is_none());
    assert!(
        target(r#"{"url": "wss://localhost:1"}"#).tls.is_some(),
        "wss means TLS"
    );
    assert!(target(r#"{"url": "wss://localhost:1", "tls": false}"#)
        .tls
        .is_none());
    assert!(target(r#"{"url": "ws://localhost:1", "tls": true}"#)
        .tls
        .is_some());
    let c = WsClientConfig::from_json(
        r#"{"url": "ws://h:1", "no_delay": false, "socket_options": {"SO_REUSEADDR": false}}"#,
    )
    .expect("0.12 and 0.13 keys");
    assert!(!c.no_delay && !c.socket_options.reuseaddr());
    tremor_connector_net::testing::assert_config_errors::<WsClientConfig>(&[
        (
            r#"{"url": "ws://h/"}"#,
            "a port from 1 to 65535 is required",
        ),
        (r#"{"url": "tcp://h:1"}"#, "unsupported scheme `tcp`"),
        (
            r#"{"url": "h:1", "tls": {"cafile": "ca.pem"}}"#,
            "ws_client `tls.cafile`: cannot read ca.pem",
        ),
        (r#"{"url": "h:1", "tls": "yes"}"#, "expected a boolean"),
        (r#"{"snot": "ws://h:1"}"#, "unknown field `snot`"),
    ]);
}
