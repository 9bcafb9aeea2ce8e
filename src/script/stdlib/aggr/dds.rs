//! `aggr::stats::dds(value[, percentiles])`: count, sum, min, max, mean and percentiles of a
//! window's non-negative values through a DDSketch (relative-error quantiles), as in Tremor;
//! percentiles are rounded up to one decimal to read like `hdr`'s.

use super::aggregate::{same, Aggregate, Percentiles, CACHE_LIMIT};
use crate::script::stdlib::function::FnError;
use sketches_ddsketch::{Config, DDSketch};
use std::any::Any;
use std::fmt;
use tremor_value::Value;

#[derive(Clone, Default)]
pub(super) struct Dds {
    sketch: Option<DDSketch>,
    cache: Vec<f64>,
    percentiles: Percentiles,
}

impl fmt::Debug for Dds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dds")
            .field("cached", &self.cache.len())
            .field("sketched", &self.sketch.as_ref().map(DDSketch::count))
            .finish_non_exhaustive()
    }
}

/// Up to one decimal, rounding up.
fn ceil_tenth(v: f64) -> f64 {
    (v * 10.0).ceil() / 10.0
}

impl Dds {
    fn fresh(this: &Self) -> Self {
        Self {
            percentiles: this.percentiles.clone(),
            ..Self::default()
        }
    }

    /// The sketch of everything so far (built from the cache if there is none yet).
    fn sketch(&self) -> DDSketch {
        let mut s = self
            .sketch
            .clone()
            .unwrap_or_else(|| DDSketch::new(Config::defaults()));
        self.cache.iter().for_each(|v| s.add(*v));
        s
    }
}

impl Aggregate for Dds {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        self.percentiles.configure(args.get(1))?;
        match (args.first().and_then(|v| v.as_f64()), &mut self.sketch) {
            (Some(v), Some(sketch)) if v >= 0.0 => sketch.add(v),
            (Some(v), None) if v >= 0.0 => {
                self.cache.push(v);
                if self.cache.len() >= CACHE_LIMIT {
                    self.sketch = Some(self.sketch());
                    self.cache.clear();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn emit(&self) -> Result<Value<'static>, FnError> {
        let s = self.sketch();
        let count = s.count();
        let percentiles = self.percentiles.record(|p| {
            if count == 0 {
                return Ok(Value::from(0.0));
            }
            s.quantile(p)
                .ok()
                .flatten()
                .map(|q| Value::from(ceil_tenth(q)))
                .ok_or_else(|| FnError::runtime(format!("Unable to calculate percentile '{p}'")))
        })?;
        let (min, max, sum) = (
            s.min().unwrap_or_default(),
            s.max().unwrap_or_default(),
            s.sum().unwrap_or_default(),
        );
        #[allow(clippy::cast_precision_loss)]
        let mean = if count == 0 { 0.0 } else { sum / count as f64 };
        Ok([
            ("count", Value::from(count)),
            ("sum", Value::from(sum)),
            ("min", Value::from(min)),
            ("max", Value::from(max)),
            ("mean", Value::from(mean)),
            ("percentiles", percentiles),
        ]
        .into_iter()
        .collect())
    }

    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        let Some(other) = same::<Self>(later) else {
            return Ok(());
        };
        self.percentiles.adopt(&other.percentiles);
        let mut mine = self.sketch();
        mine.merge(&other.sketch())
            .map_err(|e| FnError::runtime(format!("failed to merge sketches: {e:?}")))?;
        self.sketch = Some(mine);
        self.cache.clear();
        Ok(())
    }

    aggregate_basics!(fresh);
}
