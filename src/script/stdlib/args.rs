//! Reading arguments: each getter answers Tremor's bad-type error when the argument at that
//! position is missing or of another type.

use super::function::FnError;
use tremor_value::{Object, Value};

/// The argument at `i`.
pub(super) fn arg<'a, 'v>(args: &[&'a Value<'v>], i: usize) -> Result<&'a Value<'v>, FnError> {
    args.get(i).copied().ok_or_else(FnError::bad_type)
}

/// A string argument.
pub(super) fn str_arg<'a>(args: &[&'a Value<'_>], i: usize) -> Result<&'a str, FnError> {
    arg(args, i)?.as_str().ok_or_else(FnError::bad_type)
}

/// An integer argument that fits `i64`.
pub(super) fn i64_arg(args: &[&Value<'_>], i: usize) -> Result<i64, FnError> {
    arg(args, i)?.as_i64().ok_or_else(FnError::bad_type)
}

/// A non-negative integer argument.
pub(super) fn usize_arg(args: &[&Value<'_>], i: usize) -> Result<usize, FnError> {
    arg(args, i)?.as_usize().ok_or_else(FnError::bad_type)
}

/// A number argument (integer or float) as `f64`.
pub(super) fn f64_arg(args: &[&Value<'_>], i: usize) -> Result<f64, FnError> {
    arg(args, i)?.as_f64().ok_or_else(FnError::bad_type)
}

/// An array argument.
pub(super) fn array_arg<'a, 'v>(
    args: &[&'a Value<'v>],
    i: usize,
) -> Result<&'a Vec<Value<'v>>, FnError> {
    arg(args, i)?.as_array().ok_or_else(FnError::bad_type)
}

/// A record argument.
pub(super) fn object_arg<'a, 'v>(
    args: &[&'a Value<'v>],
    i: usize,
) -> Result<&'a Object<'v>, FnError> {
    arg(args, i)?.as_object().ok_or_else(FnError::bad_type)
}

/// A binary argument.
pub(super) fn bytes_arg<'a>(args: &[&'a Value<'_>], i: usize) -> Result<&'a [u8], FnError> {
    match arg(args, i)? {
        Value::Bytes(b) => Ok(b),
        _ => Err(FnError::bad_type()),
    }
}

/// A runtime error from anything displayable.
pub(super) fn runtime<E: std::fmt::Display>(e: E) -> FnError {
    FnError::runtime(e.to_string())
}
