//! `std::datetime`: timestamps are integer nanoseconds since the UNIX epoch (UTC) or records
//! `{"timestamp": ns, "tz": zone}`, where a zone is a `std::datetime::timezones` number, an
//! IANA name or a fixed offset like `+01:00`. Formats are chrono's strftime, as in Tremor.

use super::args::{arg, runtime, str_arg};
use super::env::CallEnv;
use super::function::{FnError, Function, Res};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use std::fmt::Write;
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = table!("std::datetime::";
    parse 2, format 2, rfc3339 1, rfc2822 1, with_timezone 2, year 1, month 1, iso_week 1,
    day_of_month 1, day_of_year 1, hour 1, minute 1, second 1, subsecond_millis 1,
    subsecond_micros 1, subsecond_nanos 1,
);

/// A zone as a timestamp record names it.
enum Zone {
    Named(Tz),
    Fixed(FixedOffset),
}

/// The zone a value names (number, IANA name or `±HH[:]MM`).
fn zone(v: &Value<'_>) -> Result<Zone, FnError> {
    if let Some(n) = v.as_usize() {
        return chrono_tz::TZ_VARIANTS
            .get(n)
            .map(|tz| Zone::Named(*tz))
            .ok_or_else(|| FnError::runtime(format!("Invalid timezone identifier {n}")));
    }
    let name = v.as_str().ok_or_else(|| {
        FnError::runtime(format!("Invalid timezone type {}", v.value_type_name()))
    })?;
    if let Ok(tz) = name.parse::<Tz>() {
        return Ok(Zone::Named(tz));
    }
    let secs = fixed_offset(name).ok_or_else(|| FnError::runtime("Invalid timezone offset"))?;
    FixedOffset::east_opt(secs)
        .map(Zone::Fixed)
        .ok_or_else(|| FnError::runtime(format!("Invalid timezone offset seconds: {name}")))
}

/// `+HH`, `-HH:MM`, `HHMM` to seconds east of UTC.
fn fixed_offset(s: &str) -> Option<i32> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let two = |t: &str| -> Option<i32> {
        (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())?
    };
    let hours = two(rest.get(..2)?)?;
    let rest = rest.get(2..)?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let minutes = if rest.is_empty() {
        0
    } else {
        two(rest).filter(|m| *m < 60)?
    };
    let secs = hours * 3600 + minutes * 60;
    Some(if negative { -secs } else { secs })
}

/// The instant and zone of a timestamp argument.
fn instant(v: &Value<'_>) -> Result<(DateTime<Utc>, Option<Zone>), FnError> {
    let (nanos, zone) = if let Some(ns) = v.as_u64() {
        (ns, None)
    } else if let Some(record) = v.as_object() {
        let ns = record
            .get("timestamp")
            .and_then(Value::as_u64)
            .ok_or_else(|| FnError::runtime("Missing or invalid \"timestamp\" field"))?;
        (ns, record.get("tz").map(zone).transpose()?)
    } else {
        return Err(FnError::runtime(format!(
            "Invalid datetime input of type {}",
            v.value_type_name()
        )));
    };
    let secs = i64::try_from(nanos / 1_000_000_000).map_err(runtime)?;
    let sub = u32::try_from(nanos % 1_000_000_000).map_err(runtime)?;
    let utc = Utc
        .timestamp_opt(secs, sub)
        .single()
        .ok_or_else(|| FnError::runtime("invalid nanos timestamp"))?;
    Ok((utc, zone))
}

/// The argument's local time, as a fixed offset (enough for every field).
fn local(args: &[&Value<'_>]) -> Result<DateTime<FixedOffset>, FnError> {
    let (utc, zone) = instant(arg(args, 0)?)?;
    Ok(match zone {
        Some(Zone::Named(tz)) => utc.with_timezone(&tz).fixed_offset(),
        Some(Zone::Fixed(offset)) => utc.with_timezone(&offset),
        None => utc.fixed_offset(),
    })
}

/// Formats without panicking on a bad format string.
fn strftime<T: TimeZone>(dt: &DateTime<T>, fmt: &str) -> Result<String, FnError>
where
    T::Offset: std::fmt::Display,
{
    let mut out = String::new();
    write!(out, "{}", dt.format(fmt))
        .map_err(|_| FnError::runtime(format!("invalid datetime format `{fmt}`")))?;
    Ok(out)
}

fn format(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let fmt = str_arg(args, 1)?;
    let (utc, zone) = instant(arg(args, 0)?)?;
    // A named zone formats `%Z` as its abbreviation (CET), a fixed one as the offset.
    let text = match zone {
        Some(Zone::Named(tz)) => strftime(&utc.with_timezone(&tz), fmt)?,
        Some(Zone::Fixed(offset)) => strftime(&utc.with_timezone(&offset), fmt)?,
        None => strftime(&utc.with_timezone(&chrono_tz::UTC), fmt)?,
    };
    Ok(Value::from(text))
}

fn rfc3339(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(local(args)?.to_rfc3339()))
}
fn rfc2822(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    Ok(Value::from(local(args)?.to_rfc2822()))
}

/// Whether a format carries a zone (`%z`, `%:z`, `%#z`, `%Z`, `%+`).
fn has_zone(fmt: &str) -> bool {
    ["%z", "%:z", "%#z", "%Z", "%+"]
        .iter()
        .any(|z| fmt.contains(z))
}

fn parse(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    parse_nanos(str_arg(args, 0)?, str_arg(args, 1)?).map_err(FnError::runtime)
}

/// Text to nanoseconds since the epoch (negative before 1970); a format without a zone reads
/// UTC. Errors are Tremor's `Datetime Parse Error: …` text. (Also the `datetime` extractor.)
pub(crate) fn parse_nanos(text: &str, fmt: &str) -> Result<Value<'static>, String> {
    let parsed = if has_zone(fmt) {
        DateTime::parse_from_str(text, fmt).map(|dt| dt.timestamp_nanos_opt())
    } else {
        NaiveDateTime::parse_from_str(text, fmt).map(|dt| dt.and_utc().timestamp_nanos_opt())
    };
    let nanos = parsed
        .map_err(|e| format!("Datetime Parse Error: {e:?}"))?
        .ok_or_else(|| "Datetime Parse Error".to_string())?;
    Ok(u64::try_from(nanos).map_or_else(|_| Value::from(nanos), Value::from))
}

/// `{"timestamp": ns, "tz": zone}` once the zone is known to be valid.
fn with_timezone(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
    let (ts, tz) = (arg(args, 0)?, arg(args, 1)?);
    zone(tz)?;
    let nanos = match ts.as_object() {
        Some(record) => record
            .get("timestamp")
            .and_then(Value::as_u64)
            .ok_or_else(|| {
                FnError::runtime("Invalid datetime input: Missing or invalid \"timestamp\" field.")
            })?,
        None => ts.as_u64().ok_or_else(FnError::bad_type)?,
    };
    Ok(
        [("timestamp", Value::from(nanos)), ("tz", tz.clone_static())]
            .into_iter()
            .collect(),
    )
}

/// Declares field getters: each reads the argument's local time and returns one number.
macro_rules! fields {
    ($($name:ident => $get:expr),* $(,)?) => {
        $(fn $name(_: &mut CallEnv<'_>, args: &[&Value<'_>]) -> Res {
            let dt = local(args)?;
            let get: fn(&DateTime<FixedOffset>) -> i64 = $get;
            Ok(Value::from(get(&dt)))
        })*
    };
}

fields! {
    year => |d| i64::from(d.year()),
    month => |d| i64::from(d.month()),
    iso_week => |d| i64::from(d.iso_week().week()),
    day_of_month => |d| i64::from(d.day()),
    day_of_year => |d| i64::from(d.ordinal()),
    hour => |d| i64::from(d.hour()),
    minute => |d| i64::from(d.minute()),
    second => |d| i64::from(d.second()),
    subsecond_millis => |d| i64::from(d.timestamp_subsec_millis()),
    subsecond_micros => |d| i64::from(d.timestamp_subsec_micros()),
    subsecond_nanos => |d| i64::from(d.timestamp_subsec_nanos()),
}

#[cfg(test)]
mod tests {
    reference_examples![
        // From Tremor's own stdlib test suite.
        ("std::datetime::format", r#"[{"timestamp": 123, "tz": 432}, "%Y-%m-%dT%H:%M:%S.%f%:z"]"#, r#""1970-01-01T01:00:00.000000123+01:00""#),
        ("std::datetime::format", r#"[880127706000000000, "%a, %d %b %Y %H:%M:%S %z"]"#, r#""Fri, 21 Nov 1997 15:55:06 +0000""#),
        ("std::datetime::format", r#"[{"timestamp": 880127706000000000, "tz": 582}, "%a, %d %b %Y %H:%M:%S %z"]"#, r#""Fri, 21 Nov 1997 09:55:06 -0600""#),
        ("std::datetime::parse", r#"["2022-11-09T14:46:11.499274824+01:00", "%+"]"#, "1668001571499274824"),
        ("std::datetime::parse", r#"["2023-04-23T13:11:37.285Z", "%+"]"#, "1682255497285000000"),
        ("std::datetime::parse", r#"["Fri, 21 Nov 1997 09:55:06 -0600", "%a, %d %b %Y %H:%M:%S %z"]"#, "880127706000000000"),
        ("std::datetime::iso_week", "[1668001571499274824]", "45"),
        ("std::datetime::subsecond_micros", "[1668001571499274824]", "499274"),
        ("std::datetime::minute", r#"[{"timestamp": 0, "tz": "+01:02"}]"#, "2"),
        ("std::datetime::with_timezone", r#"[{"timestamp": 0, "tz": 453}, "-0200"]"#, r#"{"timestamp":0,"tz":"-0200"}"#),
        ("std::datetime::year", "[0]", "1970"),
        ("std::datetime::month", "[0]", "1"),
        ("std::datetime::iso_week", "[0]", "1"),
        ("std::datetime::day_of_month", "[0]", "1"),
        ("std::datetime::day_of_year", "[0]", "1"),
        ("std::datetime::hour", "[0]", "0"),
        ("std::datetime::minute", "[0]", "0"),
        ("std::datetime::second", "[0]", "0"),
        ("std::datetime::subsecond_millis", "[1000000]", "1"),
        ("std::datetime::subsecond_micros", "[1000000]", "1000"),
        ("std::datetime::subsecond_nanos", "[1000000]", "1000000"),
        ("std::datetime::hour", r#"[{"timestamp": 0, "tz": "Europe/Berlin"}]"#, "1"),
        ("std::datetime::hour", r#"[{"timestamp": 0, "tz": 432}]"#, "1"),
        ("std::datetime::hour", r#"[{"timestamp": 0, "tz": "-02:30"}]"#, "21"),
        ("std::datetime::rfc3339", "[1000000000]", r#""1970-01-01T00:00:01+00:00""#),
        ("std::datetime::rfc2822", "[0]", r#""Thu, 1 Jan 1970 00:00:00 +0000""#),
        ("std::datetime::format", r#"[0, "%Y-%m-%d %H:%M:%S %Z"]"#, r#""1970-01-01 00:00:00 UTC""#),
        ("std::datetime::format", r#"[{"timestamp": 0, "tz": "Europe/Berlin"}, "%H %Z"]"#, r#""01 CET""#),
        ("std::datetime::parse", r#"["1983 Apr 13 12:09:14.274 +0000", "%Y %b %d %H:%M:%S%.3f %z"]"#, "419083754274000000"),
        ("std::datetime::parse", r#"["2019-04-13 12:09:14", "%Y-%m-%d %H:%M:%S"]"#, "1555157354000000000"),
        ("std::datetime::parse", r#"["x", "%Y"]"#, "ERR:Runtime error in function datetime::parse/2: Datetime Parse Error: ParseError(Invalid)"),
        ("std::datetime::with_timezone", "[0, 432]", r#"{"timestamp":0,"tz":432}"#),
        ("std::datetime::with_timezone", "[0, 5000]", "ERR:Runtime error in function datetime::with_timezone/2: Invalid timezone identifier 5000"),
        ("std::datetime::year", r#"["x"]"#, "ERR:Runtime error in function datetime::year/1: Invalid datetime input of type string"),
    ];
}
