//! Events and the buffers their values borrow from.

use abi_stable::std_types::RVec;
use std::sync::Arc;
use tremor_value::Value;

/// A value together with the buffer its strings borrow from.
///
/// JSON is parsed in place: the value points into `raw`. `raw`'s heap buffer never moves or
/// changes after parsing (it is private and only dropped), and `value` is declared first so it
/// is dropped first. `RVec` is the buffer type because that is what sources hand over: a
/// plugin's buffer is used as is, never copied.
pub struct EventPayload {
    // Borrows from `raw`; the 'static is a lie kept inside this type: every accessor shortens it
    // to the lifetime of `&self`.
    value: Value<'static>,
    #[allow(dead_code)] // owned for `value`'s sake
    raw: RVec<u8>,
}

impl EventPayload {
    /// Builds a payload by parsing `raw` in place with `parse`.
    pub fn try_new<E>(
        mut raw: RVec<u8>,
        parse: impl for<'a> FnOnce(&'a mut [u8]) -> Result<Value<'a>, E>,
    ) -> Result<Self, E> {
        // SAFETY: the slice points into the heap buffer of `raw`, which is moved into the
        // returned struct unchanged and outlives `value` (field order); nobody else can reach
        // `raw` afterwards.
        let slice: &'static mut [u8] = unsafe { std::mem::transmute(raw.as_mut_slice()) };
        let value = parse(slice)?;
        Ok(Self { value, raw })
    }

    /// A payload that borrows nothing.
    pub fn from_value(value: Value<'static>) -> Self {
        Self {
            value,
            raw: RVec::new(),
        }
    }

    /// The value.
    pub fn value(&self) -> &Value<'_> {
        &self.value
    }

    /// Runs `f` on the value, which it may change in place (a script's `let event... = ...`),
    /// without copying it. `f` must work for any lifetime of the value, so it can neither keep
    /// a borrow of the buffer past the call nor put into the value a borrow of anything that
    /// lives shorter than the buffer.
    pub fn with_value_mut<R>(&mut self, f: impl for<'a> FnOnce(&mut Value<'a>) -> R) -> R {
        f(&mut self.value)
    }

    /// A deep copy (owned strings) for fan-out to several destinations.
    pub fn deep_clone(&self) -> Self {
        Self::from_value(self.value.clone_static())
    }
}

impl std::fmt::Debug for EventPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value)
    }
}

/// A connector instance of the running deployment: its position among all connectors of the
/// plan, flow by flow in `create` order. One id names the instance everywhere (routes, acks,
/// the circuit breaker, drain reports) instead of an index here, a (flow, alias) pair there.
///
/// It lives here, beside [`Origin`] which carries it in every event, because this module
/// imports nothing of the runtime: every other module may use it without risking a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectorId(pub u32);

impl ConnectorId {
    /// The position in the plan's connector list (the index into per-connector tables).
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for ConnectorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where an event came from, for delivery reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The source connector.
    pub source: ConnectorId,
    /// The stream within that source.
    pub stream: u64,
    /// The pull that produced it.
    pub pull_id: u64,
}

/// One operator an event passed that wants to hear about its delivery (Tremor's `op_meta`
/// entry): the pipeline instance, the operator's node in it and the output port the event left
/// it by. Sinks send the delivery report of an event with such hops to the pipeline of the last
/// one (see `pipeline::contraflow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    /// The pipeline instance (its index in the deployment's topology).
    pub pipeline: u32,
    /// The operator's node index in that pipeline.
    pub node: u32,
    /// The output port the event left the operator by.
    pub port: &'static str,
}

/// An event's metadata `$`: JSON text as most sources give it (parsed only where something
/// reads it), or a value, for metadata that JSON cannot hold (binary, e.g. the kv connector's
/// `$kv.ok`) and what scripts write.
#[derive(Debug, Clone)]
pub enum Meta {
    /// A JSON record as text.
    Json(Arc<str>),
    /// A record as a value.
    Value(Arc<Value<'static>>),
}

impl Meta {
    /// The metadata as a value (a JSON text that does not parse is an empty record).
    pub fn to_value(&self) -> Value<'static> {
        match self {
            Self::Json(text) => {
                let mut bytes = text.as_bytes().to_vec();
                tremor_value::parse_json(&mut bytes)
                    .map_or_else(|_| Value::object(), |v| v.clone_static())
            }
            Self::Value(value) => Value::clone(value),
        }
    }

    /// Appends the metadata as JSON text (binary becomes an array of numbers) to `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Self::Json(text) => out.extend_from_slice(text.as_bytes()),
            Self::Value(value) => tremor_value::write_json(value, out),
        }
    }
}

impl From<String> for Meta {
    fn from(json: String) -> Self {
        Self::Json(json.into())
    }
}

impl From<Value<'static>> for Meta {
    fn from(value: Value<'static>) -> Self {
        Self::Value(Arc::new(value))
    }
}

/// An event travelling through the runtime.
#[derive(Debug)]
pub struct Event {
    /// Unique per source (runtime-generated events use their own counter).
    pub id: u64,
    /// When it entered the runtime, ns since the UNIX epoch.
    pub ingest_ns: u64,
    /// Its origin, when it came from a source.
    pub origin: Option<Origin>,
    /// Whether the source wants to hear about its delivery.
    pub transactional: bool,
    /// Metadata record `$`, shared by the events of one source batch.
    pub meta: Option<Meta>,
    /// The data.
    pub payload: EventPayload,
    /// The payload is an array of events' values (`generic::batch`): sinks encode each
    /// element as an event of its own (Tremor's `is_batch`).
    pub is_batch: bool,
    /// Operators that want this event's delivery report, in the order it passed them; empty
    /// (no allocation) for the events of pipelines without such operators.
    pub trail: Vec<Hop>,
}

impl Event {
    /// A copy for a second destination.
    pub fn deep_clone(&self) -> Self {
        let mut copy = self.with_payload(self.payload.deep_clone());
        copy.is_batch = self.is_batch;
        copy
    }

    /// The same event identity with a new payload (pipeline output), which is not a batch.
    pub fn with_payload(&self, payload: EventPayload) -> Self {
        Self {
            id: self.id,
            ingest_ns: self.ingest_ns,
            origin: self.origin,
            transactional: self.transactional,
            meta: self.meta.clone(),
            payload,
            is_batch: false,
            trail: self.trail.clone(),
        }
    }
}

/// Nanoseconds since the UNIX epoch.
pub fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_payload_borrows_its_buffer_and_survives_moves() {
        let raw: RVec<u8> = br#"{"a":"hello","b":[1,2]}"#.to_vec().into();
        let payload = EventPayload::try_new(raw, tremor_value::parse_json).expect("valid");
        let moved = [payload];
        let v = moved[0].value();
        assert_eq!(v.get("a").and_then(Value::as_str), Some("hello"));
        assert_eq!(tremor_value::to_json(v), r#"{"a":"hello","b":[1,2]}"#);
    }

    #[test]
    fn values_change_in_place_and_keep_borrowing_their_buffer() {
        let raw: RVec<u8> = br#"{"a":"hello"}"#.to_vec().into();
        let mut payload = EventPayload::try_new(raw, tremor_value::parse_json).expect("valid");
        payload.with_value_mut(|v| {
            let hello = v.get("a").cloned().unwrap_or_default();
            v.insert("b", hello).expect("a record");
        });
        assert_eq!(
            tremor_value::to_json(payload.value()),
            r#"{"a":"hello","b":"hello"}"#
        );
    }

    #[test]
    fn metadata_is_json_text_or_a_value_that_keeps_binary() {
        let text = Meta::from(r#"{"a":1}"#.to_string());
        assert_eq!(text.to_value(), tremor_value::literal!({"a": 1}));
        let broken = Meta::from("{nope".to_string());
        assert_eq!(broken.to_value(), Value::object());
        let binary =
            Meta::from(tremor_value::literal!({"ok": Value::bytes(&b"k"[..])}).into_static());
        assert_eq!(binary.to_value().get("ok"), Some(&Value::bytes(&b"k"[..])));
        // Sinks get JSON: binary as an array of numbers.
        let mut json = Vec::new();
        binary.write_json(&mut json);
        text.write_json(&mut json);
        assert_eq!(json, br#"{"ok":[107]}{"a":1}"#);
    }

    #[test]
    fn parse_errors_are_returned() {
        let raw: RVec<u8> = b"{nope".to_vec().into();
        assert!(EventPayload::try_new(raw, tremor_value::parse_json).is_err());
    }
}
