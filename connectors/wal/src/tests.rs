//! Tests driving the connector through the pdk boundary, as the runtime does.

use super::*;
use serde_json::json;
use std::time::Duration;
use tremor_pdk::{
    testing::{self, TestEvent, TestSinkBatch},
    EventAck,
};

struct Parts {
    sink: RawSinkBox,
    source: RawSourceBox,
}

fn open(dir: &std::path::Path, chunk_size: u64) -> Parts {
    let config = json!({"dir": dir, "chunk_size": chunk_size, "max_chunks": 1000}).to_string();
    let mut c = testing::instantiate(connector_module(), testing::null_context("wal"), &config)
        .expect("valid config");
    let source = c.create_source().into_result().expect("ok").into_option();
    let sink = c.create_sink().into_result().expect("ok").into_option();
    Parts {
        sink: sink.expect("a sink"),
        source: source.expect("a source"),
    }
}

impl Parts {
    fn write(&mut self, events: impl IntoIterator<Item = TestEvent>) -> Vec<EventAck> {
        let batch = TestSinkBatch::from_events(events);
        let replies = testing::block_on(testing::send(&mut self.sink, &batch)).expect("replies");
        testing::acks(&replies, batch.len())
    }

    /// The payloads and the metadata of the next batch, which must be transactional.
    fn pull(&mut self, pull_id: u64) -> (Vec<String>, Option<serde_json::Value>) {
        let batch = testing::block_on_timeout(
            Duration::from_secs(5),
            testing::next_batch(&mut self.source, pull_id),
        )
        .expect("a batch within 5 s")
        .expect("data");
        assert!(batch.transactional);
        let payloads = batch
            .chunks
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        (payloads, testing::meta_value(&batch).ok())
    }

    fn nothing_to_pull(&mut self) {
        let pulled = testing::block_on_timeout(
            Duration::from_millis(50),
            testing::next_reply(&mut self.source, 99),
        );
        assert!(pulled.is_none(), "nothing expected: {pulled:?}");
    }
}

/// Events `range`, each with its own metadata (so each goes out in a pull of its own).
fn events(range: std::ops::Range<u32>) -> Vec<TestEvent> {
    range
        .map(|i| TestEvent::new(i.to_string()).with_meta(json!({ "i": i }).to_string()))
        .collect()
}

#[test]
fn events_are_acknowledged_upstream_and_replayed_downstream_with_their_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wal = open(dir.path(), 1 << 20);
    let acks = wal.write([
        TestEvent::new(r#"{"a":1}"#).with_meta(r#"{"m":1}"#),
        TestEvent::new("2").with_meta(r#"{"m":1}"#),
        TestEvent::new("3"),
    ]);
    assert_eq!(acks, [EventAck::ACK; 3]);
    assert_eq!(
        wal.pull(0),
        (vec![r#"{"a":1}"#.into(), "2".into()], Some(json!({"m": 1})))
    );
    assert_eq!(wal.pull(1), (vec!["3".into()], None));
    wal.nothing_to_pull();
}

#[test]
fn a_failed_pull_is_sent_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wal = open(dir.path(), 1 << 20);
    wal.write(events(0..2));
    assert_eq!(wal.pull(0).0, ["0"]);
    assert_eq!(wal.pull(1).0, ["1"]);
    wal.source.fail(0, 1).into_result().expect("fail");
    assert_eq!(wal.pull(2).0, ["1"]);
    wal.nothing_to_pull();
}

#[test]
fn what_was_not_acknowledged_is_replayed_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut wal = open(dir.path(), 64);
        for i in 0..20 {
            wal.write(events(i..i + 1));
        }
        for pull_id in 0..20 {
            assert_eq!(wal.pull(pull_id).0, [pull_id.to_string()]);
        }
        // acks become final one ack later: 0..=9 are final, 10..=14 pending
        wal.source.ack(0, 9).into_result().expect("ack");
        wal.source.ack(0, 14).into_result().expect("ack");
    }
    let mut wal = open(dir.path(), 64);
    let replayed: Vec<String> = (0..10).flat_map(|pull_id| wal.pull(pull_id).0).collect();
    let expected: Vec<String> = (10..20).map(|i| i.to_string()).collect();
    assert_eq!(replayed, expected);
    wal.nothing_to_pull();
    wal.write(events(20..21));
    assert_eq!(
        wal.pull(10).0,
        ["20"],
        "new events follow the replayed ones"
    );
}

#[test]
fn a_stop_makes_the_last_ack_final() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = json!({"path": dir.path(), "chunk_size": 1024, "max_chunks": 10}).to_string();
    let mut wal = new_connector(testing::null_context("wal"), &config).expect("valid");
    let mut source = wal.create_source().expect("ok").expect("a source");
    let mut sink = wal.create_sink().expect("ok").expect("a sink");
    testing::block_on(testing::send(
        &mut sink,
        &TestSinkBatch::from_events(events(0..2)),
    ))
    .expect("stored");
    for pull_id in 0..2 {
        testing::block_on(testing::next_batch(&mut source, pull_id)).expect("a batch");
    }
    source.ack(0, 1).into_result().expect("ack");
    testing::block_on(wal.on_stop()).expect("stopped");
    drop((source, sink, wal));
    let mut again = open(dir.path(), 1024);
    again.nothing_to_pull();
}

#[test]
fn config_is_checked() {
    let ctx = testing::null_context("wal");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state");
    let good = json!({"path": path, "chunk_size": 1024, "max_chunks": 10}).to_string();
    assert!(new_connector(ctx.clone(), &good).is_ok());
    for bad in [
        json!({"path": path, "chunk_size": 1024}),
        json!({"path": path, "chunk_size": 0, "max_chunks": 10}),
        json!({"path": path, "chunk_size": 1024, "max_chunks": 10, "size": 1}),
    ] {
        assert!(
            new_connector(ctx.clone(), &bad.to_string()).is_err(),
            "{bad}"
        );
    }
}
