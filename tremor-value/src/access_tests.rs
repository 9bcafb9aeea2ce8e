//! Tests for `access.rs`.

use super::*;
use crate::literal;

#[test]
fn getters() {
    let mut v = literal!({"a": 1, "b": [1, 2.5, "x", null, true], "c": {"d": {}}});
    assert_eq!(v.get("a").and_then(Value::as_i64), Some(1));
    assert_eq!(
        v.get("b")
            .and_then(|b| b.get_idx(1))
            .and_then(Value::as_f64),
        Some(2.5)
    );
    assert_eq!(
        v.get("b")
            .and_then(|b| b.get_idx(2))
            .and_then(Value::as_str),
        Some("x")
    );
    assert!(v
        .get("b")
        .and_then(|b| b.get_idx(3))
        .is_some_and(Value::is_null));
    assert_eq!(
        v.get("b")
            .and_then(|b| b.get_idx(4))
            .and_then(Value::as_bool),
        Some(true)
    );
    assert!(v.get("b").and_then(|b| b.get_idx(5)).is_none());
    assert!(v
        .get("c")
        .and_then(|c| c.get("d"))
        .is_some_and(Value::is_object));
    assert!(v.contains_key("c"));
    assert!(!v.contains_key("z"));
    assert!(v.get("a").and_then(|a| a.get("x")).is_none());
    assert!(!Value::from(1).contains_key("a"));
    assert_eq!(v.len(), Some(3));
    assert_eq!(v.get("b").and_then(Value::len), Some(5));
    assert_eq!(Value::from(1).len(), None);
    assert!(Value::from("").is_empty());
    if let Some(a) = v.get_mut("a") {
        *a = Value::from("changed");
    }
    if let Some(x) = v.get_mut("b").and_then(|b| b.get_idx_mut(0)) {
        *x = Value::from(false);
    }
    assert_eq!(
        crate::to_json_sorted(&v),
        r#"{"a":"changed","b":[false,2.5,"x",null,true],"c":{"d":{}}}"#
    );
}

#[test]
fn numeric_accessors() {
    assert_eq!(Value::from(u64::MAX).as_i64(), None);
    assert_eq!(Value::Static(StaticNode::U64(5)).as_i64(), Some(5));
    assert_eq!(Value::from(-1).as_u64(), None);
    assert_eq!(Value::from(3).as_u64(), Some(3));
    assert_eq!(Value::from(3).as_usize(), Some(3));
    assert_eq!(Value::from(u64::MAX).as_u64(), Some(u64::MAX));
    assert_eq!(Value::from(1.0).as_i64(), None);
    assert_eq!(Value::from(1.0).as_u64(), None);
    assert_eq!(Value::from(3).as_f64(), Some(3.0));
    assert_eq!(
        Value::from(u64::MAX).as_f64(),
        Some(18_446_744_073_709_551_615.0)
    );
    assert_eq!(Value::from("1").as_i64(), None);
    assert!(Value::from(1).is_integer() && Value::from(1).is_number());
    assert!(Value::from(1.0).is_float() && !Value::from(1.0).is_integer());
    assert_eq!(Value::from(true).as_static(), Some(StaticNode::Bool(true)));
    assert_eq!(Value::from("x").as_static(), None);
}

#[test]
fn type_checks() {
    let b = Value::bytes(vec![1u8]);
    assert!(b.is_bytes() && !b.is_array());
    assert_eq!(b.as_bytes(), Some(&[1u8][..]));
    assert_eq!(Value::from("x").as_bytes(), None);
    assert!(Value::from("x").is_str());
    assert!(Value::from(false).is_bool());
    assert!(Value::array().is_array() && !Value::array().is_object());
    assert!(Value::object().as_array().is_none());
    assert!(Value::array().as_object().is_none());
}

#[test]
fn mutation() {
    let mut o = Value::object();
    assert_eq!(o.insert("a", 1), Ok(None));
    assert_eq!(o.insert(String::from("a"), 2), Ok(Some(Value::from(1))));
    assert_eq!(o.get("a"), Some(&Value::from(2)));
    assert_eq!(o.remove("a"), Ok(Some(Value::from(2))));
    assert_eq!(o.remove("a"), Ok(None));
    let mut a = Value::array();
    assert_eq!(a.push("x"), Ok(()));
    assert_eq!(a.push(String::from("x")), Ok(()));
    assert_eq!(a.to_string(), r#"["x","x"]"#);
    let err = a.insert("k", 1).expect_err("array is not a record");
    assert_eq!(err, NotAnObject { got: "array" });
    assert_eq!(err.to_string(), "expected a record but got array");
    assert!(a.remove("k").is_err());
    let err = o.push(1).expect_err("record is not an array");
    assert_eq!(err.to_string(), "expected an array but got record");
    if let Some(arr) = a.as_array_mut() {
        arr.clear();
    }
    assert!(a.is_empty());
    if let Some(obj) = o.as_object_mut() {
        obj.insert("z".into(), Value::null());
    }
    assert!(o.contains_key("z"));
}
