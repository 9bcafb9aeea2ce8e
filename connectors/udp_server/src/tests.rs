//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits.

use super::*;
use abi_stable::std_types::{RSlice, RStr};
use async_io::Timer;
use futures_lite::future;
use std::{future::Future, time::Duration};
use tremor_pdk::SinkEvent;

/// Runs `f` to completion, failing the test after 10 s.
fn run<T>(f: impl Future<Output = T>) -> T {
    future::block_on(future::or(f, async {
        Timer::after(Duration::from_secs(10)).await;
        panic!("test timed out")
    }))
}

fn server(buf_size: usize) -> UdpServer {
    let config = format!(r#"{{"url": "udp://127.0.0.1:0", "buf_size": {buf_size}}}"#);
    new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid config")
}

async fn pull_data(source: &mut RawSourceBox) -> SourceBatch {
    loop {
        let reply = source
            .pull(0)
            .await
            .into_result()
            .expect("pull succeeds")
            .into_enum()
            .expect("known reply");
        match reply {
            SourceReply::Data(batch) => return batch,
            SourceReply::Empty { .. } => {
                Timer::after(Duration::from_millis(5)).await;
            }
            other => panic!("expected data, got {other:?}"),
        }
    }
}

fn meta(batch: &SourceBatch) -> serde_json::Value {
    let text = batch.meta.as_ref().into_option().expect("has meta");
    serde_json::from_str(text).expect("meta is JSON")
}

/// Sends events given as (bytes, metadata) through the sink.
async fn send(sink: &mut RawSinkBox, events: &[(&str, Option<String>)]) -> SinkReplies {
    let (mut data, mut ends, mut metas, mut list) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, (d, m)) in events.iter().enumerate() {
        data.extend_from_slice(d.as_bytes());
        ends.push(data.len() as u32);
        let meta_start = metas.len() as u32;
        if let Some(m) = m {
            metas.extend_from_slice(m.as_bytes());
        }
        list.push(SinkEvent {
            port: RStr::from_str("in"),
            event_id: i as u64,
            stream: 0,
            ingest_ns: 0,
            chunks_start: i as u32,
            chunks_end: i as u32 + 1,
            meta_start,
            meta_end: metas.len() as u32,
        });
    }
    let batch = SinkBatch {
        data: RSlice::from_slice(&data),
        chunk_ends: RSlice::from_slice(&ends),
        meta: RSlice::from_slice(&metas),
        events: RSlice::from_slice(&list),
    };
    sink.on_batch(batch).await.into_result().expect("on_batch")
}

fn to(peer: SocketAddr) -> Option<String> {
    Some(format!(r#"{{"udp_server": {{"peer": "{peer}"}}}}"#))
}

#[test]
fn each_datagram_is_a_chunk_with_its_sender() {
    let mut c = server(65535);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("binds");
        let addr = c.local_addr().expect("bound");
        let client = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        client.send_to(b"one", addr).await.expect("sent");
        client.send_to(b"two", addr).await.expect("sent");
        for want in [&b"one"[..], b"two"] {
            let batch = pull_data(&mut source).await;
            assert_eq!(batch.stream, 0);
            assert_eq!(batch.chunks.len(), 1);
            assert_eq!(batch.chunks[0].as_slice(), want);
            let peer = client.local_addr().expect("addr").to_string();
            assert_eq!(meta(&batch)["udp_server"]["peer"], peer.as_str());
        }
    });
}

#[test]
fn long_datagrams_are_cut_to_buf_size() {
    let mut c = server(4);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("binds");
        let client = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        client
            .send_to(b"0123456789", c.local_addr().expect("bound"))
            .await
            .expect("sent");
        assert_eq!(pull_data(&mut source).await.chunks[0].as_slice(), b"0123");
    });
}

#[test]
fn replies_go_to_the_peer_in_the_metadata() {
    let mut c = server(65535);
    let mut sink = c.create_sink().expect("ok").expect("sink");
    run(async {
        c.connect(1).await.expect("binds");
        let a = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let b = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let (pa, pb) = (a.local_addr().expect("a"), b.local_addr().expect("b"));
        let replies = send(
            &mut sink,
            &[
                ("to-a", to(pa)),
                ("to-b", to(pb)),
                ("nowhere", None),
                ("bad", Some(r#"{"udp_server": {"peer": "nope"}}"#.into())),
            ],
        )
        .await;
        let acks: Vec<_> = (0..4).map(|i| replies.ack_of(i)).collect();
        assert_eq!(
            acks,
            [EventAck::ACK, EventAck::ACK, EventAck::FAIL, EventAck::FAIL]
        );
        let mut buf = [0u8; 16];
        let (n, from) = a.recv_from(&mut buf).await.expect("a receives");
        assert_eq!(
            (&buf[..n], from),
            (&b"to-a"[..], c.local_addr().expect("bound"))
        );
        let (n, _) = b.recv_from(&mut buf).await.expect("b receives");
        assert_eq!(&buf[..n], b"to-b");
    });
}

#[test]
fn a_cancelled_pull_loses_nothing() {
    let mut c = server(65535);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("binds");
        let addr = c.local_addr().expect("bound");
        let writer = async move {
            let client = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
            for i in 0..20u8 {
                client.send_to(&[b'a' + i], addr).await.expect("sent");
                Timer::after(Duration::from_millis(1)).await;
            }
        };
        let reader = async {
            let mut got = Vec::new();
            while got.len() < 20 {
                let pulled = future::or(
                    async { Some(source.pull(0).await.into_result().expect("ok")) },
                    async {
                        Timer::after(Duration::from_micros(300)).await;
                        None
                    },
                )
                .await;
                if let Some(reply) = pulled {
                    if let Ok(SourceReply::Data(batch)) = reply.into_enum() {
                        got.extend(batch.chunks[0].iter().copied());
                    }
                }
            }
            got
        };
        let ((), got) = future::zip(writer, reader).await;
        assert_eq!(got, (0..20u8).map(|i| b'a' + i).collect::<Vec<_>>());
    });
}

#[test]
fn a_port_in_use_is_an_error_naming_it() {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let config = format!(r#"{{"url": "127.0.0.1:{port}"}}"#);
    let mut c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid");
    let err = run(c.connect(1)).expect_err("port is taken");
    assert!(err.message.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn metadata_names_the_peer() {
    let peer: SocketAddr = "127.0.0.1:9".parse().expect("addr");
    assert_eq!(peer_of(to(peer).as_deref().map(str::as_bytes)), Some(peer));
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
