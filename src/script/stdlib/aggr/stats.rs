//! `aggr::stats`: count, sum, mean, min, max, variance and standard deviation of a window.

use super::aggregate::{number, same, Aggregate};
use crate::script::stdlib::function::FnError;
use std::any::Any;
use tremor_value::Value;

#[derive(Debug, Default)]
pub(super) struct Count(i64);

impl Aggregate for Count {
    fn accumulate(&mut self, _: &[&Value<'_>]) -> Result<(), FnError> {
        self.0 += 1;
        Ok(())
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        Ok(Value::from(self.0))
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        self.0 += same::<Self>(later).map_or(0, |o| o.0);
        Ok(())
    }
    aggregate_basics!();
}

#[derive(Debug, Default)]
pub(super) struct Sum(f64);

impl Aggregate for Sum {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        self.0 += number(args)?;
        Ok(())
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        Ok(Value::from(self.0))
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        self.0 += same::<Self>(later).map_or(0.0, |o| o.0);
        Ok(())
    }
    aggregate_basics!();
}

/// `null` for an empty window.
#[derive(Debug, Default)]
pub(super) struct Mean {
    n: u64,
    sum: f64,
}

impl Aggregate for Mean {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        self.sum += number(args)?;
        self.n += 1;
        Ok(())
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        #[allow(clippy::cast_precision_loss)]
        Ok(if self.n == 0 {
            Value::null()
        } else {
            Value::from(self.sum / self.n as f64)
        })
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        if let Some(o) = same::<Self>(later) {
            self.n += o.n;
            self.sum += o.sum;
        }
        Ok(())
    }
    aggregate_basics!();
}

/// `min` / `max` as floats; `0.0` for an empty window, as in Tremor.
#[derive(Debug)]
pub(super) struct Extreme {
    value: Option<f64>,
    better: fn(f64, f64) -> bool,
}

impl Extreme {
    pub(super) fn min() -> Self {
        Self {
            value: None,
            better: |new, old| new < old,
        }
    }
    pub(super) fn max() -> Self {
        Self {
            value: None,
            better: |new, old| new > old,
        }
    }
    fn fresh(this: &Self) -> Self {
        Self {
            value: None,
            better: this.better,
        }
    }
    fn offer(&mut self, v: f64) {
        if self.value.is_none_or(|old| (self.better)(v, old)) {
            self.value = Some(v);
        }
    }
}

impl Aggregate for Extreme {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        self.offer(number(args)?);
        Ok(())
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        Ok(Value::from(self.value.unwrap_or_default()))
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        if let Some(v) = same::<Self>(later).and_then(|o| o.value) {
            self.offer(v);
        }
        Ok(())
    }
    aggregate_basics!(fresh);
}

/// Sample variance, shifted by the first value for numerical stability (Tremor's formula).
#[derive(Debug, Default)]
pub(super) struct Var {
    n: u64,
    shift: f64,
    sum: f64,
    sum_sq: f64,
}

impl Var {
    fn variance(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let n = self.n as f64;
        if self.n == 0 {
            0.0
        } else {
            (self.sum_sq - (self.sum * self.sum) / n) / (n - 1.0)
        }
    }
}

impl Aggregate for Var {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        let v = number(args)?;
        if self.n == 0 {
            self.shift = v;
        }
        self.n += 1;
        self.sum += v - self.shift;
        self.sum_sq += (v - self.shift) * (v - self.shift);
        Ok(())
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        Ok(Value::from(self.variance()))
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        // Re-centres the later window's sums on this window's shift. (Tremor adds the shifts,
        // which gives wrong variances after a merge; this merge is exact.)
        if let Some(o) = same::<Self>(later).filter(|o| o.n > 0) {
            if self.n == 0 {
                self.shift = o.shift;
            }
            let d = o.shift - self.shift;
            #[allow(clippy::cast_precision_loss)]
            let n = o.n as f64;
            self.n += o.n;
            self.sum += o.sum + n * d;
            self.sum_sq += o.sum_sq + 2.0 * d * o.sum + n * d * d;
        }
        Ok(())
    }
    aggregate_basics!();
}

#[derive(Debug, Default)]
pub(super) struct Stdev(Var);

impl Aggregate for Stdev {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        self.0.accumulate(args)
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        Ok(Value::from(self.0.variance().sqrt()))
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        match same::<Self>(later) {
            Some(o) => self.0.merge(&o.0),
            None => Ok(()),
        }
    }
    aggregate_basics!();
}
