//! The connector's configuration and its validation into schedule entries.

use crate::{schedule::Entry, CONNECTOR_TYPE};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use tremor_pdk::{config::invalid, ConnectorError};

/// Configuration of the crononome.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct CrononomeConfig {
    /// The schedules, at least one. Entries that fire at the same instant are emitted together
    /// in one batch, in the order listed here.
    pub entries: Vec<CronEntry>,
}

/// One named schedule.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct CronEntry {
    /// Name of the entry, copied into every event it triggers as `trigger.name`.
    pub name: String,
    /// Cron expression evaluated in UTC: six fields with seconds
    /// (`sec min hour day-of-month month day-of-week`, e.g. `"*/5 * * * * *"` for every five
    /// seconds), optionally a seventh year field, or a shorthand like `"@hourly"`.
    pub expr: String,
    /// Any JSON value, copied into every event the entry triggers as `trigger.payload`;
    /// `null` when absent.
    #[serde(default)]
    pub payload: serde_json::Value,
}

/// The `trigger` field of the events of one entry.
#[derive(Serialize)]
struct Trigger<'a> {
    name: &'a str,
    payload: &'a serde_json::Value,
}

/// Parses the connector's `config` record (JSON text) into schedule entries.
pub(crate) fn parse(config: &str) -> Result<Vec<Entry>, ConnectorError> {
    let config: CrononomeConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    if config.entries.is_empty() {
        return Err(invalid(
            CONNECTOR_TYPE,
            "`entries` is empty, so nothing would ever trigger",
        ));
    }
    config.entries.iter().map(entry).collect()
}

fn entry(e: &CronEntry) -> Result<Entry, ConnectorError> {
    let schedule = cron::Schedule::from_str(&e.expr).map_err(|err| {
        let fields = e.expr.split_whitespace().count();
        // Plain Unix cron has five fields; say so, since the parser's message does not.
        let hint = if fields == 5 {
            " (it has 5 fields; crononome expressions start with a seconds field: \
             `sec min hour day-of-month month day-of-week`)"
        } else {
            ""
        };
        invalid(
            CONNECTOR_TYPE,
            format_args!(
                "entry `{}` has an invalid cron expression `{}`{hint}: {err}",
                e.name, e.expr
            ),
        )
    })?;
    let trigger = Trigger {
        name: &e.name,
        payload: &e.payload,
    };
    let trigger_json = serde_json::to_string(&trigger).map_err(|err| {
        invalid(
            CONNECTOR_TYPE,
            format_args!(
                "entry `{}`: payload cannot be written as JSON: {err}",
                e.name
            ),
        )
    })?;
    Ok(Entry::new(schedule, trigger_json))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(config: &str) -> String {
        parse(config).expect_err("invalid config").message.into()
    }

    #[test]
    fn names_the_entry_and_expression_of_a_bad_expression() {
        let e = err(r#"{"entries": [{"name": "ok", "expr": "* * * * * *"},
                            {"name": "broken", "expr": "* * * * * * * *"}]}"#);
        assert!(
            e.contains("`broken`") && e.contains("`* * * * * * * *`"),
            "{e}"
        );
        let e = err(r#"{"entries": [{"name": "unix", "expr": "*/5 * * * *"}]}"#);
        assert!(e.contains("`unix`") && e.contains("seconds field"), "{e}");
        let e = err(r#"{"entries": [{"name": "nonsense", "expr": "every day"}]}"#);
        assert!(e.contains("`every day`"), "{e}");
    }

    #[test]
    fn rejects_unknown_missing_and_empty() {
        let e = err(r#"{"entries": [{"name": "a", "expr": "* * * * * *", "paylod": 1}]}"#);
        assert!(e.contains("paylod"), "{e}");
        let e = err(r#"{"entries": [], "extra": 1}"#);
        assert!(e.contains("extra"), "{e}");
        let e = err(r#"{"entries": [{"name": "a"}]}"#);
        assert!(e.contains("expr"), "{e}");
        let e = err(r#"{"entries": []}"#);
        assert!(e.contains("empty"), "{e}");
        let e = err(r#"{}"#);
        assert!(e.contains("entries"), "{e}");
    }

    #[test]
    fn accepts_seconds_years_and_shorthands() {
        let entries = parse(
            r#"{"entries": [
                {"name": "s", "expr": "*/2 * * * * *", "payload": {"a": [1, null]}},
                {"name": "y", "expr": "0 0 12 1 1 * 2100"},
                {"name": "h", "expr": "@hourly", "payload": null}
            ]}"#,
        )
        .expect("valid");
        assert_eq!(entries.len(), 3);
        assert_eq!(
            entries[0].trigger_json(),
            r#"{"name":"s","payload":{"a":[1,null]}}"#
        );
        assert_eq!(entries[1].trigger_json(), r#"{"name":"y","payload":null}"#);
    }
}
