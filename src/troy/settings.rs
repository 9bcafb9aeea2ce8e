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
            check_codec_config(&named)?;
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
        "isolation" => {
            crate::isolation::Isolation::from_value(&v).map_err(|e| e.to_string())?;
            p.isolation = v;
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

/// The keys a codec's `config` record may have, as Tremor 0.13 defines them: only `json` reads
/// one (`mode`: `sorted` or `unsorted`); every other codec takes none. `codec::lookup` ignores
/// keys it does not read, so a misspelt or misplaced key is refused here.
fn codec_config_keys(codec: &str) -> &'static [&'static str] {
    match codec {
        "json" => &["mode"],
        _ => &[],
    }
}

fn check_codec_config(named: &NamedConfig) -> Result<(), String> {
    let allowed = codec_config_keys(&named.name);
    let Some(unknown) = named
        .config
        .as_object()
        .and_then(|o| o.keys().find(|k| !allowed.contains(&k.as_ref())))
    else {
        return Ok(());
    };
    let name = &named.name;
    Err(if allowed.is_empty() {
        format!("codec `{name}` takes no config, found the key `{unknown}`")
    } else {
        format!(
            "unknown key `{unknown}` in the config of codec `{name}` (allowed: {})",
            allowed.join(", ")
        )
    })
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

    /// `{"name": NAME, "config": {...}}` from the config's JSON text.
    fn codec_record(name: &'static str, config: &str) -> Value<'static> {
        let mut text = config.as_bytes().to_vec();
        let config = tremor_value::parse_json(&mut text)
            .expect("JSON")
            .clone_static();
        Value::from_iter(vec![("name", Value::from(name)), ("config", config)])
    }

    #[test]
    fn every_codec_is_accepted_as_a_record_and_by_name() {
        for &name in codec::NAMES {
            let mut p = plan();
            apply(&mut p, "codec", codec_record(name, "{}")).expect(name);
            assert_eq!(p.codec.as_ref().map(|c| c.name.as_str()), Some(name));
            apply(&mut p, "codec", Value::from(name)).expect(name);
        }
        for (config, sorted) in [
            (r#"{"mode": "sorted"}"#, true),
            (r#"{"mode": "unsorted"}"#, false),
        ] {
            let mut p = plan();
            apply(&mut p, "codec", codec_record("json", config)).expect(config);
            let named = p.codec.expect("stored");
            assert_eq!(
                tremor_value::to_json(&named.config).contains("\"sorted\""),
                sorted
            );
        }
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
        let mode = |name: &'static str, mode: &'static str| {
            let config = Value::from_iter(vec![(mode, Value::from("sorted"))]);
            Value::from_iter(vec![("name", Value::from(name)), ("config", config)])
        };
        assert_eq!(
            e(&mut p, "codec", mode("json", "sort")),
            "unknown key `sort` in the config of codec `json` (allowed: mode)"
        );
        assert_eq!(
            e(&mut p, "codec", mode("string", "mode")),
            "codec `string` takes no config, found the key `mode`"
        );
        assert_eq!(
            e(&mut p, "reconnect", Value::object()),
            r#"invalid reconnect policy: expected "none" or {"retry": {...}}, found {}"#
        );
    }
}
