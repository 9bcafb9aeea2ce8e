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

/// What a command of [`tremors_kv_sequence`] produces: its replies as (key, payload), or the
/// text of its error.
type Expected = Result<Vec<(&'static str, Value)>, &'static str>;

/// Tremor's integration test `kv` (tremor-cli/tests/integration/kv), command by command: the
/// same commands, the same replies (with `ok` as a string), the same error text.
#[test]
fn tremors_kv_sequence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut kv = Kv::open(dir.path());
    // (command, payload, what it produces); the correlation is the line number.
    let cas_error =
        r#"kv cas "heinz": CAS error: expected ketchup but found ketchup. (correlation 10)"#;
    let steps: Vec<(Value, Value, Expected)> = vec![
        (
            json!({"get": "snot"}),
            json!(1),
            Ok(vec![("snot", json!(null))]),
        ),
        (
            json!({"put": "snot"}),
            json!("badger"),
            Ok(vec![("snot", json!("badger"))]),
        ),
        (
            json!({"swap": "snot"}),
            json!("velociraptor"),
            Ok(vec![("snot", json!("badger"))]),
        ),
        (
            json!({"get": "snot"}),
            json!(3),
            Ok(vec![("snot", json!("velociraptor"))]),
        ),
        (
            json!({"put": "heinz"}),
            json!("ketchup"),
            Ok(vec![("heinz", json!("ketchup"))]),
        ),
        (
            json!({"scan": ""}),
            json!(6),
            Ok(vec![
                ("heinz", json!("ketchup")),
                ("snot", json!("velociraptor")),
            ]),
        ),
        (
            json!({"scan": "snot"}),
            json!(7),
            Ok(vec![("snot", json!("velociraptor"))]),
        ),
        (
            json!({"scan": "heinz", "end": "meins"}),
            json!(8),
            Ok(vec![("heinz", json!("ketchup"))]),
        ),
        (json!({"scan": "", "end": "heinz"}), json!(9), Ok(vec![])),
        (
            json!({"cas": "heinz", "old": "gies"}),
            json!("ketchup"),
            Err(cas_error),
        ),
        (
            json!({"cas": "heinz", "old": "ketchup"}),
            json!("gies"),
            Ok(vec![("heinz", json!(null))]),
        ),
        (
            json!({"delete": "matthias"}),
            json!(12),
            Ok(vec![("matthias", json!(null))]),
        ),
        (
            json!({"get": "matthias"}),
            json!(13),
            Ok(vec![("matthias", json!(null))]),
        ),
        (
            json!({"delete": "heinz"}),
            json!(14),
            Ok(vec![("heinz", json!("gies"))]),
        ),
        (
            json!({"get": "heinz"}),
            json!(15),
            Ok(vec![("heinz", json!(null))]),
        ),
        (
            json!({"cas": "new"}),
            json!({"a": [1]}),
            Ok(vec![("new", json!(null))]),
        ),
        (
            json!({"get": "new"}),
            json!(null),
            Ok(vec![("new", json!({"a": [1]}))]),
        ),
    ];
    for (line, (command, payload, expected)) in (1..).zip(steps) {
        let op = command
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "old" && *k != "end"))
            .cloned()
            .unwrap_or_default();
        let (ack, outs) = match expected {
            Ok(replies) => (
                ACK,
                replies
                    .into_iter()
                    .map(|(key, value)| ok(&op, key, line, value))
                    .collect::<Vec<_>>(),
            ),
            Err(text) => (FAIL, vec![Out::Error(text.to_string())]),
        };
        let event = cmd(command, line, payload);
        let n = outs.len();
        assert_eq!(
            kv.run(std::slice::from_ref(&event), n),
            (vec![ack], outs),
            "{event:?}"
        );
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
fn two_connectors_on_one_directory_share_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut first = Kv::open(dir.path());
    let mut second = Kv::open(dir.path());
    first.run(&[cmd(json!({"put": "shared"}), 1, json!("yes"))], 1);
    let (_, outs) = second.run(&[cmd(json!({"get": "shared"}), 2, json!(null))], 1);
    assert_eq!(outs, [ok("get", "shared", 2, json!("yes"))]);
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
