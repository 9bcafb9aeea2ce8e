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

fn client(config: &str) -> UdpClient {
    new_connector(tremor_pdk::testing::null_context("t"), config).expect("valid config")
}

async fn pull_bytes(source: &mut RawSourceBox) -> Vec<u8> {
    loop {
        let reply = source
            .pull(0)
            .await
            .into_result()
            .expect("pull succeeds")
            .into_enum()
            .expect("known reply");
        match reply {
            SourceReply::Data(batch) => {
                assert_eq!((batch.stream, batch.chunks.len()), (0, 1));
                return batch.chunks[0].to_vec();
            }
            SourceReply::Empty { .. } => {
                Timer::after(Duration::from_millis(5)).await;
            }
            other => panic!("expected data, got {other:?}"),
        }
    }
}

/// Sends events, each given as its chunks, through the sink.
async fn send(sink: &mut RawSinkBox, events: &[&[&str]]) -> SinkReplies {
    let (mut data, mut ends, mut list) = (Vec::new(), Vec::new(), Vec::new());
    for (i, chunks) in events.iter().enumerate() {
        let start = ends.len() as u32;
        for c in chunks.iter() {
            data.extend_from_slice(c.as_bytes());
            ends.push(data.len() as u32);
        }
        list.push(SinkEvent {
            port: RStr::from_str("in"),
            event_id: i as u64,
            stream: 0,
            ingest_ns: 0,
            chunks_start: start,
            chunks_end: ends.len() as u32,
            meta_start: 0,
            meta_end: 0,
        });
    }
    let batch = SinkBatch {
        data: RSlice::from_slice(&data),
        chunk_ends: RSlice::from_slice(&ends),
        meta: RSlice::from_slice(&[]),
        events: RSlice::from_slice(&list),
    };
    sink.on_batch(batch).await.into_result().expect("on_batch")
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
        assert_eq!(pull_bytes(&mut source).await, b"reply");
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
