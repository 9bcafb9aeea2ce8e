//! Table-driven checks for the library's functions: arguments and results written as JSON.

use super::{lookup, CallEnv, FnError};
use tremor_value::{parse_json, to_json_sorted, Value};

/// Calls `path` with `args` in a default environment.
pub(super) fn call(path: &str, args: &[Value<'_>]) -> Result<Value<'static>, FnError> {
    let f = lookup(path).unwrap_or_else(|| panic!("{path} is not in the library"));
    let refs: Vec<&Value<'_>> = args.iter().collect();
    f.invoke(&mut CallEnv::default(), &refs)
}

/// Parses JSON test input.
pub(super) fn json(text: &str) -> Value<'static> {
    let mut buf = text.as_bytes().to_vec();
    parse_json(&mut buf)
        .unwrap_or_else(|e| panic!("bad test JSON {text}: {e}"))
        .into_static()
}

/// The outcome as text: sorted JSON for a value, `ERR:` and the message for an error.
pub(super) fn outcome(result: Result<Value<'_>, FnError>) -> String {
    match result {
        Ok(v) => to_json_sorted(&v),
        Err(e) => format!("ERR:{e}"),
    }
}

/// Each case is (function path, JSON array of arguments, expected JSON result or `ERR:` and
/// the error message). Integers and floats are told apart (`1` is not `1.0`).
pub(super) fn check(cases: &[(&str, &str, &str)]) {
    for (path, args, expected) in cases {
        let args = json(args);
        let args = args.as_array().map_or(&[][..], Vec::as_slice);
        let got = outcome(call(path, args));
        let want = if expected.starts_with("ERR:") {
            (*expected).to_string()
        } else {
            to_json_sorted(&json(expected))
        };
        assert_eq!(got, want, "{path}({args:?})");
    }
}
