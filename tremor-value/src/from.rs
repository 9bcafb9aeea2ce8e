//! Conversions from Rust values into [`Value`].
//!
//! Bytes have no `From` impl (a `Vec<u8>` would be ambiguous with an array of numbers); use
//! [`Value::bytes`] instead.

use crate::{Cow, Object, StaticNode, Value};

impl From<StaticNode> for Value<'_> {
    /// Wraps a scalar.
    fn from(s: StaticNode) -> Self {
        Value::Static(s)
    }
}

impl<'v> From<&'v str> for Value<'v> {
    /// A string borrowing `s`.
    fn from(s: &'v str) -> Self {
        Value::String(Cow::borrowed(s))
    }
}

impl From<String> for Value<'_> {
    /// An owned string.
    fn from(s: String) -> Self {
        Value::String(Cow::owned(s))
    }
}

impl<'v> From<&'v String> for Value<'v> {
    /// A string borrowing `s`.
    fn from(s: &'v String) -> Self {
        Value::String(Cow::borrowed(s.as_str()))
    }
}

impl<'v> From<Cow<'v>> for Value<'v> {
    /// A string, borrowed or owned as `s` is.
    fn from(s: Cow<'v>) -> Self {
        Value::String(s)
    }
}

impl<'v> From<std::borrow::Cow<'v, str>> for Value<'v> {
    /// A string, borrowed or owned as `s` is.
    fn from(s: std::borrow::Cow<'v, str>) -> Self {
        Value::String(s.into())
    }
}

impl From<char> for Value<'_> {
    /// A one-character string.
    fn from(c: char) -> Self {
        Value::String(Cow::owned(c.to_string()))
    }
}

impl From<bool> for Value<'_> {
    /// A boolean.
    fn from(b: bool) -> Self {
        Value::Static(StaticNode::Bool(b))
    }
}

impl From<()> for Value<'_> {
    /// `null`.
    fn from((): ()) -> Self {
        Value::Static(StaticNode::Null)
    }
}

/// `From` impls for integer types that always fit an `i64`.
macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for Value<'_> {
            /// An integer (`StaticNode::I64`).
            fn from(n: $t) -> Self {
                Value::Static(StaticNode::I64(i64::from(n)))
            }
        }
    )*};
}
from_signed!(i8, i16, i32, i64, u8, u16, u32);

impl From<u64> for Value<'_> {
    /// An integer: `StaticNode::I64` if it fits, `StaticNode::U64` otherwise (as the parser
    /// does).
    fn from(n: u64) -> Self {
        Value::Static(match i64::try_from(n) {
            Ok(i) => StaticNode::I64(i),
            Err(_) => StaticNode::U64(n),
        })
    }
}

impl From<usize> for Value<'_> {
    /// An integer: `StaticNode::I64` if it fits, `StaticNode::U64` otherwise.
    fn from(n: usize) -> Self {
        match u64::try_from(n) {
            Ok(n) => Value::from(n),
            // usize is at most 64 bits wide on every supported platform
            Err(_) => Value::Static(StaticNode::U64(u64::MAX)),
        }
    }
}

impl From<isize> for Value<'_> {
    /// An integer (`StaticNode::I64`).
    fn from(n: isize) -> Self {
        match i64::try_from(n) {
            Ok(n) => Value::from(n),
            // isize is at most 64 bits wide on every supported platform
            Err(_) => Value::Static(StaticNode::I64(if n < 0 { i64::MIN } else { i64::MAX })),
        }
    }
}

impl From<f32> for Value<'_> {
    /// A float (`StaticNode::F64`); the `f32` is widened exactly, so `1.1f32` becomes
    /// `1.100000023841858`.
    fn from(f: f32) -> Self {
        Value::Static(StaticNode::F64(f64::from(f)))
    }
}

impl From<f64> for Value<'_> {
    /// A float (`StaticNode::F64`).
    fn from(f: f64) -> Self {
        Value::Static(StaticNode::F64(f))
    }
}

impl<'v> From<Vec<Value<'v>>> for Value<'v> {
    /// An array.
    fn from(a: Vec<Value<'v>>) -> Self {
        Value::Array(a)
    }
}

impl<'v> From<Object<'v>> for Value<'v> {
    /// A record.
    fn from(o: Object<'v>) -> Self {
        Value::Object(Box::new(o))
    }
}

impl<'v> From<Box<Object<'v>>> for Value<'v> {
    /// A record.
    fn from(o: Box<Object<'v>>) -> Self {
        Value::Object(o)
    }
}

impl<'v, T: Into<Value<'v>>> From<Option<T>> for Value<'v> {
    /// `null` for `None`, the converted value for `Some`.
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Static(StaticNode::Null), Into::into)
    }
}

impl<'v, V: Into<Value<'v>>> FromIterator<V> for Value<'v> {
    /// Collects into an array.
    fn from_iter<I: IntoIterator<Item = V>>(iter: I) -> Self {
        Value::Array(iter.into_iter().map(Into::into).collect())
    }
}

impl<'v, K: Into<Cow<'v>>, V: Into<Value<'v>>> FromIterator<(K, V)> for Value<'v> {
    /// Collects key/value pairs into a record (later duplicates win).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut o = Object::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            o.insert(k.into(), v.into());
        }
        Value::Object(Box::new(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert!(matches!(
            Value::from(-1i8),
            Value::Static(StaticNode::I64(-1))
        ));
        assert!(matches!(
            Value::from(7u32),
            Value::Static(StaticNode::I64(7))
        ));
        assert!(matches!(
            Value::from(7u64),
            Value::Static(StaticNode::I64(7))
        ));
        assert!(matches!(
            Value::from(7usize),
            Value::Static(StaticNode::I64(7))
        ));
        assert!(matches!(
            Value::from(-7isize),
            Value::Static(StaticNode::I64(-7))
        ));
        assert!(matches!(
            Value::from(u64::MAX),
            Value::Static(StaticNode::U64(u64::MAX))
        ));
        assert!(matches!(Value::from(0.5f32), Value::Static(StaticNode::F64(f)) if f == 0.5));
        assert!(matches!(Value::from(2.5), Value::Static(StaticNode::F64(f)) if f == 2.5));
    }

    #[test]
    fn others() {
        assert!(Value::from(()).is_null());
        assert!(Value::from(None::<i32>).is_null());
        assert_eq!(Value::from(Some(3)), Value::from(3));
        assert_eq!(Value::from(true).as_bool(), Some(true));
        assert_eq!(Value::from('x').as_str(), Some("x"));
        let s = String::from("abc");
        assert_eq!(Value::from(&s).as_str(), Some("abc"));
        assert_eq!(Value::from(s.clone()).as_str(), Some("abc"));
        assert_eq!(Value::from(Cow::from("abc")).as_str(), Some("abc"));
        assert_eq!(
            Value::from(std::borrow::Cow::Borrowed("abc")).as_str(),
            Some("abc")
        );
        assert_eq!(Value::from(StaticNode::Bool(false)), Value::from(false));
        assert_eq!(Value::from(vec![Value::from(1)]).to_string(), "[1]");
        assert_eq!(Value::from(Object::new()).to_string(), "{}");
        assert_eq!(Value::from(Box::new(Object::new())).to_string(), "{}");
        let v: Value = (1..4).collect();
        assert_eq!(v.to_string(), "[1,2,3]");
        let v: Value = vec![("b", 2), ("a", 1)].into_iter().collect();
        assert_eq!(crate::to_json_sorted(&v), r#"{"a":1,"b":2}"#);
    }
}
