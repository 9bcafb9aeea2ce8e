//! Tests driving the connector through the pdk boundary, as the runtime does.

use super::*;
use serde_json::{json, Value};
use std::{collections::VecDeque, time::Duration};
use tremor_pdk::{
    testing::{self, TestEvent, TestSinkBatch},
    RawConnectorBox, RawSinkBox, RawSourceBox,
};

/// A kv connector instance on a directory, driven through its boundary parts.
struct Kv {
    connector: RawConnectorBox,
    sink: RawSinkBox,
    source: RawSourceBox,
    pull_id: u64,
    /// Events of the last pull not looked at yet.
    pulled: VecDeque<Out>,
}

/// What came out of the source for a command: payload and metadata (binary shown as
/// `{"binary": [...]}`) on `out`, or the metadata of an error event on `err`.
#[derive(Debug, PartialEq)]
enum Out {
    Reply(Value, Value),
    Error(Value),
}

impl Kv {
    fn open(dir: &std::path::Path) -> Self {
        let config = json!({ "path": dir }).to_string();
        let mut c = testing::instantiate(connector_module(), testing::null_context("kv"), &config)
            .expect("valid config");
        let source = c.create_source().into_result().expect("ok").into_option();
        let sink = c.create_sink().into_result().expect("ok").into_option();
        Self {
            connector: c,
            sink: sink.expect("a sink"),
            source: source.expect("a source"),
            pull_id: 0,
            pulled: VecDeque::new(),
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
        if let Some(out) = self.pulled.pop_front() {
            return out;
        }
        self.pull_id += 1;
        let reply = testing::block_on_timeout(
            Duration::from_secs(5),
            testing::next_reply(&mut self.source, self.pull_id),
        )
        .expect("an outcome within 5 s")
        .expect("pull");
        let SourceReply::Structured { port, events, .. } = reply else {
            panic!("unexpected reply {reply:?}");
        };
        for event in events.iter() {
            let (payload, meta) = testing::structured_json(event).expect("MessagePack");
            self.pulled.push_back(match port.as_str() {
                "out" => Out::Reply(payload, meta),
                "err" => {
                    assert_eq!(payload, Value::Null, "error events have no payload");
                    Out::Error(meta)
                }
                other => panic!("unexpected port {other}"),
            });
        }
        self.next()
    }

    /// Nothing more comes out of the source.
    fn quiet(&mut self) {
        let pulled = testing::block_on_timeout(
            Duration::from_millis(50),
            testing::next_reply(&mut self.source, 0),
        );
        assert!(
            self.pulled.is_empty() && pulled.is_none(),
            "no more outcomes expected: {:?} {pulled:?}",
            self.pulled
        );
    }
}

fn cmd(kv: Value, correlation: i32, payload: Value) -> (Value, Value) {
    (json!({"kv": kv, "correlation": correlation}), payload)
}

fn ok(op: &str, key: impl AsRef<[u8]>, correlation: i32, payload: Value) -> Out {
    Out::Reply(
        payload,
        json!({"kv": {"op": op, "ok": {"binary": key.as_ref()}}, "correlation": correlation}),
    )
}

/// Tremor's error event: `$error`, `$kv` (`{"op", "key"}` with the key's bytes, or null) and
/// `$correlation`.
fn error(text: &str, op_key: Option<(&str, &str)>, correlation: i32) -> Out {
    let kv = op_key.map(|(op, key)| json!({"op": op, "key": key.as_bytes()}));
    Out::Error(json!({"error": text, "kv": kv, "correlation": correlation}))
}

const ACK: EventAck = EventAck::ACK;
const REJECTED: EventAck = EventAck::REJECTED;

/// What a command of [`tremors_kv_sequence`] produces: its replies as (key, payload), or the
/// text of its error.
type Expected = Result<Vec<(&'static str, Value)>, &'static str>;

/// Tremor's integration test `kv` (tremor-cli/tests/integration/kv), command by command: the
/// same commands, the same replies, the same error event.
#[test]
fn tremors_kv_sequence() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut kv = Kv::open(dir.path());
    // (command, payload, what it produces); the correlation is the line number.
    let cas_error = "CAS error: expected ketchup but found ketchup.";
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
            Err(text) => (REJECTED, vec![error(text, Some((&op, "heinz")), line)]),
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
    assert_eq!(acks, [ACK, REJECTED, REJECTED, REJECTED, ACK]);
    assert_eq!(
        outs,
        [
            ok("put", "k", 1, json!(1)),
            error("Missing `$kv` field for commands", None, 2),
            error("CAS error: expected 2 but found 1.", Some(("cas", "k")), 3),
            error(r#"Invalid command: {"frobnicate":"k"}"#, None, 4),
            ok("swap", "k", 5, json!(1)),
        ]
    );
}

/// How long the connector's `on_drain` took.
fn drain_time(kv: &mut Kv) -> Duration {
    let started = std::time::Instant::now();
    testing::block_on(kv.connector.on_drain())
        .into_result()
        .expect("drained");
    started.elapsed()
}

#[test]
fn a_graceful_stop_waits_for_the_sinks_last_replies_to_be_taken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut kv = Kv::open(dir.path());
    // A reply not yet taken and a sink whose inputs have not drained: on_drain waits (up to
    // its bound), as the source is still pulled meanwhile.
    kv.run(&[cmd(json!({"put": "k"}), 1, json!(1))], 0);
    assert!(drain_time(&mut kv) >= DRAIN_WAIT);
    // The sink drained (flush) and the source took the reply: nothing to wait for.
    testing::block_on(kv.sink.flush())
        .into_result()
        .expect("flushed");
    assert_eq!(kv.next(), ok("put", "k", 1, json!(1)));
    assert!(drain_time(&mut kv) < DRAIN_WAIT);
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
            ok("scan", [0, 255], 3, json!("binary key")),
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
    assert!(new_connector(ctx.clone(), "{}").is_err());
    // Tremor 0.12's name of `path`.
    assert!(new_connector(ctx, &json!({ "dir": dir.path() }).to_string()).is_ok());
}
