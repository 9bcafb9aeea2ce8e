//! Tests driving the parts through the pdk traits.

use super::*;
use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, RSlice, RStr, RString},
};
use serde_json::json;
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, Mutex,
};
use tremor_pdk::{
    CbAction, EventAck, HostServices, HostServices_TO, LogLevel, SinkBatch, SinkEvent, SourceReply,
};

/// A host with a settable clock that records stop requests.
#[derive(Clone, Default)]
struct Host {
    now_ns: Arc<AtomicU64>,
    stops: Arc<Mutex<Vec<i32>>>,
}

impl HostServices for Host {
    fn alias(&self) -> RString {
        "cb".into()
    }
    fn connection_lost(&self) {}
    fn request_stop(&self, exit_code: i32, _delay_ns: u64, _graceful: bool) {
        self.stops.lock().expect("test lock").push(exit_code);
    }
    fn log(&self, _level: LogLevel, _target: RStr<'_>, _message: RStr<'_>) {}
    fn max_log_level(&self) -> LogLevel {
        LogLevel::OFF
    }
    fn now_ns(&self) -> u64 {
        self.now_ns.load(Ordering::SeqCst)
    }
}

impl Host {
    fn stops(&self) -> Vec<i32> {
        self.stops.lock().expect("test lock").clone()
    }
}

fn source(text: &str, timeout_ns: u64) -> (source::CbSource, Host) {
    let host = Host::default();
    let ctx = ConnectorContext::new(HostServices_TO::from_ptr(
        RArc::new(host.clone()),
        TD_Opaque,
    ));
    (
        source::CbSource::new(ctx, "in.json".into(), text.as_bytes(), timeout_ns),
        host,
    )
}

fn pull(source: &mut source::CbSource, pull_id: u64) -> SourceReply {
    futures_lite::future::block_on(tremor_pdk::Source::pull(source, pull_id)).expect("pull")
}

/// The line a pull sent, checking that it is a transactional batch on stream 0.
fn sent(reply: SourceReply) -> String {
    match reply {
        SourceReply::Data(b) => {
            assert!(b.transactional, "every batch is transactional");
            assert_eq!((b.stream, b.chunks.len()), (0, 1));
            String::from_utf8(b.chunks[0].to_vec()).expect("utf8")
        }
        other => panic!("expected data, got {other:?}"),
    }
}

use tremor_pdk::Source as _;

#[test]
fn sends_one_line_per_pull_and_stops_when_all_are_acked() {
    let (mut s, host) = source("{\"a\":1}\n\n  \n{\"b\":2}\r\n", 1_000);
    assert_eq!(sent(pull(&mut s, 0)), r#"{"a":1}"#);
    assert_eq!(sent(pull(&mut s, 1)), r#"{"b":2}"#);
    assert!(matches!(pull(&mut s, 2), SourceReply::Empty { .. }));
    s.ack(0, 0).expect("ok");
    assert!(matches!(pull(&mut s, 3), SourceReply::Empty { .. }));
    assert!(host.stops().is_empty());
    s.ack(0, 1).expect("ok");
    assert!(matches!(pull(&mut s, 4), SourceReply::Finished));
    assert_eq!(host.stops(), [0]);
    assert!(matches!(pull(&mut s, 5), SourceReply::Finished));
    assert_eq!(host.stops(), [0], "reported once");
}

#[test]
fn an_ack_covers_earlier_pulls() {
    let (mut s, host) = source("1\n2\n3\n", 1_000);
    for id in 0..3 {
        sent(pull(&mut s, id));
    }
    s.ack(0, 2).expect("ok");
    assert!(matches!(pull(&mut s, 3), SourceReply::Finished));
    assert_eq!(host.stops(), [0]);
}

#[test]
fn a_failed_line_is_sent_again() {
    let (mut s, host) = source("1\n2\n", 1_000);
    assert_eq!(sent(pull(&mut s, 0)), "1");
    s.fail(0, 0).expect("ok");
    assert_eq!(sent(pull(&mut s, 1)), "1", "resent before new lines");
    assert_eq!(sent(pull(&mut s, 2)), "2");
    // One delivery acked pull 2 and failed pull 1: the fail wins for pull 1.
    s.ack(0, 2).expect("ok");
    s.fail(0, 1).expect("ok");
    assert_eq!(sent(pull(&mut s, 3)), "1");
    assert!(host.stops().is_empty());
    s.ack(0, 3).expect("ok");
    assert!(matches!(pull(&mut s, 4), SourceReply::Finished));
    assert_eq!(host.stops(), [0]);
}

#[test]
fn a_timeout_reports_what_is_missing_and_exits_with_1() {
    let (mut s, host) = source("1\n2\n3\n", 1_000);
    host.now_ns.store(10_000, Ordering::SeqCst);
    sent(pull(&mut s, 0));
    sent(pull(&mut s, 1));
    sent(pull(&mut s, 2));
    s.ack(0, 0).expect("ok");
    s.fail(0, 2).expect("ok");
    sent(pull(&mut s, 3));
    host.now_ns.store(10_999, Ordering::SeqCst);
    assert!(matches!(pull(&mut s, 4), SourceReply::Empty { .. }));
    let missing = s.missing();
    assert!(missing.contains("2 of 3 line(s) of in.json"), "{missing}");
    assert!(
        missing.contains("pull ids sent without ack: [1, 3]"),
        "{missing}"
    );
    assert!(missing.contains("pull ids failed: [2]"), "{missing}");
    host.now_ns.store(11_000, Ordering::SeqCst);
    assert!(matches!(pull(&mut s, 5), SourceReply::Finished));
    assert_eq!(host.stops(), [1]);
}

#[test]
fn an_empty_file_is_complete_at_once() {
    let (mut s, host) = source("\n", 1_000);
    assert!(matches!(pull(&mut s, 0), SourceReply::Finished));
    assert_eq!(host.stops(), [0]);
}

#[test]
fn the_source_needs_a_readable_path() {
    let ctx = tremor_pdk::testing::null_context("cb");
    let mut c = new_connector(ctx.clone(), "{}").expect("valid");
    assert!(
        c.create_source().expect("ok").is_none(),
        "no path, no source"
    );
    assert!(c.create_sink().expect("ok").is_some());
    let mut c = new_connector(ctx, r#"{"path": "/nonexistent/in.json"}"#).expect("valid");
    let err = c.create_source().err().expect("missing file");
    assert!(err.message.contains("/nonexistent/in.json"), "{err}");
}

#[test]
fn reads_the_file_named_in_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.json");
    std::fs::write(&path, "{\"x\":1}\n").expect("write");
    let config = json!({"path": path.display().to_string()}).to_string();
    let mut c = new_connector(tremor_pdk::testing::null_context("cb"), &config).expect("valid");
    let mut source = c.create_source().expect("ok").expect("source");
    let reply = futures_lite::future::block_on(source.pull(0))
        .into_result()
        .expect("ok");
    match reply.into_enum() {
        Ok(SourceReply::Data(b)) => assert_eq!(b.chunks[0].as_slice(), b"{\"x\":1}"),
        other => panic!("expected data, got {other:?}"),
    }
}

/// Runs events given as (bytes, metadata) through a cb sink.
fn replies(events: &[(&str, Option<&str>)]) -> tremor_pdk::SinkReplies {
    let (mut data, mut ends, mut metas, mut list) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, (d, m)) in events.iter().enumerate() {
        data.extend_from_slice(d.as_bytes());
        ends.push(data.len() as u32);
        let meta_start = metas.len() as u32;
        metas.extend_from_slice(m.unwrap_or("").as_bytes());
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
    let mut c = new_connector(tremor_pdk::testing::null_context("cb"), "{}").expect("valid");
    let mut sink = c.create_sink().expect("ok").expect("sink");
    futures_lite::future::block_on(sink.on_batch(batch))
        .into_result()
        .expect("on_batch")
}

#[test]
fn the_sink_replies_as_the_events_say() {
    let r = replies(&[
        (r#"{"cb": "ack"}"#, None),
        ("{\"cb\": \"fail\"}\n", None),
        (r#"{"id": 1}"#, None),
        (r#"{"cb": "trigger"}"#, None),
        (r#"{"cb": "restore"}"#, None),
        (r#"{"cb": ["fail", "close", "open"]}"#, None),
        (r#"{"cb": "ack"}"#, Some(r#"{"cb": "fail"}"#)),
        ("not json", None),
        (r#""exit""#, None),
    ]);
    let acks: Vec<_> = (0..9).map(|i| r.ack_of(i)).collect();
    use EventAck as A;
    assert_eq!(
        acks,
        [
            A::ACK,
            A::FAIL,
            A::ACK,
            A::ACK,
            A::ACK,
            A::FAIL,
            A::FAIL,
            A::ACK,
            A::ACK
        ]
    );
    let cb: Vec<(u32, CbAction)> = r
        .exceptions
        .iter()
        .filter(|e| e.cb != CbAction::NONE)
        .map(|e| (e.index, e.cb))
        .collect();
    assert_eq!(
        cb,
        [
            (3, CbAction::OPEN),
            (4, CbAction::CLOSE),
            (5, CbAction::OPEN),
            (5, CbAction::CLOSE)
        ]
    );
}
