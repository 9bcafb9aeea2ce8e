//! `aggr::win`: the first, last or every value of a window.

use super::aggregate::{same, Aggregate};
use crate::script::stdlib::function::FnError;
use std::any::Any;
use tremor_value::Value;

/// `first` / `last`: one value of the window (`null` when empty).
#[derive(Debug)]
pub(super) struct Pick {
    value: Option<Value<'static>>,
    keep_first: bool,
}

impl Pick {
    pub(super) fn first() -> Self {
        Self {
            value: None,
            keep_first: true,
        }
    }
    pub(super) fn last() -> Self {
        Self {
            value: None,
            keep_first: false,
        }
    }
    fn fresh(this: &Self) -> Self {
        Self {
            value: None,
            keep_first: this.keep_first,
        }
    }
    fn offer(&mut self, v: Option<&Value<'_>>) {
        if !(self.keep_first && self.value.is_some()) {
            if let Some(v) = v {
                self.value = Some(v.clone_static());
            }
        }
    }
}

impl Aggregate for Pick {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        self.offer(args.first().copied());
        Ok(())
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        Ok(self.value.clone().unwrap_or_default())
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        if let Some(o) = same::<Self>(later) {
            self.offer(o.value.as_ref());
        }
        Ok(())
    }
    aggregate_basics!(fresh);
}

/// `collect_flattened` / `collect_nested`: every value of the window; merging appends the later
/// window's values (flattened) or the later window as one nested array (nested).
#[derive(Debug)]
pub(super) struct Collect {
    values: Vec<Value<'static>>,
    nested: bool,
}

impl Collect {
    pub(super) fn flattened() -> Self {
        Self {
            values: Vec::new(),
            nested: false,
        }
    }
    pub(super) fn nested() -> Self {
        Self {
            values: Vec::new(),
            nested: true,
        }
    }
    fn fresh(this: &Self) -> Self {
        Self {
            values: Vec::with_capacity(this.values.len()),
            nested: this.nested,
        }
    }
}

impl Aggregate for Collect {
    fn accumulate(&mut self, args: &[&Value<'_>]) -> Result<(), FnError> {
        if let Some(v) = args.first() {
            self.values.push(v.clone_static());
        }
        Ok(())
    }
    fn emit(&self) -> Result<Value<'static>, FnError> {
        Ok(Value::from(self.values.clone()))
    }
    fn merge(&mut self, later: &dyn Aggregate) -> Result<(), FnError> {
        if let Some(o) = same::<Self>(later) {
            if self.nested {
                self.values.push(Value::from(o.values.clone()));
            } else {
                self.values.extend(o.values.iter().cloned());
            }
        }
        Ok(())
    }
    aggregate_basics!(fresh);
}
