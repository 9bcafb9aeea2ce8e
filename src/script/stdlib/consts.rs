//! The constants of the standard library, by full path.

use super::time::NANOS_CONSTS;
use tremor_value::Value;

/// The modules that hold only constants.
pub(super) const MODULES: &[&str] = &[
    "std::integer::signed",
    "std::integer::unsigned",
    "std::datetime::formats",
    "std::datetime::timezones",
];

const RFC2822: &str = "%a, %d %b %Y %H:%M:%S %z";

/// The constant at `path` (`std::integer::signed::MAX`,
/// `std::datetime::timezones::EUROPE_BERLIN`, …), if the library has one.
#[must_use]
pub fn lookup_const(path: &str) -> Option<Value<'static>> {
    if let Some(name) = path.strip_prefix("std::datetime::timezones::") {
        return timezone_number(name).map(Value::from);
    }
    if let Some(name) = path.strip_prefix("std::time::nanos::") {
        return NANOS_CONSTS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Value::from(*v));
    }
    Some(match path {
        "std::integer::signed::MAX" => Value::from(i64::MAX),
        "std::integer::signed::MIN" => Value::from(i64::MIN),
        "std::integer::unsigned::MAX" => Value::from(u64::MAX),
        "std::integer::unsigned::MIN" => Value::from(0_u64),
        "std::datetime::formats::RFC3339" => Value::from("%+"),
        "std::datetime::formats::RFC2822" | "std::datetime::formats::RFC5322" => {
            Value::from(RFC2822)
        }
        _ => return None,
    })
}

/// Tremor's constant name for an IANA zone: upper case, `/` and `-` as `_`, `+N` as `_PLUS_N`,
/// `-N` as `_MINUS_N` (`Etc/GMT+1` is `ETC_GMT_PLUS_1`).
fn const_name(zone: &str) -> String {
    let mut out = String::with_capacity(zone.len() + 8);
    let mut chars = zone.chars().peekable();
    while let Some(c) = chars.next() {
        let digit_next = chars.peek().is_some_and(char::is_ascii_digit);
        match c {
            '+' => out.push_str("_PLUS_"),
            '-' if digit_next => out.push_str("_MINUS_"),
            '/' | '-' => out.push('_'),
            c => out.extend(c.to_uppercase()),
        }
    }
    out
}

/// The position of the zone named `name` in chrono-tz's list, which Tremor's numbering follows.
fn timezone_number(name: &str) -> Option<usize> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .position(|tz| const_name(tz.name()) == name)
}

#[cfg(test)]
mod tests {
    use super::lookup_const;
    use tremor_value::to_json;

    #[test]
    fn constants_have_tremors_values() {
        let cases = [
            ("std::datetime::timezones::AFRICA_ABIDJAN", "0"),
            ("std::datetime::timezones::AMERICA_PORT_AU_PRINCE", "182"),
            ("std::datetime::timezones::ETC_GMT_PLUS_1", "393"),
            ("std::datetime::timezones::ETC_GMT_MINUS_14", "411"),
            ("std::datetime::timezones::EUROPE_BERLIN", "432"),
            ("std::datetime::timezones::GMT_PLUS_0", "493"),
            ("std::datetime::timezones::UTC", "591"),
            ("std::datetime::timezones::ZULU", "595"),
            ("std::time::nanos::NANOS_PER_SECOND", "1000000000"),
            ("std::integer::signed::MIN", "-9223372036854775808"),
            ("std::integer::unsigned::MAX", "18446744073709551615"),
            (
                "std::datetime::formats::RFC5322",
                r#""%a, %d %b %Y %H:%M:%S %z""#,
            ),
        ];
        for (path, want) in cases {
            assert_eq!(
                lookup_const(path).map(|v| to_json(&v)).as_deref(),
                Some(want),
                "{path}"
            );
        }
        assert!(lookup_const("std::datetime::timezones::NOWHERE").is_none());
    }
}
