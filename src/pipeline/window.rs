//! Tumbling windows, as Tremor's: a count window closes after `size` events (each weighing
//! what its script returns, else 1) and includes the event that fills it; a time window
//! closes at the first event (or tick) `interval` ns after the event that opened it, and that
//! event belongs to the next window.

use crate::script::{Outcome, RunContext, Script};
use crate::troy::plan::{WindowKind, WindowPlan};
use tremor_value::Value;

/// What a window does on an event or a tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Actions {
    /// The event belongs to the window that is closing (or still open).
    pub(super) include: bool,
    /// The window closes.
    pub(super) emit: bool,
}

const BOTH: Actions = Actions {
    include: true,
    emit: true,
};
const NEITHER: Actions = Actions {
    include: false,
    emit: false,
};

/// One window of one group: where it stands.
#[derive(Clone)]
pub(super) struct Window {
    kind: WindowKind,
    scripted: bool,
    /// Count windows: the weight gathered so far.
    count: u64,
    /// Time windows: when the open window closes (`None`: no window is open).
    closes_at: Option<u64>,
    /// State windows: the script's `state`.
    state: Value<'static>,
}

/// The window definitions of a select, compiled once and shared by the windows of all its
/// groups (which get their script from here: a script is not shared across threads).
pub(super) struct WindowKinds(Vec<(WindowKind, Option<Script>, Value<'static>)>);

impl WindowKinds {
    /// Compiles the scripts of `plans` (they compiled at plan time; one failing here is
    /// logged and the window counts or times events without it).
    pub(super) fn new(plans: &[WindowPlan]) -> Self {
        let kinds = plans.iter().map(|p| {
            let script = p.script.as_ref().and_then(|s| {
                Script::compile(&s.source, &s.file, &s.args)
                    .map_err(|e| log::error!("window `{}`: {}", p.name, e.located()))
                    .ok()
            });
            (p.kind, script, p.state.clone())
        });
        Self(kinds.collect())
    }

    /// The script of the `i`th window, if it has one.
    pub(super) fn script(&self, i: usize) -> Option<&Script> {
        self.0.get(i).and_then(|(_, script, _)| script.as_ref())
    }

    /// Fresh windows, one per definition, in order.
    pub(super) fn fresh(&self) -> impl Iterator<Item = Window> + '_ {
        self.0.iter().map(|(kind, script, state)| Window {
            kind: *kind,
            scripted: script.is_some(),
            count: 0,
            closes_at: None,
            state: state.clone(),
        })
    }
}

impl Window {
    /// What an event with the value `event`, metadata `meta` and `ingest_ns` does.
    ///
    /// # Errors
    /// When the window's script fails or gives no unsigned integer (a state window: no
    /// boolean or `[emit, include]`).
    pub(super) fn on_event(
        &mut self,
        script: Option<&Script>,
        event: &Value<'_>,
        meta: &Value<'_>,
        ingest_ns: u64,
    ) -> Result<Actions, String> {
        match self.kind {
            WindowKind::Count(size) => {
                let weight = number(run(script, event, meta, None, ingest_ns)?)?.unwrap_or(1);
                let count = self.count.saturating_add(weight);
                if count >= size {
                    self.count = count - size;
                    Ok(BOTH)
                } else {
                    self.count = count;
                    Ok(NEITHER)
                }
            }
            WindowKind::Time(interval) => {
                let time = number(run(script, event, meta, None, ingest_ns)?)?;
                Ok(self.at(time.unwrap_or(ingest_ns), interval))
            }
            WindowKind::State => {
                let said = run(script, event, meta, Some(&mut self.state), ingest_ns)?;
                said.as_ref().map_or(
                    Err("State based window didn't provide a boolean return".to_string()),
                    actions_of,
                )
            }
        }
    }

    /// What time passing to `now_ns` does: only a time window without a script closes on it.
    pub(super) fn on_tick(&mut self, now_ns: u64) -> Actions {
        match self.kind {
            WindowKind::Time(interval) if !self.scripted => self.at(now_ns, interval),
            _ => NEITHER,
        }
    }

    fn at(&mut self, time: u64, interval: u64) -> Actions {
        match self.closes_at {
            None => {
                self.closes_at = Some(time.saturating_add(interval));
                NEITHER
            }
            Some(end) if end <= time => {
                self.closes_at = Some(time.saturating_add(interval));
                Actions {
                    include: false,
                    emit: true,
                }
            }
            Some(_) => NEITHER,
        }
    }
}

/// What the window's script returns for the event (`None`: the window has no script). It reads
/// `state` (a state window's) or a null one.
fn run(
    script: Option<&Script>,
    event: &Value<'_>,
    meta: &Value<'_>,
    state: Option<&mut Value<'static>>,
    ingest_ns: u64,
) -> Result<Option<Value<'static>>, String> {
    let Some(script) = script else {
        return Ok(None);
    };
    let (mut event, mut meta) = (event.clone_static(), meta.clone_static());
    let mut null = Value::null();
    let mut ctx = RunContext {
        event: &mut event,
        meta: &mut meta,
        state: state.unwrap_or(&mut null),
        ingest_ns,
        origin: None,
    };
    Ok(match script.run(&mut ctx).map_err(|e| e.to_string())? {
        Outcome::Emit { value, .. } => Some(value.clone_static()),
        Outcome::EmitEvent { .. } => Some(event),
        // Not a number nor a boolean: the callers refuse it as Tremor does a drop.
        Outcome::Drop => Some(Value::null()),
    })
}

/// A count or time window script's result: a weight or a time, when there is a script.
fn number(said: Option<Value<'static>>) -> Result<Option<u64>, String> {
    said.map(|v| {
        v.as_u64()
            .ok_or_else(|| "Data based window didn't provide a valid value".to_string())
    })
    .transpose()
}

/// A state window script's result: `true` / `false` (close and include, or neither), or
/// `[emit, include]`.
fn actions_of(said: &Value<'_>) -> Result<Actions, String> {
    if let Some(emit) = said.as_bool() {
        return Ok(if emit { BOTH } else { NEITHER });
    }
    let pair = said
        .as_array()
        .and_then(|a| a.iter().map(Value::as_bool).collect::<Option<Vec<bool>>>());
    match pair.as_deref() {
        Some([emit, include]) => Ok(Actions {
            include: *include,
            emit: *emit,
        }),
        Some(_) => Err(
            "An array as return value needs to be a two-element array of booleans \
                        with the form `[emit, include]`"
                .to_string(),
        ),
        None => Err(format!(
            "Window returned `{}` this can't be used as a window reply",
            tremor_value::to_json(said)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(kind: WindowKind) -> Window {
        Window {
            kind,
            scripted: false,
            count: 0,
            closes_at: None,
            state: Value::null(),
        }
    }

    /// Tremor's window unit tests: a count window of 3, a time window of 100 ns on events
    /// and ticks.
    #[test]
    fn count_and_time_windows() {
        let null = Value::null();
        let mut count = window(WindowKind::Count(3));
        let got: Vec<Actions> = (0..4)
            .map(|i| count.on_event(None, &null, &null, i).expect("no script"))
            .collect();
        assert_eq!(got, [NEITHER, NEITHER, BOTH, NEITHER]);
        assert_eq!(count.on_tick(1_000_000_000), NEITHER);
        let mut time = window(WindowKind::Time(100));
        let closes = Actions {
            include: false,
            emit: true,
        };
        assert_eq!(time.on_tick(0), NEITHER);
        assert_eq!(time.on_tick(99), NEITHER);
        assert_eq!(time.on_tick(100), closes);
        assert_eq!(time.on_event(None, &null, &null, 101), Ok(NEITHER));
        assert_eq!(time.on_tick(102), NEITHER);
        assert_eq!(time.on_tick(200), closes);
        let mut time = window(WindowKind::Time(100));
        assert_eq!(time.on_event(None, &null, &null, 500), Ok(NEITHER));
        assert_eq!(time.on_event(None, &null, &null, 600), Ok(closes));
    }
}
