//! The operator interface (see the module docs of [`crate::operator`] for how to drive it).

use crate::event::Event;
use std::fmt;
use tremor_value::Value;

/// The port events go to that an operator does not let pass (rate limit, backpressure).
pub const OVERFLOW: &str = "overflow";

/// What an operator emits: `(output port, event)` in emission order.
pub type Emitted = Vec<(&'static str, Event)>;

/// A circuit-breaker or delivery signal travelling against the flow of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CbAction {
    /// Nothing (an operator consumed the signal).
    None,
    /// The event was delivered.
    Ack,
    /// The event could not be delivered.
    Fail,
    /// A downstream sink cannot take events: stop sending.
    Trigger,
    /// A downstream sink can take events again.
    Restore,
}

/// A delivery report or circuit-breaker change coming back from a sink.
#[derive(Debug, Clone, PartialEq)]
pub struct Contraflow {
    /// What happened; operators may rewrite it for the operators and sources upstream.
    pub action: CbAction,
    /// When the report was made, ns since the UNIX epoch.
    pub ingest_ns: u64,
    /// How long the delivery took, in ns, when the sink measured it (Tremor's `$time`).
    pub time_ns: Option<u64>,
    /// Whether the report carries an error (Tremor's `$error`).
    pub error: bool,
    /// The output port of the receiving operator the reported event left by; `None` for a
    /// circuit-breaker change not tied to one event path.
    pub port: Option<&'static str>,
}

impl Contraflow {
    /// A report of `action` at `ingest_ns` without timing, error or port.
    #[must_use]
    pub fn new(action: CbAction, ingest_ns: u64) -> Self {
        Self {
            action,
            ingest_ns,
            time_ns: None,
            error: false,
            port: None,
        }
    }

    /// Whether this report counts as a failure for a qos operator with `timeout_ns`: an error,
    /// a failed delivery, a trigger, or a delivery slower than the timeout (Tremor's rule).
    #[must_use]
    pub fn is_failure(&self, timeout_ns: u64) -> bool {
        self.error
            || matches!(self.action, CbAction::Fail | CbAction::Trigger)
            || self.time_ns.is_some_and(|t| t > timeout_ns)
    }
}

/// One operator instance of a pipeline. Instances are independent: each keeps its own state.
pub trait Operator: Send {
    /// Takes `event`, sent to the input `port`, and pushes what it emits onto `out`.
    fn on_event(&mut self, port: &'static str, event: Event, out: &mut Emitted);

    /// Time has passed (`now_ns`, ns since the UNIX epoch) without an event; may emit (e.g. a
    /// timed-out batch) and may return a circuit-breaker action for the sources.
    fn on_tick(&mut self, _now_ns: u64, _out: &mut Emitted) -> Option<CbAction> {
        None
    }

    /// Whether it wants the delivery reports of the events it emits ([`Self::on_contraflow`]):
    /// only then does the pipeline track the events that pass it (Tremor's `op_meta`), so
    /// pipelines without such operators pay nothing per event.
    fn wants_reports(&self) -> bool {
        false
    }

    /// A delivery report or circuit-breaker change for an event this operator passed on; may
    /// rewrite `signal.action` for those upstream. Called only when [`Self::wants_reports`].
    fn on_contraflow(&mut self, _signal: &mut Contraflow) {}

    /// The operator's own metrics records at `timestamp_ns`, in Tremor's shape
    /// (`{"measurement", "tags", "fields", "timestamp"}`); the caller adds the `pipeline`,
    /// `node`, `port` and `direction` tags. Most operators have none.
    fn metrics(&self, _timestamp_ns: u64) -> Vec<Value<'static>> {
        Vec::new()
    }
}

/// An operator made from its `with` config; the registry boxes it.
pub trait Configured: Operator + Sized + 'static {
    /// Builds the operator known as `alias` in its pipeline from its `with` record (`None`
    /// when the definition has none).
    ///
    /// # Errors
    /// A config the operator does not accept, in Tremor's words.
    fn configure(alias: &str, config: Option<&Value<'static>>) -> Result<Self, OperatorError>;
}

/// Why an operator cannot be built, in Tremor's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorError {
    /// No operator of this `MODULE::TYPE`.
    Unknown(String),
    /// The operator needs a `with` config and has none (or an unusable one).
    MissingConfig(String),
    /// The operator takes no config and was given one.
    ExtraConfig(String),
    /// The config does not fit: what is wrong, in serde's wording as Tremor reports it (the
    /// message names no operator; the caller adds the position of the definition).
    InvalidConfig {
        /// The operator's name in the pipeline.
        alias: String,
        /// E.g. ``missing field `count` ``.
        reason: String,
    },
}

impl fmt::Display for OperatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(kind) => write!(f, "Unknown operator: {kind}"),
            Self::MissingConfig(alias) => write!(f, "Operator config for {alias} is missing"),
            Self::ExtraConfig(alias) => {
                write!(f, "Operator {alias} has a config but can't be configured")
            }
            Self::InvalidConfig { reason, .. } => f.write_str(reason),
        }
    }
}

impl std::error::Error for OperatorError {}

/// Runs `inspect` on the metadata `$` of `event`, parsed in place from a copy of its JSON text
/// (null when it has none or it is not JSON), without copying its strings again.
pub(super) fn with_meta<R>(event: &Event, inspect: impl FnOnce(&mut Value<'_>) -> R) -> R {
    let mut bytes = Vec::new();
    if let Some(meta) = &event.meta {
        meta.write_json(&mut bytes);
    }
    let mut meta = tremor_value::parse_json(&mut bytes).unwrap_or_default();
    inspect(&mut meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_for_qos_operators_follow_tremors_rule() {
        let timeout = 100;
        let mut slow = Contraflow::new(CbAction::Ack, 0);
        slow.time_ns = Some(101);
        let mut errored = Contraflow::new(CbAction::Ack, 0);
        errored.error = true;
        let cases = [
            (Contraflow::new(CbAction::Ack, 0), false),
            (Contraflow::new(CbAction::Restore, 0), false),
            (Contraflow::new(CbAction::Fail, 0), true),
            (Contraflow::new(CbAction::Trigger, 0), true),
            (slow, true),
            (errored, true),
        ];
        for (signal, failure) in cases {
            assert_eq!(signal.is_failure(timeout), failure, "{signal:?}");
        }
    }
}
