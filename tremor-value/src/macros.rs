//! The [`literal!`](crate::literal) macro.

/// Builds a [`Value<'static>`](crate::Value) from JSON-like syntax, like `serde_json::json!`.
///
/// * `null`, `true`, `false`, `[...]` and `{...}` are literals;
/// * record keys are string literals, or parenthesised expressions convertible into
///   [`crate::Cow`] (`(name): 1`); a repeated key keeps the last value;
/// * any other value is a Rust expression converted with `Value::from` (numbers, strings,
///   variables, `Option`s, nested `literal!`s, ...); it must be convertible into a
///   `Value<'static>`, so borrowed strings must be `'static` (or be converted to `String`).
///
/// ```
/// use tremor_value::literal;
/// let n = 3;
/// let v = literal!({"a": 1, "b": [1, 2.5, "x", null, true], "c": {"d": {}}, "n": n + 1});
/// assert_eq!(v.get("n").and_then(|n| n.as_i64()), Some(4));
/// assert_eq!(
///     tremor_value::to_json_sorted(&v),
///     r#"{"a":1,"b":[1,2.5,"x",null,true],"c":{"d":{}},"n":4}"#
/// );
/// ```
#[macro_export]
macro_rules! literal {
    // ---- arrays: accumulate converted elements in [$($elems,)*] ----
    (@array [$($elems:expr,)*]) => {
        ::std::vec![$($elems,)*]
    };
    (@array [$($elems:expr),*]) => {
        ::std::vec![$($elems),*]
    };
    (@array [$($elems:expr,)*] null $($rest:tt)*) => {
        $crate::literal!(@array [$($elems,)* $crate::literal!(null)] $($rest)*)
    };
    (@array [$($elems:expr,)*] true $($rest:tt)*) => {
        $crate::literal!(@array [$($elems,)* $crate::literal!(true)] $($rest)*)
    };
    (@array [$($elems:expr,)*] false $($rest:tt)*) => {
        $crate::literal!(@array [$($elems,)* $crate::literal!(false)] $($rest)*)
    };
    (@array [$($elems:expr,)*] [$($array:tt)*] $($rest:tt)*) => {
        $crate::literal!(@array [$($elems,)* $crate::literal!([$($array)*])] $($rest)*)
    };
    (@array [$($elems:expr,)*] {$($map:tt)*} $($rest:tt)*) => {
        $crate::literal!(@array [$($elems,)* $crate::literal!({$($map)*})] $($rest)*)
    };
    (@array [$($elems:expr,)*] $next:expr, $($rest:tt)*) => {
        $crate::literal!(@array [$($elems,)* $crate::literal!($next),] $($rest)*)
    };
    (@array [$($elems:expr,)*] $last:expr) => {
        $crate::literal!(@array [$($elems,)* $crate::literal!($last)])
    };
    (@array [$($elems:expr),*] , $($rest:tt)*) => {
        $crate::literal!(@array [$($elems,)*] $($rest)*)
    };

    // ---- objects: insert entry by entry into $object ----
    (@object $object:ident () () ()) => {};
    (@object $object:ident [$($key:tt)+] ($value:expr) , $($rest:tt)*) => {
        let _ = $object.insert(($($key)+).into(), $value);
        $crate::literal!(@object $object () ($($rest)*) ($($rest)*));
    };
    (@object $object:ident [$($key:tt)+] ($value:expr)) => {
        let _ = $object.insert(($($key)+).into(), $value);
    };
    (@object $object:ident ($($key:tt)+) (: null $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object [$($key)+] ($crate::literal!(null)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: true $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object [$($key)+] ($crate::literal!(true)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: false $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object [$($key)+] ($crate::literal!(false)) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: [$($array:tt)*] $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object [$($key)+] ($crate::literal!([$($array)*])) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: {$($map:tt)*} $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object [$($key)+] ($crate::literal!({$($map)*})) $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr , $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object [$($key)+] ($crate::literal!($value)) , $($rest)*);
    };
    (@object $object:ident ($($key:tt)+) (: $value:expr) $copy:tt) => {
        $crate::literal!(@object $object [$($key)+] ($crate::literal!($value)));
    };
    (@object $object:ident ($($key:tt)+) (:) $copy:tt) => {
        $crate::literal!();
    };
    (@object $object:ident ($($key:tt)+) () $copy:tt) => {
        $crate::literal!();
    };
    (@object $object:ident () (: $($rest:tt)*) ($colon:tt $($copy:tt)*)) => {
        $crate::__literal_unexpected!($colon);
    };
    (@object $object:ident ($($key:tt)*) (, $($rest:tt)*) ($comma:tt $($copy:tt)*)) => {
        $crate::__literal_unexpected!($comma);
    };
    (@object $object:ident () (($key:expr) : $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object ($key) (: $($rest)*) (: $($rest)*));
    };
    (@object $object:ident ($($key:tt)*) ($tt:tt $($rest:tt)*) $copy:tt) => {
        $crate::literal!(@object $object ($($key)* $tt) ($($rest)*) ($($rest)*));
    };

    // ---- entry points ----
    (null) => {
        $crate::Value::Static($crate::StaticNode::Null)
    };
    (true) => {
        $crate::Value::Static($crate::StaticNode::Bool(true))
    };
    (false) => {
        $crate::Value::Static($crate::StaticNode::Bool(false))
    };
    ([]) => {
        $crate::Value::Array(::std::vec::Vec::new())
    };
    ([ $($tt:tt)+ ]) => {
        $crate::Value::Array($crate::literal!(@array [] $($tt)+))
    };
    ({}) => {
        $crate::Value::object()
    };
    ({ $($tt:tt)+ }) => {
        $crate::Value::Object({
            let mut object: ::std::boxed::Box<$crate::Object<'static>> =
                ::std::boxed::Box::default();
            $crate::literal!(@object object () ($($tt)+) ($($tt)+));
            object
        })
    };
    ($other:expr) => {
        $crate::Value::<'static>::from($other)
    };
}

/// Reports an unexpected token in a [`literal!`](crate::literal) invocation (implementation
/// detail of the macro).
#[macro_export]
#[doc(hidden)]
macro_rules! __literal_unexpected {
    () => {};
}

#[cfg(test)]
mod tests {
    use crate::{to_json, to_json_sorted, Value};

    #[test]
    fn literal_kinds() {
        assert!(literal!(null).is_null());
        assert_eq!(literal!(true).as_bool(), Some(true));
        assert_eq!(literal!(false).as_bool(), Some(false));
        assert_eq!(literal!(1).as_i64(), Some(1));
        assert_eq!(literal!(-1).as_i64(), Some(-1));
        assert_eq!(literal!(2.5).as_f64(), Some(2.5));
        assert_eq!(literal!("s").as_str(), Some("s"));
        assert_eq!(to_json(&literal!([])), "[]");
        assert_eq!(to_json(&literal!({})), "{}");
    }

    #[test]
    fn literal_nested() {
        let v = literal!({"a": 1, "b": [1, 2.5, "x", null, true], "c": {"d": {}}});
        assert_eq!(
            to_json_sorted(&v),
            r#"{"a":1,"b":[1,2.5,"x",null,true],"c":{"d":{}}}"#
        );
        let v = literal!([[1, [2, [3]]], {"k": [{"x": false}]}, null,]);
        assert_eq!(to_json(&v), r#"[[1,[2,[3]]],{"k":[{"x":false}]},null]"#);
        let v = literal!({"trailing": "comma",});
        assert_eq!(to_json(&v), r#"{"trailing":"comma"}"#);
    }

    #[test]
    fn literal_expressions() {
        let n = 41;
        let name = String::from("tremor");
        let missing: Option<&str> = None;
        let key = "dyn";
        let v = literal!({
            "n": n + 1,
            "name": name.clone(),
            "neg": -n,
            "missing": missing,
            "some": Some(1.5),
            "unit": (),
            "big": u64::MAX,
            "vec": Value::from(vec![Value::from(1)]),
            "call": [i64::from(n).pow(2), name.len()],
            (key): "v",
            "nested": literal!({"x": n}),
        });
        assert_eq!(
            to_json_sorted(&v),
            r#"{"big":18446744073709551615,"call":[1681,6],"dyn":"v","missing":null,"n":42,"name":"tremor","neg":-41,"nested":{"x":41},"some":1.5,"unit":null,"vec":[1]}"#
        );
        let v: Value<'static> = literal!([n, "x", (1, 2).0]);
        assert_eq!(to_json(&v), r#"[41,"x",1]"#);
    }

    #[test]
    fn literal_is_static() {
        fn takes_static(v: Value<'static>) -> String {
            v.to_string()
        }
        let s = String::from("owned");
        assert_eq!(takes_static(literal!({"s": s})), r#"{"s":"owned"}"#);
    }
}
