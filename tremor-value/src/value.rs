//! The `Value` type and its constructors.

/// A string inside a [`Value`]: borrowed from the parse buffer where possible, owned otherwise.
pub type Cow<'v> = beef::Cow<'v, str>;

/// An object: keys to values. Small objects are kept as a vector, large ones hashed.
pub type Object<'v> = halfbrown::HashMap<Cow<'v>, Value<'v>>;

/// The scalar (non-allocating) part of a value.
///
/// Equality is numeric across the three number variants (`I64(1) == U64(1) == F64(1.0)`),
/// see the `PartialEq` impl.
#[derive(Debug, Clone, Copy)]
pub enum StaticNode {
    /// JSON `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer too large for `i64`.
    U64(u64),
    /// A floating point number.
    F64(f64),
}

/// An event value. `'v` is the lifetime of the buffer its strings may borrow from.
///
/// * `Display` and `Debug` both print compact JSON (see [`crate::write_json`]).
/// * `PartialEq` compares numbers by value across `I64`/`U64`/`F64`, so `1 == 1u64 == 1.0`;
///   `PartialOrd` orders numbers, strings, booleans, arrays and bytes (see
///   [`Value::cmp_numbers`]).
#[derive(Clone)]
pub enum Value<'v> {
    /// A scalar: null, bool or number.
    Static(StaticNode),
    /// A UTF-8 string.
    String(Cow<'v>),
    /// An ordered list of values.
    Array(Vec<Value<'v>>),
    /// A record: string keys to values. Boxed to keep `Value` small.
    Object(Box<Object<'v>>),
    /// Raw bytes (from the `binary` codec); JSON encodes them as an array of numbers.
    Bytes(beef::Cow<'v, [u8]>),
}

impl Default for Value<'_> {
    /// `null`.
    fn default() -> Self {
        Value::Static(StaticNode::Null)
    }
}

/// A `null` that can be handed out by reference (for example by index operators).
pub static NULL: Value<'static> = Value::Static(StaticNode::Null);

impl<'v> Value<'v> {
    /// A `null` value.
    #[must_use]
    pub const fn null() -> Self {
        Value::Static(StaticNode::Null)
    }

    /// An empty record (`{}`); does not allocate until the first insert.
    #[must_use]
    pub fn object() -> Self {
        Value::Object(Box::default())
    }

    /// An empty record with room for `capacity` entries.
    #[must_use]
    pub fn object_with_capacity(capacity: usize) -> Self {
        Value::Object(Box::new(Object::with_capacity(capacity)))
    }

    /// An empty array (`[]`); does not allocate until the first push.
    #[must_use]
    pub const fn array() -> Self {
        Value::Array(Vec::new())
    }

    /// An empty array with room for `capacity` elements.
    #[must_use]
    pub fn array_with_capacity(capacity: usize) -> Self {
        Value::Array(Vec::with_capacity(capacity))
    }

    /// A bytes value, borrowing or owning its data:
    /// `Value::bytes(&buf[..])` borrows, `Value::bytes(vec)` owns.
    #[must_use]
    pub fn bytes(data: impl Into<beef::Cow<'v, [u8]>>) -> Self {
        Value::Bytes(data.into())
    }

    /// The name of this value's type as Troy reports it: `"null"`, `"bool"`, `"integer"`,
    /// `"float"`, `"string"`, `"array"`, `"record"` or `"bytes"`.
    #[must_use]
    pub fn value_type_name(&self) -> &'static str {
        match self {
            Value::Static(StaticNode::Null) => "null",
            Value::Static(StaticNode::Bool(_)) => "bool",
            Value::Static(StaticNode::I64(_) | StaticNode::U64(_)) => "integer",
            Value::Static(StaticNode::F64(_)) => "float",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "record",
            Value::Bytes(_) => "bytes",
        }
    }

    /// Turns this value into one that owns all of its strings and bytes, so it no longer borrows
    /// from the parse buffer. Already owned strings are moved, not copied.
    #[must_use]
    pub fn into_static(self) -> Value<'static> {
        match self {
            Value::Static(s) => Value::Static(s),
            Value::String(s) => Value::String(own_str(s)),
            Value::Array(a) => Value::Array(a.into_iter().map(Value::into_static).collect()),
            Value::Object(o) => {
                let mut res = Object::with_capacity(o.len());
                for (k, v) in *o {
                    res.insert(own_str(k), v.into_static());
                }
                Value::Object(Box::new(res))
            }
            Value::Bytes(b) => Value::Bytes(beef::Cow::owned(b.into_owned())),
        }
    }

    /// Copies this value into one that owns all of its strings and bytes (a deep clone that
    /// no longer borrows from the parse buffer).
    #[must_use]
    pub fn clone_static(&self) -> Value<'static> {
        match self {
            Value::Static(s) => Value::Static(*s),
            Value::String(s) => Value::String(Cow::owned(s.to_string())),
            Value::Array(a) => Value::Array(a.iter().map(Value::clone_static).collect()),
            Value::Object(o) => {
                let mut res = Object::with_capacity(o.len());
                for (k, v) in o.iter() {
                    res.insert(Cow::owned(k.to_string()), v.clone_static());
                }
                Value::Object(Box::new(res))
            }
            Value::Bytes(b) => Value::Bytes(beef::Cow::owned(b.to_vec())),
        }
    }
}

/// Turns a possibly borrowed string into an owned one without copying owned strings.
fn own_str(s: Cow<'_>) -> Cow<'static> {
    Cow::owned(s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(Value::null().value_type_name(), "null");
        assert_eq!(Value::from(true).value_type_name(), "bool");
        assert_eq!(Value::from(1).value_type_name(), "integer");
        assert_eq!(Value::from(u64::MAX).value_type_name(), "integer");
        assert_eq!(Value::from(1.5).value_type_name(), "float");
        assert_eq!(Value::from("x").value_type_name(), "string");
        assert_eq!(Value::array().value_type_name(), "array");
        assert_eq!(Value::object().value_type_name(), "record");
        assert_eq!(Value::bytes(vec![1u8]).value_type_name(), "bytes");
        assert!(Value::default().is_null());
    }

    #[test]
    fn into_static_owns_everything() {
        let mut raw = br#"{"k":["a",{"n":"b"}]}"#.to_vec();
        let v = crate::parse_json(&mut raw).expect("valid");
        let cloned: Value<'static> = v.clone_static();
        let owned: Value<'static> = v.into_static();
        drop(raw);
        assert_eq!(owned, cloned);
        let Some(Value::Array(a)) = owned.get("k") else {
            panic!("not an array");
        };
        let Value::String(s) = &a[0] else {
            panic!("not a string")
        };
        assert!(s.is_owned());
        assert_eq!(owned.to_string(), r#"{"k":["a",{"n":"b"}]}"#);
    }

    #[test]
    fn bytes_borrow_or_own() {
        let data = [1u8, 2, 3];
        let Value::Bytes(b) = Value::bytes(&data[..]) else {
            panic!("not bytes")
        };
        assert!(b.is_borrowed());
        let Value::Bytes(b) = Value::bytes(data.to_vec()) else {
            panic!("not bytes")
        };
        assert!(b.is_owned());
        let v = Value::bytes(&data[..]).into_static();
        assert_eq!(v.as_bytes(), Some(&data[..]));
        assert_eq!(v.to_string(), "[1,2,3]");
    }

    #[test]
    fn constructors() {
        assert_eq!(
            Value::object_with_capacity(4).as_object().map(Object::len),
            Some(0)
        );
        assert_eq!(
            Value::array_with_capacity(4).as_array().map(Vec::len),
            Some(0)
        );
        assert_eq!(NULL, Value::null());
    }
}
