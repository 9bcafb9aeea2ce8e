//! `grok`: logstash grok patterns with the default pattern set (the `grok` crate's, which
//! Tremor uses too); a patterns file at `/etc/tremor/grok.patterns` adds to them as in Tremor.
//! The result has one string per named field that took part in the match.

use super::error::ExtractorError;
use tremor_value::{Object, Value};

/// Where Tremor reads extra patterns from (`NAME regex` per line, `#` comments).
const PATTERNS_FILE: &str = "/etc/tremor/grok.patterns";

pub(super) struct Pattern {
    compiled: grok::Pattern,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("grok::Pattern")
    }
}

/// A `%` that does not open `%{…}` as the regex escape `\x25`: grok 2.4 would otherwise read
/// `%%{NAME}` (a literal `%` before a pattern, as in Tremor's syslog example) as plain text.
fn escape_lone_percents(definition: &str) -> String {
    let mut out = String::with_capacity(definition.len());
    let mut chars = definition.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' && chars.peek() != Some(&'{') {
            out.push_str("\\x25");
        } else {
            out.push(c);
        }
    }
    out
}

impl Pattern {
    pub(super) fn compile(definition: &str) -> Result<Self, ExtractorError> {
        let mut grok = grok::Grok::with_default_patterns();
        if let Ok(text) = std::fs::read_to_string(PATTERNS_FILE) {
            for line in text
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                if let Some((name, pattern)) = line.split_once(' ') {
                    grok.add_pattern(name, pattern.trim_start());
                }
            }
        }
        grok.compile(&escape_lone_percents(definition), true)
            .map(|compiled| Self { compiled })
            .map_err(|_| {
                ExtractorError::new(format!(
                    "Failed to compile logstash grok pattern `{definition}`"
                ))
            })
    }

    pub(super) fn run(&self, s: &str) -> Option<Value<'static>> {
        let matches = self.compiled.match_against(s)?;
        let mut out = Object::new();
        for (name, value) in &matches {
            out.insert(name.to_string().into(), Value::from(value.to_string()));
        }
        Some(Value::from(out))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;

    #[test]
    fn tremors_examples() {
        let syslog = "^<%%{POSINT:syslog_pri}>(?:(?<syslog_version>\\d{1,3}) )?(?:%{SYSLOGTIMESTAMP:syslog_timestamp0}|%{TIMESTAMP_ISO8601:syslog_timestamp1}) %{SYSLOGHOST:syslog_hostname}  ?(?:%{TIMESTAMP_ISO8601:syslog_ingest_timestamp} )?(%{WORD:wf_pod} %{WORD:wf_datacenter} )?%{GREEDYDATA:syslog_message}";
        check(&[
            (
                "grok",
                syslog,
                "<%1>123 Jul   7 10:51:24 hostname 2019-04-01T09:59:19+0010 pod dc foo bar baz",
                r#"{"syslog_ingest_timestamp":"2019-04-01T09:59:19+0010","wf_datacenter":"dc","syslog_hostname":"hostname","syslog_pri":"1","wf_pod":"pod","syslog_message":"foo bar baz","syslog_version":"123","syslog_timestamp0":"Jul   7 10:51:24"}"#,
            ),
            ("grok", "%{USERNAME}", "foobar", "{}"),
            (
                "grok",
                "%{WORD:w} %{NUMBER:n:int} %{WORD:x}",
                "snot 123 badger",
                r#"{"w":"snot","n":"123","x":"badger"}"#,
            ),
            ("grok", "^%{NUMBER:n}$", "snot", "none"),
        ]);
    }
}
