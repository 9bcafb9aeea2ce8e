//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits. The
//! source runs the handshakes in its pulls, so a test pulls while its client connects.

use super::*;
use crate::test_support::{binary, dial, next_data, Certificates, Peer};
use async_tungstenite::tungstenite::Message;
use futures_lite::{future, StreamExt};
use tremor_connector_net::testing::{assert_wrong_ca_refused, pull, pull_data, run};
use tremor_pdk::{
    testing::{self as pdk, TestEvent, TestSinkBatch},
    EventAck, SourceBatch, SourceReply,
};

/// A listening server (port chosen by the system) with its source and sink.
struct Running {
    server: WsServer,
    source: RawSourceBox,
    sink: RawSinkBox,
    address: SocketAddr,
}

async fn running(extra: &str) -> Running {
    let config = format!(r#"{{"url": "ws://127.0.0.1:0"{extra}}}"#);
    let mut server = new(pdk::null_context("t"), &config).expect("valid config");
    let source = server.create_source().expect("ok").expect("source");
    let sink = server.create_sink().expect("ok").expect("sink");
    assert!(server.connect(1).await.expect("listens"));
    let address = server.local_addr().expect("bound");
    Running {
        server,
        source,
        sink,
        address,
    }
}

/// Connects a client (over TLS trusting `ca` if given) that sends `first`; returns it with the
/// batch the server made of it.
async fn client_sending(
    running: &mut Running,
    ca: Option<&std::path::PathBuf>,
    first: Message,
) -> (Peer, SourceBatch) {
    let sending = async {
        let mut client = dial(running.address, ca).await.expect("handshakes");
        client.send(first).await.expect("sent");
        client
    };
    future::zip(sending, pull_data(&mut running.source)).await
}

/// An event for the sink with the metadata the server gave `batch`.
fn reply_to(batch: &SourceBatch, payload: &str) -> TestEvent {
    let meta = pdk::meta_value(batch).expect("JSON metadata");
    TestEvent::new(payload).with_meta(meta.to_string())
}

#[test]
fn text_and_binary_messages_are_echoed_as_they_came() {
    run(async {
        let mut running = running("").await;
        let (mut client, batch) = client_sending(&mut running, None, Message::text("hello")).await;
        assert_eq!((batch.stream, pdk::joined(&batch)), (0, b"hello".to_vec()));
        let meta = pdk::meta_value(&batch).expect("JSON");
        let port = client.get_ref().tcp().local_addr().expect("addr").port();
        assert_eq!(
            meta,
            serde_json::json!({"ws_server": {"tls": false, "peer": {"host": "127.0.0.1", "port": port}}})
        );
        let text_reply = reply_to(&batch, "hi there");

        let (_, batch) = future::zip(
            client.send(binary(&[0, 1, 255])),
            pull_data(&mut running.source),
        )
        .await;
        assert_eq!(pdk::joined(&batch), vec![0, 1, 255]);
        assert_eq!(pdk::meta_value(&batch).expect("JSON")["binary"], true);
        let binary_reply = reply_to(&batch, "\u{0}bytes");

        let replies = pdk::send(
            &mut running.sink,
            &TestSinkBatch::from_events([text_reply, binary_reply]),
        )
        .await
        .expect("sent");
        assert_eq!(pdk::acks(&replies, 2), [EventAck::ACK, EventAck::ACK]);
        assert_eq!(next_data(&mut client).await, Message::text("hi there"));
        assert_eq!(
            next_data(&mut client).await,
            Message::Binary("\u{0}bytes".into())
        );
    });
}

#[test]
fn each_connection_is_a_stream_and_replies_reach_only_their_own() {
    run(async {
        let mut running = running("").await;
        let (mut first, a) = client_sending(&mut running, None, Message::text("a")).await;
        let (mut second, b) = client_sending(&mut running, None, Message::text("b")).await;
        assert_eq!((a.stream, b.stream), (0, 1));
        let batch = TestSinkBatch::from_events([reply_to(&b, "to b"), reply_to(&a, "to a")]);
        pdk::send(&mut running.sink, &batch).await.expect("sent");
        assert_eq!(next_data(&mut first).await, Message::text("to a"));
        assert_eq!(next_data(&mut second).await, Message::text("to b"));

        // A close ends the stream; replies to it fail from then on.
        let (_, ended) = future::zip(first.close(None), pull(&mut running.source)).await;
        assert!(
            matches!(ended, SourceReply::EndStream { stream: 0 }),
            "{ended:?}"
        );
        let replies = pdk::send(
            &mut running.sink,
            &TestSinkBatch::from_events([reply_to(&a, "late")]),
        )
        .await
        .expect("a reply");
        assert_eq!(pdk::acks(&replies, 1), [EventAck::FAIL]);
    });
}

#[test]
fn unroutable_events_and_bytes_that_are_no_text_fail() {
    run(async {
        let mut running = running("").await;
        let (mut client, batch) = client_sending(&mut running, None, Message::text("x")).await;
        let events = [
            TestEvent::new("no metadata"),
            TestEvent::new("unknown peer")
                .with_meta(r#"{"ws_server": {"peer": {"host": "127.0.0.1", "port": 1}}}"#),
            TestEvent::chunks([[0xffu8]])
                .with_meta(pdk::meta_value(&batch).expect("JSON").to_string()),
            reply_to(&batch, "fine"),
        ];
        let replies = pdk::send(&mut running.sink, &TestSinkBatch::from_events(events))
            .await
            .expect("replies");
        assert_eq!(
            pdk::acks(&replies, 4),
            [
                EventAck::FAIL,
                EventAck::FAIL,
                EventAck::FAIL,
                EventAck::ACK
            ]
        );
        assert_eq!(
            next_data(&mut client).await,
            Message::text("fine"),
            "the connection stays"
        );
    });
}

#[test]
fn wss_clients_are_served_and_a_client_trusting_another_ca_is_refused() {
    let certs = Certificates::generate("server");
    run(async {
        let mut running = running(&format!(r#", "tls": {}"#, certs.server_tls())).await;
        let stranger = dial(running.address, Some(&certs.stranger.0));
        assert_wrong_ca_refused(stranger, &mut running.source).await;

        let (mut client, batch) = client_sending(
            &mut running,
            Some(&certs.trusted.0),
            Message::text("secret"),
        )
        .await;
        assert_eq!(pdk::joined(&batch), b"secret");
        assert_eq!(
            pdk::meta_value(&batch).expect("JSON")["ws_server"]["tls"],
            true
        );
        let reply = TestSinkBatch::from_events([reply_to(&batch, "ok")]);
        pdk::send(&mut running.sink, &reply).await.expect("sent");
        assert_eq!(next_data(&mut client).await, Message::text("ok"));
    });
}

#[test]
fn stop_closes_connections_and_a_reconnect_keeps_the_listener() {
    run(async {
        let mut running = running("").await;
        assert!(running.server.connect(2).await.expect("keeps listening"));
        assert_eq!(running.server.local_addr(), Some(running.address));
        let (mut client, _) = client_sending(&mut running, None, Message::text("x")).await;
        running.server.on_stop().await.expect("stops");
        let last = client.next().await;
        assert!(
            matches!(last, Some(Ok(Message::Close(_)))),
            "a clean close: {last:?}"
        );
    });
}

#[test]
fn configs_take_tremors_keys_and_name_bad_values() {
    let ok = |config: &str| WsServerConfig::from_json(config).expect(config);
    let c = ok(r#"{"url": "127.0.0.1:4242"}"#);
    assert_eq!((c.backlog, c.tls.as_ref()), (128, None));
    let c = ok(
        r#"{"url": "wss://localhost:6553", "backlog": 64, "tls": null,
                   "socket_options": {"TCP_NODELAY": true, "SO_REUSEPORT": false}}"#,
    );
    assert_eq!(c.backlog, 64);
    tremor_connector_net::testing::assert_config_errors::<WsServerConfig>(&[
        (r#"{"url": "http://h:1"}"#, "unsupported scheme `http`"),
        (
            r#"{"url": "h:1", "tls": {"cert": "c.pem", "key": "k.pem"}}"#,
            "ws_server `tls.cert`: cannot read c.pem",
        ),
        (r#"{"url": "h:1", "tls": true}"#, "expected {\"cert\""),
        (
            r#"{"url": "h:1", "no_delay": true}"#,
            "unknown field `no_delay`",
        ),
        (r#"{"backlog": 1}"#, "url"),
    ]);
}
