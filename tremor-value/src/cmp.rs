//! Equality and ordering: numbers compare by numeric value across `I64`, `U64` and `F64`.

use crate::{StaticNode, Value};
use std::cmp::Ordering;

/// `2^63` as an `f64` (exact).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
/// `2^64` as an `f64` (exact).
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// Exact comparison of an `i64` with an `f64` (no rounding of large integers).
#[allow(clippy::cast_possible_truncation)]
fn cmp_i64_f64(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        None
    } else if f >= TWO_POW_63 {
        Some(Ordering::Less)
    } else if f < -TWO_POW_63 {
        Some(Ordering::Greater)
    } else {
        // f is in [-2^63, 2^63), so its integral part fits an i64 exactly
        let t = f.trunc();
        Some(i.cmp(&(t as i64)).then_with(|| cmp_zero_fraction(f - t)))
    }
}

/// Exact comparison of a `u64` with an `f64` (no rounding of large integers).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn cmp_u64_f64(u: u64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        None
    } else if f >= TWO_POW_64 {
        Some(Ordering::Less)
    } else if f < 0.0 {
        Some(Ordering::Greater)
    } else {
        // f is in [0, 2^64), so its integral part fits a u64 exactly
        let t = f.trunc();
        Some(u.cmp(&(t as u64)).then_with(|| cmp_zero_fraction(f - t)))
    }
}

/// How an integer equal to `trunc(f)` compares to `f`, given `fraction = f - trunc(f)`.
fn cmp_zero_fraction(fraction: f64) -> Ordering {
    if fraction > 0.0 {
        Ordering::Less
    } else if fraction < 0.0 {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Exact comparison of an `i64` with a `u64`.
fn cmp_i64_u64(i: i64, u: u64) -> Ordering {
    u64::try_from(i).map_or(Ordering::Less, |i| i.cmp(&u))
}

impl StaticNode {
    /// Compares two numbers by value, exactly, across `I64`/`U64`/`F64`
    /// (`I64(1) == U64(1) == F64(1.0)`, `I64(i64::MAX) < F64(2^63)`).
    ///
    /// `None` if either side is not a number or a float is NaN.
    #[must_use]
    pub fn cmp_numbers(&self, other: &StaticNode) -> Option<Ordering> {
        use StaticNode::{F64, I64, U64};
        match (*self, *other) {
            (I64(a), I64(b)) => Some(a.cmp(&b)),
            (U64(a), U64(b)) => Some(a.cmp(&b)),
            (F64(a), F64(b)) => a.partial_cmp(&b),
            (I64(a), U64(b)) => Some(cmp_i64_u64(a, b)),
            (U64(a), I64(b)) => Some(cmp_i64_u64(b, a).reverse()),
            (I64(a), F64(b)) => cmp_i64_f64(a, b),
            (F64(a), I64(b)) => cmp_i64_f64(b, a).map(Ordering::reverse),
            (U64(a), F64(b)) => cmp_u64_f64(a, b),
            (F64(a), U64(b)) => cmp_u64_f64(b, a).map(Ordering::reverse),
            _ => None,
        }
    }
}

impl PartialEq for StaticNode {
    /// `null == null`, booleans by value, numbers by numeric value across variants.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (StaticNode::Null, StaticNode::Null) => true,
            (StaticNode::Bool(a), StaticNode::Bool(b)) => a == b,
            _ => self.cmp_numbers(other) == Some(Ordering::Equal),
        }
    }
}

impl PartialOrd for StaticNode {
    /// Numbers by value, `false < true`, `null` only equal to itself; `None` across kinds.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (StaticNode::Null, StaticNode::Null) => Some(Ordering::Equal),
            (StaticNode::Bool(a), StaticNode::Bool(b)) => Some(a.cmp(b)),
            _ => self.cmp_numbers(other),
        }
    }
}

impl Value<'_> {
    /// Compares two numbers by value, exactly, across `I64`/`U64`/`F64`
    /// (see [`StaticNode::cmp_numbers`]); `None` if either side is not a number or is NaN.
    #[must_use]
    pub fn cmp_numbers(&self, other: &Value<'_>) -> Option<Ordering> {
        match (self, other) {
            (Value::Static(a), Value::Static(b)) => a.cmp_numbers(b),
            _ => None,
        }
    }
}

impl<'b> PartialEq<Value<'b>> for Value<'_> {
    /// Structural equality, with numbers compared by numeric value (`1 == 1u64 == 1.0`);
    /// records compare as maps (order-insensitive); NaN is not equal to itself.
    fn eq(&self, other: &Value<'b>) -> bool {
        match (self, other) {
            (Value::Static(a), Value::Static(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().eq(b.iter()),
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k.as_ref() as &str).is_some_and(|w| v == w))
            }
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            _ => false,
        }
    }
}

impl<'b> PartialOrd<Value<'b>> for Value<'_> {
    /// Numbers by value (see [`Value::cmp_numbers`]), strings and bytes bytewise, `false <
    /// true`, arrays lexicographically; records are only `Equal` (when `==`) or unordered;
    /// values of different kinds are unordered (`None`).
    fn partial_cmp(&self, other: &Value<'b>) -> Option<Ordering> {
        match (self, other) {
            (Value::Static(a), Value::Static(b)) => a.partial_cmp(b),
            (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Value::Bytes(a), Value::Bytes(b)) => Some(a.as_ref().cmp(b.as_ref())),
            (Value::Array(a), Value::Array(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.partial_cmp(y) {
                        Some(Ordering::Equal) => {}
                        non_eq => return non_eq,
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            (Value::Object(_), Value::Object(_)) if self == other => Some(Ordering::Equal),
            _ => None,
        }
    }
}

/// `PartialEq` between a `Value` and plain Rust numbers (numeric comparison), for convenient
/// assertions like `assert_eq!(v, 1)`.
macro_rules! eq_number {
    ($($t:ty => $variant:ident($conv:expr)),* $(,)?) => {$(
        impl PartialEq<$t> for Value<'_> {
            /// Whether this is a number numerically equal to `other`.
            fn eq(&self, other: &$t) -> bool {
                #[allow(clippy::redundant_closure_call)]
                let n = StaticNode::$variant($conv(*other));
                matches!(self, Value::Static(s) if *s == n)
            }
        }
    )*};
}
eq_number!(
    i8 => I64(i64::from),
    i16 => I64(i64::from),
    i32 => I64(i64::from),
    i64 => I64(std::convert::identity),
    u8 => I64(i64::from),
    u16 => I64(i64::from),
    u32 => I64(i64::from),
    u64 => U64(std::convert::identity),
    usize => U64(|u: usize| u64::try_from(u).unwrap_or(u64::MAX)),
    isize => I64(|i: isize| i64::try_from(i).unwrap_or(if i < 0 { i64::MIN } else { i64::MAX })),
    f32 => F64(f64::from),
    f64 => F64(std::convert::identity),
);

impl PartialEq<bool> for Value<'_> {
    /// Whether this is the boolean `other`.
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

impl PartialEq<&str> for Value<'_> {
    /// Whether this is a string equal to `other`.
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<str> for Value<'_> {
    /// Whether this is a string equal to `other`.
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<String> for Value<'_> {
    /// Whether this is a string equal to `other`.
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::literal;

    #[test]
    fn numeric_equality() {
        let one_i = Value::from(1);
        let one_u = Value::Static(StaticNode::U64(1));
        let one_f = Value::from(1.0);
        assert_eq!(one_i, one_u);
        assert_eq!(one_u, one_f);
        assert_eq!(one_i, one_f);
        assert_ne!(one_i, Value::from(1.5));
        assert_ne!(one_i, Value::from("1"));
        assert_ne!(one_i, Value::from(true));
        assert_eq!(
            Value::from(u64::MAX),
            Value::Static(StaticNode::U64(u64::MAX))
        );
        assert_ne!(Value::from(-1), Value::Static(StaticNode::U64(u64::MAX)));
        // 2^53 + 1 is not representable as f64: no false equality through rounding
        assert_ne!(
            Value::from(9_007_199_254_740_993_i64),
            Value::from(9_007_199_254_740_992.0)
        );
        assert_eq!(
            Value::from(9_007_199_254_740_992_i64),
            Value::from(9_007_199_254_740_992.0)
        );
        assert_eq!(
            Value::from(u64::MAX - 2047),
            Value::from(18_446_744_073_709_549_568.0)
        );
        assert_ne!(
            Value::from(u64::MAX - 1023),
            Value::from(18_446_744_073_709_549_568.0)
        );
        assert_ne!(Value::from(f64::NAN), Value::from(f64::NAN));
        assert_eq!(Value::from(-0.0), Value::from(0));
        assert_eq!(StaticNode::I64(2), StaticNode::F64(2.0));
        assert_eq!(Value::from(2), 2.0);
        assert_eq!(Value::from(2.0), 2u8);
        assert_eq!(Value::from("x"), "x");
        assert_eq!(&Value::from("x"), "x");
        assert_eq!(Value::from("x"), String::from("x"));
        assert_eq!(Value::from(true), true);
        assert_eq!(Value::from(3), 3usize);
        assert_eq!(Value::from(-3), -3isize);
        assert_eq!(Value::from(3), 3.0f32);
        assert_ne!(Value::from(-1), u64::MAX);
        assert_ne!(Value::from("3"), 3);
    }

    #[test]
    fn numeric_ordering() {
        let lt = |a: Value, b: Value| a.cmp_numbers(&b) == Some(Ordering::Less);
        assert!(lt(Value::from(1), Value::from(2)));
        assert!(lt(Value::from(-1), Value::from(u64::MAX)));
        assert!(lt(Value::from(1), Value::from(1.5)));
        assert!(lt(Value::from(1.5), Value::from(2)));
        assert!(lt(Value::from(-2), Value::from(-1.5)));
        assert!(lt(Value::from(-1.5), Value::from(-1)));
        assert!(lt(Value::from(i64::MAX), Value::from(TWO_POW_63)));
        assert!(lt(Value::from(-TWO_POW_64), Value::from(i64::MIN)));
        assert!(lt(Value::from(u64::MAX), Value::from(TWO_POW_64)));
        assert!(lt(Value::from(-0.5), Value::from(0u64)));
        assert!(lt(Value::from(3u64), Value::from(3.25)));
        assert!(lt(Value::from(f64::NEG_INFINITY), Value::from(i64::MIN)));
        assert_eq!(Value::from(1).cmp_numbers(&Value::from(f64::NAN)), None);
        assert_eq!(Value::from(1).cmp_numbers(&Value::from("1")), None);
        assert_eq!(
            Value::from(u64::MAX).cmp_numbers(&Value::from(-1)),
            Some(Ordering::Greater)
        );
        let gt = |a: Value, b: Value| a > b;
        assert!(gt(Value::from(2), Value::from(1.5)));
        assert!(gt(Value::from("abd"), Value::from("abc")));
        assert!(gt(Value::from("b"), Value::from("abc")));
        assert!(gt(Value::from(true), Value::from(false)));
        assert!(literal!([1, 2]) < literal!([1, 2, 0]));
        assert!(literal!([1, 3]) > literal!([1, 2, 0]));
        assert!(Value::bytes(vec![1u8]) < Value::bytes(vec![2u8]));
        assert_eq!(Value::from(1).partial_cmp(&Value::from("1")), None);
        assert_eq!(
            Value::null().partial_cmp(&Value::null()),
            Some(Ordering::Equal)
        );
        assert_eq!(
            literal!({"a": 1}).partial_cmp(&literal!({"a": 1.0})),
            Some(Ordering::Equal)
        );
        assert_eq!(literal!({"a": 1}).partial_cmp(&literal!({"a": 2})), None);
    }

    #[test]
    fn structural_equality() {
        assert_eq!(
            literal!({"a": 1, "b": [1, "x"], "c": {"d": null}}),
            literal!({"c": {"d": null}, "b": [1.0, "x"], "a": 1u64})
        );
        assert_ne!(literal!({"a": 1}), literal!({"a": 1, "b": 2}));
        assert_ne!(literal!({"a": 1, "c": 2}), literal!({"a": 1, "b": 2}));
        assert_ne!(literal!([1, 2]), literal!([1]));
        assert_ne!(literal!([]), literal!({}));
        assert_ne!(Value::bytes(vec![1u8]), literal!([1]));
        assert_eq!(Value::bytes(vec![1u8]), Value::bytes(&[1u8][..]));
        let mut raw = br#"{"a":"x"}"#.to_vec();
        let borrowed = crate::parse_json(&mut raw).expect("valid");
        assert_eq!(borrowed, literal!({"a": "x"}));
    }
}
