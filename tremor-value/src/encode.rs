//! Compact JSON encoding, matching `serde_json::to_string` byte for byte.
//!
//! The encoder is generic over a [`Sink`] so that the same code writes into a `Vec<u8>` (no
//! error handling at all, `Infallible`) and into a `fmt::Formatter` (for `Display`).

use crate::{Object, StaticNode, Value};
use std::convert::Infallible;
use std::fmt;

/// Where encoded JSON goes. Only whole `&str`s and ASCII bytes are written, so the output is
/// always valid UTF-8.
trait Sink {
    /// The error writing can fail with.
    type Error;
    /// Appends a string.
    fn put_str(&mut self, s: &str) -> Result<(), Self::Error>;
    /// Appends a single ASCII byte.
    fn put_ascii(&mut self, b: u8) -> Result<(), Self::Error>;
}

impl Sink for Vec<u8> {
    type Error = Infallible;
    #[inline]
    fn put_str(&mut self, s: &str) -> Result<(), Infallible> {
        self.extend_from_slice(s.as_bytes());
        Ok(())
    }
    #[inline]
    fn put_ascii(&mut self, b: u8) -> Result<(), Infallible> {
        self.push(b);
        Ok(())
    }
}

impl Sink for fmt::Formatter<'_> {
    type Error = fmt::Error;
    fn put_str(&mut self, s: &str) -> fmt::Result {
        self.write_str(s)
    }
    fn put_ascii(&mut self, b: u8) -> fmt::Result {
        fmt::Write::write_char(self, char::from(b))
    }
}

/// Unwraps a result that cannot be an error.
fn infallible(r: Result<(), Infallible>) {
    match r {
        Ok(()) => {}
        Err(e) => match e {},
    }
}

/// Appends `v` as compact JSON (no whitespace) to `out`. Record keys are written in the
/// map's iteration order (insertion order for records of up to 32 entries).
///
/// Only `out` is grown; nothing else is allocated. Non-finite floats are written as `null`,
/// bytes as an array of numbers — the same as `serde_json::to_string`.
pub fn write_json(v: &Value<'_>, out: &mut Vec<u8>) {
    infallible(encode::<_, false, false>(v, out));
}

/// Like [`write_json`], but the keys of every record (recursively) are written sorted
/// bytewise, so equal values always encode identically (the `json-sorted` codec).
///
/// Records of up to 32 entries are sorted on the stack; larger ones use a temporary vector.
pub fn write_json_sorted(v: &Value<'_>, out: &mut Vec<u8>) {
    infallible(encode::<_, true, false>(v, out));
}

/// Like [`write_json`] (or [`write_json_sorted`] with `sorted`), but bytes are written as a
/// JSON string of their padded standard base64, as Tremor's `json` codec writes binary
/// values (`<<1, 2, 3>>` is `"AQID"`). Everything else is written the same.
pub fn write_json_codec(v: &Value<'_>, sorted: bool, out: &mut Vec<u8>) {
    if sorted {
        infallible(encode::<_, true, true>(v, out));
    } else {
        infallible(encode::<_, false, true>(v, out));
    }
}

/// `v` as compact JSON, see [`write_json`].
#[must_use]
pub fn to_json(v: &Value<'_>) -> String {
    let mut out = Vec::with_capacity(128);
    write_json(v, &mut out);
    into_string(out)
}

/// `v` as compact JSON with recursively sorted record keys, see [`write_json_sorted`].
#[must_use]
pub fn to_json_sorted(v: &Value<'_>) -> String {
    let mut out = Vec::with_capacity(128);
    write_json_sorted(v, &mut out);
    into_string(out)
}

/// Turns encoder output into a `String`; the encoder only writes UTF-8.
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl fmt::Display for Value<'_> {
    /// Compact JSON, as [`write_json`] produces it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        encode::<_, false, false>(self, f)
    }
}

impl fmt::Debug for Value<'_> {
    /// Compact JSON, as [`write_json`] produces it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        encode::<_, false, false>(self, f)
    }
}

/// Encodes `v` into `out`, sorting record keys if `SORTED`, bytes as a base64 string if
/// `BASE64` (else as an array of numbers).
fn encode<S: Sink + ?Sized, const SORTED: bool, const BASE64: bool>(
    v: &Value<'_>,
    out: &mut S,
) -> Result<(), S::Error> {
    match v {
        Value::Static(s) => encode_static(*s, out),
        Value::String(s) => encode_str(s, out),
        Value::Array(a) => {
            out.put_ascii(b'[')?;
            let mut iter = a.iter();
            if let Some(first) = iter.next() {
                encode::<S, SORTED, BASE64>(first, out)?;
                for e in iter {
                    out.put_ascii(b',')?;
                    encode::<S, SORTED, BASE64>(e, out)?;
                }
            }
            out.put_ascii(b']')
        }
        Value::Object(o) if SORTED && o.len() > 1 => encode_sorted_object::<S, BASE64>(o, out),
        Value::Object(o) => {
            out.put_ascii(b'{')?;
            let mut first = true;
            for (k, v) in o.iter() {
                if !first {
                    out.put_ascii(b',')?;
                }
                first = false;
                encode_str(k, out)?;
                out.put_ascii(b':')?;
                encode::<S, SORTED, BASE64>(v, out)?;
            }
            out.put_ascii(b'}')
        }
        Value::Bytes(b) if BASE64 => {
            use base64::Engine as _;
            out.put_ascii(b'"')?;
            out.put_str(&base64::engine::general_purpose::STANDARD.encode(b))?;
            out.put_ascii(b'"')
        }
        Value::Bytes(b) => {
            out.put_ascii(b'[')?;
            let mut buf = itoa::Buffer::new();
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.put_ascii(b',')?;
                }
                out.put_str(buf.format(*byte))?;
            }
            out.put_ascii(b']')
        }
    }
}

/// Entries of a record sorted on the stack up to this size.
const STACK_SORT: usize = 32;

/// Encodes a record with its keys sorted bytewise (recursively sorted values).
fn encode_sorted_object<S: Sink + ?Sized, const BASE64: bool>(
    o: &Object<'_>,
    out: &mut S,
) -> Result<(), S::Error> {
    let null = &crate::value::NULL;
    if o.len() <= STACK_SORT {
        let mut entries: [(&str, &Value<'_>); STACK_SORT] = [("", null); STACK_SORT];
        let mut n = 0;
        for ((k, v), slot) in o.iter().zip(entries.iter_mut()) {
            *slot = (k, v);
            n += 1;
        }
        write_entries::<S, BASE64>(&mut entries[..n], out)
    } else {
        let mut entries: Vec<(&str, &Value<'_>)> = o.iter().map(|(k, v)| (k.as_ref(), v)).collect();
        write_entries::<S, BASE64>(&mut entries, out)
    }
}

/// Sorts `entries` by key and writes them as a JSON object.
fn write_entries<S: Sink + ?Sized, const BASE64: bool>(
    entries: &mut [(&str, &Value<'_>)],
    out: &mut S,
) -> Result<(), S::Error> {
    // keys of a map are unique, so an unstable sort is deterministic
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.put_ascii(b'{')?;
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.put_ascii(b',')?;
        }
        encode_str(k, out)?;
        out.put_ascii(b':')?;
        encode::<S, true, BASE64>(v, out)?;
    }
    out.put_ascii(b'}')
}

/// Encodes a scalar.
fn encode_static<S: Sink + ?Sized>(s: StaticNode, out: &mut S) -> Result<(), S::Error> {
    match s {
        StaticNode::Bool(true) => out.put_str("true"),
        StaticNode::Bool(false) => out.put_str("false"),
        StaticNode::I64(i) => out.put_str(itoa::Buffer::new().format(i)),
        StaticNode::U64(u) => out.put_str(itoa::Buffer::new().format(u)),
        StaticNode::F64(f) if f.is_finite() => out.put_str(zmij::Buffer::new().format_finite(f)),
        // JSON has no NaN or infinities; serde_json writes them as `null` too
        StaticNode::Null | StaticNode::F64(_) => out.put_str("null"),
    }
}

/// What a byte turns into inside a JSON string: 0 = itself, `u` = `\u00XX`, else `\<c>`.
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Lower-case hex digits, as `serde_json` writes them in `\u00XX`.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// `0x01` in every byte of a `u64`.
const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte of a `u64`.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the 8 bytes in `w` is a control character, `"` or a backslash (SWAR test).
#[inline]
fn word_needs_escape(w: u64) -> bool {
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    (control | has_zero(w ^ (ONES * u64::from(b'"'))) | has_zero(w ^ (ONES * u64::from(b'\\'))))
        != 0
}

/// Encodes a JSON string with quotes and escapes, copying runs without escapes in one go.
/// Clean 8-byte chunks are skipped with one word test each.
#[inline]
fn encode_str<S: Sink + ?Sized>(s: &str, out: &mut S) -> Result<(), S::Error> {
    out.put_ascii(b'"')?;
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if word_needs_escape(u64::from_le_bytes(word)) {
            for (j, &b) in chunk.iter().enumerate() {
                escape_byte(s, b, i + j, &mut start, out)?;
            }
        }
        i += 8;
    }
    let tail = &bytes[i..];
    if !tail.is_empty() {
        // pad with spaces, which never need escaping
        let mut word = [b' '; 8];
        word[..tail.len()].copy_from_slice(tail);
        if word_needs_escape(u64::from_le_bytes(word)) {
            for (j, &b) in tail.iter().enumerate() {
                escape_byte(s, b, i + j, &mut start, out)?;
            }
        }
    }
    if start < bytes.len() {
        out.put_str(&s[start..])?;
    }
    out.put_ascii(b'"')
}

/// If byte `b` at offset `i` of `s` needs escaping, writes the pending unescaped run
/// `s[*start..i]` and the escape, and moves `*start` past `b`.
#[inline]
fn escape_byte<S: Sink + ?Sized>(
    s: &str,
    b: u8,
    i: usize,
    start: &mut usize,
    out: &mut S,
) -> Result<(), S::Error> {
    let esc = ESCAPE[usize::from(b)];
    if esc == 0 {
        return Ok(());
    }
    // `b` is ASCII, so `i` is a char boundary
    if *start < i {
        out.put_str(&s[*start..i])?;
    }
    out.put_ascii(b'\\')?;
    out.put_ascii(esc)?;
    if esc == b'u' {
        out.put_str("00")?;
        out.put_ascii(HEX[usize::from(b >> 4)])?;
        out.put_ascii(HEX[usize::from(b & 0xf)])?;
    }
    *start = i + 1;
    Ok(())
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
