//! `kv`: `key:value` pairs separated by spaces by default. A pattern such as `%{key}=%{val}&`
//! names other separators; several may be given (`%{key}=%{val}&%{key}:%{val};`).

use super::error::{unescape, ExtractorError};
use tremor_value::{Object, Value};

#[derive(Debug)]
pub(super) struct Pattern {
    field_separators: Vec<String>,
    key_separators: Vec<String>,
}

const KEY: &str = "%{key}";
const VAL: &str = "%{val}";

fn double(sep: &str) -> ExtractorError {
    ExtractorError::new(format!(
        "The seperator '{sep}' is used for both key value seperation as well as pair seperation."
    ))
}

impl Pattern {
    pub(super) fn compile(pattern: &str) -> Result<Self, ExtractorError> {
        let (mut fields, mut keys) = (Vec::new(), Vec::new());
        let mut rest = pattern;
        let mut at = 0;
        while !rest.is_empty() {
            if let Some(after_key) = rest.strip_prefix(KEY) {
                let end = after_key.find(VAL).ok_or_else(|| {
                    ExtractorError::new(format!("invalid pattern at character {}", at + KEY.len()))
                })?;
                if end > 0 {
                    keys.push(unescape(&after_key[..end])?);
                }
                let used = KEY.len() + end + VAL.len();
                at += used;
                rest = &rest[used..];
            } else {
                let end = rest.find(KEY).unwrap_or(rest.len());
                fields.push(unescape(&rest[..end])?);
                at += end;
                rest = &rest[end..];
            }
        }
        for (list, default) in [(&mut fields, " "), (&mut keys, ":")] {
            if list.is_empty() {
                list.push(default.to_string());
            }
            list.sort();
            list.dedup();
        }
        // A separator may not be part of another one of the other kind or of its own kind.
        for (mine, theirs) in [(&fields, &keys), (&keys, &fields)] {
            for sep in mine.iter() {
                let clash = theirs.iter().any(|t| t.contains(sep.as_str()))
                    || mine.iter().any(|m| m != sep && m.contains(sep.as_str()));
                if clash {
                    return Err(double(sep));
                }
            }
        }
        Ok(Self {
            field_separators: fields,
            key_separators: keys,
        })
    }

    /// The record of pairs, or `None` when no field holds exactly one key separator.
    pub(super) fn run(&self, input: &str) -> Option<Value<'static>> {
        let mut out = Object::new();
        for field in split_all(input, &self.field_separators) {
            if let [k, v] = split_all(field, &self.key_separators).as_slice() {
                out.insert((*k).to_string().into(), Value::from((*v).to_string()));
            }
        }
        (!out.is_empty()).then(|| Value::from(out))
    }
}

/// Splits by each separator in turn.
fn split_all<'a>(input: &'a str, separators: &[String]) -> Vec<&'a str> {
    let mut parts = vec![input];
    for sep in separators {
        parts = parts.iter().flat_map(|p| p.split(sep.as_str())).collect();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::super::tests::check;

    #[test]
    fn pairs_with_default_and_custom_separators() {
        check(&[
            ("kv", "", "a:b c:d", r#"{"a":"b","c":"d"}"#),
            (
                "kv",
                "",
                "ip:1.2.3.4 error:REFUSED",
                r#"{"ip":"1.2.3.4","error":"REFUSED"}"#,
            ),
            ("kv", "", "badger snot", "none"),
            ("kv", "%{key}=%{val}&", "a=1&b=2", r#"{"a":"1","b":"2"}"#),
            (
                "kv",
                "%{key}=%{val}&%{key}#%{val};",
                "a=1&b#2;c=3",
                r#"{"a":"1","b":"2","c":"3"}"#,
            ),
            ("kv", "%{key}=%{val}\\t", "a=1\tb=2", r#"{"a":"1","b":"2"}"#),
            ("kv", "", "a:b:c d:e", r#"{"d":"e"}"#),
        ]);
        let clash = super::Pattern::compile("%{key}:%{val}:").map(|_| ());
        assert!(clash.is_err_and(|e| e.to_string().contains("seperator ':'")));
    }
}
