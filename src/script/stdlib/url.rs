//! `std::url`: percent-encoding. Every byte but ASCII letters and digits is encoded, as with
//! the `percent-encoding` crate's `NON_ALPHANUMERIC` set Tremor uses.

use super::args::str_arg;
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use std::fmt::Write;
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = table!("std::url::";
    encode 1, decode 1,
);

fn encode(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let s = str_arg(args, 0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    Ok(Value::from(out))
}

/// `%XX` to the byte; a `%` without two hex digits stays as it is.
fn decode(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let s = str_arg(args, 0)?;
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(b) = hex {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map(Value::from)
        .map_err(|_| FnError::runtime(format!("Could not urldecode value: {s}")))
}

#[cfg(test)]
mod tests {
    reference_examples![
        (
            "std::url::encode",
            r#"["beep:snot/foobar"]"#,
            r#""beep%3Asnot%2Ffoobar""#,
        ),
        (
            "std::url::decode",
            r#"["beep%3Asnot%2Ffoobar"]"#,
            r#""beep:snot/foobar""#,
        ),
        ("std::url::encode", r#"["a b♥"]"#, r#""a%20b%E2%99%A5""#),
        (
            "std::url::encode",
            r#"["!*'();:@&=+$,/?#[]"]"#,
            r#""%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D""#
        ),
        ("std::url::decode", r#"["a%20b%E2%99%A5%"]"#, r#""a b♥%""#),
        (
            "std::url::decode",
            r#"["%FF"]"#,
            "ERR:Runtime error in function url::decode/1: Could not urldecode value: %FF",
        ),
    ];
}
