//! Tests with real Unix sockets in temp dirs, driven through the pdk traits.

use super::*;
use abi_stable::std_types::{RSlice, RStr};
use async_io::Timer;
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

/// A server on `server.sock` in a fresh temp dir (kept alive by the returned guard).
fn server(buf_size: usize) -> (UnixSocketServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.sock");
    let config = format!(
        r#"{{"path": {:?}, "buf_size": {buf_size}}}"#,
        path.display().to_string()
    );
    let c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid config");
    (c, dir)
}

fn socket(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("server.sock")
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
        r#"{{"unix_socket_server": {{"connection": {connection}}}}}"#
    ))
}

async fn read_exactly(stream: &mut UnixStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).await.expect("reply arrives");
    buf
}

#[test]
fn each_connection_is_a_stream_with_its_number_in_the_metadata() {
    let (mut c, dir) = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        assert!(c.connect(1).await.expect("listens"));
        let addr = socket(&dir);
        let mut a = UnixStream::connect(&addr).await.expect("connects");
        a.write_all(b"hello").await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!(batch.stream, 0);
        assert_eq!(bytes(&batch), b"hello");
        let m = meta(&batch);
        assert_eq!(
            m,
            serde_json::json!({"unix_socket_server": {"connection": 0}})
        );

        let mut b = UnixStream::connect(&addr).await.expect("connects");
        b.write_all(b"world").await.expect("sent");
        let batch = pull_data(&mut source).await;
        assert_eq!((batch.stream, bytes(&batch)), (1, b"world".to_vec()));
        assert_eq!(meta(&batch)["unix_socket_server"]["connection"], 1);

        drop(a);
        assert!(matches!(
            pull(&mut source).await,
            SourceReply::EndStream { stream: 0 }
        ));
    });
}

#[test]
fn reads_are_at_most_buf_size_bytes() {
    let (mut c, dir) = server(4);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        let mut client = UnixStream::connect(socket(&dir)).await.expect("connects");
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
    let (mut c, dir) = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    let mut sink = c.create_sink().expect("ok").expect("sink");
    run(async {
        c.connect(1).await.expect("listens");
        let addr = socket(&dir);
        let mut a = UnixStream::connect(&addr).await.expect("connects");
        a.write_all(b"a").await.expect("sent");
        assert_eq!(pull_data(&mut source).await.stream, 0);
        let mut b = UnixStream::connect(&addr).await.expect("connects");
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
    let (mut c, dir) = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        let addr = socket(&dir);
        let writer = async move {
            let mut client = UnixStream::connect(&addr).await.expect("connects");
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
    let (mut c, dir) = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    let mut sink = c.create_sink().expect("ok").expect("sink");
    run(async {
        c.connect(1).await.expect("listens");
        let mut client = UnixStream::connect(socket(&dir)).await.expect("connects");
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
    let (mut c, dir) = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        let addr = socket(&dir);
        let mut client = UnixStream::connect(&addr).await.expect("connects");
        client.write_all(b"x").await.expect("sent");
        pull_data(&mut source).await;
        c.on_stop().await.expect("stops");
        drop(source);
        let mut buf = [0u8; 1];
        assert_eq!(client.read(&mut buf).await.expect("eof"), 0);
        assert!(
            UnixStream::connect(&addr).await.is_err(),
            "no longer listening"
        );
    });
}

#[test]
fn reconnect_keeps_the_listener() {
    let (mut c, dir) = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    run(async {
        c.connect(1).await.expect("listens");
        assert!(c.connect(2).await.expect("still listening"));
        let mut client = UnixStream::connect(socket(&dir)).await.expect("connects");
        client.write_all(b"x").await.expect("sent");
        assert_eq!(bytes(&pull_data(&mut source).await), b"x");
    });
}

#[test]
fn stop_and_drop_remove_the_socket_file() {
    let (mut c, dir) = server(8192);
    run(c.connect(1)).expect("listens");
    assert!(socket(&dir).exists());
    run(c.on_stop()).expect("stops");
    assert!(!socket(&dir).exists(), "removed on stop");

    let (mut c, dir) = server(8192);
    run(c.connect(1)).expect("listens");
    drop(c);
    assert!(!socket(&dir).exists(), "removed on drop");
}

#[test]
fn a_stale_socket_file_is_replaced() {
    let (mut c, dir) = server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    // A socket file whose listener is gone, as a crashed process leaves it.
    drop(std::os::unix::net::UnixListener::bind(socket(&dir)).expect("bind"));
    assert!(socket(&dir).exists());
    run(async {
        c.connect(1).await.expect("replaces the stale file");
        let mut client = UnixStream::connect(socket(&dir)).await.expect("connects");
        client.write_all(b"x").await.expect("sent");
        assert_eq!(bytes(&pull_data(&mut source).await), b"x");
    });
}

#[test]
fn a_live_socket_or_a_plain_file_is_left_alone() {
    let (mut c, dir) = server(8192);
    let live = std::os::unix::net::UnixListener::bind(socket(&dir)).expect("bind");
    let err = run(c.connect(1)).expect_err("in use");
    assert!(err.message.contains("in use"), "{err}");
    drop(c);
    assert!(socket(&dir).exists(), "another process's socket stays");
    drop(live);
    std::fs::remove_file(socket(&dir)).expect("rm");

    let (mut c, dir) = server(8192);
    std::fs::write(socket(&dir), b"data").expect("write");
    let err = run(c.connect(1)).expect_err("not a socket");
    assert!(err.message.contains("not a socket"), "{err}");
    drop(c);
    assert_eq!(std::fs::read(socket(&dir)).expect("still there"), b"data");
}

#[test]
fn permissions_are_applied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.sock");
    let config = format!(
        r#"{{"path": {:?}, "permissions": "=640"}}"#,
        path.display().to_string()
    );
    let mut c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid");
    run(c.connect(1)).expect("listens");
    let mode = std::fs::metadata(&path)
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o640);
}

#[test]
fn metadata_names_the_connection() {
    assert_eq!(
        connection_of(CONNECTOR_TYPE, to(7).as_deref().map(str::as_bytes)),
        Some(7)
    );
    assert_eq!(
        connection_of(
            CONNECTOR_TYPE,
            Some(br#"{"tcp_server": {"connection": 1}}"#)
        ),
        None
    );
    assert_eq!(connection_of(CONNECTOR_TYPE, Some(b"nonsense")), None);
    assert_eq!(connection_of(CONNECTOR_TYPE, None), None);
}
