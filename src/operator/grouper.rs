//! `grouper::bucket`: a sliding-window rate limit per `$class` and `$dimensions`.
//!
//! Metadata read per event: `$class` (string, required), `$rate` (events per `$time_range`,
//! required when a dimension is first seen), `$dimensions` (any value, default null),
//! `$cardinality` (how many dimensions a class tracks at once, default 1000; the least recently
//! used one is forgotten first), `$time_range` (ms, default 1000) and `$windows` (slots of the
//! sliding window, default 100, at most 10 000). Events within the rate go to `out`, the others
//! to `overflow`; an event without `$class`, or a new dimension without `$rate`, goes to `err`
//! unchanged. The rate of a dimension is fixed when it is first seen, as in Tremor. Classes are
//! not bounded (Tremor's are not either): they come from scripts, not from raw data.

use super::interface::{Configured, Emitted, Operator, OperatorError, OVERFLOW};
use crate::event::Event;
use crate::ports::{ERR, OUT};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tremor_value::{literal, Value};

const DEFAULT_CARDINALITY: usize = 1000;
const DEFAULT_TIME_RANGE_MS: u64 = 1000;
const DEFAULT_WINDOWS: usize = 100;
/// `$windows` comes from event data; each slot costs 8 bytes per tracked dimension, so a runaway
/// value is capped rather than allowed to exhaust memory.
const MAX_WINDOWS: usize = 10_000;

/// Counts events in `slots.len()` consecutive slots of `slot_ns`; the sum over the slots up
/// to the current one may not exceed `max`.
struct SlidingWindow {
    slots: Vec<u64>,
    slot_ns: u64,
    /// The absolute number (`ingest_ns / slot_ns`) of the newest slot.
    newest: u64,
    total: u64,
    max: u64,
}

impl SlidingWindow {
    fn new(max: u64, time_range_ms: u64, windows: usize) -> Self {
        let windows = windows.clamp(1, MAX_WINDOWS);
        let slot_ns = (time_range_ms.saturating_mul(1_000_000) / windows as u64).max(1);
        Self {
            slots: vec![0; windows],
            slot_ns,
            newest: 0,
            total: 0,
            max,
        }
    }

    /// Counts an event at `ingest_ns` if it fits the rate; whether it did.
    fn admit(&mut self, ingest_ns: u64) -> bool {
        let slot = ingest_ns / self.slot_ns;
        let len = self.slots.len() as u64;
        if slot > self.newest {
            // Slots that slid out of the window are emptied; a jump longer than the window
            // empties all of them once.
            let first = self
                .newest
                .saturating_add(1)
                .max(slot.saturating_sub(len - 1));
            for expired in first..=slot {
                let index = (expired % len) as usize;
                self.total -= self.slots[index];
                self.slots[index] = 0;
            }
            self.newest = slot;
        }
        if self.total >= self.max {
            return false;
        }
        // Late events count in the newest slot.
        self.slots[(self.newest % len) as usize] += 1;
        self.total += 1;
        true
    }
}

/// The dimensions of one class, at most `cardinality` of them, least recently used first out.
struct Class {
    /// Keyed by the dimensions as sorted JSON; the key is shared with `by_use`.
    windows: HashMap<Arc<str>, (SlidingWindow, u64)>,
    /// Last use (a counter) to dimension, to find the least recently used one.
    by_use: BTreeMap<u64, Arc<str>>,
    uses: u64,
    cardinality: usize,
    passed: u64,
    overflowed: u64,
}

impl Class {
    fn new(cardinality: usize) -> Self {
        Self {
            windows: HashMap::new(),
            by_use: BTreeMap::new(),
            uses: 0,
            cardinality: if cardinality == 0 {
                DEFAULT_CARDINALITY
            } else {
                cardinality
            },
            passed: 0,
            overflowed: 0,
        }
    }

    /// The window of `dimensions`, made from `meta`'s rate when new; `None` when it is new and
    /// `meta` has no `$rate`.
    fn window(&mut self, dimensions: &str, meta: &Value<'_>) -> Option<&mut SlidingWindow> {
        self.uses += 1;
        let used = self.uses;
        // A known dimension (the common case) costs no allocation: the key is shared.
        let key = if let Some((key, (_, last_use))) = self.windows.get_key_value(dimensions) {
            let key = key.clone();
            self.by_use.remove(last_use);
            key
        } else {
            let rate = meta.get("rate")?.as_u64()?;
            let time_range = meta
                .get("time_range")
                .and_then(Value::as_u64)
                .unwrap_or(DEFAULT_TIME_RANGE_MS);
            let windows = meta
                .get("windows")
                .and_then(Value::as_usize)
                .unwrap_or(DEFAULT_WINDOWS);
            if self.windows.len() >= self.cardinality {
                if let Some((_, oldest)) = self.by_use.pop_first() {
                    self.windows.remove(&oldest);
                }
            }
            let window = SlidingWindow::new(rate, time_range, windows);
            let key: Arc<str> = Arc::from(dimensions);
            self.windows.insert(key.clone(), (window, used));
            key
        };
        self.by_use.insert(used, key.clone());
        let (window, last_use) = self.windows.get_mut(&key)?;
        *last_use = used;
        Some(window)
    }
}

/// The `grouper::bucket` operator.
#[derive(Default)]
pub struct Bucket {
    classes: HashMap<String, Class>,
    /// Reused per event: the metadata's JSON text (parsed in place), the parser's scratch
    /// space and the dimensions' key, so that an event of a known class and dimension costs
    /// no allocation beyond the parsed metadata record.
    meta_text: Vec<u8>,
    parser: tremor_value::JsonParser,
    key: Vec<u8>,
}

impl Configured for Bucket {
    fn configure(alias: &str, config: Option<&Value<'static>>) -> Result<Self, OperatorError> {
        match config {
            Some(_) => Err(OperatorError::ExtraConfig(alias.to_string())),
            None => Ok(Self::default()),
        }
    }
}

impl Bucket {
    fn port_for(&mut self, event: &Event) -> &'static str {
        // Metadata a script wrote is a value already: read it where it is.
        if let Some(crate::event::Meta::Value(meta)) = &event.meta {
            return classify(&mut self.classes, &mut self.key, meta, event.ingest_ns);
        }
        let mut text = std::mem::take(&mut self.meta_text);
        text.clear();
        if let Some(meta) = &event.meta {
            meta.write_json(&mut text);
        }
        let meta = self.parser.parse(&mut text).unwrap_or_default();
        let port = classify(&mut self.classes, &mut self.key, &meta, event.ingest_ns);
        drop(meta);
        self.meta_text = text;
        port
    }
}

/// The port for an event at `ingest_ns` with the metadata `meta`; `key` is scratch space for
/// the dimensions' key.
fn classify(
    classes: &mut HashMap<String, Class>,
    key: &mut Vec<u8>,
    meta: &Value<'_>,
    ingest_ns: u64,
) -> &'static str {
    let Some(class_name) = meta.get("class").and_then(Value::as_str) else {
        return ERR;
    };
    if !classes.contains_key(class_name) {
        let cardinality = meta.get("cardinality").and_then(Value::as_usize);
        let class = Class::new(cardinality.unwrap_or(DEFAULT_CARDINALITY));
        classes.insert(class_name.to_string(), class);
    }
    let Some(class) = classes.get_mut(class_name) else {
        return ERR;
    };
    key.clear();
    match meta.get("dimensions") {
        Some(d) => tremor_value::write_json_sorted(d, key),
        None => key.extend_from_slice(b"null"),
    }
    // Written as JSON by us: always UTF-8.
    let dimensions = std::str::from_utf8(key).unwrap_or("null");
    let Some(window) = class.window(dimensions, meta) else {
        return ERR;
    };
    if window.admit(ingest_ns) {
        class.passed += 1;
        OUT
    } else {
        class.overflowed += 1;
        OVERFLOW
    }
}

impl Operator for Bucket {
    fn on_event(&mut self, _port: &'static str, event: Event, out: &mut Emitted) {
        let port = self.port_for(&event);
        out.push((port, event));
    }

    /// Per class (sorted), the events passed and those sent to overflow so far: Tremor's
    /// `bucketing` measurement with the tags `class` and `action` (`pass` / `overflow`).
    fn metrics(&self, timestamp_ns: u64) -> Vec<Value<'static>> {
        let mut classes: Vec<_> = self.classes.iter().collect();
        classes.sort_unstable_by(|a, b| a.0.cmp(b.0));
        classes
            .into_iter()
            .flat_map(|(name, class)| {
                [("pass", class.passed), (OVERFLOW, class.overflowed)].map(|(action, count)| {
                    literal!({
                        "measurement": "bucketing",
                        "tags": {"action": action, "class": name.clone()},
                        "fields": {"count": count},
                        "timestamp": timestamp_ns,
                    })
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::test_support::{event, run};

    fn bucket() -> Bucket {
        Bucket::default()
    }

    /// An event's ingest_ns and metadata.
    type Arrival = (u64, Option<Value<'static>>);

    /// Runs `events` through one bucket; the ports they went to.
    fn ports_of(events: &[Arrival]) -> Vec<&'static str> {
        let mut op = bucket();
        events
            .iter()
            .enumerate()
            .flat_map(|(id, (ns, meta))| {
                run(
                    &mut op,
                    event(id as u64, *ns, literal!("snot"), meta.as_ref()),
                )
            })
            .map(|(port, _)| port)
            .collect()
    }

    #[test]
    fn rate_limits_per_class_and_dimension() {
        let test2 = || Some(literal!({"class": "test", "rate": 2}));
        let dim = |d: &'static str| Some(literal!({"class": "c", "rate": 1, "dimensions": [d]}));
        let cases: Vec<(&str, Vec<Arrival>, Vec<&str>)> = vec![
            // Tremor's unit test: no class is an error, rate 2 passes two per second, a later
            // second passes again.
            (
                "tremor",
                vec![
                    (1, None),
                    (1, test2()),
                    (1, test2()),
                    (1, test2()),
                    (10_000_000_002, test2()),
                ],
                vec![ERR, OUT, OUT, OVERFLOW, OUT],
            ),
            (
                "no rate",
                vec![(1, Some(literal!({"class": "c"})))],
                vec![ERR],
            ),
            (
                "dimensions are limited apart",
                vec![(1, dim("a")), (1, dim("b")), (1, dim("a")), (2, dim("b"))],
                vec![OUT, OUT, OVERFLOW, OVERFLOW],
            ),
            (
                "the window slides: half a second later half of it is still full",
                vec![
                    (0, test2()),
                    (600_000_000, test2()),
                    (1_100_000_000, test2()),
                    (1_200_000_000, test2()),
                ],
                vec![OUT, OUT, OUT, OVERFLOW],
            ),
        ];
        for (name, events, expected) in cases {
            assert_eq!(ports_of(&events), expected, "{name}");
        }
    }

    #[test]
    fn reports_passed_and_overflowed_events_per_class_as_tremor_does() {
        let mut op = bucket();
        let meta = literal!({"class": "test", "rate": 2});
        for ns in [1, 1, 1, 10_000_000_002] {
            run(&mut op, event(0, ns, literal!("snot"), Some(&meta)));
        }
        let records: Vec<_> = op
            .metrics(7)
            .iter()
            .map(tremor_value::to_json_sorted)
            .collect();
        assert_eq!(
            records,
            [
                r#"{"fields":{"count":3},"measurement":"bucketing","tags":{"action":"pass","class":"test"},"timestamp":7}"#,
                r#"{"fields":{"count":1},"measurement":"bucketing","tags":{"action":"overflow","class":"test"},"timestamp":7}"#,
            ]
        );
    }

    #[test]
    fn forgets_the_least_recently_used_dimension_beyond_cardinality() {
        let mut op = bucket();
        let meta = |d: u64| literal!({"class": "c", "rate": 1, "cardinality": 2, "dimensions": d});
        // 1 and 2 fill the class; using 1 again makes 2 the oldest, so 3 evicts 2 while 1
        // stays limited; 2 then starts afresh (evicting 3).
        let ports: Vec<_> = [1, 2, 1, 3, 1, 2]
            .into_iter()
            .flat_map(|d| run(&mut op, event(0, 5, literal!(null), Some(&meta(d)))))
            .map(|(port, _)| port)
            .collect();
        assert_eq!(ports, [OUT, OUT, OVERFLOW, OUT, OVERFLOW, OUT]);
        assert!(op.classes["c"].windows.len() <= 2);
    }

    #[test]
    fn takes_no_config() {
        let error = Bucket::configure("b", Some(&literal!({}))).err();
        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some("Operator b has a config but can't be configured")
        );
    }
}
