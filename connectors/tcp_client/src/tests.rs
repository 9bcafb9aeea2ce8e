//! Tests with real sockets on 127.0.0.1 (ephemeral ports), driven through the pdk traits.

use super::*;
use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, RSlice, RStr, RString},
};
use async_io::Timer;
use async_net::TcpListener;
use futures_lite::future;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::sync::Arc;
use std::{
    future::Future,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};
use tremor_pdk::{ErrorKind, HostServices, HostServices_TO, LogLevel, SinkEvent, SourceReply};
use tremor_pdk::{SinkBatch, SinkReplies};

/// Runs `f` to completion, failing the test after 10 s.
fn run<T>(f: impl Future<Output = T>) -> T {
    future::block_on(future::or(f, async {
        Timer::after(Duration::from_secs(10)).await;
        panic!("test timed out")
    }))
}

/// A host that counts `connection_lost` calls.
#[derive(Clone, Default)]
struct Host(Arc<AtomicUsize>);

impl HostServices for Host {
    fn alias(&self) -> RString {
        "client".into()
    }
    fn connection_lost(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn request_stop(&self, _exit_code: i32, _delay_ns: u64, _graceful: bool) {}
    fn log(&self, _level: LogLevel, _target: RStr<'_>, _message: RStr<'_>) {}
    fn max_log_level(&self) -> LogLevel {
        LogLevel::OFF
    }
    fn now_ns(&self) -> u64 {
        0
    }
}

fn client(port: u16) -> (TcpClient, Arc<AtomicUsize>) {
    let host = Host::default();
    let lost = host.0.clone();
    let ctx = ConnectorContext::new(HostServices_TO::from_ptr(RArc::new(host), TD_Opaque));
    let config = format!(r#"{{"url": "127.0.0.1:{port}"}}"#);
    (new_connector(ctx, &config).expect("valid config"), lost)
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

async fn pull_bytes(source: &mut RawSourceBox) -> Vec<u8> {
    match pull(source).await {
        SourceReply::Data(batch) => {
            assert_eq!(batch.stream, 0);
            batch
                .chunks
                .iter()
                .flat_map(|c| c.iter().copied())
                .collect()
        }
        other => panic!("expected data, got {other:?}"),
    }
}

/// Sends one event per entry of `events` through the sink.
async fn send(sink: &mut RawSinkBox, events: &[&str]) -> SinkReplies {
    try_send(sink, events).await.expect("on_batch")
}

/// Like [`send`], but returns the sink's error.
async fn try_send(sink: &mut RawSinkBox, events: &[&str]) -> Result<SinkReplies, ConnectorError> {
    let mut data = Vec::new();
    let mut ends = Vec::new();
    let mut list = Vec::new();
    for (i, e) in events.iter().enumerate() {
        data.extend_from_slice(e.as_bytes());
        ends.push(data.len() as u32);
        list.push(SinkEvent {
            port: RStr::from_str("in"),
            event_id: i as u64,
            stream: 0,
            ingest_ns: 0,
            chunks_start: i as u32,
            chunks_end: i as u32 + 1,
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
    sink.on_batch(batch).await.into_result()
}

#[test]
fn a_refused_connection_is_a_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (mut c, _) = client(port);
    let err = run(c.connect(1)).expect_err("nobody listens");
    assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
    assert!(err.message.contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn sends_events_and_reads_replies() {
    run(async {
        let server = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (mut c, lost) = client(server.local_addr().expect("addr").port());
        let mut source = c.create_source().expect("ok").expect("source");
        let mut sink = c.create_sink().expect("ok").expect("sink");
        assert!(c.connect(1).await.expect("connects"));
        let (mut peer, _) = server.accept().await.expect("accepted");
        assert_eq!(
            send(&mut sink, &["one\n", "two\n"]).await,
            SinkReplies::ack_all()
        );
        let mut buf = [0u8; 8];
        peer.read_exact(&mut buf).await.expect("received");
        assert_eq!(&buf, b"one\ntwo\n");
        peer.write_all(b"reply\n").await.expect("sent");
        assert_eq!(pull_bytes(&mut source).await, b"reply\n");
        assert_eq!(lost.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn the_server_closing_ends_the_stream_and_reports_the_loss_once() {
    run(async {
        let server = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (mut c, lost) = client(server.local_addr().expect("addr").port());
        let mut source = c.create_source().expect("ok").expect("source");
        let mut sink = c.create_sink().expect("ok").expect("sink");
        c.connect(1).await.expect("connects");
        let (peer, _) = server.accept().await.expect("accepted");
        drop(peer);
        assert!(matches!(
            pull(&mut source).await,
            SourceReply::EndStream { stream: 0 }
        ));
        assert_eq!(lost.load(Ordering::SeqCst), 1);
        // The sink notices too, without a second report, and hands the batch back to be kept.
        let err = try_send(&mut sink, &["late"])
            .await
            .expect_err("not connected");
        assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
        assert_eq!(lost.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_failed_write_is_a_connection_error_and_a_reconnect_resumes() {
    run(async {
        let server = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (mut c, lost) = client(server.local_addr().expect("addr").port());
        let mut source = c.create_source().expect("ok").expect("source");
        let mut sink = c.create_sink().expect("ok").expect("sink");
        c.connect(1).await.expect("connects");
        let (peer, _) = server.accept().await.expect("accepted");
        drop(peer);
        // Writes fail once the peer's reset arrived, as a connection error: the runtime keeps
        // such a batch for after the reconnect.
        let mut failed = false;
        for _ in 0..100 {
            if let Err(e) = try_send(&mut sink, &["x"]).await {
                assert_eq!(e.kind, ErrorKind::CONNECTION, "{e}");
                failed = true;
                break;
            }
            Timer::after(Duration::from_millis(5)).await;
        }
        assert!(failed, "writing to a closed connection must fail");
        assert_eq!(lost.load(Ordering::SeqCst), 1);

        // The runtime reconnects: both parts move to the new connection.
        c.connect(2).await.expect("reconnects");
        let (mut peer, _) = server.accept().await.expect("accepted again");
        assert_eq!(send(&mut sink, &["again"]).await, SinkReplies::ack_all());
        let mut buf = [0u8; 5];
        peer.read_exact(&mut buf).await.expect("received");
        assert_eq!(&buf, b"again");
        peer.write_all(b"back").await.expect("sent");
        assert_eq!(pull_bytes(&mut source).await, b"back");
        assert_eq!(lost.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_replaced_connection_fails_the_old_stream_first() {
    run(async {
        let server = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (mut c, _) = client(server.local_addr().expect("addr").port());
        let mut source = c.create_source().expect("ok").expect("source");
        c.connect(1).await.expect("connects");
        let (mut peer, _) = server.accept().await.expect("accepted");
        peer.write_all(b"partial").await.expect("sent");
        assert_eq!(pull_bytes(&mut source).await, b"partial");
        c.connect(2).await.expect("reconnects");
        let (mut peer, _) = server.accept().await.expect("accepted again");
        assert!(matches!(
            pull(&mut source).await,
            SourceReply::StreamFail { stream: 0, .. }
        ));
        peer.write_all(b"fresh").await.expect("sent");
        assert_eq!(pull_bytes(&mut source).await, b"fresh");
    });
}

#[test]
fn stop_closes_the_connection() {
    run(async {
        let server = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (mut c, lost) = client(server.local_addr().expect("addr").port());
        let source = c.create_source().expect("ok").expect("source");
        c.connect(1).await.expect("connects");
        assert!(c.local_addr().is_some());
        let (mut peer, _) = server.accept().await.expect("accepted");
        c.on_stop().await.expect("stops");
        drop(source);
        let mut buf = [0u8; 1];
        assert_eq!(peer.read(&mut buf).await.expect("eof"), 0);
        assert_eq!(
            lost.load(Ordering::SeqCst),
            0,
            "a stop is no lost connection"
        );
    });
}
