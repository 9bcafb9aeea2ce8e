//! `dissect`: splits a string by the literal text between `%{…}` fields, as Tremor's `dissect`
//! crate does. Fields: `%{name}`, `%{name:int}` / `:float` / `:string`, `%{?name}` (read but
//! not stored), `%{&name}` (key is the value of the earlier `%{?name}`), `%{+name}` (appended
//! to an earlier value, joined by the last padding, a space by default), `%{_}` / `%{_(-)}`
//! (padding skipped), `%{}` (skipped).

use super::error::{unescape, ExtractorError};
use std::collections::HashMap;
use tremor_value::{Object, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Convert {
    Text,
    Int,
    Float,
}

/// What a field does with the text it covers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// `%{name}`: stored under its name.
    Store,
    /// `%{?name}` / `%{}`: read, not stored (a later `%{&name}` may use it as a key).
    Skip,
    /// `%{&name}`: stored under the text the earlier `%{?name}` read.
    Lookup,
    /// `%{+name}`: appended to the value stored under the name.
    Append,
}

#[derive(Debug)]
enum Command {
    Literal(String),
    Padding(String),
    Field {
        name: String,
        mode: Mode,
        convert: Convert,
    },
}

#[derive(Debug)]
pub(super) struct Pattern {
    commands: Vec<Command>,
}

fn error(message: String) -> ExtractorError {
    ExtractorError::new(message)
}

/// One `%{…}` body.
fn field(body: &str, at: usize) -> Result<Command, ExtractorError> {
    let typed = |name: &str, mode| -> Result<Command, ExtractorError> {
        let (name, convert) = match name.split_once(':') {
            None => (name, Convert::Text),
            Some((n, "int")) => (n, Convert::Int),
            Some((n, "float")) => (n, Convert::Float),
            Some((n, "string")) => (n, Convert::Text),
            Some((_, other)) => return Err(error(format!("Invalid type '{at}' at {other}"))),
        };
        Ok(Command::Field {
            name: name.to_string(),
            mode,
            convert,
        })
    };
    let text = |name: &str, mode| Command::Field {
        name: name.to_string(),
        mode,
        convert: Convert::Text,
    };
    let rest = body.get(1..).unwrap_or_default();
    Ok(match body.chars().next() {
        None => text("", Mode::Skip),
        Some('?') => text(rest, Mode::Skip),
        Some('+') => text(rest, Mode::Append),
        Some('&') => typed(rest, Mode::Lookup)?,
        Some('_') if rest.is_empty() => Command::Padding(" ".to_string()),
        Some('_') => rest
            .strip_prefix('(')
            .and_then(|p| p.strip_suffix(')'))
            .map(|p| Command::Padding(p.to_string()))
            .ok_or_else(|| error(format!("Invalid padding at {at}")))?,
        Some(_) => typed(body, Mode::Store)?,
    })
}

impl Pattern {
    pub(super) fn compile(pattern: &str) -> Result<Self, ExtractorError> {
        let mut commands = Vec::new();
        let (mut rest, mut at, mut after_field) = (pattern, 0, false);
        while !rest.is_empty() {
            if let Some(body_and_more) = rest.strip_prefix("%{") {
                let close = body_and_more
                    .find('}')
                    .filter(|c| body_and_more.find("%{").is_none_or(|o| o > *c))
                    .ok_or_else(|| error(format!("Unterminated patter at {at}")))?;
                let command = field(&body_and_more[..close], at)?;
                rest = &body_and_more[close + 1..];
                after_field = match &command {
                    Command::Padding(pad) if rest.starts_with(pad.as_str()) => {
                        return Err(error(format!(
                            "The padding at {at} can't be followed up by a dilimiter that begins with it"
                        )))
                    }
                    Command::Padding(_) => false,
                    _ if after_field => {
                        return Err(error(format!(
                            "A dilimiter needs to be provided between the two patterns at {at}"
                        )))
                    }
                    _ => true,
                };
                commands.push(command);
                at += close + 3;
            } else {
                let end = rest.find("%{").unwrap_or(rest.len());
                commands.push(Command::Literal(unescape(&rest[..end])?));
                after_field = false;
                rest = &rest[end..];
                at += end;
            }
        }
        Ok(Self { commands })
    }

    /// The record of fields, or `None` when the input does not fit the pattern.
    pub(super) fn run(&self, input: &str) -> Option<Value<'static>> {
        let mut out = Object::new();
        let mut skipped: HashMap<&str, String> = HashMap::new();
        let mut joiner = " ";
        let mut data = input;
        for (i, command) in self.commands.iter().enumerate() {
            match command {
                Command::Literal(lit) => data = data.strip_prefix(lit.as_str())?,
                Command::Padding(pad) => {
                    joiner = pad;
                    data = data.trim_start_matches(pad.as_str());
                }
                Command::Field {
                    name,
                    mode,
                    convert,
                } => {
                    let end = self.field_end(i, data)?;
                    let (text, rest) = data.split_at(end);
                    data = rest;
                    let key = match mode {
                        Mode::Skip => {
                            skipped.insert(name, text.to_string());
                            continue;
                        }
                        Mode::Lookup => skipped.remove(name.as_str()).filter(|k| !k.is_empty())?,
                        Mode::Store | Mode::Append => name.clone(),
                    };
                    let value = match (mode, convert) {
                        (Mode::Append, _) => match out.remove(key.as_str()) {
                            None => Value::from(text.to_string()),
                            Some(Value::String(before)) => {
                                Value::from(format!("{before}{joiner}{text}"))
                            }
                            Some(_) => return None,
                        },
                        (_, Convert::Text) => Value::from(text.to_string()),
                        (_, Convert::Int) => Value::from(text.parse::<i64>().ok()?),
                        (_, Convert::Float) => Value::from(text.parse::<f64>().ok()?),
                    };
                    out.insert(key.into(), value);
                }
            }
        }
        data.is_empty().then(|| Value::from(out))
    }

    /// Where the field at `i` ends in `data`: at the next literal (or padding), or the end.
    fn field_end(&self, i: usize, data: &str) -> Option<usize> {
        match self.commands.get(i + 1) {
            None => Some(data.len()),
            Some(Command::Padding(pad)) => {
                data.find(pad.as_str())
                    .or_else(|| match self.commands.get(i + 2) {
                        None => Some(data.len()),
                        Some(Command::Literal(lit)) => data.find(lit.as_str()),
                        Some(_) => None,
                    })
            }
            Some(Command::Literal(lit)) => data.find(lit.as_str()),
            Some(Command::Field { .. }) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;

    #[test]
    fn dissect_crate_examples() {
        check(&[
            ("dissect", "%{name}", "John", r#"{"name":"John"}"#),
            // From Tremor's script tests: a dotted name, and padding setting the `+` joiner.
            (
                "dissect",
                "%{protocol}://%{host}.%{.tld}",
                "http://example.com/",
                r#"{"protocol":"http","host":"example",".tld":"com/"}"#,
            ),
            (
                "dissect",
                "%{date}|%{_(-)} %{?priority} %{&priority} %{+snot} %{+snot}",
                "2019-04-20|------------------- high 3 foo bar",
                r#"{"date":"2019-04-20","high":"3","snot":"foo-bar"}"#,
            ),
            (
                "dissect",
                "%{a} %{b}",
                "John Doe",
                r#"{"a":"John","b":"Doe"}"#,
            ),
            (
                "dissect",
                "%{name}, %{age}",
                "John Doe, 22",
                r#"{"name":"John Doe","age":"22"}"#,
            ),
            (
                "dissect",
                "%{+name} %{+name}, %{age}",
                "John Doe, 22",
                r#"{"name":"John Doe","age":"22"}"#,
            ),
            (
                "dissect",
                "%{?name}, %{&name}",
                "John Doe, 22",
                r#"{"John Doe":"22"}"#,
            ),
            (
                "dissect",
                "%{name}, %{age}",
                ", 22",
                r#"{"name":"","age":"22"}"#,
            ),
            (
                "dissect",
                "%{?first_name} %{last_name}, %{age}",
                "John Doe, 22",
                r#"{"last_name":"Doe","age":"22"}"#,
            ),
            (
                "dissect",
                "%{name}, %{age:int}",
                "John Doe, 22",
                r#"{"name":"John Doe","age":22}"#,
            ),
            (
                "dissect",
                "%{name}, %{age:float}",
                "John Doe, 22",
                r#"{"name":"John Doe","age":22.0}"#,
            ),
            (
                "dissect",
                "%{name}, %{_}%{age}",
                "John Doe,                22",
                r#"{"name":"John Doe","age":"22"}"#,
            ),
            (
                "dissect",
                "%{name}, %{_(-)}%{age}",
                "John Doe, -----------------------22",
                r#"{"name":"John Doe","age":"22"}"#,
            ),
            ("dissect", "%{name}, %{age:int}", "John Doe, x", "none"),
            ("dissect", "%{a} %{b}", "John", "none"),
            ("dissect", "%{a}!", "John!x", "none"),
        ]);
        for bad in ["%{a}%{b}", "%{a", "%{a:uint}", "%{_x}", "%{_} x"] {
            assert!(super::Pattern::compile(bad).is_err(), "{bad}");
        }
    }
}
