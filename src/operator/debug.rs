//! `debug::history`: a trace of the operators an event passed, in its metadata.

use super::config::With;
use super::interface::{with_meta, Configured, Emitted, Operator, OperatorError};
use crate::event::Event;
use crate::ports::OUT;
use tremor_value::Value;

/// `debug::history` with `op` (this checkpoint's name) and `name` (the metadata field): appends
/// `"evt: OP(ID)"` to the array `$NAME`, creating it when absent, and passes the event on. `ID`
/// is Tremor's event id, `SOURCE:STREAM:EVENT:PULL`.
pub struct History {
    op: String,
    name: String,
}

impl Configured for History {
    fn configure(alias: &str, config: Option<&Value<'static>>) -> Result<Self, OperatorError> {
        let with = With::required(alias, config, &["op", "name"])?;
        Ok(Self {
            op: with.required_string("op")?,
            name: with.required_string("name")?,
        })
    }
}

/// Tremor's display of an event id: `SOURCE:STREAM:EVENT:PULL`.
fn event_id(event: &Event) -> String {
    let (source, stream, pull) = event
        .origin
        .map_or((0, 0, 0), |o| (o.source.0, o.stream, o.pull_id));
    format!("{source}:{stream}:{}:{pull}", event.id)
}

impl Operator for History {
    fn on_event(&mut self, _port: &'static str, mut event: Event, out: &mut Emitted) {
        let entry = format!("evt: {}({})", self.op, event_id(&event));
        let meta = with_meta(&event, |meta| {
            if meta.is_null() {
                *meta = Value::object();
            }
            match meta.get_mut(&self.name) {
                Some(Value::Array(history)) => history.push(Value::from(entry)),
                // A non-array field stays as it is, as in Tremor.
                Some(_) => {}
                None => {
                    let history = Value::Array(vec![Value::from(entry)]);
                    let _not_a_record = meta.insert(self.name.clone(), history);
                }
            }
            tremor_value::to_json(meta)
        });
        event.meta = Some(meta.into());
        out.push((OUT, event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::test_support::event;
    use tremor_value::literal;

    #[test]
    fn appends_to_the_history_in_the_metadata() {
        let config = literal!({"op": "green", "name": "snot"});
        let mut op = History::configure("h", Some(&config)).expect("valid config");
        let cases = [
            (None, r#"{"snot":["evt: green(0:0:1:0)"]}"#),
            (
                Some(literal!({"snot": ["evt: red(0:0:1:0)"], "x": 1})),
                r#"{"snot":["evt: red(0:0:1:0)","evt: green(0:0:1:0)"],"x":1}"#,
            ),
            (Some(literal!({"snot": 3})), r#"{"snot":3}"#),
        ];
        for (meta, expected) in cases {
            let mut out = Emitted::new();
            op.on_event(OUT, event(1, 1, literal!("x"), meta.as_ref()), &mut out);
            let (port, e) = out.pop().expect("one event");
            assert_eq!(port, OUT);
            assert_eq!(with_meta(&e, |m| tremor_value::to_json_sorted(m)), expected);
        }
    }

    #[test]
    fn needs_op_and_name() {
        let error = History::configure("h", Some(&literal!({"op": "x"}))).err();
        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some("missing field `name`")
        );
    }
}
