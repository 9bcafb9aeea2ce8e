//! The operators and builtin shorthands of the syntax tree: what they are called, how tightly
//! they bind. Their meaning on values is in [`super::ops`].

use std::fmt;

impl BinOp {
    /// How tightly the operator binds: operators of one level form one chain.
    #[must_use]
    pub fn binding_power(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::Xor => 2,
            BinOp::And => 3,
            BinOp::BitXor => 4,
            BinOp::BitAnd => 5,
            BinOp::Eq | BinOp::Ne => 6,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 7,
            BinOp::Shl | BinOp::Shr | BinOp::UShr => 8,
            BinOp::Add | BinOp::Sub => 9,
            BinOp::Mul | BinOp::Div | BinOp::Mod => 10,
        }
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `not`
    Not,
    /// `-`
    Neg,
    /// `+`
    Plus,
    /// `!`: bitwise not of an integer.
    BitNot,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `xor`
    Xor,
    /// `^`: bitwise xor (or boolean xor)
    BitXor,
    /// `&`: bitwise and (or boolean and)
    BitAnd,
    /// `<<`
    Shl,
    /// `>>`: arithmetic shift right
    Shr,
    /// `>>>`: logical shift right
    UShr,
    /// `%`
    Mod,
}

impl fmt::Display for BinOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Xor => "xor",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::UShr => ">>>",
            BinOp::Mod => "%",
        })
    }
}

/// The builtin functions of the subset (`nanos::...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `nanos::from_nanos(n)` = n
    FromNanos,
    /// `nanos::from_micros(n)` = n * 1 000
    FromMicros,
    /// `nanos::from_millis(n)` = n * 1 000 000
    FromMillis,
    /// `nanos::from_seconds(n)` = n * 1 000 000 000
    FromSeconds,
}

impl Func {
    /// The function for a name inside the `nanos` module.
    #[must_use]
    pub fn nanos(name: &str) -> Option<Self> {
        match name {
            "from_nanos" => Some(Func::FromNanos),
            "from_micros" => Some(Func::FromMicros),
            "from_millis" => Some(Func::FromMillis),
            "from_seconds" => Some(Func::FromSeconds),
            _ => None,
        }
    }

    /// How many nanoseconds one unit of the argument is.
    #[must_use]
    pub fn factor(self) -> i64 {
        match self {
            Func::FromNanos => 1,
            Func::FromMicros => 1_000,
            Func::FromMillis => 1_000_000,
            Func::FromSeconds => 1_000_000_000,
        }
    }
}

impl fmt::Display for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Func::FromNanos => "nanos::from_nanos",
            Func::FromMicros => "nanos::from_micros",
            Func::FromMillis => "nanos::from_millis",
            Func::FromSeconds => "nanos::from_seconds",
        })
    }
}
