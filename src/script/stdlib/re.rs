//! `std::re`: regular expressions (Rust `regex` syntax, as in Tremor). The pattern is usually a
//! literal, so the last few compiled patterns are kept per thread instead of compiling one per
//! call.

use super::args::{runtime, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use regex::Regex;
use std::cell::RefCell;
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = table!("std::re::";
    replace 3, replace_all 3, is_match 2, split 2,
);

/// How many compiled patterns each thread keeps.
const CACHED: usize = 16;

thread_local! {
    static CACHE: RefCell<Vec<(String, Regex)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the compiled pattern of argument 0 and the input of argument 1.
fn with_regex<T>(args: &[&Value<'_>], f: impl FnOnce(&Regex, &str) -> T) -> Result<T, FnError> {
    let (pattern, input) = (str_arg(args, 0)?, str_arg(args, 1)?);
    CACHE
        .with(|cache| {
            let mut cache = cache.borrow_mut();
            let at = match cache.iter().position(|(p, _)| p == pattern) {
                Some(at) => at,
                None => {
                    let re = Regex::new(pattern).map_err(runtime)?;
                    if cache.len() == CACHED {
                        cache.remove(0);
                    }
                    cache.push((pattern.to_string(), re));
                    cache.len() - 1
                }
            };
            Ok(cache.get(at).map(|(_, re)| f(re, input)))
        })?
        .ok_or_else(|| FnError::runtime("regex cache lost its entry"))
}

fn replace(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let to = str_arg(args, 2)?;
    with_regex(args, |re, s| Value::from(re.replace(s, to).into_owned()))
}
fn replace_all(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let to = str_arg(args, 2)?;
    with_regex(args, |re, s| {
        Value::from(re.replace_all(s, to).into_owned())
    })
}
fn is_match(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    with_regex(args, |re, s| Value::from(re.is_match(s)))
}
fn split(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    with_regex(args, |re, s| {
        re.split(s).map(|p| Value::from(p.to_string())).collect()
    })
}

#[cfg(test)]
mod tests {
    reference_examples![
        ("std::re::replace", r#"["[a-z]+", "this is a test", "X"]"#, r#""X is a test""#),
        ("std::re::replace_all", r#"["[a-z]+", "this is a test", "X"]"#, r#""X X X X""#),
        ("std::re::replace_all", r#"["(?P<w>[a-z]+)", "ab cd", "<$w>"]"#, r#""<ab> <cd>""#),
        ("std::re::is_match", r#"["^t.*t$", "this is a test"]"#, "true"),
        ("std::re::is_match", r#"["^x", "this is a test"]"#, "false"),
        ("std::re::split", r#"[" ", "this is a test"]"#, r#"["this","is","a","test"]"#),
        ("std::re::split", r#"["[", "x"]"#, "ERR:Runtime error in function re::split/2: regex parse error:\n    [\n    ^\nerror: unclosed character class"),
    ];
}
