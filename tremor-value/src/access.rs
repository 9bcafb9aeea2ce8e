//! Typed accessors, type checks and mutation helpers for [`Value`].

use crate::{Cow, Object, StaticNode, Value};
use std::fmt;

/// Declares an error type for a mutation that needs a value of one type: it carries the type
/// the value had instead and displays as `"expected <expected> but got <type>"`.
macro_rules! wrong_type_error {
    ($(#[$doc:meta])* $name:ident, expected $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            #[doc = concat!("[`Value::value_type_name`] of the value that was not ", $expected, ".")]
            pub got: &'static str,
        }

        impl fmt::Display for $name {
            #[doc = concat!("`\"expected ", $expected, " but got <type>\"`.")]
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!("expected ", $expected, " but got {}"), self.got)
            }
        }

        impl std::error::Error for $name {}
    };
}

wrong_type_error!(
    /// Returned by [`Value::insert`] / [`Value::remove`] when the value is not a record.
    NotAnObject, expected "a record"
);

wrong_type_error!(
    /// Returned by [`Value::push`] when the value is not an array.
    NotAnArray, expected "an array"
);

impl<'v> Value<'v> {
    /// The value stored under `key`, if this is a record that has it (`None` for non-records).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value<'v>> {
        self.as_object().and_then(|o| o.get(key))
    }

    /// Mutable access to the value stored under `key`, if this is a record that has it.
    #[must_use]
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value<'v>> {
        self.as_object_mut().and_then(|o| o.get_mut(key))
    }

    /// The element at `idx`, if this is an array that long (`None` for non-arrays).
    #[must_use]
    pub fn get_idx(&self, idx: usize) -> Option<&Value<'v>> {
        self.as_array().and_then(|a| a.get(idx))
    }

    /// Mutable access to the element at `idx`, if this is an array that long.
    #[must_use]
    pub fn get_idx_mut(&mut self, idx: usize) -> Option<&mut Value<'v>> {
        self.as_array_mut().and_then(|a| a.get_mut(idx))
    }

    /// Whether this is a record containing `key` (`false` for non-records).
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.as_object().is_some_and(|o| o.contains_key(key))
    }

    /// Number of elements of an array, entries of a record, bytes of a string or of a bytes
    /// value; `None` for scalars.
    #[must_use]
    pub fn len(&self) -> Option<usize> {
        match self {
            Value::Static(_) => None,
            Value::String(s) => Some(s.len()),
            Value::Array(a) => Some(a.len()),
            Value::Object(o) => Some(o.len()),
            Value::Bytes(b) => Some(b.len()),
        }
    }

    /// Whether [`Value::len`] is `Some(0)`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Inserts `value` under `key` into a record.
    ///
    /// Returns `Ok(Some(previous))` if the key was already present, `Ok(None)` if not.
    ///
    /// # Errors
    /// [`NotAnObject`] (and leaves `self` unchanged) if this value is not a record.
    pub fn insert(
        &mut self,
        key: impl Into<Cow<'v>>,
        value: impl Into<Value<'v>>,
    ) -> Result<Option<Value<'v>>, NotAnObject> {
        match self {
            Value::Object(o) => Ok(o.insert(key.into(), value.into())),
            other => Err(NotAnObject {
                got: other.value_type_name(),
            }),
        }
    }

    /// Removes `key` from a record, returning its value if it was present.
    ///
    /// # Errors
    /// [`NotAnObject`] if this value is not a record.
    pub fn remove(&mut self, key: &str) -> Result<Option<Value<'v>>, NotAnObject> {
        match self {
            Value::Object(o) => Ok(o.remove(key)),
            other => Err(NotAnObject {
                got: other.value_type_name(),
            }),
        }
    }

    /// Appends `value` to an array.
    ///
    /// # Errors
    /// [`NotAnArray`] (and leaves `self` unchanged) if this value is not an array.
    pub fn push(&mut self, value: impl Into<Value<'v>>) -> Result<(), NotAnArray> {
        match self {
            Value::Array(a) => {
                a.push(value.into());
                Ok(())
            }
            other => Err(NotAnArray {
                got: other.value_type_name(),
            }),
        }
    }

    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as an `i64`, if this is an integer that fits (`I64`, or `U64` up to
    /// `i64::MAX`). Floats are never truncated: `1.0` gives `None`.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Static(StaticNode::I64(i)) => Some(*i),
            Value::Static(StaticNode::U64(u)) => i64::try_from(*u).ok(),
            _ => None,
        }
    }

    /// The number as a `u64`, if this is a non-negative integer (`U64`, or a non-negative
    /// `I64`). Floats are never truncated.
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Static(StaticNode::I64(i)) => u64::try_from(*i).ok(),
            Value::Static(StaticNode::U64(u)) => Some(*u),
            _ => None,
        }
    }

    /// The number as a `usize`, if this is a non-negative integer that fits.
    #[must_use]
    pub fn as_usize(&self) -> Option<usize> {
        self.as_u64().and_then(|u| usize::try_from(u).ok())
    }

    /// The number as an `f64`, from any number variant (large integers round to the
    /// nearest `f64`).
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Static(StaticNode::I64(i)) => Some(*i as f64),
            Value::Static(StaticNode::U64(u)) => Some(*u as f64),
            Value::Static(StaticNode::F64(f)) => Some(*f),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Static(StaticNode::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    #[must_use]
    pub fn as_array(&self) -> Option<&Vec<Value<'v>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Mutable access to the elements, if this is an array.
    #[must_use]
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value<'v>>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries, if this is a record.
    #[must_use]
    pub fn as_object(&self) -> Option<&Object<'v>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Mutable access to the entries, if this is a record.
    #[must_use]
    pub fn as_object_mut(&mut self) -> Option<&mut Object<'v>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The raw bytes, if this is a bytes value (strings are not bytes).
    #[must_use]
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The scalar, if this is `null`, a boolean or a number.
    #[must_use]
    pub fn as_static(&self) -> Option<StaticNode> {
        match self {
            Value::Static(s) => Some(*s),
            _ => None,
        }
    }

    /// Whether this is a number (integer or float).
    #[must_use]
    pub fn is_number(&self) -> bool {
        self.is_integer() || self.is_float()
    }
}

/// Declares the type checks: `#[must_use] pub fn NAME(&self) -> bool`, whether the value
/// matches the pattern.
macro_rules! type_checks {
    ($( $(#[$doc:meta])* $name:ident: $pattern:pat, )+) => {
        impl Value<'_> {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $name(&self) -> bool {
                    matches!(self, $pattern)
                }
            )+
        }
    };
}

type_checks! {
    /// Whether this is `null`.
    is_null: Value::Static(StaticNode::Null),
    /// Whether this is a boolean.
    is_bool: Value::Static(StaticNode::Bool(_)),
    /// Whether this is an integer (`I64` or `U64`).
    is_integer: Value::Static(StaticNode::I64(_) | StaticNode::U64(_)),
    /// Whether this is a float (`F64`), even one with an integral value.
    is_float: Value::Static(StaticNode::F64(_)),
    /// Whether this is a string.
    is_str: Value::String(_),
    /// Whether this is an array.
    is_array: Value::Array(_),
    /// Whether this is a record.
    is_object: Value::Object(_),
    /// Whether this is a bytes value.
    is_bytes: Value::Bytes(_),
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
