//! `std::string`: text functions. Lengths and positions count characters, not bytes.

use super::args::{arg, bytes_arg, str_arg, usize_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = &[
    Function::new("std::string::format", 1, usize::MAX, format),
    Function::new("std::string::is_empty", 1, 1, |_, a| {
        map_str(a, str::is_empty)
    }),
    Function::new("std::string::len", 1, 1, |_, a| {
        map_str(a, |s| s.chars().count())
    }),
    Function::new("std::string::bytes", 1, 1, |_, a| map_str(a, str::len)),
    Function::new("std::string::replace", 3, 3, replace),
    Function::new("std::string::trim", 1, 1, |_, a| {
        map_str(a, |s| s.trim().to_string())
    }),
    Function::new("std::string::trim_start", 1, 1, |_, a| {
        map_str(a, |s| s.trim_start().to_string())
    }),
    Function::new("std::string::trim_end", 1, 1, |_, a| {
        map_str(a, |s| s.trim_end().to_string())
    }),
    Function::new("std::string::lowercase", 1, 1, |_, a| {
        map_str(a, str::to_lowercase)
    }),
    Function::new("std::string::uppercase", 1, 1, |_, a| {
        map_str(a, str::to_uppercase)
    }),
    Function::new("std::string::capitalize", 1, 1, capitalize),
    Function::new("std::string::substr", 3, 3, substr),
    Function::new("std::string::split", 2, 2, split),
    Function::new("std::string::contains", 2, 2, contains),
    Function::new("std::string::from_utf8_lossy", 1, 1, from_utf8_lossy),
    Function::new("std::string::into_binary", 1, 1, into_binary),
    Function::new("std::string::reverse", 1, 1, |_, a| {
        map_str(a, |s| s.chars().rev().collect::<String>())
    }),
];

/// Applies `f` to the one string argument.
fn map_str<T: Into<Value<'static>>>(args: &[&Value<'_>], f: impl FnOnce(&str) -> T) -> Res {
    Ok(f(str_arg(args, 0)?).into())
}

fn into_binary(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::bytes(str_arg(args, 0)?.as_bytes().to_vec()))
}
fn capitalize(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    map_str(args, |s| {
        let mut chars = s.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect::<String>()
        })
    })
}

fn replace(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (input, from, to) = (str_arg(args, 0)?, str_arg(args, 1)?, str_arg(args, 2)?);
    Ok(Value::from(input.replace(from, to)))
}

fn substr(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (input, start, end) = (str_arg(args, 0)?, usize_arg(args, 1)?, usize_arg(args, 2)?);
    // Character positions to byte offsets; past the end means the end (start: the beginning).
    let at = |n: usize, past_end: usize| input.char_indices().nth(n).map_or(past_end, |(i, _)| i);
    let (from, to) = (at(start, 0), at(end, input.len()));
    Ok(Value::from(
        input.get(from..to).unwrap_or(input).to_string(),
    ))
}

fn split(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (input, sep) = (str_arg(args, 0)?, str_arg(args, 1)?);
    Ok(input
        .split(sep)
        .map(|p| Value::from(p.to_string()))
        .collect())
}

fn contains(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(str_arg(args, 0)?.contains(str_arg(args, 1)?)))
}

fn from_utf8_lossy(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(
        String::from_utf8_lossy(bytes_arg(args, 0)?).into_owned(),
    ))
}

/// A value as text the way Tremor prints it inside strings: strings as they are, everything
/// else as JSON.
pub(super) fn display(v: &Value<'_>) -> String {
    v.as_str()
        .map_or_else(|| tremor_value::to_json(v), ToString::to_string)
}

/// `format("{} and {}", a, b)`: `{}` takes the next argument, `{{` / `}}` are literal braces.
fn format(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let template = arg(args, 0)?.as_str().ok_or_else(|| {
        FnError::runtime(
            "expected 1st parameter to format to be a format specifier e.g. to print a number \
             use `string::format(\"{}\", 1)`",
        )
    })?;
    let mut rest = args.iter().skip(1);
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().enumerate();
    while let Some((pos, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, c @ ('{' | '}'))) => out.push(c),
                Some((_, c)) => {
                    out.push('\\');
                    out.push(c);
                }
                None => return Err(FnError::runtime(format!("bad escape sequence at {pos}"))),
            },
            '{' => match chars.next() {
                Some((_, '}')) => match rest.next() {
                    Some(v) => out.push_str(&display(v)),
                    None => return Err(FnError::runtime(format!(
                        "the arguments passed to the format function are less than the `{{}}` \
                         specifiers in the format string. The placeholder at {pos} can not be filled"
                    ))),
                },
                Some((_, '{')) => out.push('{'),
                _ => return Err(FnError::runtime(format!(
                    "the format specifier at {pos} is invalid. If you want to use `{{` as a \
                     literal in the string, you need to escape it with `{{{{`"
                ))),
            },
            '}' => {
                if !matches!(chars.next(), Some((_, '}'))) {
                    return Err(FnError::runtime(format!(
                        "the format specifier at {pos} is invalid. You have to terminate `}}` \
                         with another `}}` to escape it"
                    )));
                }
                out.push('}');
            }
            c => out.push(c),
        }
    }
    if rest.next().is_some() {
        return Err(FnError::runtime(
            "too many parameters passed. Ensure that you have the same number of {} in your \
             format string",
        ));
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::call;
    use tremor_value::Value;

    reference_examples![
        ("std::string::replace", r#"["this is a test", "test", "cake"]"#, r#""this is a cake""#),
        ("std::string::is_empty", r#"[""]"#, "true"),
        ("std::string::is_empty", r#"["x"]"#, "false"),
        ("std::string::len", r#"["this is another test ♥"]"#, "22"),
        ("std::string::bytes", r#"["this is another test ♥"]"#, "24"),
        ("std::string::trim", "[\"\u{a0} this is a test \u{a0}\"]", r#""this is a test""#),
        ("std::string::trim_start", r#"[" a "]"#, r#""a ""#),
        ("std::string::trim_end", r#"[" a "]"#, r#"" a""#),
        ("std::string::lowercase", r#"["THIS IS"]"#, r#""this is""#),
        ("std::string::uppercase", r#"["this is"]"#, r#""THIS IS""#),
        ("std::string::capitalize", r#"["this is a test"]"#, r#""This is a test""#),
        ("std::string::capitalize", r#"[""]"#, r#""""#),
        ("std::string::substr", r#"["this is a test", 5, 7]"#, r#""is""#),
        ("std::string::substr", r#"["♥♥♥abc", 1, 100]"#, r#""♥♥abc""#),
        ("std::string::split", r#"["this is a test", " "]"#, r#"["this","is","a","test"]"#),
        ("std::string::contains", r#"["this is a test", "is a"]"#, "true"),
        ("std::string::reverse", r#"["badger"]"#, r#""regdab""#),
        ("std::string::format", r#"["the {} is {}.", "meaning of life", 42]"#, r#""the meaning of life is 42.""#),
        ("std::string::format", r#"["{{}} {}", [1]]"#, r#""{} [1]""#),
        ("std::string::format", r#"["{}"]"#, "ERR:Runtime error in function string::format/1: the arguments passed to the format function are less than the `{}` specifiers in the format string. The placeholder at 0 can not be filled"),
        ("std::string::format", r#"["{}", 1, 2]"#, "ERR:Runtime error in function string::format/3: too many parameters passed. Ensure that you have the same number of {} in your format string"),
        ("std::string::format", r#"["a } b"]"#, "ERR:Runtime error in function string::format/1: the format specifier at 2 is invalid. You have to terminate `}` with another `}` to escape it"),
        ("std::string::len", "[1]", "ERR:Bad type passed to function string::len/1"),
    ];

    #[test]
    fn binary_conversions() {
        let lossy = call(
            "std::string::from_utf8_lossy",
            &[Value::bytes(&b"badger\xF0\x90\x80"[..])],
        );
        assert_eq!(lossy.ok(), Some(Value::from("badger\u{fffd}")));
        let bin = call("std::string::into_binary", &[Value::from("badger")]);
        assert_eq!(bin.ok(), Some(Value::bytes(&b"badger"[..])));
    }
}
