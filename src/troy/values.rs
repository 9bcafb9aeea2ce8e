//! Small helpers on [`tremor_value::Value`] that the front end needs: building values, taking them
//! out of their borrow, compact JSON text (for interpolation and messages) and equality that treats
//! `1` and `1.0` as equal.
//!
//! They only use the `Value` enum itself, so the front end does not depend on which accessors the
//! value crate offers.

use std::fmt;
use tremor_value::{Object, StaticNode, Value};

/// `null`
#[must_use]
pub fn null() -> Value<'static> {
    Value::Static(StaticNode::Null)
}

/// A string value owning its text.
#[must_use]
pub fn string(s: impl Into<String>) -> Value<'static> {
    Value::String(beef::Cow::owned(s.into()))
}

/// An integer value.
#[must_use]
pub fn int(i: i64) -> Value<'static> {
    Value::Static(StaticNode::I64(i))
}

/// An empty record.
#[must_use]
pub fn empty_record() -> Value<'static> {
    Value::Object(Box::default())
}

/// A record from key/value pairs (later keys win).
#[must_use]
pub fn record(fields: Vec<(String, Value<'static>)>) -> Value<'static> {
    let mut obj = Object::with_capacity(fields.len());
    for (k, v) in fields {
        obj.insert(beef::Cow::owned(k), v);
    }
    Value::Object(Box::new(obj))
}

/// A copy of `v` that borrows nothing.
#[must_use]
pub fn to_static(v: &Value<'_>) -> Value<'static> {
    match v {
        Value::Static(s) => Value::Static(*s),
        Value::String(s) => string(&**s),
        Value::Array(a) => Value::Array(a.iter().map(to_static).collect()),
        Value::Object(o) => {
            let mut obj = Object::with_capacity(o.len());
            for (k, v) in o.iter() {
                obj.insert(beef::Cow::owned(k.to_string()), to_static(v));
            }
            Value::Object(Box::new(obj))
        }
        Value::Bytes(b) => Value::Bytes(beef::Cow::owned(b.to_vec())),
    }
}

/// The name of a value's type as used in error messages.
#[must_use]
pub fn type_name(v: &Value<'_>) -> &'static str {
    match v {
        Value::Static(StaticNode::Null) => "null",
        Value::Static(StaticNode::Bool(_)) => "boolean",
        Value::Static(StaticNode::I64(_) | StaticNode::U64(_)) => "integer",
        Value::Static(StaticNode::F64(_)) => "float",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "record",
        Value::Bytes(_) => "bytes",
    }
}

/// The text of a string value.
#[must_use]
pub fn as_str<'a>(v: &'a Value<'_>) -> Option<&'a str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// A field of a record value.
#[must_use]
pub fn get<'a, 'v>(v: &'a Value<'v>, key: &str) -> Option<&'a Value<'v>> {
    match v {
        Value::Object(o) => o.get(key),
        _ => None,
    }
}

/// Compact JSON text of a value; record fields keep their order, bytes become arrays of numbers
/// and non-finite floats `null` (JSON has no other way to say them).
#[must_use]
pub fn to_json(v: &Value<'_>) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

fn write_json(v: &Value<'_>, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::Static(StaticNode::Null) => out.push_str("null"),
        Value::Static(StaticNode::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Value::Static(StaticNode::I64(i)) => {
            let _ = write!(out, "{i}");
        }
        Value::Static(StaticNode::U64(u)) => {
            let _ = write!(out, "{u}");
        }
        Value::Static(StaticNode::F64(f)) => {
            if f.is_finite() {
                // Debug keeps a `.0` on whole numbers and switches to exponents for extremes,
                // like JSON encoders do.
                let _ = write!(out, "{f:?}");
            } else {
                out.push_str("null");
            }
        }
        Value::String(s) => write_json_str(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(k, out);
                out.push(':');
                write_json(v, out);
            }
            out.push('}');
        }
        Value::Bytes(b) => {
            out.push('[');
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{byte}");
            }
            out.push(']');
        }
    }
}

fn write_json_str(s: &str, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A number, widened so that values of different representations can be compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// Any integer (`I64` or `U64`).
    Int(i128),
    /// A float.
    Float(f64),
}

impl Num {
    /// The number in a value, if it is one.
    #[must_use]
    pub fn of(v: &Value<'_>) -> Option<Self> {
        match v {
            Value::Static(StaticNode::I64(i)) => Some(Num::Int(i128::from(*i))),
            Value::Static(StaticNode::U64(u)) => Some(Num::Int(i128::from(*u))),
            Value::Static(StaticNode::F64(f)) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    /// As a float (precision may be lost for huge integers, which is what mixed arithmetic means).
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Deep equality where numbers compare by value across integer and float.
#[must_use]
pub fn equal(a: &Value<'_>, b: &Value<'_>) -> bool {
    if let (Some(x), Some(y)) = (Num::of(a), Num::of(b)) {
        return match (x, y) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (x, y) => x.as_f64() == y.as_f64(),
        };
    }
    match (a, b) {
        (Value::Static(x), Value::Static(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(&**k).is_some_and(|w| equal(v, w)))
        }
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        _ => false,
    }
}

/// Shows a value as compact JSON in `{:?}` output.
pub struct DebugValue<'a, 'v>(pub &'a Value<'v>);

impl fmt::Debug for DebugValue<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_json(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text() {
        let v = record(vec![
            ("b".into(), int(1)),
            (
                "a".into(),
                Value::Array(vec![
                    Value::Static(StaticNode::Bool(true)),
                    null(),
                    string("x\"\n\u{1}"),
                    Value::Static(StaticNode::F64(1.0)),
                    Value::Static(StaticNode::F64(f64::NAN)),
                    Value::Static(StaticNode::U64(u64::MAX)),
                ]),
            ),
        ]);
        assert_eq!(
            to_json(&v),
            r#"{"b":1,"a":[true,null,"x\"\n\u0001",1.0,null,18446744073709551615]}"#
        );
        assert_eq!(
            to_json(&Value::Bytes(beef::Cow::owned(vec![1, 2]))),
            "[1,2]"
        );
        assert_eq!(to_json(&empty_record()), "{}");
        assert_eq!(format!("{:?}", DebugValue(&string("s"))), "\"s\"");
    }

    #[test]
    fn equality_is_numeric() {
        assert!(equal(&int(1), &Value::Static(StaticNode::F64(1.0))));
        assert!(equal(&int(5), &Value::Static(StaticNode::U64(5))));
        assert!(!equal(&int(1), &string("1")));
        let a = record(vec![("x".into(), int(1)), ("y".into(), int(2))]);
        let b = record(vec![
            ("y".into(), Value::Static(StaticNode::F64(2.0))),
            ("x".into(), int(1)),
        ]);
        assert!(equal(&a, &b));
        assert!(!equal(&a, &record(vec![("x".into(), int(1))])));
        assert!(equal(
            &Value::Array(vec![int(1)]),
            &Value::Array(vec![int(1)])
        ));
        assert!(!equal(&Value::Array(vec![int(1)]), &Value::Array(vec![])));
    }

    #[test]
    fn static_copy_and_accessors() {
        let src = String::from("hello");
        let borrowed = Value::String(beef::Cow::borrowed(src.as_str()));
        let owned = to_static(&Value::Array(vec![borrowed]));
        drop(src);
        assert_eq!(to_json(&owned), r#"["hello"]"#);
        let r = record(vec![("k".into(), string("v"))]);
        assert_eq!(get(&r, "k").and_then(as_str), Some("v"));
        assert!(get(&r, "nope").is_none());
        assert_eq!(type_name(&r), "record");
        assert_eq!(type_name(&Value::Static(StaticNode::U64(1))), "integer");
        assert_eq!(Num::of(&string("x")), None);
    }
}
