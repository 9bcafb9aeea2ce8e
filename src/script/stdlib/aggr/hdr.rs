//! `aggr::stats::hdr(value[, percentiles])`: count, min, max, mean, stdev, var and percentiles
//! of a window's non-negative values (as integers) through an HDR histogram (2 significant
//! digits, as in Tremor). Small windows keep their values until 8192 of them, so the
//! histogram's range fits the data.

use super::aggregate::{same, Aggregate, Percentiles, CACHE_LIMIT};
use crate::script::stdlib::function::FnError;
use hdrhistogram::Histogram;
use std::any::Any;
use tremor_value::Value;

#[derive(Debug, Clone, Default)]
pub(super) struct Hdr {
    histogram: Option<Histogram<u64>>,
    cache: Vec<u64>,
    high_bound: u64,
    percentiles: Percentiles,
}

fn failed(what: &str, e: impl std::fmt::Debug) -> FnError {
    FnError::runtime(format!("{what}: {e:?}"))
}

impl Hdr {
    fn fresh(this: &Self) -> Self {
        Self {
            percentiles: this.percentiles.clone(),
            ..Self::default()
        }
    }

    fn new_histogram(&self) -> Result<Histogram<u64>, FnError> {
        let mut h = Histogram::new_with_bounds(1, self.high_bound.max(4), 2)
            .map_err(|e| failed("failed to allocate hdr storage", e))?;
        h.auto(true);
        Ok(h)
    }

    /// The histogram of everything so far (built from the cache if there is none yet).
    fn histogram(&self) -> Result<Histogram<u64>, FnError> {
        let mut h = match &self.histogram {
            Some(h) => h.clone(),
            None => self.new_histogram()?,
        };
        for v in &self.cache {
            h.record(*v)
                .map_err(|e| failed("failed to record value", e))?;
        }
        Ok(h)
    }

    fn record(&mut self, v: u64) -> Result<(), FnError> {
        self.high_bound = self.high_bound.max(v);
        self.cache.push(v);
        if self.cache.len() >= CACHE_LIMIT || self.histogram.is_some() {
            let h = self.histogram()?;
            self.histogram = Some(h);
            self.cache.clear();
        }
        Ok(())
    }
}

impl Aggregate for Hdr {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        self.percentiles.configure(args.get(1))?;
        match args.first().and_then(|v| v.as_f64()) {
            // Like Tremor: negative values are left out, fractions cut off.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(v) if v >= 0.0 => self.record(v as u64),
            _ => Ok(()),
        }
    }

    fn emit(&self) -> Result<Value<'static>, FnError> {
        let h = self.histogram()?;
        let percentiles = self
            .percentiles
            .record(|p| Ok::<_, FnError>(Value::from(h.value_at_percentile(p * 100.0))))?;
        Ok([
            ("count", Value::from(h.len())),
            ("min", Value::from(h.min())),
            ("max", Value::from(h.max())),
            ("mean", Value::from(h.mean())),
            ("stdev", Value::from(h.stdev())),
            ("var", Value::from(h.stdev().powi(2))),
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
        self.high_bound = self.high_bound.max(other.high_bound);
        let mut mine = self.histogram()?;
        mine.add(other.histogram()?)
            .map_err(|e| failed("failed to merge histograms", e))?;
        self.histogram = Some(mine);
        self.cache.clear();
        Ok(())
    }

    aggregate_basics!(fresh);
}
