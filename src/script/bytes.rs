//! Binary literals `<< data[:bits][/type], ... >>`: parsing and building the bytes.
//!
//! Integers are written big endian and unsigned unless the type says otherwise
//! (`/signed-little` ...); `bits` defaults to 8 for integers and to the whole value for
//! binaries and strings. Bits are packed most significant first, so `<<1:4, 2:4>>` is `0x12`.

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

/// Appends `value` (`bits` wide) to `out`, whose last byte has `used` bits filled.
pub(crate) fn push_bits(out: &mut Vec<u8>, used: &mut u32, value: u64, bits: u32) {
    for i in (0..bits).rev() {
        let bit = u8::from((value >> i) & 1 == 1);
        if *used == 0 || *used == 8 {
            out.push(0);
            *used = 0;
        }
        let last = out.len() - 1;
        out[last] |= bit << (7 - *used);
        *used += 1;
    }
}

/// The bytes of one part whose data evaluated to `v`.
///
/// # Errors
/// When the value does not fit the part's type or size (the message is Tremor's).
pub(crate) fn encode_part(
    part: &BytesPart,
    v: &Value<'_>,
    out: &mut Vec<u8>,
    used: &mut u32,
) -> Result<(), String> {
    if part.kind == BytesKind::Binary || v.as_bytes().is_some() || v.as_str().is_some() {
        let data: &[u8] = match v {
            Value::Bytes(b) => b,
            Value::String(s) => s.as_bytes(),
            _ => {
                return Err(format!(
                    "Binary type `binary` requires a binary or string, got {}",
                    v.value_type_name()
                ))
            }
        };
        for b in data {
            push_bits(out, used, u64::from(*b), 8);
        }
        return Ok(());
    }
    let bits = u32::from(part.bits.unwrap_or(8));
    let raw = match (part.kind, v.as_i64(), v.as_u64()) {
        (_, _, Some(u)) => u,
        #[allow(clippy::cast_sign_loss)]
        (BytesKind::Signed, Some(i), _) => i as u64,
        _ => {
            return Err(format!(
                "Binary type `integer` requires an integer, got {}",
                v.value_type_name()
            ))
        }
    };
    let masked = if bits == 64 {
        raw
    } else {
        raw & ((1u64 << bits) - 1)
    };
    let value = if part.big_endian || bits % 8 != 0 {
        masked
    } else {
        let n = (bits / 8) as usize;
        let be = masked.to_be_bytes();
        let mut le = [0u8; 8];
        for i in 0..n {
            le[8 - n + i] = be[7 - i];
        }
        u64::from_be_bytes(le)
    };
    push_bits(out, used, value, bits);
    Ok(())
}
