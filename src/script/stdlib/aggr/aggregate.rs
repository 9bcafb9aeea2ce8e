//! What every aggregate function's state implements, and the helpers the functions share
//! (a leaf module, so the functions and the table in `aggr` do not import each other).

use super::super::function::FnError;
use std::any::Any;
use std::fmt::Debug;
use tremor_value::Value;

/// The running state of one aggregate function for one window and group.
pub trait Aggregate: Debug + Send {
    /// Adds one event's arguments.
    ///
    /// # Errors
    /// Tremor's bad-type error when an argument is not what the function takes.
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError>;
    /// The result so far.
    ///
    /// # Errors
    /// When the state cannot be turned into a result.
    fn emit(&self) -> Result<Value<'static>, FnError>;
    /// Back to the empty state (a new window).
    fn init(&mut self);
    /// Folds in the state of a later window of the same function (tilt frames).
    ///
    /// # Errors
    /// When the two states cannot be combined.
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError>;
    /// For `merge`: the concrete state behind the trait object.
    fn as_any(&self) -> &dyn Any;
}

/// The first argument as a number.
pub(crate) fn number(args: &[&Value<'_>]) -> Result<f64, FnError> {
    args.first()
        .and_then(|v| v.as_f64())
        .ok_or_else(FnError::bad_type)
}

/// The same concrete state behind `later`, or nothing to merge.
pub(crate) fn same<T: 'static>(later: &dyn Aggregate) -> Option<&T> {
    later.as_any().downcast_ref::<T>()
}

/// The percentiles `hdr` and `dds` report: Tremor's defaults, or the strings given as the
/// second argument of the first event (fixed from then on).
#[derive(Debug, Clone)]
pub(crate) struct Percentiles {
    list: Vec<(String, f64)>,
    set: bool,
}

/// Values `hdr` and `dds` keep before building their histogram or sketch.
pub(crate) const CACHE_LIMIT: usize = 8192;

impl Default for Percentiles {
    fn default() -> Self {
        let defaults = ["0.5", "0.9", "0.95", "0.99", "0.999", "0.9999", "0.99999"];
        Self {
            list: defaults
                .iter()
                .map(|p| ((*p).to_string(), p.parse().unwrap_or_default()))
                .collect(),
            set: false,
        }
    }
}

impl Percentiles {
    /// Takes the list from the first event's second argument, if it has one.
    pub(crate) fn configure(&mut self, given: Option<&&Value<'_>>) -> Result<(), FnError> {
        if self.set {
            return Ok(());
        }
        if let Some(given) = given.and_then(|v| v.as_array()) {
            self.list = given
                .iter()
                .filter_map(Value::as_str)
                .map(|s| {
                    s.parse::<f64>().map(|p| (s.to_string(), p)).map_err(|e| {
                        FnError::runtime(format!("Provided percentile '{s}' isn't a float: {e}"))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        self.set = true;
        Ok(())
    }

    /// A merge keeps the earlier window's list, or takes the later one's.
    pub(crate) fn adopt(&mut self, later: &Self) {
        if !self.set {
            self.clone_from(later);
        }
    }

    /// `{name: f(fraction)}` for each percentile.
    pub(crate) fn record<E>(
        &self,
        mut f: impl FnMut(f64) -> Result<Value<'static>, E>,
    ) -> Result<Value<'static>, E> {
        let mut out = tremor_value::Object::with_capacity(self.list.len());
        for (name, p) in &self.list {
            out.insert(name.clone().into(), f(*p)?);
        }
        Ok(Value::from(out))
    }
}
