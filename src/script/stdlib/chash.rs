//! `tremor::chash`: jump consistent hashing (Lamping & Veach) of a string key over SipHash-1-3,
//! and a key-sorted serialisation to hash records stably.

use super::args::{arg, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use siphasher::sip::SipHasher13;
use std::hash::{Hash, Hasher};
use tremor_value::{to_json_sorted, Value};

pub(super) const FUNCTIONS: &[Function] = table!("tremor::chash::";
    jump 2, jump_with_keys 4, sorted_serialize 1,
);

/// Tremor's default SipHash keys: `tremor\0\0` and `\0\0tremor` read as integers.
const DEFAULT_KEYS: (u64, u64) = (8_390_880_576_440_238_080, 128_034_676_764_530);

/// The slot in `0..slots` for `key`.
fn slot(keys: (u64, u64), key: &str, slots: u32) -> i64 {
    let mut hasher = SipHasher13::new_with_keys(keys.0, keys.1);
    key.hash(&mut hasher);
    let mut h = hasher.finish();
    let (mut b, mut j) = (-1_i64, 0_i64);
    while j < i64::from(slots) {
        b = j;
        h = h.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let next = ((b + 1) as f64 * ((1_u64 << 31) as f64 / ((h >> 33) + 1) as f64)) as i64;
        j = next;
    }
    b
}

fn slots_arg(args: &[&Value<'_>], i: usize) -> Result<u32, FnError> {
    arg(args, i)?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(FnError::bad_type)
}

fn jump(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (key, slots) = (str_arg(args, 0)?, slots_arg(args, 1)?);
    Ok(Value::from(slot(DEFAULT_KEYS, key, slots)))
}

fn jump_with_keys(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let key_arg = |i| arg(args, i)?.as_u64().ok_or_else(FnError::bad_type);
    let keys = (key_arg(0)?, key_arg(1)?);
    let (key, slots) = (str_arg(args, 2)?, slots_arg(args, 3)?);
    Ok(Value::from(slot(keys, key, slots)))
}

fn sorted_serialize(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(to_json_sorted(arg(args, 0)?)))
}

#[cfg(test)]
mod tests {
    // From Tremor's `tests/scripts/jump`: the slots of key1…key4 over five hosts.
    reference_examples![
        ("tremor::chash::jump", r#"["key1", 5]"#, "0"),
        ("tremor::chash::jump", r#"["key2", 5]"#, "1"),
        ("tremor::chash::jump", r#"["key3", 5]"#, "1"),
        ("tremor::chash::jump", r#"["key4", 5]"#, "3"),
        ("tremor::chash::jump", r#"["snot", 9]"#, "8"),
        ("tremor::chash::jump", r#"["badger", 9]"#, "2"),
        (
            "tremor::chash::jump_with_keys",
            r#"[8, 2, "badger", 9]"#,
            "3"
        ),
        (
            "tremor::chash::jump_with_keys",
            r#"[23, 42, "key1", 5]"#,
            "3",
        ),
        (
            "tremor::chash::jump_with_keys",
            r#"[23, 42, "key2", 5]"#,
            "1",
        ),
        (
            "tremor::chash::jump_with_keys",
            r#"[23, 42, "key3", 5]"#,
            "2",
        ),
        (
            "tremor::chash::jump_with_keys",
            r#"[23, 42, "key4", 5]"#,
            "0",
        ),
        (
            "tremor::chash::sorted_serialize",
            r#"[{"1": [2, 1], "0": {"5": 0, "3": 4}}]"#,
            r#""{\"0\":{\"3\":4,\"5\":0},\"1\":[2,1]}""#,
        ),
        (
            "tremor::chash::jump",
            "[1, 5]",
            "ERR:Bad type passed to function chash::jump/2",
        ),
    ];
}
