//! `syslog`: one syslog message per chunk, RFC 5424 or RFC 3164 (BSD), parsed by
//! `syslog_loose` as in Tremor, into Tremor's record: `hostname`, `severity`, `facility`,
//! `timestamp` (ns), `protocol` (`RFC5424`/`RFC3164`), `protocol_version`, `appname`,
//! `msgid`, `structured_data` (`{id: [{name: value}, ...]}`), `procid`, `msg`.
//!
//! Encoding writes RFC 5424 (version 1 when `protocol` is absent) or RFC 3164; a missing
//! RFC 3164 timestamp is the current time, a missing RFC 5424 one is `-`. Like Tremor, a
//! line that is no syslog at all decodes as an RFC 3164 message with only `msg`.

use super::{
    api::{decode_text, encode_whole, Codec, Decoded},
    error::CodecError,
};
use abi_stable::std_types::RVec;
use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Utc};
use std::io::Write;
use syslog_loose::{ProcId, Protocol, Variant};
use tremor_value::{Cow, Object, Value};

#[derive(Clone, Default)]
pub(super) struct Syslog;

/// Facility names by code (RFC 5424 table 1, in syslog_loose's and Tremor's spelling).
const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
    "ftp", "ntp", "audit", "alert", "clockd", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

/// Severity names by code (RFC 5424 table 2).
const SEVERITIES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// RFC 3164 section 4.3.3: the PRI of a message that has none (user.notice).
const DEFAULT_PRI: usize = 13;

fn key(k: &'static str) -> Cow<'static> {
    Cow::borrowed(k)
}

/// The year of a BSD timestamp, which has none: this year, or last year for a December
/// message read in January (as Tremor resolves it).
fn resolve_year((month, _day, _hour, _min, _sec): syslog_loose::IncompleteDate) -> i32 {
    let now = Utc::now();
    if now.month() == 1 && month == 12 {
        now.year() - 1
    } else {
        now.year()
    }
}

fn decode(line: &str) -> Value<'_> {
    let utc = FixedOffset::east_opt(0);
    let parsed = syslog_loose::parse_message_with_year_tz(line, resolve_year, utc, Variant::Either);
    let mut m = Object::with_capacity(11);
    if let Some(hostname) = parsed.hostname {
        m.insert(key("hostname"), Value::from(hostname));
    }
    if let Some(severity) = parsed.severity {
        m.insert(key("severity"), Value::from(severity.as_str()));
    }
    if let Some(facility) = parsed.facility {
        m.insert(key("facility"), Value::from(facility.as_str()));
    }
    if let Some(ns) = parsed.timestamp.and_then(|t| t.timestamp_nanos_opt()) {
        m.insert(key("timestamp"), Value::from(ns));
    }
    let (protocol, version) = match parsed.protocol {
        Protocol::RFC3164 => ("RFC3164", None),
        Protocol::RFC5424(v) => ("RFC5424", Some(v)),
    };
    m.insert(key("protocol"), Value::from(protocol));
    if let Some(version) = version {
        m.insert(key("protocol_version"), Value::from(version));
    }
    if let Some(appname) = parsed.appname {
        m.insert(key("appname"), Value::from(appname));
    }
    if let Some(msgid) = parsed.msgid {
        m.insert(key("msgid"), Value::from(msgid));
    }
    if !parsed.structured_data.is_empty() {
        let mut sd = Object::with_capacity(parsed.structured_data.len());
        for element in parsed.structured_data {
            let params = element
                .params
                .into_iter()
                .map(|(name, value)| {
                    let mut param = Object::with_capacity(1);
                    param.insert(Cow::borrowed(name), Value::from(value));
                    Value::from(param)
                })
                .collect();
            sd.insert(Cow::borrowed(element.id), Value::Array(params));
        }
        m.insert(key("structured_data"), Value::from(sd));
    }
    if let Some(procid) = parsed.procid {
        let procid = match procid {
            ProcId::PID(pid) => Value::from(pid.to_string()),
            ProcId::Name(name) => Value::from(name),
        };
        m.insert(key("procid"), procid);
    }
    if !parsed.msg.is_empty() {
        m.insert(key("msg"), Value::from(parsed.msg));
    }
    Value::from(m)
}

fn str_field<'a>(value: &'a Value<'_>, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

fn pri(value: &Value<'_>) -> Result<Option<usize>, &'static str> {
    let facility = str_field(value, "facility");
    let severity = str_field(value, "severity");
    let (Some(facility), Some(severity)) = (facility, severity) else {
        return Ok(None);
    };
    let facility = FACILITIES
        .iter()
        .position(|f| *f == facility)
        .ok_or("invalid facility")?;
    let severity = SEVERITIES
        .iter()
        .position(|s| *s == severity)
        .ok_or("invalid severity")?;
    Ok(Some(facility * 8 + severity))
}

/// The record's `timestamp` (ns since the epoch, UTC).
fn timestamp(value: &Value<'_>) -> Option<DateTime<Utc>> {
    value
        .get("timestamp")
        .and_then(Value::as_i64)
        .map(|ns| Utc.timestamp_nanos(ns))
}

/// Writes `structured_data` as `[id name="value" ...]...`.
fn write_structured_data(sd: &Value<'_>, out: &mut Vec<u8>) -> Result<(), &'static str> {
    let sd = sd.as_object().ok_or("structured data must be a record")?;
    for (id, params) in sd.iter() {
        out.push(b'[');
        out.extend_from_slice(id.as_bytes());
        let params = params
            .as_array()
            .ok_or("structured data params must be an array of records")?;
        for param in params {
            let param = param
                .as_object()
                .ok_or("structured data params must be an array of records")?;
            for (name, v) in param.iter() {
                let v = v.as_str().ok_or("structured data values must be strings")?;
                out.push(b' ');
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"=\"");
                out.extend_from_slice(v.as_bytes());
                out.push(b'"');
            }
        }
        out.push(b']');
    }
    Ok(())
}

fn write_or_nil(out: &mut Vec<u8>, text: Option<&str>) {
    out.extend_from_slice(text.unwrap_or("-").as_bytes());
}

fn encode_rfc5424(value: &Value<'_>, version: u64, out: &mut Vec<u8>) -> Result<(), &'static str> {
    if str_field(value, "facility").is_none() {
        return Err("facility missing");
    }
    if str_field(value, "severity").is_none() {
        return Err("severity missing");
    }
    let pri = pri(value)?.ok_or("facility or severity missing")?;
    // Writing to a Vec cannot fail.
    let _ = write!(out, "<{pri}>{version} ");
    match timestamp(value) {
        Some(t) => out.extend_from_slice(t.to_rfc3339().as_bytes()),
        None => out.push(b'-'),
    }
    for field in ["hostname", "appname", "procid", "msgid"] {
        out.push(b' ');
        write_or_nil(out, str_field(value, field));
    }
    out.push(b' ');
    match value.get("structured_data") {
        Some(sd) => write_structured_data(sd, out)?,
        None => out.push(b'-'),
    }
    if let Some(msg) = str_field(value, "msg") {
        out.push(b' ');
        out.extend_from_slice(msg.as_bytes());
    }
    Ok(())
}

fn encode_rfc3164(value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), &'static str> {
    let pri = pri(value)?.unwrap_or(DEFAULT_PRI);
    let time = timestamp(value).unwrap_or_else(Utc::now);
    let _ = write!(out, "<{pri}>{} ", time.format("%b %e %H:%M:%S"));
    write_or_nil(out, str_field(value, "hostname"));
    out.push(b' ');
    if let Some(appname) = str_field(value, "appname") {
        out.extend_from_slice(appname.as_bytes());
        if let Some(procid) = str_field(value, "procid") {
            let _ = write!(out, "[{procid}]");
        }
    }
    out.push(b':');
    if let Some(sd) = value.get("structured_data") {
        out.push(b' ');
        write_structured_data(sd, out)?;
    }
    if let Some(msg) = str_field(value, "msg") {
        out.push(b' ');
        out.extend_from_slice(msg.as_bytes());
    }
    Ok(())
}

fn encode(value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), &'static str> {
    let version = value.get("protocol_version").and_then(Value::as_u64);
    match (str_field(value, "protocol"), version) {
        (Some("RFC3164"), _) => encode_rfc3164(value, out),
        (Some("RFC5424"), Some(version)) => encode_rfc5424(value, version, out),
        (Some("RFC5424"), None) => Err("missing protocol version"),
        (None, Some(_)) => Err("missing protocol type"),
        (Some(_), _) => Err("invalid protocol type"),
        (None, None) => encode_rfc5424(value, 1, out),
    }
}

impl Codec for Syslog {
    fn decode(&mut self, data: RVec<u8>, _ingest_ns: u64) -> Decoded {
        // Any text is a message (see above): only a chunk that is not UTF-8 fails.
        decode_text(data, CodecError::Syslog("not UTF-8"), |line| {
            Some(decode(line))
        })
    }

    fn encode(&mut self, value: &Value<'_>, out: &mut Vec<u8>) -> Result<(), CodecError> {
        encode_whole(out, |out| encode(value, out)).map_err(CodecError::Syslog)
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_support::{self, encode_text};
    use tremor_value::{literal, Value};

    fn decode(line: &str) -> Value<'static> {
        test_support::decode("syslog", line).expect("decodes")
    }

    fn encode(value: &Value<'_>) -> Result<String, String> {
        encode_text("syslog", value)
    }

    #[test]
    fn rfc5424_examples() {
        // RFC 5424 section 6.5, example 1 (without the BOM).
        let v = decode("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(
            v,
            literal!({
                "hostname": "mymachine.example.com",
                "severity": "crit",
                "facility": "auth",
                "timestamp": 1_065_910_455_003_000_000_i64,
                "protocol": "RFC5424",
                "protocol_version": 1,
                "appname": "su",
                "msgid": "ID47",
                "msg": "'su root' failed for lonvick on /dev/pts/8",
            })
        );
        assert_eq!(
            encode(&v).expect("encodes"),
            "<34>1 2003-10-11T22:14:15.003+00:00 mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8"
        );
        // Example 3: structured data.
        let line = r#"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry..."#;
        let v = decode(line);
        assert_eq!(
            v.get("structured_data").map(tremor_value::to_json),
            Some(r#"{"exampleSDID@32473":[{"iut":"3"},{"eventSource":"Application"},{"eventID":"1011"}]}"#.to_string())
        );
        assert_eq!(decode(&encode(&v).expect("encodes")), v);
    }

    #[test]
    fn tremors_encoding_cases() {
        let msg = literal!({
            "severity": "notice", "facility": "local4", "msg": "test message",
            "protocol": "RFC5424", "protocol_version": 1, "timestamp": 0_u64
        });
        let line = encode(&msg).expect("encodes");
        assert_eq!(
            line,
            "<165>1 1970-01-01T00:00:00+00:00 - - - - - test message"
        );
        assert_eq!(decode(&line), msg);
        let bsd = literal!({
            "severity": "notice", "facility": "local4", "msg": "test message",
            "protocol": "RFC3164", "timestamp": 0
        });
        assert_eq!(
            encode(&bsd).expect("encodes"),
            "<165>Jan  1 00:00:00 - : test message"
        );
        for bad in [
            literal!({"severity": "notice", "facility": "snot", "protocol_version": 1}),
            literal!({"severity": "snot", "facility": "local4"}),
            literal!({"severity": "debug", "facility": "local5", "protocol": "RFC5424"}),
            literal!({"severity": "debug", "facility": "local5", "protocol": "snot"}),
        ] {
            test_support::assert_encode_fails_cleanly("syslog", &bad);
        }
    }

    #[test]
    fn rfc3164_and_garbage() {
        // RFC 3164 section 5.4, example 1.
        let v =
            decode("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(v.get("protocol"), Some(&Value::from("RFC3164")));
        assert_eq!(v.get("hostname"), Some(&Value::from("mymachine")));
        assert_eq!(v.get("appname"), Some(&Value::from("su")));
        assert_eq!(v.get("facility"), Some(&Value::from("auth")));
        assert_eq!(
            v.get("msg"),
            Some(&Value::from("'su root' failed for lonvick on /dev/pts/8"))
        );
        assert_eq!(
            decode("an invalid message"),
            literal!({"protocol": "RFC3164", "msg": "an invalid message"})
        );
    }
}
