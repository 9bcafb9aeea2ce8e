//! Tremor's extractors: the `kind|pattern|` tests inside `match` patterns
//! (`case r = re|(?P<n>\\d+)| => …`, where `\\` is the extractor's escape for a backslash).
//! Each is compiled once from its pattern text and then run per event; only strings can
//! match. With a result wanted, a match carries Tremor's value for that kind (a record of
//! named groups for `re`, arrays for `rerg`, the decoded value for `json`, …; `true` for
//! kinds that only test, such as `glob`).

mod cidr;
mod dissect;
mod error;
mod grok;
mod influx;
mod kv;

use super::stdlib::{parse_nanos, BASE64};
use ::base64::Engine;
pub use error::ExtractorError;
use regex::Regex;
use tremor_value::{Object, Value};

/// A compiled extractor.
#[derive(Debug)]
pub struct Extractor {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Prefix(String),
    Suffix(String),
    Glob(glob::Pattern),
    Re(Regex),
    Rerg(Regex),
    Json,
    Base64,
    Kv(kv::Pattern),
    Dissect(dissect::Pattern),
    Grok(grok::Pattern),
    Cidr(cidr::Ranges),
    Influx,
    Datetime(String),
}

/// The outcome of running an extractor on a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Extracted {
    /// The value does not match.
    NoMatch,
    /// The value matches (only returned when no result was wanted).
    Match,
    /// The value matches and this is what the extractor extracted.
    MatchValue(Value<'static>),
}

/// Compiles the extractor `kind|pattern|` (kind case-insensitive, as in Tremor).
///
/// # Errors
/// An unknown kind (`Unsupported extractor NAME`) or a pattern its kind refuses.
pub fn compile(kind: &str, pattern: &str) -> Result<Extractor, ExtractorError> {
    let kind = match kind.to_lowercase().as_str() {
        "glob" => glob_kind(pattern)?,
        "re" => Kind::Re(Regex::new(pattern).map_err(ExtractorError::new)?),
        "rerg" => Kind::Rerg(Regex::new(pattern).map_err(ExtractorError::new)?),
        "json" => Kind::Json,
        "base64" => Kind::Base64,
        "kv" => Kind::Kv(kv::Pattern::compile(pattern)?),
        "dissect" => Kind::Dissect(dissect::Pattern::compile(pattern)?),
        "grok" => Kind::Grok(grok::Pattern::compile(pattern)?),
        "cidr" => Kind::Cidr(cidr::Ranges::compile(pattern)?),
        "influx" => Kind::Influx,
        "datetime" => Kind::Datetime(pattern.to_string()),
        other => {
            return Err(ExtractorError::new(format!(
                "Unsupported extractor {other}"
            )))
        }
    };
    Ok(Extractor { kind })
}

/// `abc*` and `*abc` (no other wildcards) are plain prefix/suffix tests.
fn glob_kind(pattern: &str) -> Result<Kind, ExtractorError> {
    let plain = |s: &str| !s.is_empty() && !s.contains(['*', '?']);
    if let Some(prefix) = pattern.strip_suffix('*').filter(|p| plain(p)) {
        return Ok(Kind::Prefix(prefix.to_string()));
    }
    if let Some(suffix) = pattern.strip_prefix('*').filter(|p| plain(p)) {
        return Ok(Kind::Suffix(suffix.to_string()));
    }
    glob::Pattern::new(pattern)
        .map(Kind::Glob)
        .map_err(ExtractorError::new)
}

impl Extractor {
    /// Runs the extractor on `value`; `influx` lines without a timestamp get `0`.
    #[must_use]
    pub fn extract(&self, value: &Value<'_>, want_result: bool) -> Extracted {
        self.extract_at(value, want_result, 0)
    }

    /// Runs the extractor; `ingest_ns` is the timestamp of `influx` lines that have none.
    #[must_use]
    pub fn extract_at(&self, value: &Value<'_>, want_result: bool, ingest_ns: u64) -> Extracted {
        let Some(s) = value.as_str() else {
            return Extracted::NoMatch;
        };
        let found = match &self.kind {
            Kind::Prefix(p) => return test(s.starts_with(p.as_str()), want_result),
            Kind::Suffix(p) => return test(s.ends_with(p.as_str()), want_result),
            Kind::Glob(g) => return test(g.matches(s), want_result),
            Kind::Re(re) if !want_result => return test(re.is_match(s), false),
            Kind::Rerg(re) if !want_result => return test(re.is_match(s), false),
            Kind::Re(re) => named_groups(re, s),
            Kind::Rerg(re) => Some(all_named_groups(re, s)),
            Kind::Json => {
                let mut buf = s.as_bytes().to_vec();
                tremor_value::parse_json(&mut buf)
                    .ok()
                    .map(Value::into_static)
            }
            Kind::Base64 => BASE64
                .decode(s)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .map(Value::from),
            Kind::Kv(p) => p.run(s),
            Kind::Dissect(p) => p.run(s),
            Kind::Grok(p) => p.run(s),
            Kind::Cidr(ranges) => ranges.run(s),
            Kind::Influx => influx::decode(s, ingest_ns),
            Kind::Datetime(fmt) => parse_nanos(s, fmt).ok(),
        };
        match found {
            None => Extracted::NoMatch,
            Some(_) if !want_result => Extracted::Match,
            Some(v) => Extracted::MatchValue(v),
        }
    }
}

fn test(matched: bool, want_result: bool) -> Extracted {
    match (matched, want_result) {
        (false, _) => Extracted::NoMatch,
        (true, false) => Extracted::Match,
        (true, true) => Extracted::MatchValue(Value::from(true)),
    }
}

fn key(k: &str) -> tremor_value::Cow<'static> {
    tremor_value::Cow::owned(k.to_string())
}

/// `re`: the named groups of the first match that took part in it.
fn named_groups(re: &Regex, s: &str) -> Option<Value<'static>> {
    let caps = re.captures(s)?;
    let mut out = Object::new();
    for name in re.capture_names().flatten() {
        if let Some(m) = caps.name(name) {
            out.insert(key(name), Value::from(m.as_str().to_string()));
        }
    }
    Some(Value::from(out))
}

/// `rerg`: every match's named groups, one array per name (empty record when nothing matched).
fn all_named_groups(re: &Regex, s: &str) -> Value<'static> {
    let mut out = Object::new();
    for caps in re.captures_iter(s) {
        for name in re.capture_names().flatten() {
            if let Some(m) = caps.name(name) {
                let item = Value::from(m.as_str().to_string());
                match out.get_mut(name).and_then(Value::as_array_mut) {
                    Some(items) => items.push(item),
                    None => {
                        out.insert(key(name), Value::from(vec![item]));
                    }
                }
            }
        }
    }
    Value::from(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{compile, Extracted};
    use tremor_value::{parse_json, to_json_sorted, Value};

    /// Each case: kind, pattern, input, expected (`none`, `match`, or the JSON of the result).
    pub(crate) fn check(cases: &[(&str, &str, &str, &str)]) {
        for (kind, pattern, input, want) in cases {
            let ex = compile(kind, pattern).unwrap_or_else(|e| panic!("{kind}|{pattern}|: {e}"));
            let value = Value::from(*input);
            let got = match ex.extract_at(&value, *want != "match", 7) {
                Extracted::NoMatch => "none".to_string(),
                Extracted::Match => "match".to_string(),
                Extracted::MatchValue(v) => to_json_sorted(&v),
            };
            let want = match *want {
                "none" | "match" => (*want).to_string(),
                json => {
                    let mut buf = json.as_bytes().to_vec();
                    let parsed = parse_json(&mut buf).expect("test JSON");
                    to_json_sorted(&parsed)
                }
            };
            assert_eq!(got, want, "{kind}|{pattern}| on {input:?}");
        }
    }

    #[test]
    fn tremors_examples() {
        check(&[
            (
                "re",
                "(snot)?foo(?P<snot>.*)",
                "foobar",
                r#"{"snot":"bar"}"#,
            ),
            ("re", "^x", "foobar", "none"),
            ("re", "^f", "foobar", "match"),
            (
                "rerg",
                "(?P<key>[^=]+)=(?P<val>[^&]+)&",
                "foo=bar&baz=bat&",
                r#"{"key":["foo","baz"],"val":["bar","bat"]}"#,
            ),
            ("glob", "*INFO*", "INFO", "true"),
            ("glob", "*INFO*", "WARN", "none"),
            ("glob", "snot*", "snot badger", "true"),
            ("glob", "*snot", "badger snot", "true"),
            ("glob", "*snot", "snot badger", "none"),
            ("glob", "a?c", "abc", "match"),
            ("json", "", r#"{"a":"b", "c":"d"}"#, r#"{"a":"b","c":"d"}"#),
            ("json", "", "{nope", "none"),
            (
                "base64",
                "",
                "8J+agHNuZWFreSByb2NrZXQh",
                "\"\u{1f680}sneaky rocket!\"",
            ),
            ("base64", "", "sn!ot", "none"),
            (
                "datetime",
                "%Y-%m-%d %H:%M:%S",
                "2019-06-20 00:00:00",
                "1560988800000000000",
            ),
            ("datetime", "%Y-%m-%d", "yesterday", "none"),
            (
                "datetime",
                "%Y-%m-%d %H:%M",
                "2019-01-01 09:42",
                "1546335720000000000",
            ),
            ("re", "^http://.*/$", "http://example.com/", "{}"),
            ("re", "\\d+", "a12", "{}"),
        ]);
    }

    /// Odd patterns either compile or are refused, and odd inputs never panic.
    #[test]
    fn nothing_panics() {
        let kinds = [
            "re", "rerg", "glob", "json", "base64", "kv", "dissect", "grok", "cidr", "influx",
            "datetime",
        ];
        let patterns = [
            "",
            "%",
            "%{",
            "%{a}%{b}",
            "%{&a}",
            "%{_(",
            "%{?}ä%{+ä}",
            "%{key}",
            "%{key}%{val}",
            "ä\\",
            "a,b",
            "::1/200",
            "10.0.0.0/8",
            "*",
            "[",
            "(?P<x>.)",
            "%{WORD:w",
            "%Y%",
        ];
        let inputs = [
            "",
            "%",
            "a:b c",
            "ä:ö",
            "1.2.3.4",
            "::1/129",
            "m,x=1 y=\"",
            "m x=\"\\",
            "a\\",
            "{\"a\":",
            "ö %{",
            "2019-01-01",
        ];
        for kind in kinds {
            for pattern in patterns {
                let Ok(ex) = compile(kind, pattern) else {
                    continue;
                };
                for input in inputs {
                    let _ = ex.extract(&Value::from(input), true);
                    let _ = ex.extract(&Value::from(input), false);
                }
            }
        }
    }

    /// Compiled scripts may move between threads and be shared.
    #[test]
    fn extractors_are_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<super::Extractor>();
    }

    #[test]
    fn only_strings_match_and_unknown_kinds_fail() {
        let ex = compile("json", "").expect("json");
        assert_eq!(ex.extract(&Value::from(1), true), Extracted::NoMatch);
        let err = compile("snot", "").map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(err, Err("Unsupported extractor snot".to_string()));
        assert!(compile("re", "(").is_err());
    }
}
