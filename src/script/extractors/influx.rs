//! `influx`: one line of the InfluxDB line protocol
//! (`measurement[,tag=value…] field=value[,…] [timestamp]`) becomes
//! `{"measurement", "tags", "fields", "timestamp"}`; a line without a timestamp gets the
//! event's ingest time. Field values: `1i` integers, floats, `"strings"`, `t`/`false`… booleans.

use tremor_value::{Object, Value};

/// Reads up to the first unescaped `stops` character. `\` before a stop character or `\`
/// yields that character; before anything else the backslash is kept.
fn take_until<'a>(input: &'a str, stops: &[char]) -> (String, &'a str) {
    let mut out = String::new();
    let mut chars = input.char_indices();
    while let Some((i, c)) = chars.next() {
        if stops.contains(&c) {
            return (out, &input[i..]);
        }
        if c == '\\' {
            match chars.next() {
                Some((_, e)) if stops.contains(&e) || e == '\\' => out.push(e),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    (out, "")
}

/// A quoted string value (after its opening quote), up to the closing quote.
fn quoted(input: &str) -> Option<(String, &str)> {
    let (text, rest) = take_until(input, &['"']);
    Some((text, rest.strip_prefix('"')?))
}

fn scalar(s: &str) -> Option<Value<'static>> {
    Some(match s {
        "t" | "T" | "true" | "True" | "TRUE" => Value::from(true),
        "f" | "F" | "false" | "False" | "FALSE" => Value::from(false),
        _ => match s.strip_suffix('i') {
            Some(n) if n.starts_with('-') => Value::from(n.parse::<i64>().ok()?),
            Some(n) => Value::from(n.parse::<u64>().ok()?),
            None => Value::from(s.parse::<f64>().ok()?),
        },
    })
}

/// `k=v,k=v` up to the first space; `None` if malformed.
fn pairs<'a>(
    mut rest: &'a str,
    value: impl Fn(&'a str) -> Option<(Value<'static>, &'a str)>,
) -> Option<(Object<'static>, &'a str)> {
    let mut out = Object::new();
    loop {
        let (k, after) = take_until(rest, &['=', ' ', ',']);
        let (v, after) = value(after.strip_prefix('=')?)?;
        out.insert(k.into(), v);
        match after.chars().next() {
            Some(',') => rest = &after[1..],
            _ => return Some((out, after)),
        }
    }
}

pub(super) fn decode(line: &str, ingest_ns: u64) -> Option<Value<'static>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (measurement, mut rest) = take_until(line, &[',', ' ']);
    let mut tags = Object::new();
    if let Some(after) = rest.strip_prefix(',') {
        let (t, after) = pairs(after, |s| {
            let (v, r) = take_until(s, &[' ', ',']);
            Some((Value::from(v), r))
        })?;
        tags = t;
        rest = after;
    }
    let (fields, rest) = pairs(rest.strip_prefix(' ')?, |s| {
        if let Some(q) = s.strip_prefix('"') {
            let (text, r) = quoted(q)?;
            Some((Value::from(text), r))
        } else {
            let (raw, r) = take_until(s, &[',', ' ']);
            Some((scalar(&raw)?, r))
        }
    })?;
    let timestamp = match rest.trim() {
        "" => ingest_ns,
        ts => ts.parse::<u64>().ok()?,
    };
    Some(
        [
            ("measurement", Value::from(measurement)),
            ("tags", Value::from(tags)),
            ("fields", Value::from(fields)),
            ("timestamp", Value::from(timestamp)),
        ]
        .into_iter()
        .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;

    #[test]
    fn line_protocol() {
        check(&[
            (
                "influx",
                "",
                "wea\\ ther,location=us-midwest temperature=82 1465839830100400200",
                r#"{"measurement":"wea ther","tags":{"location":"us-midwest"},"fields":{"temperature":82.0},"timestamp":1465839830100400200}"#,
            ),
            (
                "influx",
                "",
                "weather,location=us-midwest temperature=82",
                r#"{"measurement":"weather","tags":{"location":"us-midwest"},"fields":{"temperature":82.0},"timestamp":7}"#,
            ),
            (
                "influx",
                "",
                r#"m,a\,b=c\ d x=1i,y=-2i,s="a \"q\"",b=t,f=FALSE 5"#,
                r#"{"measurement":"m","tags":{"a,b":"c d"},"fields":{"x":1,"y":-2,"s":"a \"q\"","b":true,"f":false},"timestamp":5}"#,
            ),
            (
                "influx",
                "",
                "m v=1.5",
                r#"{"measurement":"m","tags":{},"fields":{"v":1.5},"timestamp":7}"#,
            ),
            ("influx", "", "m v=x", "none"),
            ("influx", "", "m", "none"),
            ("influx", "", "# comment", "none"),
            ("influx", "", "m v=1 notanumber", "none"),
        ]);
    }
}
