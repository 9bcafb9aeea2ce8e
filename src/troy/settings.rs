//! The settings of a connector definition's `with` block, checked and stored in the plan.
//!
//! Codecs, processors and the reconnect policy are resolved here, with their configs, so that a
//! typo fails the deployment with the position of the setting rather than when it starts.
//! Whether the connector uses a codec at all is only known once it exists (see
//! `docs/compatibility.md`), so a codec name is checked for every connector.

use super::plan::{ConnectorPlan, NamedConfig};
use crate::{codec, connectors::reconnect::Reconnect, postprocessor, preprocessor};
use tremor_value::{StaticNode, Value};

/// Stores the evaluated value of setting `key` (one of [`super::ast::CONNECTOR_WITH_KEYS`]).
///
/// # Errors
/// A message saying what shape the value must have.
pub(crate) fn apply(p: &mut ConnectorPlan, key: &str, v: Value<'static>) -> Result<(), String> {
    match key {
        "codec" => {
            let named = named_config(v, key)?;
            codec::lookup(&named.name, &named.config).map_err(|e| e.to_string())?;
            p.codec = Some(named);
        }
        "preprocessors" => {
            let list = named_list(v, key)?;
            for named in &list {
                // The factory is rebuilt when the connector starts; here it only proves the
                // name and config valid.
                let _factory =
                    preprocessor::lookup(&named.name, &named.config).map_err(|e| e.to_string())?;
            }
            p.preprocessors = list;
        }
        "postprocessors" => {
            let list = named_list(v, key)?;
            for named in &list {
                postprocessor::lookup(&named.name, &named.config).map_err(|e| e.to_string())?;
            }
            p.postprocessors = list;
        }
        "config" if matches!(v, Value::Object(_)) => p.config = v,
        "config" => {
            return Err(format!(
                "`config` must be a record, got {}",
                v.value_type_name()
            ))
        }
        "reconnect" if matches!(v, Value::Object(_)) || Value::as_str(&v) == Some("none") => {
            Reconnect::from_value(&v).map_err(|e| e.to_string())?;
            p.reconnect = v;
        }
        "reconnect" => {
            return Err(format!(
                "`reconnect` must be \"none\" or a record like \
                 {{\"retry\": {{\"interval_ms\": 100}}}}, got {}",
                tremor_value::to_json(&v)
            ))
        }
        "metrics_interval_s" => {
            p.metrics_interval_s = Some(match v {
                Value::Static(StaticNode::I64(i)) if i >= 0 => i.unsigned_abs(),
                Value::Static(StaticNode::U64(u)) => u,
                other => {
                    return Err(format!(
                        "`metrics_interval_s` must be a non-negative integer (seconds), got {}",
                        tremor_value::to_json(&other)
                    ))
                }
            });
        }
        other => return Err(format!("unknown connector setting `{other}`")),
    }
    Ok(())
}

/// A codec or processor given as `"name"` or `{"name": ..., "config": {...}}`.
fn named_config(v: Value<'static>, what: &str) -> Result<NamedConfig, String> {
    let shape = || {
        format!(
            "`{what}` entries must be a name or a record {{\"name\": \"...\", \"config\": {{...}}}}"
        )
    };
    match v {
        Value::String(s) => Ok(NamedConfig {
            name: s.to_string(),
            config: Value::object(),
        }),
        Value::Object(o) => {
            if let Some(k) = o.keys().find(|k| !matches!(&***k, "name" | "config")) {
                return Err(format!("unknown key `{k}` in `{what}`: {}", shape()));
            }
            let name = o
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(shape)?
                .to_string();
            let config = match o.get("config") {
                None => Value::object(),
                Some(c @ Value::Object(_)) => c.clone(),
                Some(other) => {
                    return Err(format!(
                        "`config` of {what} `{name}` must be a record, got {}",
                        other.value_type_name()
                    ))
                }
            };
            Ok(NamedConfig { name, config })
        }
        _ => Err(shape()),
    }
}

fn named_list(v: Value<'static>, what: &str) -> Result<Vec<NamedConfig>, String> {
    match v {
        Value::Array(items) => items.into_iter().map(|i| named_config(i, what)).collect(),
        other => Err(format!(
            "`{what}` must be an array, got {}",
            other.value_type_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::troy::Pos;

    fn plan() -> ConnectorPlan {
        ConnectorPlan::new("c", "file", Pos::new(1, 1))
    }

    #[test]
    fn valid_settings() {
        let mut p = plan();
        apply(&mut p, "codec", Value::from("json")).expect("codec");
        let rec = Value::from_iter(vec![
            ("name", Value::from("separate")),
            (
                "config",
                Value::from_iter(vec![("buffered", Value::from(false))]),
            ),
        ]);
        apply(&mut p, "preprocessors", Value::Array(vec![rec])).expect("pre");
        apply(&mut p, "postprocessors", Value::Array(vec![])).expect("post");
        apply(
            &mut p,
            "metrics_interval_s",
            Value::Static(StaticNode::U64(3)),
        )
        .expect("metrics");
        let retry = Value::from_iter(vec![("retry", Value::object())]);
        apply(&mut p, "reconnect", retry).expect("reconnect");
        assert_eq!(p.codec.as_ref().map(|c| c.name.as_str()), Some("json"));
        assert_eq!(
            tremor_value::to_json(&p.preprocessors[0].config),
            r#"{"buffered":false}"#
        );
        assert_eq!(p.metrics_interval_s, Some(3));
        assert_eq!(tremor_value::to_json(&p.reconnect), r#"{"retry":{}}"#);
    }

    #[test]
    fn invalid_settings() {
        let mut p = plan();
        let e = |p: &mut ConnectorPlan, k: &str, v: Value<'static>| apply(p, k, v).expect_err(k);
        assert_eq!(
            e(&mut p, "config", Value::from(1)),
            "`config` must be a record, got integer"
        );
        assert!(e(&mut p, "codec", Value::object()).contains("must be a name or a record"));
        assert!(e(&mut p, "metrics_interval_s", Value::from("1")).contains("got \"1\""));
        assert_eq!(
            e(&mut p, "colour", Value::from(1)),
            "unknown connector setting `colour`"
        );
        assert!(
            e(&mut p, "codec", Value::from("jsn")).starts_with("unknown codec `jsn` (known: json,"),
        );
        let sorted_typo = Value::from_iter(vec![
            ("name", Value::from("json")),
            (
                "config",
                Value::from_iter(vec![("mode", Value::from("sortd"))]),
            ),
        ]);
        assert!(e(&mut p, "codec", sorted_typo).contains("unknown mode `sortd`"));
        let pre = Value::Array(vec![Value::from("separat")]);
        assert!(e(&mut p, "preprocessors", pre).starts_with("unknown preprocessor `separat`"));
        let post = Value::Array(vec![Value::from("separate"), Value::from("gzipp")]);
        assert!(e(&mut p, "postprocessors", post).starts_with("unknown postprocessor `gzipp`"));
        assert!(p.postprocessors.is_empty(), "nothing stored on error");
        assert_eq!(
            e(&mut p, "reconnect", Value::object()),
            r#"invalid reconnect policy: expected "none" or {"retry": {...}}, found {}"#
        );
    }
}
