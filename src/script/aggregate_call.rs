//! The record of one aggregate call in a select (function, argument expressions, result slot):
//! a leaf, so that the scope can hold these records while the parser in `aggr_call` makes them.

use super::error::Pos;
use super::expr::Expr;
use super::stdlib::AggrFunction;

/// One aggregate call of a select.
#[derive(Debug, Clone)]
pub struct AggregateCall {
    /// The function.
    pub function: &'static AggrFunction,
    /// Its arguments, evaluated per event of the window.
    pub args: Vec<Expr>,
    /// The local slot the call's result is read from.
    pub slot: usize,
    /// Where the call is.
    pub pos: Pos,
}

impl PartialEq for AggregateCall {
    fn eq(&self, other: &Self) -> bool {
        self.function.name == other.function.name
            && self.args == other.args
            && self.slot == other.slot
    }
}
