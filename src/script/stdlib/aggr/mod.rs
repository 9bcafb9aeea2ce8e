//! Aggregate functions (`aggr::stats::*`, `aggr::win::*`) for `select … from WINDOW`: each
//! keeps running state per window and group, is fed one event at a time and emits a result when
//! the window closes.

use std::fmt::Debug;

/// One aggregate function of the library.
#[derive(Debug)]
pub struct AggrFunction {
    /// The full path (`aggr::stats::count`).
    pub name: &'static str,
    /// The fewest arguments it takes.
    pub min_arity: usize,
    /// The most arguments it takes.
    pub max_arity: usize,
    /// A fresh, empty state.
    pub new: fn() -> Box<dyn Aggregate>,
}

impl AggrFunction {
    /// The name in Tremor's errors: the path without `aggr::` (`stats::count`).
    #[must_use]
    pub fn tremor_name(&self) -> &'static str {
        self.name.strip_prefix("aggr::").unwrap_or(self.name)
    }
}

const fn entry(
    name: &'static str,
    min_arity: usize,
    max_arity: usize,
    new: fn() -> Box<dyn Aggregate>,
) -> AggrFunction {
    AggrFunction {
        name,
        min_arity,
        max_arity,
        new,
    }
}

const AGGREGATES: &[AggrFunction] = &[
    entry("aggr::stats::count", 0, 0, || Box::<Count>::default()),
    entry("aggr::stats::sum", 1, 1, || Box::<Sum>::default()),
    entry("aggr::stats::mean", 1, 1, || Box::<Mean>::default()),
    entry("aggr::stats::min", 1, 1, || Box::new(Extreme::min())),
    entry("aggr::stats::max", 1, 1, || Box::new(Extreme::max())),
    entry("aggr::stats::var", 1, 1, || Box::<Var>::default()),
    entry("aggr::stats::stdev", 1, 1, || Box::<Stdev>::default()),
    entry("aggr::stats::hdr", 1, 2, || Box::<Hdr>::default()),
    entry("aggr::stats::dds", 1, 2, || Box::<Dds>::default()),
    entry("aggr::win::first", 1, 1, || Box::new(Pick::first())),
    entry("aggr::win::last", 1, 1, || Box::new(Pick::last())),
    entry("aggr::win::collect_flattened", 1, 1, || {
        Box::new(Collect::flattened())
    }),
    entry("aggr::win::collect_nested", 1, 1, || {
        Box::new(Collect::nested())
    }),
];

/// The aggregate function at `path` (`aggr::stats::count`), if the library has one.
#[must_use]
pub fn lookup_aggr(path: &str) -> Option<&'static AggrFunction> {
    AGGREGATES.iter().find(|a| a.name == path)
}

/// Implements the bookkeeping part of [`Aggregate`]: `init` starts over from `Default`, or from
/// `Self::fresh(self)` for states that keep their flavour (min or max, first or last, …).
macro_rules! aggregate_basics {
    ($($fresh:ident)?) => {
        fn init(&mut self) {
            *self = aggregate_basics!(@start self $($fresh)?);
        }
        fn as_any(&self) -> &dyn Any {
            self
        }
    };
    (@start $this:ident) => {
        Self::default()
    };
    (@start $this:ident fresh) => {
        Self::fresh($this)
    };
}

mod aggregate;
mod dds;
mod hdr;
mod stats;
mod win;

pub use aggregate::Aggregate;
use dds::Dds;
use hdr::Hdr;
use stats::{Count, Extreme, Mean, Stdev, Sum, Var};
use win::{Collect, Pick};

#[cfg(test)]
mod tests {
    use super::lookup_aggr;
    use tremor_value::{to_json, Value};

    /// Feeds `first` into one state and `second` into another, merges them; returns the JSON of
    /// the first window's result and of the merged result.
    fn run(path: &str, first: &[i64], second: &[i64]) -> (String, String) {
        let f = lookup_aggr(path).unwrap_or_else(|| panic!("{path}"));
        let (mut a, mut b) = ((f.new)(), (f.new)());
        for (state, values) in [(&mut a, first), (&mut b, second)] {
            for v in values {
                state
                    .accumulate(&[&Value::from(*v)])
                    .expect("numbers are accepted");
            }
        }
        let alone = to_json(&a.emit().expect("emit"));
        a.merge(b.as_ref()).expect("merge");
        (alone, to_json(&a.emit().expect("emit")))
    }

    #[test]
    fn windows_and_merges() {
        let cases = [
            ("aggr::stats::count", "3", "5"),
            ("aggr::stats::sum", "6.0", "10.0"),
            ("aggr::stats::mean", "2.0", "2.0"),
            ("aggr::stats::min", "1.0", "0.0"),
            ("aggr::stats::max", "3.0", "4.0"),
            ("aggr::stats::var", "1.0", "2.5"),
            ("aggr::win::first", "1", "1"),
            ("aggr::win::last", "3", "0"),
            ("aggr::win::collect_flattened", "[1,2,3]", "[1,2,3,4,0]"),
            ("aggr::win::collect_nested", "[1,2,3]", "[1,2,3,[4,0]]"),
        ];
        for (path, alone, merged) in cases {
            let got = run(path, &[1, 2, 3], &[4, 0]);
            assert_eq!(got, (alone.to_string(), merged.to_string()), "{path}");
        }
        let (stdev, _) = run("aggr::stats::stdev", &[2, 4, 4, 4, 5, 5, 7, 9], &[]);
        assert!(stdev.starts_with("2.138"), "{stdev}");
    }

    /// Tremor's own hdr and dds examples: 1..=100 with six percentiles, alone and merged into
    /// an empty state.
    #[test]
    fn percentile_sketches() {
        let cases = [
            (
                "aggr::stats::hdr",
                r#"{"count":100,"max":100,"mean":50.5,"min":1,"percentiles":{"0.5":50,"0.9":90,"0.95":95,"0.99":99,"0.999":100,"0.9999":100},"stdev":28.86607004772212,"var":833.25}"#,
            ),
            (
                "aggr::stats::dds",
                r#"{"count":100,"max":100.0,"mean":50.5,"min":1.0,"percentiles":{"0.5":50.0,"0.9":89.2,"0.95":94.7,"0.99":98.6,"0.999":98.6,"0.9999":98.6},"sum":5050.0}"#,
            ),
        ];
        let mut bytes = br#"["0.5", "0.9", "0.95", "0.99", "0.999", "0.9999"]"#.to_vec();
        let percentiles = tremor_value::parse_json(&mut bytes).expect("json");
        let bad = Value::from(vec![Value::from("snot")]);
        for (path, want) in cases {
            let f = lookup_aggr(path).expect(path);
            assert!(
                (f.new)().accumulate(&[&Value::from(0), &bad]).is_err(),
                "{path}"
            );
            let mut a = (f.new)();
            for i in 1..=100 {
                a.accumulate(&[&Value::from(i), &percentiles])
                    .expect("number");
            }
            let got = tremor_value::to_json_sorted(&a.emit().expect("emit"));
            assert_eq!(got, want, "{path}");
            let mut b = (f.new)();
            b.merge(a.as_ref()).expect("merge");
            let merged = tremor_value::to_json_sorted(&b.emit().expect("emit"));
            assert_eq!(merged, want, "{path} merged");
        }
    }

    #[test]
    fn empty_windows_and_bad_types() {
        let empty = |p: &str| {
            to_json(
                &(lookup_aggr(p).expect("exists").new)()
                    .emit()
                    .expect("emit"),
            )
        };
        assert_eq!(empty("aggr::stats::mean"), "null");
        assert_eq!(empty("aggr::stats::min"), "0.0");
        assert_eq!(empty("aggr::win::first"), "null");
        let mut sum = (lookup_aggr("aggr::stats::sum").expect("sum").new)();
        assert!(sum.accumulate(&[&Value::from("x")]).is_err());
        sum.accumulate(&[&Value::from(2)]).expect("number");
        sum.init();
        assert_eq!(to_json(&sum.emit().expect("emit")), "0.0");
    }
}
