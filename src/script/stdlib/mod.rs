//! Tremor's standard library: the intrinsic functions of `std::…`, `tremor::…` (and the id
//! generators of `cncf::otel` / `google::cloud::logging`), looked up
//! once by their full path when a script is compiled, plus the library's constants.
//!
//! Every function takes its arguments by reference and returns an owned value, so a call never
//! borrows from the event it reads. Errors carry Tremor's wording (see [`FnError`]); functions
//! never panic on user input.

/// A module's table from `prefix; name arity, name min..=max, …`: each entry calls the
/// function of the same name.
macro_rules! table {
    ($prefix:literal; $($name:ident $min:literal $(..= $max:expr)?),* $(,)?) => {
        &[$($crate::script::stdlib::function::Function::new(
            concat!($prefix, stringify!($name)),
            $min,
            table!(@max $min $(, $max)?),
            $name,
        )),*]
    };
    (@max $min:literal) => { $min };
    (@max $min:literal, $max:expr) => { $max };
}

/// A module's test of the reference's examples: (function path, JSON array of arguments, JSON
/// result or `ERR:` and Tremor's message), checked by `test_support::check`.
#[cfg(test)]
macro_rules! reference_examples {
    ($($case:expr),* $(,)?) => {
        #[test]
        fn reference_examples() {
            $crate::script::stdlib::test_support::check(&[$($case),*]);
        }
    };
}

mod aggr;
mod args;
mod array;
mod base64;
mod binary;
mod chash;
mod consts;
mod datetime;
mod env;
mod float;
mod function;
mod ids;
mod integer;
mod json;
mod math;
mod origin;
mod path;
mod random;
mod re;
mod record;
mod string;
mod system;
mod test;
mod time;
mod types;
mod url;

#[cfg(test)]
mod test_support;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use aggr::{lookup_aggr, AggrFunction, Aggregate};
pub(crate) use base64::ENGINE as BASE64;
pub use consts::lookup_const;
pub(crate) use datetime::parse_nanos;
pub use env::{CallEnv, OriginUri, Random};
pub use function::{CallFn, FnError, FnErrorKind, Function};

/// Every module's table; the order does not matter.
const MODULES: &[&[Function]] = &[
    array::FUNCTIONS,
    base64::FUNCTIONS,
    binary::FUNCTIONS,
    chash::FUNCTIONS,
    datetime::FUNCTIONS,
    float::FUNCTIONS,
    ids::FUNCTIONS,
    integer::FUNCTIONS,
    json::FUNCTIONS,
    math::FUNCTIONS,
    origin::FUNCTIONS,
    path::FUNCTIONS,
    random::FUNCTIONS,
    re::FUNCTIONS,
    record::FUNCTIONS,
    string::FUNCTIONS,
    system::FUNCTIONS,
    system::WINDOW,
    test::FUNCTIONS,
    time::FROM,
    time::TO,
    time::TRUNCATE,
    time::SIZES,
    time::RANGE,
    types::FUNCTIONS,
    url::FUNCTIONS,
];

fn registry() -> &'static HashMap<&'static str, &'static Function> {
    static TABLE: OnceLock<HashMap<&'static str, &'static Function>> = OnceLock::new();
    TABLE.get_or_init(|| {
        MODULES
            .iter()
            .flat_map(|m| m.iter())
            .map(|f| (f.name, f))
            .collect()
    })
}

/// The function at `path` (`std::string::len`), if the library has one.
#[must_use]
pub fn lookup(path: &str) -> Option<&'static Function> {
    registry().get(path).copied()
}

/// Whether `path` names a library module (`std`, `std::string`, `std::integer::signed`,
/// `tremor::system`, …): what `use PATH;` may import.
#[must_use]
pub fn is_module(path: &str) -> bool {
    let inside = |name: &str| {
        name.strip_prefix(path)
            .is_some_and(|rest| rest.starts_with("::"))
    };
    registry().keys().any(|name| inside(name))
        || consts::MODULES.iter().any(|m| *m == path || inside(m))
}

/// Every function's full path, sorted (for listings and "did you mean" hints).
#[must_use]
pub fn function_names() -> Vec<&'static str> {
    let mut names: Vec<_> = registry().keys().copied().collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::Value;

    #[test]
    fn names_are_unique_and_found() {
        let total: usize = MODULES.iter().map(|m| m.len()).sum();
        assert_eq!(function_names().len(), total);
        for name in function_names() {
            assert_eq!(lookup(name).map(|f| f.name), Some(name));
        }
        assert!(lookup("std::string::nope").is_none());
        for module in [
            "std",
            "std::string",
            "std::time::nanos",
            "std::integer::signed",
            "tremor",
        ] {
            assert!(is_module(module), "{module}");
        }
        for not_module in ["std::str", "std::string::len", "tremor::sys", "st"] {
            assert!(!is_module(not_module), "{not_module}");
        }
        let pure = |p: &str| lookup(p).map(Function::is_pure);
        assert_eq!(pure("std::string::len"), Some(true));
        assert_eq!(pure("std::time::nanos::from_millis"), Some(true));
        assert_eq!(pure("tremor::system::ingest_ns"), Some(false));
        assert_eq!(pure("std::random::integer"), Some(false));
    }

    /// Every function of the library is named in the tests of its module (the reference's
    /// examples): a function added without tests fails here.
    #[test]
    fn every_function_has_tests() {
        let sources = [
            include_str!("array.rs"),
            include_str!("base64.rs"),
            include_str!("binary.rs"),
            include_str!("chash.rs"),
            include_str!("datetime.rs"),
            include_str!("float.rs"),
            include_str!("ids.rs"),
            include_str!("integer.rs"),
            include_str!("json.rs"),
            include_str!("math.rs"),
            include_str!("origin.rs"),
            include_str!("path.rs"),
            include_str!("random.rs"),
            include_str!("re.rs"),
            include_str!("record.rs"),
            include_str!("string.rs"),
            include_str!("system.rs"),
            include_str!("test.rs"),
            include_str!("time.rs"),
            include_str!("types.rs"),
            include_str!("url.rs"),
            include_str!("../program_tests.rs"),
        ];
        let tests: Vec<&str> = sources
            .iter()
            .filter_map(|s| s.split_once("#[cfg(test)]").map(|(_, tests)| tests))
            .collect();
        let untested: Vec<&str> = function_names()
            .into_iter()
            .filter(|name| !tests.iter().any(|t| t.contains(&format!("\"{name}\""))))
            .collect();
        assert!(untested.is_empty(), "no tests name {untested:?}");
    }

    /// Every function, with every mix of odd arguments up to three, answers without panicking.
    #[test]
    fn no_function_panics() {
        let samples = [
            "null",
            "true",
            "-1",
            "0",
            "18446744073709551615",
            "1e308",
            "-0.5",
            r#""""#,
            r#""%{""#,
            r#""{}""#,
            "[]",
            "[[1, 2], [\"a\", 1]]",
            r#"{"timestamp": 1, "tz": 999}"#,
        ];
        let mut values: Vec<Value<'static>> =
            samples.iter().map(|s| test_support::json(s)).collect();
        values.push(Value::bytes(vec![0xff, 0]));
        let mut env = CallEnv::default();
        for f in MODULES.iter().flat_map(|m| m.iter()) {
            for arity in f.min_arity..=f.max_arity.min(3) {
                let mut at = vec![0; arity];
                loop {
                    let args: Vec<&Value<'_>> = at.iter().map(|i| &values[*i]).collect();
                    let _ = f.invoke(&mut env, &args);
                    // Next combination (odometer over the samples).
                    let Some(pos) = at.iter().position(|i| *i + 1 < values.len()) else {
                        break;
                    };
                    at[pos] += 1;
                    at[..pos].iter_mut().for_each(|i| *i = 0);
                }
            }
        }
    }

    #[test]
    fn errors_read_like_tremors() {
        let len = lookup("std::string::len").expect("string::len exists");
        let mut env = CallEnv::default();
        let (one, s) = (Value::from(1), Value::from("s"));
        let bad_type = len.invoke(&mut env, &[&one]).map_err(|e| e.to_string());
        assert_eq!(
            bad_type,
            Err("Bad type passed to function string::len/1".into())
        );
        let bad_arity = len.invoke(&mut env, &[&s, &s]).map_err(|e| e.to_string());
        assert_eq!(
            bad_arity,
            Err("Bad arity for function string::len/1..=1 but was called with 2 arguments".into())
        );
    }
}
