//! Tests driving the parts through the pdk traits.

use super::*;
use serde_json::json;
use tremor_pdk::{
    testing::{self, TestEvent, TestHost, TestSinkBatch},
    CbAction, EventAck, Source as _, SourceReply,
};

/// A source over `files` (contents of `a.json`, `b.json`, ...) with `config` (JSON, without
/// the files).
fn source_with(files: &[&str], config: serde_json::Value) -> (source::CbSource, TestHost) {
    let host = TestHost::new("cb");
    let config = CbConfig::from_json(&config.to_string()).expect("valid");
    let files = files
        .iter()
        .zip('a'..)
        .map(|(text, name)| (format!("{name}.json"), text.as_bytes().to_vec()))
        .collect();
    (source::CbSource::new(host.context(), files, &config), host)
}

/// A source over one file, configured with 0.13's `paths` and `timeout_ns`.
fn source(text: &str, timeout_ns: u64) -> (source::CbSource, TestHost) {
    source_with(&[text], json!({"paths": ["a.json"], "timeout": timeout_ns}))
}

fn pull(source: &mut source::CbSource, pull_id: u64) -> SourceReply {
    testing::block_on(source.pull(pull_id)).expect("pull")
}

/// The line a pull sent, checking that it is a transactional batch with a stream of its own
/// that ends at once.
fn sent(reply: SourceReply, pull_id: u64) -> String {
    match reply {
        SourceReply::Data(b) => {
            assert!(b.transactional && b.end_of_stream, "{b:?}");
            assert_eq!((b.stream, b.chunks.len()), (pull_id, 1));
            String::from_utf8(b.chunks[0].to_vec()).expect("utf8")
        }
        other => panic!("expected data, got {other:?}"),
    }
}

/// Pulls the lines with pull ids from `first` on; returns them and the next pull id (the
/// pull that found the last file exhausted sends nothing, as in Tremor).
fn send_all(s: &mut source::CbSource, first: u64) -> (Vec<String>, u64) {
    let mut lines = Vec::new();
    let mut id = first;
    loop {
        match pull(s, id) {
            data @ SourceReply::Data(_) => lines.push(sent(data, id)),
            SourceReply::Empty { wait_ms: 0 } => {}
            _ => return (lines, id),
        }
        id += 1;
    }
}

/// Pull `pull_id` finishes the source, and the only stop request so far has `exit_code`.
fn finishes(s: &mut source::CbSource, pull_id: u64, host: &TestHost, exit_code: i32) {
    assert!(matches!(pull(s, pull_id), SourceReply::Finished));
    assert_eq!(host.exit_codes(), [exit_code]);
}

#[test]
fn sends_each_line_once_and_stops_when_all_are_acked_or_failed() {
    let (mut s, host) = source("{\"a\":1}\n\n  \n{\"b\":2}\r\n{\"c\":3}\n", 1_000);
    let (lines, next) = send_all(&mut s, 0);
    assert_eq!(lines, [r#"{"a":1}"#, r#"{"b":2}"#, r#"{"c":3}"#]);
    assert_eq!(next, 4, "pull 3 found the file exhausted");
    s.ack(0, 0).expect("ok");
    s.fail(2, 2).expect("ok");
    assert!(matches!(pull(&mut s, 5), SourceReply::Empty { .. }));
    assert!(host.exit_codes().is_empty());
    s.fail(1, 1).expect("ok");
    finishes(&mut s, 6, &host, 0);
    assert_eq!(
        s.report_lines(true),
        [ALL_RECEIVED, "Got acks: {0: [0]}", "Got fails: {0: [1, 2]}"]
    );
    finishes(&mut s, 7, &host, 0); // reported once
}

#[test]
fn a_timeout_after_the_last_line_reports_what_is_missing_and_stops_with_0_as_tremor() {
    let (mut s, host) = source("1\n2\n3\n", 1_000);
    host.set_now_ns(10_000);
    let (_, next) = send_all(&mut s, 0);
    s.ack(0, 0).expect("ok");
    s.fail(2, 2).expect("ok");
    host.set_now_ns(10_999);
    assert!(matches!(pull(&mut s, next), SourceReply::Empty { .. }));
    host.set_now_ns(11_000);
    finishes(&mut s, next + 1, &host, 0);
    assert_eq!(
        s.report_lines(false),
        [
            "Expected CB events up to id {0: 2}.",
            "Got acks: {0: [0]}",
            "Got fails: {0: [2]}",
            "Missing CB events: 1 of 3 event(s) sent from a.json got neither an ack nor a fail: pull ids [1]",
        ]
    );
}

#[test]
fn path_reports_in_tremor_0_12s_words() {
    let (mut s, _host) = source_with(&["1\n2\n"], json!({"path": "a.json", "timeout": 0}));
    send_all(&mut s, 0);
    s.ack(1, 1).expect("ok");
    assert_eq!(
        s.report_lines(false)[..3],
        [
            "Expected CB events up to id 1.",
            "Got acks: [1]",
            "Got fails: []"
        ]
    );
}

#[test]
fn expect_batched_needs_only_the_highest_pull_id_of_each_file() {
    let config = json!({"paths": ["a.json", "b.json"], "expect_batched": true});
    let (mut s, host) = source_with(&["a1\na2\n", "b1\nb2\nb3\n"], config);
    let (lines, next) = send_all(&mut s, 0);
    assert_eq!(lines, ["a1", "b1", "a2", "b2", "b3"], "files in turn");
    // a2 was pull 2, b3 pull 5 (pull 4 found a.json exhausted).
    s.ack(2, 2).expect("ok");
    assert!(matches!(pull(&mut s, next), SourceReply::Empty { .. }));
    s.fail(5, 5).expect("ok");
    finishes(&mut s, next + 1, &host, 0);
    assert_eq!(
        s.report_lines(true)[1..],
        ["Got acks: {0: [2]}", "Got fails: {1: [5]}"]
    );
}

#[test]
fn an_empty_file_is_complete_at_once() {
    let (mut s, host) = source("\n", 1_000);
    let (lines, next) = send_all(&mut s, 0);
    assert!(lines.is_empty());
    assert_eq!(host.exit_codes(), [0], "finished on pull {next}");
}

#[test]
fn the_source_needs_readable_files() {
    let ctx = testing::null_context("cb");
    let mut c = new_connector(ctx.clone(), "{}").expect("valid");
    assert!(
        c.create_source().expect("ok").is_none(),
        "no path, no source"
    );
    assert!(c.create_sink().expect("ok").is_some());
    let config = r#"{"paths": ["/nonexistent/in.json"]}"#;
    let mut c = new_connector(ctx, config).expect("valid");
    let err = c.create_source().err().expect("missing file");
    assert!(err.message.contains("/nonexistent/in.json"), "{err}");
}

#[test]
fn reads_the_files_named_in_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("in.json");
    std::fs::write(&path, "{\"x\":1}\n").expect("write");
    for key in ["path", "paths"] {
        let path = path.display().to_string();
        let value = if key == "path" {
            json!(path)
        } else {
            json!([path])
        };
        let config = json!({ key: value }).to_string();
        let mut c = new_connector(testing::null_context("cb"), &config).expect("valid");
        let mut source = c.create_source().expect("ok").expect("source");
        let batch = testing::block_on(testing::next_batch(&mut source, 0)).expect("data");
        assert_eq!(batch.chunks[0].as_slice(), b"{\"x\":1}");
    }
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
fn the_sink_replies_as_the_events_say_by_tremors_rules() {
    let r = replies(&[
        (r#"{"cb": "ack"}"#, None),
        ("{\"cb\": \"fail\"}\n", None),
        (r#"{"id": 1}"#, None),
        (r#"{"cb": "trigger"}"#, None),
        (r#"{"cb": "restore"}"#, None),
        (r#"{"cb": ["fail", "close", "open", "ack"]}"#, None),
        (r#"{"cb": "ack"}"#, Some(r#"{"cb": "fail"}"#)),
        ("not json", None),
        (r#""exit""#, None),
        (r#"{"cb": ["open", "fail"]}"#, None),
    ]);
    use EventAck as A;
    assert_eq!(
        testing::acks(&r, 10),
        [
            A::ACK,
            A::FAIL,
            A::NONE,
            A::NONE,
            A::NONE,
            A::ACK,
            A::FAIL,
            A::NONE,
            A::NONE,
            A::FAIL
        ]
    );
    assert_eq!(
        testing::cb_actions(&r),
        [
            (3, CbAction::OPEN),
            (4, CbAction::CLOSE),
            (5, CbAction::OPEN),
            (9, CbAction::CLOSE)
        ]
    );
}
