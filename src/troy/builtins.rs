//! The modules that come with the runtime: `tremor::connectors`, `tremor::pipelines` and the
//! function module `std::time::nanos`.
//!
//! The definition modules are written in Troy and parsed like module files, so that they behave
//! exactly as if a user had written them (args, defaults and errors included).

use super::ast::Use;

/// What a builtin module path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// A module of definitions, given as Troy source.
    Definitions {
        /// The module's name in messages, e.g. `tremor::connectors`.
        name: &'static str,
        /// Its Troy source.
        source: &'static str,
    },
    /// A module of functions (`std::time::nanos`); its functions are always in scope.
    Functions,
}

/// `tremor::connectors`: `console` (stdio with codec `string`, pre- and postprocessor `separate`),
/// `exit` and `metrics`.
const CONNECTORS: &str = r#"
define connector console from stdio
with
  codec = "string",
  preprocessors = ["separate"],
  postprocessors = ["separate"]
end;
define connector exit from exit;
define connector metrics from metrics;
"#;

/// `tremor::pipelines`: `passthrough`.
const PIPELINES: &str = r"
define pipeline passthrough
pipeline
  select event from in into out;
end;
";

/// The builtin module a `use` path names, if it names one.
#[must_use]
pub fn lookup(path: &[&str]) -> Option<Builtin> {
    match path {
        ["tremor", "connectors"] => Some(Builtin::Definitions {
            name: "tremor::connectors",
            source: CONNECTORS,
        }),
        ["tremor", "pipelines"] => Some(Builtin::Definitions {
            name: "tremor::pipelines",
            source: PIPELINES,
        }),
        ["std", "time", "nanos"] => Some(Builtin::Functions),
        _ => None,
    }
}

/// True when a `use` path is in the builtin namespaces (`std::...`, `tremor::...`): those are
/// never searched on the `TREMOR_PATH`.
#[must_use]
pub fn is_reserved(u: &Use) -> bool {
    matches!(
        u.path.first().map(|i| i.name.as_str()),
        Some("std" | "tremor")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::troy::parser::parse_file;

    #[test]
    fn builtin_sources_parse() {
        for path in [&["tremor", "connectors"][..], &["tremor", "pipelines"][..]] {
            let Some(Builtin::Definitions { name, source }) = lookup(path) else {
                panic!("{path:?} is builtin");
            };
            let f = parse_file(source, name).expect("builtin source parses");
            assert!(f.flows.is_empty() && f.deploys.is_empty());
        }
        let Some(Builtin::Definitions { source, .. }) = lookup(&["tremor", "connectors"]) else {
            panic!("connectors is builtin");
        };
        let f = parse_file(source, "c").expect("parses");
        let names: Vec<_> = f.connectors.iter().map(|c| c.name.name.as_str()).collect();
        assert_eq!(names, ["console", "exit", "metrics"]);
    }

    #[test]
    fn lookups() {
        assert_eq!(lookup(&["std", "time", "nanos"]), Some(Builtin::Functions));
        assert_eq!(lookup(&["std", "string"]), None);
        assert_eq!(lookup(&["integration"]), None);
    }
}
