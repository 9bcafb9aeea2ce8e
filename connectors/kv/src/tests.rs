//! Tests driving the connector through the pdk boundary, as the runtime does.

use super::*;
use serde_json::{json, Value};
use std::time::Duration;
use tremor_pdk::{
    testing::{self, TestEvent, TestSinkBatch},
    RawSinkBox, RawSourceBox,
};

/// A kv connector instance on a directory, driven through its boundary parts.
struct Kv {
    sink: RawSinkBox,
    source: RawSourceBox,
    pull_id: u64,
}

/// What came out of the source for a command.
#[derive(Debug, PartialEq)]
enum Out {
    Reply(Value, Value),
    Error(String),
}

impl Kv {
    fn open(dir: &std::path::Path) -> Self {
        let config = json!({ "path": dir }).to_string();
        let mut c = testing::instantiate(connector_module(), testing::null_context("kv"), &config)
            .expect("valid config");
        let source = c.create_source().into_result().expect("ok").into_option();
        let sink = c.create_sink().into_result().expect("ok").into_option();
        Self {
            sink: sink.expect("a sink"),
            source: source.expect("a source"),
            pull_id: 0,
        }
    }

    /// Sends the events `(meta, payload)` as one batch; returns the acks and the `n` outcomes.
    fn run(&mut self, events: &[(Value, Value)], n: usize) -> (Vec<EventAck>, Vec<Out>) {
        let batch = TestSinkBatch::from_events(events.iter().map(|(meta, payload)| {
            TestEvent::new(payload.to_string()).with_meta(meta.to_string())
        }));
        let replies = testing::block_on(testing::send(&mut self.sink, &batch)).expect("replies");
        let acks = testing::acks(&replies, events.len());
        let outs = (0..n).map(|_| self.next()).collect();
        (acks, outs)
    }

    fn next(&mut self) -> Out {
        self.pull_id += 1;
        let reply = testing::block_on_timeout(
            Duration::from_secs(5),
            testing::next_reply(&mut self.source, self.pull_id),
        )
        .expect("an outcome within 5 s")
        .expect("pull");
        match reply {
            SourceReply::Data(batch) => {
                let payload = serde_json::from_slice(&testing::joined(&batch)).expect("JSON");
                Out::Reply(payload, testing::meta_value(&batch).expect("meta"))
            }
            SourceReply::Error { message, .. } => Out::Error(message.into_string()),
            other => panic!("unexpected reply {other:?}"),
        }
    }

    /// Nothing more comes out of the source.
    fn quiet(&mut self) {
        let pulled = testing::block_on_timeout(
            Duration::from_millis(50),
            testing::next_reply(&mut self.source, 0),
        );
        assert!(pulled.is_none(), "no more outcomes expected: {pulled:?}");
    }
}

fn cmd(kv: Value, correlation: i32, payload: Value) -> (Value, Value) {
    (json!({"kv": kv, "correlation": correlation}), payload)
}

fn ok(op: &str, key: &str, correlation: i32, payload: Value) -> Out {
    Out::Reply(
        payload,
        json!({"kv": {"op": op, "ok": key}, "correlation": correlation}),
    )
}

const ACK: EventAck = EventAck::ACK;
const FAIL: EventAck = EventAck::FAIL;

/// Tremor's integration test `kv` (tremor-cli/tests/integration/kv), command by command: the
/// same commands, the same replies (with `ok` as a string), the same error text.
#[test]
fn tremors_kv_sequence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut kv = Kv::open(dir.path());
    let steps: Vec<((Value, Value), EventAck, Vec<Out>)> = vec![
        (cmd(json!({"get": "snot"}), 1, json!(1)), ACK, vec![ok("get", "snot", 1, json!(null))]),
        (cmd(json!({"put": "snot"}), 2, json!("badger")), ACK, vec![ok("put", "snot", 2, json!("badger"))]),
        (cmd(json!({"swap": "snot"}), 3, json!("velociraptor")), ACK, vec![ok("swap", "snot", 3, json!("badger"))]),
        (cmd(json!({"get": "snot"}), 4, json!(3)), ACK, vec![ok("get", "snot", 4, json!("velociraptor"))]),
        (cmd(json!({"put": "heinz"}), 5, json!("ketchup")), ACK, vec![ok("put", "heinz", 5, json!("ketchup"))]),
        (
            cmd(json!({"scan": ""}), 6, json!(6)),
            ACK,
            vec![ok("scan", "heinz", 6, json!("ketchup")), ok("scan", "snot", 6, json!("velociraptor"))],
        ),
        (cmd(json!({"scan": "snot"}), 7, json!(7)), ACK, vec![ok("scan", "snot", 7, json!("velociraptor"))]),
        (cmd(json!({"scan": "heinz", "end": "meins"}), 8, json!(8)), ACK, vec![ok("scan", "heinz", 8, json!("ketchup"))]),
        (cmd(json!({"scan": "", "end": "heinz"}), 9, json!(9)), ACK, vec![]),
        (
            cmd(json!({"cas": "heinz", "old": "gies"}), 10, json!("ketchup")),
            FAIL,
            vec![Out::Error(
                r#"kv cas "heinz": CAS error: expected ketchup but found ketchup. (correlation 10)"#.into(),
            )],
        ),
        (cmd(json!({"cas": "heinz", "old": "ketchup"}), 11, json!("gies")), ACK, vec![ok("cas", "heinz", 11, json!(null))]),
        (cmd(json!({"delete": "matthias"}), 12, json!(12)), ACK, vec![ok("delete", "matthias", 12, json!(null))]),
        (cmd(json!({"get": "matthias"}), 13, json!(13)), ACK, vec![ok("get", "matthias", 13, json!(null))]),
        (cmd(json!({"delete": "heinz"}), 14, json!(14)), ACK, vec![ok("delete", "heinz", 14, json!("gies"))]),
        (cmd(json!({"get": "heinz"}), 15, json!(15)), ACK, vec![ok("get", "heinz", 15, json!(null))]),
        (cmd(json!({"cas": "new"}), 16, json!({"a": [1]})), ACK, vec![ok("cas", "new", 16, json!(null))]),
        (cmd(json!({"get": "new"}), 17, json!(null)), ACK, vec![ok("get", "new", 17, json!({"a": [1]}))]),
    ];
    for (event, ack, outs) in steps {
        let n = outs.len();
        assert_eq!(kv.run(std::slice::from_ref(&event), n), (vec![ack], outs), "{event:?}");
    }
    kv.quiet();
}

#[test]
fn one_batch_mixes_commands_and_fails_only_the_bad_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut kv = Kv::open(dir.path());
    let (acks, outs) = kv.run(
        &[
            cmd(json!({"put": "k"}), 1, json!(1)),
            (json!({"correlation": 2}), json!("no command")),
            cmd(json!({"cas": "k"}), 3, json!(2)),
            cmd(json!({"frobnicate": "k"}), 4, json!(null)),
            cmd(json!({"swap": "k"}), 5, json!(3)),
        ],
        5,
    );
    assert_eq!(acks, [ACK, FAIL, FAIL, FAIL, ACK]);
    assert_eq!(
        outs,
        [
            ok("put", "k", 1, json!(1)),
            Out::Error("kv: Missing `$kv` field for commands (correlation 2)".into()),
            Out::Error(r#"kv cas "k": CAS error: expected 2 but found 1. (correlation 3)"#.into()),
            Out::Error(r#"kv: Invalid command: {"frobnicate":"k"} (correlation 4)"#.into()),
            ok("swap", "k", 5, json!(1)),
        ]
    );
}

#[test]
fn data_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut kv = Kv::open(dir.path());
        kv.run(&[cmd(json!({"put": "kept"}), 1, json!({"n": 42}))], 1);
        kv.run(&[cmd(json!({"put": [0, 255]}), 2, json!("binary key"))], 1);
    }
    let mut kv = Kv::open(dir.path());
    let (_, outs) = kv.run(&[cmd(json!({"scan": ""}), 3, json!(null))], 2);
    assert_eq!(
        outs,
        [
            Out::Reply(
                json!("binary key"),
                json!({"kv": {"op": "scan", "ok": [0, 255]}, "correlation": 3})
            ),
            ok("scan", "kept", 3, json!({"n": 42})),
        ]
    );
}

#[test]
fn config_is_checked() {
    let ctx = testing::null_context("kv");
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing");
    let err = new_connector(ctx.clone(), &json!({ "path": missing }).to_string())
        .err()
        .expect("not a directory");
    assert!(err.to_string().contains("is not a directory"), "{err}");
    let typo = json!({ "path": dir.path(), "pth": 1 }).to_string();
    assert!(new_connector(ctx.clone(), &typo).is_err());
    assert!(new_connector(ctx, "{}").is_err());
}
