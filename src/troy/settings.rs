//! The settings of a connector definition's `with` block, checked and stored in the plan.

use super::plan::{ConnectorPlan, NamedConfig};
use super::values;
use tremor_value::{StaticNode, Value};

/// Stores the evaluated value of setting `key` (one of [`super::ast::CONNECTOR_WITH_KEYS`]).
///
/// # Errors
/// A message saying what shape the value must have.
pub(crate) fn apply(p: &mut ConnectorPlan, key: &str, v: Value<'static>) -> Result<(), String> {
    match key {
        "codec" => p.codec = Some(named_config(v, key)?),
        "preprocessors" => p.preprocessors = named_list(v, key)?,
        "postprocessors" => p.postprocessors = named_list(v, key)?,
        "config" if matches!(v, Value::Object(_)) => p.config = v,
        "config" => {
            return Err(format!(
                "`config` must be a record, got {}",
                values::type_name(&v)
            ))
        }
        "reconnect" if matches!(v, Value::Object(_)) || values::as_str(&v) == Some("none") => {
            p.reconnect = v;
        }
        "reconnect" => {
            return Err(format!(
                "`reconnect` must be \"none\" or a record like \
                 {{\"retry\": {{\"interval_ms\": 100}}}}, got {}",
                values::to_json(&v)
            ))
        }
        "metrics_interval_s" => {
            p.metrics_interval_s = Some(match v {
                Value::Static(StaticNode::I64(i)) if i >= 0 => i.unsigned_abs(),
                Value::Static(StaticNode::U64(u)) => u,
                other => {
                    return Err(format!(
                        "`metrics_interval_s` must be a non-negative integer (seconds), got {}",
                        values::to_json(&other)
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
            config: values::empty_record(),
        }),
        Value::Object(o) => {
            if let Some(k) = o.keys().find(|k| !matches!(&***k, "name" | "config")) {
                return Err(format!("unknown key `{k}` in `{what}`: {}", shape()));
            }
            let name = o
                .get("name")
                .and_then(values::as_str)
                .ok_or_else(shape)?
                .to_string();
            let config = match o.get("config") {
                None => values::empty_record(),
                Some(c @ Value::Object(_)) => c.clone(),
                Some(other) => {
                    return Err(format!(
                        "`config` of {what} `{name}` must be a record, got {}",
                        values::type_name(other)
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
            values::type_name(&other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::troy::Pos;

    fn plan() -> ConnectorPlan {
        ConnectorPlan {
            alias: "c".into(),
            connector_type: "file".into(),
            codec: None,
            preprocessors: Vec::new(),
            postprocessors: Vec::new(),
            config: values::empty_record(),
            reconnect: values::string("none"),
            metrics_interval_s: None,
            pos: Pos::new(1, 1),
        }
    }

    #[test]
    fn valid_settings() {
        let mut p = plan();
        apply(&mut p, "codec", values::string("json")).expect("codec");
        let rec = values::record(vec![
            ("name".into(), values::string("separate")),
            (
                "config".into(),
                values::record(vec![("buffered".into(), values::string("no"))]),
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
        apply(&mut p, "reconnect", values::record(vec![])).expect("reconnect");
        assert_eq!(p.codec.as_ref().map(|c| c.name.as_str()), Some("json"));
        assert_eq!(
            values::to_json(&p.preprocessors[0].config),
            r#"{"buffered":"no"}"#
        );
        assert_eq!(p.metrics_interval_s, Some(3));
        assert_eq!(values::to_json(&p.reconnect), "{}");
    }

    #[test]
    fn invalid_settings() {
        let mut p = plan();
        let e = |p: &mut ConnectorPlan, k: &str, v: Value<'static>| apply(p, k, v).expect_err(k);
        assert_eq!(
            e(&mut p, "config", values::int(1)),
            "`config` must be a record, got integer"
        );
        assert!(e(&mut p, "codec", values::record(vec![])).contains("must be a name or a record"));
        assert!(e(&mut p, "metrics_interval_s", values::string("1")).contains("got \"1\""));
        assert_eq!(
            e(&mut p, "colour", values::int(1)),
            "unknown connector setting `colour`"
        );
    }
}
