//! `qos::roundrobin`, `qos::backpressure` and `qos::percentile`: operators that react to the
//! delivery reports and circuit-breaker signals of the sinks behind them.

use super::config::With;
use super::interface::{
    CbAction, Configured, Contraflow, Emitted, Operator, OperatorError, OVERFLOW,
};
use crate::connectors::intern_port;
use crate::event::Event;
use crate::ports::OUT;
use tremor_value::Value;

/// `qos::roundrobin` with `outputs = [PORT, …]` (default `["out"]`): sends each event to the
/// next open output in turn; an output whose sink triggers its circuit breaker is skipped until
/// it restores. With every output closed events go to `overflow` and the trigger goes upstream
/// (and the restore once one reopens); other trigger/restore signals stop here.
pub struct RoundRobin {
    /// Output port and whether it is open.
    outputs: Vec<(&'static str, bool)>,
    next: usize,
    /// Whether the sources still need the first restore (Tremor sends one on its first signal).
    restore_sent: bool,
}

impl Configured for RoundRobin {
    fn configure(alias: &str, config: Option<&Value<'static>>) -> Result<Self, OperatorError> {
        let with = With::required(alias, config, &["outputs"])?;
        let outputs = with
            .list("outputs", "a sequence of strings", |v| {
                v.as_str().map(intern_port)
            })?
            .unwrap_or_else(|| vec![OUT]);
        if outputs.is_empty() {
            log::error!("No outputs supplied for round robin operators");
            return Err(OperatorError::MissingConfig(alias.to_string()));
        }
        Ok(Self::new(outputs))
    }
}

impl RoundRobin {
    fn new(outputs: Vec<&'static str>) -> Self {
        Self {
            outputs: outputs.into_iter().map(|port| (port, true)).collect(),
            next: 0,
            restore_sent: false,
        }
    }

    fn any_open(&self) -> bool {
        self.outputs.iter().any(|(_, open)| *open)
    }
}

impl Operator for RoundRobin {
    fn wants_reports(&self) -> bool {
        true
    }

    fn on_event(&mut self, _port: &'static str, event: Event, out: &mut Emitted) {
        let count = self.outputs.len();
        let open = (0..count)
            .map(|n| (self.next + n) % count)
            .find(|&i| self.outputs[i].1);
        match open {
            Some(i) => {
                self.next = i + 1;
                out.push((self.outputs[i].0, event));
            }
            None => out.push((OVERFLOW, event)),
        }
    }

    fn on_tick(&mut self, _now_ns: u64, _out: &mut Emitted) -> Option<CbAction> {
        if self.restore_sent || !self.any_open() {
            return None;
        }
        self.restore_sent = true;
        Some(CbAction::Restore)
    }

    fn on_contraflow(&mut self, signal: &mut Contraflow) {
        let were_open = self.any_open();
        let output = signal
            .port
            .and_then(|port| self.outputs.iter_mut().find(|(p, _)| *p == port));
        if let Some((_, open)) = output {
            match signal.action {
                CbAction::Trigger => *open = false,
                CbAction::Restore => *open = true,
                _ => {}
            }
        }
        let now_open = self.any_open();
        signal.action = match signal.action {
            _ if now_open && !were_open => CbAction::Restore,
            _ if were_open && !now_open => CbAction::Trigger,
            CbAction::Trigger | CbAction::Restore => CbAction::None,
            other => other,
        };
    }
}

/// How `qos::backpressure` holds events back while it backs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// Events go to `overflow`.
    Discard,
    /// Events pass, and the sources are asked to pause (circuit breaker) instead.
    Pause,
}

/// `qos::backpressure` with `timeout` (ns), `steps` (ms, default `[50, 100, 250, 500, 1000,
/// 5000, 10000]`) and `method` (`"discard"`, the default, or `"pause"`): each failed or slower
/// than `timeout` delivery moves the backoff one step up, an ack within it resets it; while
/// backing off only one event per backoff period passes (discard) or the sources are paused
/// until the backoff has passed (pause).
pub struct Backpressure {
    timeout_ns: u64,
    steps_ns: Vec<u64>,
    method: Method,
    backoff_ns: u64,
    /// No event passes before this time while backing off (discard).
    next_ns: u64,
}

const DEFAULT_STEPS_MS: [u64; 7] = [50, 100, 250, 500, 1000, 5000, 10000];

impl Configured for Backpressure {
    fn configure(alias: &str, config: Option<&Value<'static>>) -> Result<Self, OperatorError> {
        let with = With::required(alias, config, &["timeout", "steps", "method"])?;
        let timeout_ns = with.required_u64("timeout")?;
        let steps = with
            .list("steps", "a sequence of u64", Value::as_u64)?
            .unwrap_or_else(|| DEFAULT_STEPS_MS.to_vec());
        let method = match with.string("method")?.as_deref() {
            None | Some("discard") => Method::Discard,
            Some("pause") => Method::Pause,
            Some(other) => {
                return Err(OperatorError::InvalidConfig {
                    alias: alias.to_string(),
                    reason: format!("unknown variant `{other}`, expected `discard` or `pause`"),
                })
            }
        };
        Ok(Self::new(timeout_ns, &steps, method))
    }
}

impl Backpressure {
    fn new(timeout_ns: u64, steps_ms: &[u64], method: Method) -> Self {
        Self {
            timeout_ns,
            steps_ns: steps_ms
                .iter()
                .map(|ms| ms.saturating_mul(1_000_000))
                .collect(),
            method,
            backoff_ns: 0,
            next_ns: 0,
        }
    }

    /// The first step above the current backoff (the last step once at the top).
    fn step_up(&mut self, now_ns: u64) {
        let current = self.backoff_ns;
        self.backoff_ns = self
            .steps_ns
            .iter()
            .copied()
            .find(|&step| step > current)
            .or_else(|| self.steps_ns.last().copied())
            .unwrap_or(0);
        self.next_ns = now_ns.saturating_add(self.backoff_ns);
    }

    fn reset(&mut self) {
        self.backoff_ns = 0;
        self.next_ns = 0;
    }
}

impl Operator for Backpressure {
    fn wants_reports(&self) -> bool {
        true
    }

    fn on_event(&mut self, _port: &'static str, mut event: Event, out: &mut Emitted) {
        event.transactional = true;
        let port = if self.next_ns <= event.ingest_ns {
            self.next_ns = event.ingest_ns.saturating_add(self.backoff_ns);
            OUT
        } else if self.method == Method::Pause {
            OUT
        } else {
            OVERFLOW
        };
        out.push((port, event));
    }

    fn on_tick(&mut self, now_ns: u64, _out: &mut Emitted) -> Option<CbAction> {
        if self.backoff_ns == 0 || self.next_ns > now_ns {
            return None;
        }
        self.reset();
        (self.method == Method::Pause).then_some(CbAction::Restore)
    }

    fn on_contraflow(&mut self, signal: &mut Contraflow) {
        let was_backing_off = self.backoff_ns > 0;
        if signal.is_failure(self.timeout_ns) {
            self.step_up(signal.ingest_ns);
        } else if signal.action == CbAction::Ack {
            self.reset();
        }
        let backing_off = self.backoff_ns > 0;
        signal.action = match (self.method, was_backing_off, backing_off) {
            (Method::Pause, false, true) => CbAction::Trigger,
            (Method::Pause, true, false) => CbAction::Restore,
            _ if signal.action == CbAction::Trigger => CbAction::None,
            _ => signal.action,
        };
    }
}

/// `qos::percentile` with `timeout` (ns), `step_down` (default 0.05) and `step_up` (default
/// 0.001): lets a share of the events pass (all at first); each failed or slower than `timeout`
/// delivery lowers the share by `step_down`, each other report raises it by `step_up`. Which
/// events pass depends on their `ingest_ns` (`ingest_ns % 65535 / 65535` must not exceed the
/// share), as in Tremor, so it is deterministic.
pub struct Percentile {
    timeout_ns: u64,
    step_down: f64,
    step_up: f64,
    share: f64,
}

impl Configured for Percentile {
    fn configure(alias: &str, config: Option<&Value<'static>>) -> Result<Self, OperatorError> {
        let with = With::required(alias, config, &["timeout", "step_down", "step_up"])?;
        Ok(Self::new(
            with.required_u64("timeout")?,
            with.f64("step_down")?.unwrap_or(0.05),
            with.f64("step_up")?.unwrap_or(0.001),
        ))
    }
}

impl Percentile {
    fn new(timeout_ns: u64, step_down: f64, step_up: f64) -> Self {
        Self {
            timeout_ns,
            step_down,
            step_up,
            share: 1.0,
        }
    }
}

impl Operator for Percentile {
    fn wants_reports(&self) -> bool {
        true
    }

    fn on_event(&mut self, _port: &'static str, mut event: Event, out: &mut Emitted) {
        event.transactional = true;
        #[allow(clippy::cast_precision_loss)] // below 2^16, exact
        let draw = (event.ingest_ns % 0xFFFF) as f64 / f64::from(0xFFFF);
        let port = if draw > self.share { OVERFLOW } else { OUT };
        out.push((port, event));
    }

    fn on_contraflow(&mut self, signal: &mut Contraflow) {
        self.share = if signal.is_failure(self.timeout_ns) {
            (self.share - self.step_down).max(0.0)
        } else {
            (self.share + self.step_up).min(1.0)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::test_support::{
        steps as emitted,
        Step::{self, Back, Event as Ev, Tick},
        UPSTREAM,
    };
    use tremor_value::literal;

    /// A report at `ingest_ns` with `action`, delivery time `time_ns`, for output `port`.
    fn back(
        action: CbAction,
        ingest_ns: u64,
        time_ns: Option<u64>,
        port: Option<&'static str>,
    ) -> Step {
        let mut signal = Contraflow::new(action, ingest_ns);
        signal.time_ns = time_ns;
        signal.port = port;
        Back(signal)
    }

    /// The ports each step emitted on (upstream actions as `upstream:ACTION`).
    fn ports(operator: &mut dyn Operator, steps: Vec<Step>) -> Vec<String> {
        emitted(operator, steps)
            .into_iter()
            .map(|step| {
                step.into_iter()
                    .map(|(port, what)| match port {
                        UPSTREAM => format!("{UPSTREAM}:{what}"),
                        _ => port.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    }

    /// A test case: its name, the operator, the steps and the ports each step emits on.
    type Case = (
        &'static str,
        Box<dyn Operator>,
        Vec<Step>,
        Vec<&'static str>,
    );

    fn ev(ns: u64) -> Step {
        Ev(ns, literal!("snot"))
    }

    #[test]
    fn operators_follow_tremors_unit_tests() {
        let slow = |ns| back(CbAction::Ack, ns, Some(200_000_000), None);
        let cases: Vec<Case> = vec![
            (
                "backpressure passes without errors",
                Box::new(Backpressure::new(
                    100_000_000,
                    &[1, 10, 100],
                    Method::Discard,
                )),
                vec![ev(1), ev(2)],
                vec!["out", "out"],
            ),
            (
                "backpressure discards while backing off",
                Box::new(Backpressure::new(
                    100_000_000,
                    &[1, 10, 100],
                    Method::Discard,
                )),
                vec![
                    ev(1_000_000),
                    slow(1_000_000),
                    ev(1_999_999),
                    ev(2_000_000),
                    ev(2_000_001),
                ],
                vec!["out", "upstream:Ack", "overflow", "out", "overflow"],
            ),
            (
                "backpressure pauses the sources",
                Box::new(Backpressure::new(100_000_000, &[1, 10, 100], Method::Pause)),
                vec![
                    ev(1_000_000),
                    slow(1_000_000),
                    ev(1_999_999),
                    ev(2_000_000),
                    Tick(3_000_001),
                ],
                vec!["out", "upstream:Trigger", "out", "out", "upstream:Restore"],
            ),
            (
                "backpressure in discard swallows triggers",
                Box::new(Backpressure::new(100, &[1], Method::Discard)),
                vec![back(CbAction::Trigger, 1, None, None), Tick(2_000_000)],
                vec!["", ""],
            ),
            (
                "roundrobin skips a triggered output until it restores",
                Box::new(RoundRobin::new(vec!["out", "out2"])),
                vec![
                    ev(1_000_000),
                    ev(1_000_001),
                    back(CbAction::Trigger, 1_000_000, None, Some("out")),
                    ev(1_999_999),
                    ev(2_000_000),
                    back(CbAction::Restore, 1_000_000, None, Some("out")),
                    ev(2_000_001),
                ],
                vec!["out", "out2", "", "out2", "out2", "", "out"],
            ),
            (
                "roundrobin triggers upstream when all outputs are closed",
                Box::new(RoundRobin::new(vec!["a"])),
                vec![
                    Tick(1),
                    Tick(2),
                    back(CbAction::Trigger, 3, None, Some("a")),
                    ev(4),
                    back(CbAction::Ack, 5, None, Some("a")),
                    back(CbAction::Restore, 6, None, Some("a")),
                    ev(7),
                ],
                vec![
                    "upstream:Restore",
                    "",
                    "upstream:Trigger",
                    "overflow",
                    "upstream:Ack",
                    "upstream:Restore",
                    "a",
                ],
            ),
        ];
        for (name, mut op, steps, expected) in cases {
            assert_eq!(ports(op.as_mut(), steps), expected, "{name}");
        }
    }

    #[test]
    fn backpressure_walks_up_its_steps_and_resets_on_a_timely_ack() {
        let mut op = Backpressure::new(100_000_000, &[1, 10, 100], Method::Discard);
        let mut backoffs = Vec::new();
        for time in [
            200_000_000,
            200_000_000,
            200_000_000,
            200_000_000,
            99_000_000,
        ] {
            let mut signal = Contraflow::new(CbAction::Ack, 2);
            signal.time_ns = Some(time);
            op.on_contraflow(&mut signal);
            backoffs.push(op.backoff_ns);
        }
        assert_eq!(
            backoffs,
            [1_000_000, 10_000_000, 100_000_000, 100_000_000, 0]
        );
    }

    #[test]
    fn percentile_drops_a_share_that_grows_with_failures() {
        let mut op = Percentile::new(100_000_000, 0.25, 0.1);
        let mut shares = Vec::new();
        for action in [CbAction::Ack, CbAction::Fail, CbAction::Fail] {
            op.on_contraflow(&mut Contraflow::new(action, 2));
            shares.push(op.share);
        }
        assert_eq!(shares, [1.0, 0.75, 0.5]);
        // Tremor's choice: at a share of 0.5 this ingest time is dropped.
        assert_eq!(ports(&mut op, vec![ev(2_000_001)]), ["overflow"]);
        op.on_contraflow(&mut Contraflow::new(CbAction::Ack, 3));
        assert!((op.share - 0.6).abs() < 1e-9);

        let mut timed = Percentile::new(100_000_000, 0.05, 0.001);
        let mut slow = Contraflow::new(CbAction::Ack, 1);
        slow.time_ns = Some(200_000_000);
        timed.on_contraflow(&mut slow);
        timed.on_contraflow(&mut Contraflow::new(CbAction::Ack, 2));
        assert!((timed.share - 0.951).abs() < 1e-9);
    }

    #[test]
    fn config_errors() {
        let cases = [
            (
                Backpressure::configure("b", Some(&literal!({"timeout": 1, "method": "x"}))).err(),
                "unknown variant `x`, expected `discard` or `pause`",
            ),
            (
                Backpressure::configure("b", None).err(),
                "Operator config for b is missing",
            ),
            (
                Percentile::configure("p", Some(&literal!({"step_up": 0.1}))).err(),
                "missing field `timeout`",
            ),
            (
                RoundRobin::configure("r", Some(&literal!({"outputs": []}))).err(),
                "Operator config for r is missing",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.map(|e| e.to_string()).as_deref(), Some(message));
        }
    }
}
