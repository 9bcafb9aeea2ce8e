//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits.

use super::*;
use async_net::UdpSocket;
use futures_lite::future;
use std::{net::SocketAddr, time::Duration};
use tremor_connector_net::{
    peer_of,
    testing::{pull_data, read_with_cancelled_pulls, run},
};
use tremor_pdk::{
    testing::{self as pdk, TestEvent, TestSinkBatch},
    Connector, EventAck, RawSinkBox, RawSourceBox, SourceBatch,
};

/// A bound server with its source and sink, its address and a client socket.
struct Bound {
    /// Kept for the test's length, as the runtime keeps a connector.
    _server: UdpServer,
    source: RawSourceBox,
    sink: RawSinkBox,
    address: SocketAddr,
    client: UdpSocket,
}

async fn bound(buf_size: usize) -> Bound {
    let config = format!(r#"{{"url": "udp://127.0.0.1:0", "buf_size": {buf_size}}}"#);
    let mut server = new_connector(pdk::null_context("t"), &config).expect("valid config");
    let source = server.create_source().expect("ok").expect("source");
    let sink = server.create_sink().expect("ok").expect("sink");
    server.connect(1).await.expect("binds");
    let address = server.local_addr().expect("bound");
    let client = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    Bound {
        _server: server,
        source,
        sink,
        address,
        client,
    }
}

fn meta(batch: &SourceBatch) -> serde_json::Value {
    pdk::meta_value(batch).expect("JSON metadata")
}

fn to(peer: SocketAddr) -> String {
    format!(r#"{{"udp_server": {{"peer": "{peer}"}}}}"#)
}

/// The datagrams of the batches pulled until `n` have arrived, each batch with the peer in its
/// metadata.
async fn datagrams_with_peers(source: &mut RawSourceBox, n: usize) -> Vec<(Vec<u8>, String)> {
    let mut got = Vec::new();
    while got.len() < n {
        let batch = pull_data(source).await;
        assert_eq!(batch.stream, 0);
        let peer = meta(&batch)["udp_server"]["peer"]
            .as_str()
            .expect("a peer")
            .to_string();
        got.extend(batch.chunks.iter().map(|c| (c.to_vec(), peer.clone())));
    }
    got
}

#[test]
fn each_datagram_is_a_chunk_with_its_sender() {
    run(async {
        let mut s = bound(65535).await;
        s.client.send_to(b"one", s.address).await.expect("sent");
        s.client.send_to(b"two", s.address).await.expect("sent");
        let peer = s.client.local_addr().expect("addr").to_string();
        assert_eq!(
            datagrams_with_peers(&mut s.source, 2).await,
            [(b"one".to_vec(), peer.clone()), (b"two".to_vec(), peer)]
        );
    });
}

#[test]
fn a_burst_is_taken_in_few_pulls_and_split_where_the_sender_changes() {
    run(async {
        let mut s = bound(65535).await;
        let other = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let (a, b) = (
            s.client.local_addr().expect("a").to_string(),
            other.local_addr().expect("b").to_string(),
        );
        let mut want = Vec::new();
        for i in 0..200u8 {
            let (socket, peer) = if i % 50 == 49 {
                (&other, &b)
            } else {
                (&s.client, &a)
            };
            socket.send_to(&[i], s.address).await.expect("sent");
            want.push((vec![i], peer.clone()));
        }
        let mut pulls = 0;
        let mut got = Vec::new();
        while got.len() < want.len() {
            got.extend(datagrams_with_peers(&mut s.source, 1).await);
            pulls += 1;
        }
        assert_eq!(got, want, "in order, each with its own sender");
        assert!(
            pulls < 50,
            "{pulls} pulls for 200 datagrams that were all waiting"
        );
    });
}

#[test]
fn long_datagrams_are_cut_to_buf_size() {
    run(async {
        let mut s = bound(4).await;
        s.client
            .send_to(b"0123456789", s.address)
            .await
            .expect("sent");
        assert_eq!(pull_data(&mut s.source).await.chunks[0].as_slice(), b"0123");
    });
}

#[test]
fn replies_go_to_the_peer_in_the_metadata() {
    run(async {
        let mut s = bound(65535).await;
        let a = &s.client;
        let b = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let (pa, pb) = (a.local_addr().expect("a"), b.local_addr().expect("b"));
        let batch = TestSinkBatch::from_events([
            TestEvent::new("to-a").with_meta(to(pa)),
            TestEvent::new("to-b").with_meta(to(pb)),
            TestEvent::new("nowhere"),
            TestEvent::new("bad").with_meta(r#"{"udp_server": {"peer": "nope"}}"#),
        ]);
        let replies = pdk::send(&mut s.sink, &batch).await.expect("on_batch");
        assert_eq!(
            pdk::acks(&replies, 4),
            [EventAck::ACK, EventAck::ACK, EventAck::FAIL, EventAck::FAIL]
        );
        let mut buf = [0u8; 16];
        let (n, from) = a.recv_from(&mut buf).await.expect("a receives");
        assert_eq!((&buf[..n], from), (&b"to-a"[..], s.address));
        let (n, _) = b.recv_from(&mut buf).await.expect("b receives");
        assert_eq!(&buf[..n], b"to-b");
    });
}

#[test]
fn a_cancelled_pull_loses_nothing() {
    run(async {
        let mut s = bound(65535).await;
        let (client, address) = (s.client, s.address);
        let writer = async move {
            for i in 0..20u8 {
                client.send_to(&[b'a' + i], address).await.expect("sent");
                pdk::sleep(Duration::from_millis(1)).await;
            }
        };
        let reader = read_with_cancelled_pulls(&mut s.source, 20);
        let ((), got) = future::zip(writer, reader).await;
        assert_eq!(got, (0..20u8).map(|i| b'a' + i).collect::<Vec<_>>());
    });
}

#[test]
fn a_port_in_use_is_an_error_naming_it() {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let config = format!(r#"{{"url": "127.0.0.1:{port}"}}"#);
    let mut c = new_connector(pdk::null_context("t"), &config).expect("valid");
    let err = run(c.connect(1)).expect_err("port is taken");
    assert!(err.message.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn metadata_names_the_peer() {
    let peer: SocketAddr = "127.0.0.1:9".parse().expect("addr");
    let peer_of = |meta: Option<&[u8]>| peer_of(CONNECTOR_TYPE, meta);
    assert_eq!(peer_of(Some(to(peer).as_bytes())), Some(peer));
    assert_eq!(
        peer_of(Some(br#"{"udp_server": {"peer": "[::1]:7"}}"#)),
        "[::1]:7".parse().ok()
    );
    assert_eq!(
        peer_of(Some(br#"{"tcp_server": {"peer": "127.0.0.1:9"}}"#)),
        None
    );
    assert_eq!(peer_of(None), None);
}

#[test]
fn so_reuseport_lets_two_servers_share_a_port() {
    let server_on = |port: u16, options: &str| {
        let config = format!(r#"{{"url": "127.0.0.1:{port}"{options}}}"#);
        new_connector(pdk::null_context("t"), &config).expect("valid")
    };
    let reusing = r#", "socket_options": {"SO_REUSEPORT": true}"#;
    run(async {
        let mut first = server_on(0, reusing);
        first.connect(1).await.expect("binds");
        let port = first.local_addr().expect("bound").port();
        let mut second = server_on(port, reusing);
        second.connect(1).await.expect("shares the port");
        let no_reuse = r#", "socket_options": {"SO_REUSEADDR": false}"#;
        let mut plain = server_on(port, no_reuse);
        plain.connect(1).await.expect_err("port is taken");
    });
}
