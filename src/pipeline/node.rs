//! The nodes a pipeline's `select` statements connect: streams, script instances and
//! operators.

use crate::{
    event::Event,
    operator::Operator,
    ports::{ERR, OUT},
    script::{Outcome, RunContext, Script},
    troy::plan::NodeKind,
};
use tremor_value::{literal, Value};

/// A stream, script instance or operator.
pub(super) enum Node {
    /// Passes every event on to its `out` port.
    Stream,
    /// Runs a script; `state` is this instance's, kept from event to event.
    Script {
        script: Box<Script>,
        state: Value<'static>,
    },
    /// One of Tremor's builtin operators; it may emit any number of events on several ports.
    Operator(Box<dyn Operator>),
    /// A script that failed to compile here although it compiled at plan time: drops what it
    /// gets (with one error logged when built).
    Broken,
}

impl Node {
    pub(super) fn new(pipeline: &str, name: &str, kind: &NodeKind) -> Self {
        match kind {
            NodeKind::Stream => Node::Stream,
            NodeKind::Script(plan) => match Script::compile(&plan.source, &plan.file, &plan.args) {
                Ok(script) => Node::Script {
                    script: Box::new(script),
                    state: plan.state.clone(),
                },
                Err(e) => {
                    log::error!(
                        "[{pipeline}] script `{name}` does not compile: {}",
                        e.located()
                    );
                    Node::Broken
                }
            },
            NodeKind::Operator(plan) => {
                match crate::operator::build(&plan.kind, name, plan.config.as_ref()) {
                    Ok(op) => Node::Operator(op),
                    Err(e) => {
                        log::error!("[{pipeline}] operator `{name}` cannot be built: {e}");
                        Node::Broken
                    }
                }
            }
        }
    }
}

/// The metadata `$` of `event` as a value (an empty record when it has none).
pub(super) fn meta_of(event: &Event) -> Value<'static> {
    event
        .meta
        .as_ref()
        .map_or_else(Value::object, crate::event::Meta::to_value)
}

/// Runs `script` on `event`: the event it emits and on which port, or `None` when it drops
/// the event. A run-time error becomes Tremor's error event (`{"error": REPORT, "event":
/// EVENT}`) on the script's `err` port.
///
/// The script changes the event's value in place (no copy; as in Tremor, the error event
/// carries the event as the script left it). Only metadata the script changed is written
/// back (as a value: it may hold binary).
pub(super) fn run_script(
    script: &Script,
    state: &mut Value<'static>,
    mut event: Event,
) -> Option<(&'static str, Event)> {
    let meta = meta_of(&event);
    let ingest_ns = event.ingest_ns;
    let ran = event.payload.with_value_mut(|value| {
        let mut meta: Value<'_> = meta;
        let unchanged_meta = meta.clone();
        let mut ctx = RunContext {
            event: &mut *value,
            meta: &mut meta,
            state,
            ingest_ns,
            origin: None,
        };
        let intern = crate::connectors::intern_port;
        let port = match script.run(&mut ctx) {
            Ok(Outcome::Drop) => return None,
            Ok(Outcome::Emit {
                port,
                value: emitted,
            }) => {
                *value = emitted;
                intern(port)
            }
            Ok(Outcome::EmitEvent { port }) => intern(port),
            Err(e) => {
                let event = std::mem::take(value);
                let mut error: Value<'_> = literal!({ "error": format!("{e}\n\n") });
                // A record always takes a field.
                let _ = error.insert("event", event);
                *value = error;
                ERR
            }
        };
        // Kept as a value: metadata a script writes may hold binary, which JSON text cannot.
        let new_meta =
            (meta != unchanged_meta).then(|| crate::event::Meta::from(meta.clone_static()));
        Some((port, new_meta))
    });
    let (port, new_meta) = ran?;
    if new_meta.is_some() {
        event.meta = new_meta;
    }
    Some((port, event))
}

/// Runs `event` through `node`: the port it leaves by and the event, or `None` when the node
/// drops it.
pub(super) fn run_node(node: Option<&mut Node>, event: Event) -> Option<(&'static str, Event)> {
    match node {
        Some(Node::Stream) => Some((OUT, event)),
        Some(Node::Script { script, state }) => run_script(script, state, event),
        // Operators emit 0..n events: `PipelineCore::enter` runs them itself.
        Some(Node::Broken | Node::Operator(_)) | None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::PipelineCore;
    use crate::troy::query::plan_query;
    use tremor_value::literal;

    /// Runs `values` (ingest time = value) through the query `src`, then a tick at `tick_ns`;
    /// what left each port, as `port:json`.
    fn run(src: &str, values: &[u64], tick_ns: u64) -> Vec<String> {
        let plan = plan_query(src, "q.trickle", "q").expect("plans");
        let mut core = PipelineCore::new("q".into(), &plan);
        assert!(core.wants_ticks());
        let mut out = Vec::new();
        for &v in values {
            let event = crate::operator::test_support::event(v, v, literal!(v), None);
            core.process("in", event, &mut out).expect("processes");
        }
        core.on_tick(tick_ns, &mut out);
        out.into_iter()
            .map(|(port, e)| format!("{port}:{}", tremor_value::to_json(e.payload.value())))
            .collect()
    }

    #[test]
    fn operators_emit_on_several_ports_and_flush_on_ticks() {
        let roundrobin =
            "define operator rr from qos::roundrobin with outputs = [\"a\", \"b\"] end;\n\
             create operator rr;\nselect event from in into rr;\n\
             select event from rr/a into out;\nselect {\"b\": event} from rr/b into err;\n";
        assert_eq!(
            run(roundrobin, &[1, 2, 3], 0),
            ["out:1", "err:{\"b\":2}", "out:3"]
        );
        let batch = "define operator b from generic::batch with count = 2, timeout = 10 end;\n\
             create operator b;\nselect event from in into b;\nselect event from b into out;\n";
        assert_eq!(run(batch, &[1, 2, 3], 100), ["out:[1,2]", "out:[3]"]);
        let counter = "define operator c from generic::counter;\ncreate operator c;\n\
             select event from in into c;\nselect event from c into out;\n";
        assert_eq!(run(counter, &[7], 0), ["out:{\"count\":1,\"event\":7}"]);
    }
}
