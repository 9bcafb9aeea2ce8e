//! Reading an operator's `with` record field by field, with the messages Tremor's serde-based
//! config structs give (``missing field `count` ``, ``unknown field `x`, expected one of …``).

use super::interface::OperatorError;
use tremor_value::{Object, Value};

/// The `with` record of one operator whose config fields are `fields`.
pub(super) struct With<'a> {
    alias: &'a str,
    record: &'a Object<'static>,
}

impl<'a> With<'a> {
    /// The config of `alias`, which must be present (Tremor: "Operator config for … is
    /// missing") and may only hold `fields`.
    pub(super) fn required(
        alias: &'a str,
        config: Option<&'a Value<'static>>,
        fields: &[&str],
    ) -> Result<Self, OperatorError> {
        let config = config.ok_or_else(|| OperatorError::MissingConfig(alias.to_string()))?;
        let with = Self {
            alias,
            record: config
                .as_object()
                .ok_or_else(|| OperatorError::InvalidConfig {
                    alias: alias.to_string(),
                    reason: "Expected a struct, but did not find one".to_string(),
                })?,
        };
        if let Some(unknown) = with.record.keys().find(|k| !fields.contains(&k.as_ref())) {
            let expected = fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(with.invalid(format!(
                "unknown field `{unknown}`, expected one of {expected}"
            )));
        }
        Ok(with)
    }

    fn invalid(&self, reason: String) -> OperatorError {
        OperatorError::InvalidConfig {
            alias: self.alias.to_string(),
            reason,
        }
    }

    /// The field `name` converted by `convert` (`None` when it is absent); `expected` names the
    /// type in the error when the conversion fails.
    fn field<T>(
        &self,
        name: &str,
        expected: &str,
        convert: impl Fn(&Value<'static>) -> Option<T>,
    ) -> Result<Option<T>, OperatorError> {
        self.record.get(name).map_or(Ok(None), |value| {
            convert(value).map(Some).ok_or_else(|| {
                let found = match value {
                    Value::String(_) => format!("string {value}"),
                    _ => format!("{} `{value}`", value.value_type_name()),
                };
                self.invalid(format!("invalid type: {found}, expected {expected}"))
            })
        })
    }

    /// A field that must be present.
    fn must<T>(&self, name: &str, found: Option<T>) -> Result<T, OperatorError> {
        found.ok_or_else(|| self.invalid(format!("missing field `{name}`")))
    }

    pub(super) fn u64(&self, name: &str) -> Result<Option<u64>, OperatorError> {
        self.field(name, "u64", Value::as_u64)
    }

    pub(super) fn required_u64(&self, name: &str) -> Result<u64, OperatorError> {
        self.must(name, self.u64(name)?)
    }

    pub(super) fn f64(&self, name: &str) -> Result<Option<f64>, OperatorError> {
        self.field(name, "f64", Value::as_f64)
    }

    pub(super) fn string(&self, name: &str) -> Result<Option<String>, OperatorError> {
        self.field(name, "a string", |v| v.as_str().map(str::to_string))
    }

    pub(super) fn required_string(&self, name: &str) -> Result<String, OperatorError> {
        self.must(name, self.string(name)?)
    }

    pub(super) fn list<T>(
        &self,
        name: &str,
        expected: &str,
        item: impl Fn(&Value<'static>) -> Option<T>,
    ) -> Result<Option<Vec<T>>, OperatorError> {
        self.field(name, expected, |v| {
            v.as_array()?.iter().map(&item).collect::<Option<Vec<T>>>()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tremor_value::literal;

    #[test]
    fn config_errors_use_serdes_words() {
        let cases: [(Option<Value<'static>>, &str); 5] = [
            (None, "Operator config for o is missing"),
            (Some(literal!(1)), "Expected a struct, but did not find one"),
            (
                Some(literal!({"count": 1, "size": 2})),
                "unknown field `size`, expected one of `count`, `timeout`",
            ),
            (Some(literal!({"timeout": 2})), "missing field `count`"),
            (
                Some(literal!({"count": "x"})),
                "invalid type: string \"x\", expected u64",
            ),
        ];
        for (config, message) in cases {
            let error = With::required("o", config.as_ref(), &["count", "timeout"])
                .and_then(|with| with.required_u64("count"));
            assert_eq!(error.err().map(|e| e.to_string()).as_deref(), Some(message));
        }
    }
}
