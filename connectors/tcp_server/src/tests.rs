//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits.

use super::*;
use abi_stable::std_types::{RSlice, RStr};
use async_io::Timer;
use async_net::TcpStream;
use futures_lite::{future, AsyncReadExt, AsyncWriteExt};
use std::{future::Future, time::Duration};
use tremor_connector_net::connection_of;
use tremor_pdk::{EventAck, SinkBatch, SinkEvent, SourceBatch, SourceReply};

/// Runs `f` to completion, failing the test after 10 s.
fn run<T>(f: impl Future<Output = T>) -> T {
    future::block_on(future::or(f, async {
        Timer::after(Duration::from_secs(10)).await;
        panic!("test timed out")
    }))
}

fn server(buf_size: usize) -> TcpServer {
    let config = format!(r#"{{"url": "tcp://127.0.0.1:0", "buf_size": {buf_size}}}"#);
    new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid config")
}

async fn pull(source: &mut RawSourceBox) -> SourceReply {
    loop {
        let reply = source
            .pull(0)
            .await
            .into_result()
            .expect("pull succeeds")
            .into_enum()
            .expect("known reply");
        if !matches!(reply, SourceReply::Empty { .. }) {
            return reply;
        }
        Timer::after(Duration::from_millis(5)).await;
    }
}

async fn pull_data(source: &mut RawSourceBox) -> SourceBatch {
    match pull(source).await {
        SourceReply::Data(batch) => batch,
        other => panic!("expected data, got {other:?}"),
    }
}

fn bytes(batch: &SourceBatch) -> Vec<u8> {
    batch
        .chunks
        .iter()
        .flat_map(|c| c.iter().copied())
        .collect()
}

fn meta(batch: &SourceBatch) -> serde_json::Value {
    let text = batch.meta.as_ref().into_option().expect("has meta");
    serde_json::from_str(text).expect("meta is JSON")
}

/// The buffers of a sink batch, for events given as (bytes, metadata).
struct Batch {
    data: Vec<u8>,
    ends: Vec<u32>,
    meta: Vec<u8>,
    events: Vec<SinkEvent<'static>>,
}

impl Batch {
    fn new(events: &[(&str, Option<String>)]) -> Self {
        let mut b = Self {
            data: Vec::new(),
            ends: Vec::new(),
            meta: Vec::new(),
            events: Vec::new(),
        };
        for (i, (data, meta)) in events.iter().enumerate() {
            b.data.extend_from_slice(data.as_bytes());
            b.ends.push(b.data.len() as u32);
            let meta_start = b.meta.len() as u32;
            if let Some(m) = meta {
                b.meta.extend_from_slice(m.as_bytes());
            }
            b.events.push(SinkEvent {
                port: RStr::from_str("in"),
                event_id: i as u64,
                stream: 0,
                ingest_ns: 0,
                chunks_start: i as u32,
                chunks_end: i as u32 + 1,
                meta_start,
                meta_end: b.meta.len() as u32,
            });
        }
        b
    }

    fn batch(&self) -> SinkBatch<'_> {
        SinkBatch {
            data: RSlice::from_slice(&self.data),
            chunk_ends: RSlice::from_slice(&self.ends),
            meta: RSlice::from_slice(&self.meta),
            events: RSlice::from_slice(&self.events),
        }
    }
}

fn to(connection: u64) -> Option<String> {
    Some(format!(
        r#"{{"tcp_server": {{"peer": "127.0.0.1:1", "connection": {connection}}}}}"#
    ))
}

async fn read_exactly(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).await.expect("reply arrives");
    buf
}

#[test]
fn each_connection_is_a_stream_with_its_peer_in_the_metadata() {
    let mut c = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        assert!(c.connect(1).await.expect("listens"));
        let addr = c.local_addr().expect("bound");
        let mut a = TcpStream::connect(addr).await.expect("connects");
        a.write_all(b"hello").await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!(batch.stream, 0);
        assert_eq!(bytes(&batch), b"hello");
        let m = meta(&batch);
        assert_eq!(m["tcp_server"]["connection"], 0);
        let peer = a.local_addr().expect("addr").to_string();
        assert_eq!(m["tcp_server"]["peer"], peer.as_str());

        let mut b = TcpStream::connect(addr).await.expect("connects");
        b.write_all(b"world").await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!((batch.stream, bytes(&batch)), (1, b"world".to_vec()));
        assert_eq!(meta(&batch)["tcp_server"]["connection"], 1);

        drop(a);
        assert!(matches!(
            pull(&mut source).await,
            SourceReply::EndStream { stream: 0 }
        ));
    });
}

#[test]
fn reads_are_at_most_buf_size_bytes() {
    let mut c = server(4);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        let mut client = TcpStream::connect(c.local_addr().expect("bound"))
            .await
            .expect("connects");
        client.write_all(b"0123456789").await.expect("sent");
        let mut got = Vec::new();
        while got.len() < 10 {
            let batch = pull_data(&mut source).await;
            assert!(bytes(&batch).len() <= 4);
            got.extend(bytes(&batch));
        }
        assert_eq!(got, b"0123456789");
    });
}

#[test]
fn replies_go_to_the_connection_named_in_the_metadata() {
    let mut c = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    let mut sink = c.create_sink().expect("ok").expect("sink");
    run(async {
        c.connect(1).await.expect("listens");
        let addr = c.local_addr().expect("bound");
        let mut a = TcpStream::connect(addr).await.expect("connects");
        a.write_all(b"a").await.expect("sent");
        assert_eq!(pull_data(&mut source).await.stream, 0);
        let mut b = TcpStream::connect(addr).await.expect("connects");
        b.write_all(b"b").await.expect("sent");
        assert_eq!(pull_data(&mut source).await.stream, 1);

        let batch = Batch::new(&[
            ("to-b1 ", to(1)),
            ("to-b2 ", to(1)),
            ("to-a ", to(0)),
            ("nowhere ", None),
            ("gone ", to(99)),
            ("not-a-record ", Some("[1]".into())),
        ]);
        let replies = sink
            .on_batch(batch.batch())
            .await
            .into_result()
            .expect("ok");
        let acks: Vec<_> = (0..6).map(|i| replies.ack_of(i)).collect();
        use EventAck as A;
        assert_eq!(acks, [A::ACK, A::ACK, A::ACK, A::FAIL, A::FAIL, A::FAIL]);
        assert_eq!(read_exactly(&mut b, 12).await, b"to-b1 to-b2 ");
        assert_eq!(read_exactly(&mut a, 5).await, b"to-a ");
    });
}

#[test]
fn a_cancelled_pull_loses_nothing() {
    let mut c = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        let addr = c.local_addr().expect("bound");
        let writer = async move {
            let mut client = TcpStream::connect(addr).await.expect("connects");
            for i in 0..20u8 {
                client.write_all(&[b'a' + i]).await.expect("sent");
                Timer::after(Duration::from_millis(1)).await;
            }
            client
        };
        let reader = async {
            let mut got = Vec::new();
            while got.len() < 20 {
                // Give every pull less than a millisecond: most are dropped unfinished.
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
                        got.extend(bytes(&batch));
                    }
                }
            }
            got
        };
        let (_client, got) = future::zip(writer, reader).await;
        assert_eq!(got, (0..20u8).map(|i| b'a' + i).collect::<Vec<_>>());
    });
}

#[test]
fn writing_to_a_closed_connection_fails_the_event() {
    let mut c = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    let mut sink = c.create_sink().expect("ok").expect("sink");
    run(async {
        c.connect(1).await.expect("listens");
        let mut client = TcpStream::connect(c.local_addr().expect("bound"))
            .await
            .expect("connects");
        client.write_all(b"x").await.expect("sent");
        pull_data(&mut source).await;
        drop(client);
        assert!(matches!(
            pull(&mut source).await,
            SourceReply::EndStream { stream: 0 }
        ));
        // The first write after the peer closed may still be buffered by the kernel; the
        // peer's reset makes a later one fail.
        let batch = Batch::new(&[("reply", to(0))]);
        let mut failed = false;
        for _ in 0..100 {
            let replies = sink
                .on_batch(batch.batch())
                .await
                .into_result()
                .expect("ok");
            if replies.ack_of(0) == EventAck::FAIL {
                failed = true;
                break;
            }
            Timer::after(Duration::from_millis(5)).await;
        }
        assert!(failed, "writes to a closed connection must fail eventually");
    });
}

#[test]
fn stop_closes_connections_and_the_listener() {
    let mut c = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        let addr = c.local_addr().expect("bound");
        let mut client = TcpStream::connect(addr).await.expect("connects");
        client.write_all(b"x").await.expect("sent");
        pull_data(&mut source).await;
        c.on_stop().await.expect("stops");
        drop(source);
        let mut buf = [0u8; 1];
        assert_eq!(client.read(&mut buf).await.expect("eof"), 0);
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "no longer listening"
        );
    });
}

#[test]
fn reconnect_keeps_the_listener() {
    let mut c = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        let addr = c.local_addr();
        assert!(c.connect(2).await.expect("still listening"));
        assert_eq!(c.local_addr(), addr);
        let mut client = TcpStream::connect(addr.expect("bound"))
            .await
            .expect("connects");
        client.write_all(b"x").await.expect("sent");
        assert_eq!(bytes(&pull_data(&mut source).await), b"x");
    });
}

#[test]
fn a_port_in_use_is_an_error_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let config = format!(r#"{{"url": "127.0.0.1:{port}"}}"#);
    let mut c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid");
    let err = run(c.connect(1)).expect_err("port is taken");
    assert!(err.message.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn metadata_names_the_connection() {
    assert_eq!(
        connection_of(CONNECTOR_TYPE, to(7).as_deref().map(str::as_bytes)),
        Some(7)
    );
    assert_eq!(
        connection_of(CONNECTOR_TYPE, Some(br#"{"udp_server": {}}"#)),
        None
    );
    assert_eq!(connection_of(CONNECTOR_TYPE, Some(b"nonsense")), None);
    assert_eq!(connection_of(CONNECTOR_TYPE, None), None);
}

#[test]
fn so_reuseport_lets_two_servers_share_a_port() {
    let reusing = |port: u16| {
        let config =
            format!(r#"{{"url": "127.0.0.1:{port}", "socket_options": {{"SO_REUSEPORT": true}}}}"#);
        new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid")
    };
    run(async {
        let mut first = reusing(0);
        first.connect(1).await.expect("listens");
        let port = first.local_addr().expect("bound").port();
        let mut second = reusing(port);
        second.connect(1).await.expect("shares the port");
        // Without the option the port stays taken.
        let config = format!(r#"{{"url": "127.0.0.1:{port}"}}"#);
        let mut plain =
            new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid");
        plain.connect(1).await.expect_err("port is taken");
    });
}
