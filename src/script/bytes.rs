//! Binary literals `<< data[:bits][/type], ... >>`: parsing and building the bytes.
//!
//! Integers are written big endian and unsigned unless the type says otherwise
//! (`/signed-little` ...); `bits` defaults to 8 for integers; a `/binary` part (a binary or a
//! string) takes its whole value, or as many bytes as its size says. Bits are packed most
//! significant first, so `<<1:4, 2:4>>` is `0x12`; a last partial byte holds its bits at the
//! low end, as in Tremor (see [`BitWriter`]).

use super::cursor::Parser;
use super::error::{Callout, Pos, SourceError};
use super::expr::{BytesKind, BytesPart, Expr, ExprKind};
use tremor_value::Value;

impl Parser<'_> {
    /// The parts of a binary literal after `<<`, through `>>`.
    pub(crate) fn bytes(&mut self, pos: Pos, depth: usize) -> Result<Expr, SourceError> {
        let parts = self.items_until(">>", |p, _| p.bytes_part(depth))?;
        Ok(Expr {
            kind: ExprKind::Bytes(parts),
            pos,
        })
    }

    fn bytes_part(&mut self, depth: usize) -> Result<BytesPart, SourceError> {
        let start = self.pos();
        let data = self.unary(depth + 1)?;
        // Tremor underlines the part from its start to the end of what is wrong.
        let part_error = |p: &Self, end: Pos, width: usize, msg: String| {
            let width = if end.line == start.line {
                (end.column - start.column) as usize + width
            } else {
                width
            };
            p.err(start, msg).with_callout(Callout {
                width: Some(width),
                ..Callout::default()
            })
        };
        let bits = if self.eat_punct(":") {
            let pos = self.pos();
            match self.next().tok {
                super::lexer::Tok::Int(n) if (1..=64).contains(&n) => u8::try_from(n).ok(),
                super::lexer::Tok::Int(n) => {
                    let msg = format!("negative bits or bits > 64 are are not allowed: {n}");
                    return Err(part_error(self, pos, n.to_string().len(), msg));
                }
                _ => return Err(self.err(pos, "the size of a binary part must be 1 to 64 bits")),
            }
        } else {
            None
        };
        let (mut kind, mut big_endian) = (BytesKind::Unsigned, true);
        if self.eat_punct("/") {
            loop {
                let word = self.ident("a binary type")?;
                // `signed-integer` or `signed_integer`: the parts in any order.
                for part in word.name.split('_') {
                    match part {
                        "binary" => kind = BytesKind::Binary,
                        "integer" | "unsigned" => {}
                        "signed" => kind = BytesKind::Signed,
                        "big" => big_endian = true,
                        "little" => big_endian = false,
                        _ => {
                            let msg = format!("Not a valid data type: '{part}'");
                            let width = word.name.chars().count();
                            return Err(part_error(self, word.pos, width, msg));
                        }
                    }
                }
                if !self.eat_punct("-") {
                    break;
                }
            }
        }
        Ok(BytesPart {
            data,
            bits,
            kind,
            big_endian,
        })
    }
}

/// Packs the parts of a binary literal as Tremor 0.13 does (tremor-script's `ast/binary.rs`):
/// whole bytes are written as they come; bits that do not fill a byte wait, most significant
/// first, for the next part, and what is still waiting at the end goes into a last byte at
/// its low end (`<<1:4>>` is `[1]`, `<<1:4, 2:8>>` is `[16, 2]`).
#[derive(Debug, Default)]
pub(crate) struct BitWriter {
    out: Vec<u8>,
    /// The bits waiting for a byte, from the most significant bit down.
    buf: u8,
    /// How many bits of `buf` wait (0 to 7).
    pending: u32,
}

/// Tremor keeps one bit more of a value than its part's size (its mask is `2^(bits+1) - 1`),
/// which shows when a value is wider than its part; kept for the same bytes.
fn tremor_mask(bits: u32, v: u64) -> u64 {
    if bits >= 63 {
        v
    } else {
        v & ((1u64 << (bits + 1)) - 1)
    }
}

// Parts of values are cut down to bytes on purpose.
#[allow(clippy::cast_possible_truncation)]
impl BitWriter {
    /// Writes the low `bits` bits of `v`, most significant first.
    fn big(&mut self, bits: u32, v: u64) {
        let v = tremor_mask(bits, v);
        if bits == 0 {
            return;
        }
        if self.pending > 0 {
            let room = 8 - self.pending;
            if bits >= room {
                // Fill the waiting byte with the top bits, then write the rest.
                let rest = bits - room;
                self.buf |= (v >> rest) as u8;
                self.out.push(self.buf);
                self.buf = 0;
                self.pending = 0;
                self.big(rest, v);
            } else {
                self.buf |= (v as u8) << (room - bits);
                self.pending += bits;
            }
            return;
        }
        let odd = bits % 8;
        if odd > 0 {
            // The whole bytes first, the last `odd` bits wait.
            self.big(bits - odd, v >> odd);
            self.buf = ((v as u8) & ((1u8 << odd) - 1)) << (8 - odd);
            self.pending = odd;
            return;
        }
        for byte in (0..bits / 8).rev() {
            self.out.push((v >> (8 * byte)) as u8);
        }
    }

    /// `/little`: Tremor swaps the bytes of the smallest of 16, 24, 32 ... 64 bits that holds
    /// the part (as `to_be` does on the little-endian machines it runs on) and writes that.
    fn little(&mut self, bits: u32, v: u64) {
        let v = tremor_mask(bits, v);
        let swapped = match bits {
            0..=8 => v,
            9..=16 => u64::from((v as u16).swap_bytes()),
            17..=24 => u64::from((v as u32).swap_bytes() >> 8),
            25..=32 => u64::from((v as u32).swap_bytes()),
            33..=40 => v.swap_bytes() >> 24,
            41..=48 => v.swap_bytes() >> 16,
            49..=56 => v.swap_bytes() >> 8,
            _ => v.swap_bytes(),
        };
        self.big(bits, swapped);
    }

    fn write(&mut self, bits: u32, big_endian: bool, v: u64) {
        if big_endian {
            self.big(bits, v);
        } else {
            self.little(bits, v);
        }
    }

    /// The bytes, the bits still waiting at the low end of a last byte.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        if self.pending > 0 {
            self.out.push(self.buf >> (8 - self.pending));
        }
        self.out
    }
}

/// A value as Tremor's `Display` shows it in these errors: a string as its text, a binary
/// as `<<[1, 2]>>`, anything else as JSON.
fn shown(v: &Value<'_>) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => format!("<<{:?}>>", &b[..]),
        v => v.to_string(),
    }
}

/// Adds the part whose data evaluated to `v`.
///
/// # Errors
/// When the value does not fit the part's type or size, in Tremor's words: "Not an unsigned
/// integer: snot" (a string needs `/binary`), "Not a long enough binary: …" (also a binary
/// shorter than the bytes its size asks for).
pub(crate) fn encode_part(
    part: &BytesPart,
    v: &Value<'_>,
    w: &mut BitWriter,
) -> Result<(), String> {
    let bits = u32::from(part.bits.unwrap_or(8));
    match part.kind {
        BytesKind::Binary => {
            let data: Option<&[u8]> = match v {
                Value::Bytes(b) => Some(b),
                Value::String(s) => Some(s.as_bytes()),
                _ => None,
            };
            // The size of a binary part counts bytes; without one the whole binary is used.
            let data = data.and_then(|d| match part.bits {
                None => Some(d),
                Some(n) => d.get(..usize::from(n)),
            });
            let Some(data) = data else {
                return Err(format!("Not a long enough binary: {}", shown(v)));
            };
            if w.pending == 0 {
                w.out.extend_from_slice(data);
            } else {
                for b in data {
                    w.write(8, part.big_endian, u64::from(*b));
                }
            }
            Ok(())
        }
        BytesKind::Unsigned => match v.as_u64() {
            Some(u) => {
                w.write(bits, part.big_endian, u);
                Ok(())
            }
            None => Err(format!("Not an unsigned integer: {}", shown(v))),
        },
        BytesKind::Signed => match v.as_i64() {
            Some(i) => {
                #[allow(clippy::cast_sign_loss)]
                w.write(bits, part.big_endian, i as u64);
                Ok(())
            }
            // Tremor's wording.
            None => Err(format!("Not an signed integer: {}", shown(v))),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::script::{RunContext, Script};
    use tremor_value::Value;

    /// The bytes `src` evaluates to, or its error message (compile or run time).
    fn bytes(src: &str) -> Result<Vec<u8>, String> {
        let script = Script::compile(src, "t.tremor", &Value::object()).map_err(|e| e.message)?;
        let (mut event, mut meta, mut state) =
            (Value::from("snot"), Value::object(), Value::null());
        let mut ctx = RunContext {
            event: &mut event,
            meta: &mut meta,
            state: &mut state,
            ingest_ns: 0,
            origin: None,
        };
        match script.run(&mut ctx).map_err(|e| e.message)? {
            crate::script::Outcome::Emit { value, .. } => {
                Ok(value.as_bytes().expect("binary").to_vec())
            }
            _ => Ok(ctx.event.as_bytes().expect("binary").to_vec()),
        }
    }

    fn same(cases: &[(&str, &[u8])]) {
        for (src, want) in cases {
            assert_eq!(bytes(src).as_deref(), Ok(*want), "{src}");
        }
    }

    // Tremor's tremor-script/src/ast/binary.rs tests.
    #[test]
    fn partial_bytes_end_at_the_low_end_of_the_last_byte() {
        same(&[
            ("<<>>", &[]),
            ("<< 1:4 >>", &[1]),
            ("<< 1:4/little >>", &[1]),
            ("<< 1:4/big >>", &[1]),
            ("<< 1:4, 1:4 >>", &[17]),
            ("<< 1:4/little, 1:4/little >>", &[17]),
            ("<< 1:2, 1:2 >>", &[5]),
            ("<< 1:2/big, 1:2/big >>", &[5]),
            ("<< 1:6 >>", &[1]),
            ("<< 1:6, 1:2 >>", &[5]),
            ("<< 1:2, 1:6 >>", &[65]),
            ("<< 1:2/little, 1:6/little >>", &[65]),
            // Whole bytes first, the leftover bits in a last byte.
            ("<< 1:4, 2:8 >>", &[16, 2]),
        ]);
    }

    #[test]
    fn integers_of_whole_bytes() {
        same(&[
            ("<< 42 >>", &[42]),
            ("<< 42/little >>", &[42]),
            ("<<1,2,3,4>>", &[1, 2, 3, 4]),
            ("<< 258:16 >>", &[1, 2]),
            ("<< 258:16/little >>", &[2, 1]),
            ("<< 66051:24 >>", &[1, 2, 3]),
            ("<< 66051:24/little >>", &[3, 2, 1]),
            ("<< 16909060:32 >>", &[1, 2, 3, 4]),
            ("<< 4328719365:32 >>", &[2, 3, 4, 5]),
            ("<< 16909060:32/little >>", &[4, 3, 2, 1]),
            ("<< 4328719365:40 >>", &[1, 2, 3, 4, 5]),
            ("<< 4328719365:40/little >>", &[5, 4, 3, 2, 1]),
            ("<< 1108152157446:48/little >>", &[6, 5, 4, 3, 2, 1]),
            ("<< 283686952306183:56 >>", &[1, 2, 3, 4, 5, 6, 7]),
            ("<< 72623859790382856:64 >>", &[1, 2, 3, 4, 5, 6, 7, 8]),
            (
                "<< 72623859790382856:64/little >>",
                &[8, 7, 6, 5, 4, 3, 2, 1],
            ),
        ]);
    }

    #[test]
    fn binary_parts_and_their_size_in_bytes() {
        same(&[
            ("<< 1:4, << 1,2,3,4 >>/binary >>", &[16, 16, 32, 48, 4]),
            ("<< 1:4, << 1,2,3,4 >>:2/binary >>", &[16, 16, 2]),
            ("<< <<1,2,3>>:2/binary, 9 >>", &[1, 2, 9]),
            // Tremor's `as_bytes` takes a string's bytes too.
            ("<< \"ab\"/binary >>", b"ab"),
        ]);
        assert_eq!(
            bytes("<< <<1,2>>:3/binary >>"),
            Err("Not a long enough binary: <<[1, 2]>>".to_string())
        );
        assert_eq!(
            bytes("<< 7/binary >>"),
            Err("Not a long enough binary: 7".to_string())
        );
    }

    #[test]
    fn a_string_or_binary_needs_the_binary_type() {
        // Literal parts fail when the script compiles (Tremor folds them), others when it runs.
        assert_eq!(
            bytes("<< \"snot\" >>"),
            Err("Not an unsigned integer: snot".to_string())
        );
        assert_eq!(
            bytes("<< event >>"),
            Err("Not an unsigned integer: snot".to_string())
        );
        assert_eq!(
            bytes("<< <<1>> >>"),
            Err("Not an unsigned integer: <<[1]>>".to_string())
        );
        assert_eq!(
            bytes("<< -1 >>"),
            Err("Not an unsigned integer: -1".to_string())
        );
        assert_eq!(bytes("<< -1/signed-integer >>"), Ok(vec![255]));
        assert_eq!(
            bytes("<< 1.5/signed-integer >>"),
            Err("Not an signed integer: 1.5".to_string())
        );
        assert!(Script::compile("<< \"snot\" >>", "t", &Value::object()).is_err());
        assert!(Script::compile("<< event >>", "t", &Value::object()).is_ok());
    }
}
