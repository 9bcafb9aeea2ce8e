//! Tests driving the parts through the pdk traits.

use super::*;
use serde_json::json;
use tremor_pdk::{
    testing::{self, TestEvent, TestHost, TestSinkBatch},
    CbAction, EventAck, SourceReply,
};

fn source(text: &str, timeout_ns: u64) -> (source::CbSource, TestHost) {
    let host = TestHost::new("cb");
    (
        source::CbSource::new(
            host.context(),
            "in.json".into(),
            text.as_bytes(),
            timeout_ns,
        ),
        host,
    )
}

fn pull(source: &mut source::CbSource, pull_id: u64) -> SourceReply {
    testing::block_on(tremor_pdk::Source::pull(source, pull_id)).expect("pull")
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

/// Pull `pull_id` finishes the source, and the only stop request so far has `exit_code`.
fn finishes(s: &mut source::CbSource, pull_id: u64, host: &TestHost, exit_code: i32) {
    assert!(matches!(pull(s, pull_id), SourceReply::Finished));
    assert_eq!(host.exit_codes(), [exit_code]);
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
    assert!(host.exit_codes().is_empty());
    s.ack(0, 1).expect("ok");
    finishes(&mut s, 4, &host, 0);
    finishes(&mut s, 5, &host, 0); // reported once
}

#[test]
fn an_ack_covers_earlier_pulls() {
    let (mut s, host) = source("1\n2\n3\n", 1_000);
    for id in 0..3 {
        sent(pull(&mut s, id));
    }
    s.ack(0, 2).expect("ok");
    finishes(&mut s, 3, &host, 0);
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
    assert!(host.exit_codes().is_empty());
    s.ack(0, 3).expect("ok");
    finishes(&mut s, 4, &host, 0);
}

#[test]
fn a_timeout_reports_what_is_missing_and_exits_with_1() {
    let (mut s, host) = source("1\n2\n3\n", 1_000);
    host.set_now_ns(10_000);
    sent(pull(&mut s, 0));
    sent(pull(&mut s, 1));
    sent(pull(&mut s, 2));
    s.ack(0, 0).expect("ok");
    s.fail(0, 2).expect("ok");
    sent(pull(&mut s, 3));
    host.set_now_ns(10_999);
    assert!(matches!(pull(&mut s, 4), SourceReply::Empty { .. }));
    let missing = s.missing();
    assert!(missing.contains("2 of 3 line(s) of in.json"), "{missing}");
    assert!(
        missing.contains("pull ids sent without ack: [1, 3]"),
        "{missing}"
    );
    assert!(missing.contains("pull ids failed: [2]"), "{missing}");
    host.set_now_ns(11_000);
    finishes(&mut s, 5, &host, 1);
}

#[test]
fn an_empty_file_is_complete_at_once() {
    let (mut s, host) = source("\n", 1_000);
    finishes(&mut s, 0, &host, 0);
}

#[test]
fn the_source_needs_a_readable_path() {
    let ctx = testing::null_context("cb");
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
    let mut c = new_connector(testing::null_context("cb"), &config).expect("valid");
    let mut source = c.create_source().expect("ok").expect("source");
    let batch = testing::block_on(testing::next_batch(&mut source, 0)).expect("data");
    assert_eq!(batch.chunks[0].as_slice(), b"{\"x\":1}");
}

/// Runs events given as (bytes, metadata) through a cb sink.
fn replies(events: &[(&str, Option<&str>)]) -> tremor_pdk::SinkReplies {
    let batch = TestSinkBatch::from_events(events.iter().map(|&(data, meta)| match meta {
        Some(meta) => TestEvent::new(data).with_meta(meta),
        None => TestEvent::new(data),
    }));
    let mut c = new_connector(testing::null_context("cb"), "{}").expect("valid");
    let mut sink = c.create_sink().expect("ok").expect("sink");
    testing::block_on(testing::send(&mut sink, &batch)).expect("on_batch")
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
    use EventAck as A;
    assert_eq!(
        testing::acks(&r, 9),
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
    assert_eq!(
        testing::cb_actions(&r),
        [
            (3, CbAction::OPEN),
            (4, CbAction::CLOSE),
            (5, CbAction::OPEN),
            (5, CbAction::CLOSE)
        ]
    );
}
