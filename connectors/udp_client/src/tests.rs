//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits.

use super::*;
use async_net::UdpSocket;
use tremor_connector_net::testing::{pull_data, run};
use tremor_pdk::{
    testing::{self as pdk, TestEvent, TestSinkBatch},
    Connector, EventAck, RawSinkBox, SinkReplies,
};

fn client(config: &str) -> UdpClient {
    new_connector(pdk::null_context("t"), config).expect("valid config")
}

/// Sends events, each given as its chunks, through the sink.
async fn send(sink: &mut RawSinkBox, events: &[&[&str]]) -> SinkReplies {
    let batch = TestSinkBatch::from_events(events.iter().map(|chunks| TestEvent::chunks(*chunks)));
    pdk::send(sink, &batch).await.expect("on_batch")
}

#[test]
fn sends_each_chunk_as_a_datagram_and_reads_replies() {
    run(async {
        let server = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("udp://{}", server.local_addr().expect("addr"));
        let mut c = client(&format!(r#"{{"url": "{url}", "bind": "127.0.0.1:0"}}"#));
        let mut source = c.create_source().expect("ok").expect("source");
        let mut sink = c.create_sink().expect("ok").expect("sink");
        c.connect(1).await.expect("binds");
        let replies = send(&mut sink, &[&["a", "b"], &["c"]]).await;
        assert_eq!(replies, SinkReplies::ack_all());
        let mut buf = [0u8; 8];
        let mut from = None;
        for want in [&b"a"[..], b"b", b"c"] {
            let (n, peer) = server.recv_from(&mut buf).await.expect("received");
            assert_eq!(&buf[..n], want);
            from = Some(peer);
        }
        let from = from.expect("a sender");
        assert_eq!(Some(from), c.local_addr());
        server.send_to(b"reply", from).await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!((batch.stream, batch.chunks.len()), (0, 1));
        assert_eq!(batch.chunks[0].as_slice(), b"reply");
    });
}

#[test]
fn binds_any_interface_by_default() {
    run(async {
        let server = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let mut c = client(&format!(
            r#"{{"url": "{}"}}"#,
            server.local_addr().expect("addr")
        ));
        let mut sink = c.create_sink().expect("ok").expect("sink");
        c.connect(1).await.expect("binds");
        let local = c.local_addr().expect("bound");
        assert!(local.ip().is_unspecified() && local.port() != 0, "{local}");
        assert_eq!(send(&mut sink, &[&["x"]]).await, SinkReplies::ack_all());
        let mut buf = [0u8; 4];
        let (n, _) = server.recv_from(&mut buf).await.expect("received");
        assert_eq!(&buf[..n], b"x");
    });
}

#[test]
fn events_before_connect_fail() {
    let mut c = client(r#"{"url": "127.0.0.1:9"}"#);
    let mut sink = c.create_sink().expect("ok").expect("sink");
    let replies = run(send(&mut sink, &[&["x"]]));
    assert_eq!(replies.ack_of(0), EventAck::FAIL);
}

#[test]
fn a_bad_bind_address_is_an_error_naming_it() {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let bind = taken.local_addr().expect("addr").to_string();
    let mut c = client(&format!(r#"{{"url": "127.0.0.1:9", "bind": "{bind}"}}"#));
    let err = run(c.connect(1)).expect_err("in use");
    assert!(err.message.contains(&bind), "{err}");
}
