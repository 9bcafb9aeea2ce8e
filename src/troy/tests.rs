//! End-to-end tests of the public entry points.

use super::test_support::{TempDir, INTEGRATION_MODULE, TREMOR_012_CONFIG};
use super::*;
use crate::script::eval;
use tremor_value::Value;

#[test]
fn load_deployment_with_module_on_the_path() {
    let dir = TempDir::new("e2e-012");
    dir.write("lib/integration.tremor", INTEGRATION_MODULE);
    let config = dir.write("test/config.troy", TREMOR_012_CONFIG);
    let path = split_tremor_path(&format!(
        "/nonexistent-troy-dir:{}",
        dir.path().join("lib").display()
    ));
    assert_eq!(path.len(), 2);
    let plan = load_deployment(&config, &path).unwrap_or_else(|e| panic!("loads: {e}"));
    let f = &plan.flows[0];
    assert_eq!(f.connectors.len(), 3);
    assert_eq!(f.pipelines.len(), 1);
    assert_eq!(f.links.len(), 3);
}

#[test]
fn missing_module_names_the_searched_directories() {
    let dir = TempDir::new("e2e-nomod");
    let e = plan_source(
        TREMOR_012_CONFIG,
        "config.troy",
        &[dir.path().to_path_buf()],
    )
    .expect_err("integration.tremor is not there");
    assert_eq!(e.pos, Some(Pos::new(3, 3)));
    assert!(e.message.contains("module `integration` not found"), "{e}");
    assert!(e.message.contains(&dir.path().display().to_string()), "{e}");
}

#[test]
fn unreadable_deployment_file() {
    let dir = TempDir::new("e2e-nofile");
    let missing = dir.path().join("config.troy");
    let e = load_deployment(&missing, &[]).expect_err("no file");
    assert!(e.pos.is_none());
    assert_eq!(e.file, missing.display().to_string());
    assert!(
        e.to_string().starts_with(&format!(
            "{}: cannot read deployment file: ",
            missing.display()
        )),
        "{e}"
    );
}

#[test]
fn syntax_error_has_line_and_column() {
    let src = "define flow main\nflow\n  create connector c from connectors::exit\n  create connector d;\nend;\n";
    let e = plan_source(src, "config.troy", &[]).expect_err("missing `;`");
    assert_eq!(
        e.to_string(),
        "config.troy:4:3: expected `;`, found `create`"
    );
    assert_eq!(e.pos, Some(Pos::new(4, 3)));
}

#[test]
fn unsupported_construct_has_line_and_column() {
    let src =
        "define flow main\nflow\n    define script s\n    script\n      event\n    end;\nend;\n";
    let e = plan_source(src, "config.troy", &[]).expect_err("script is outside the subset");
    assert_eq!(
        e.to_string(),
        "config.troy:3:5: unsupported construct `define script` (outside the supported Troy subset)"
    );
}

#[test]
fn unknown_alias_has_line_and_column() {
    let src = "define flow main\nflow\n  use tremor::connectors;\n  use tremor::pipelines;\n  \
               create connector console from connectors::console;\n  \
               create pipeline pass from pipelines::passthrough;\n  \
               connect /connector/console to /pipeline/passs;\nend;\ndeploy flow main;\n";
    let e = plan_source(src, "config.troy", &[]).expect_err("typo in alias");
    assert_eq!(
        e.to_string(),
        "config.troy:7:43: unknown pipeline `passs`: no `create pipeline passs;` in flow `main`"
    );
}

#[test]
fn several_flows_side_by_side() {
    let src = r#"
use tremor::connectors;
define flow a
flow
  use tremor::pipelines;
  create connector console from connectors::console;
  create pipeline p from pipelines::passthrough;
  connect /connector/console to /pipeline/p;
  connect /pipeline/p to /connector/console;
end;
define flow b
flow
  use std::time::nanos;
  define connector tick from metronome with config = {"interval": nanos::from_seconds(1)} end;
  define pipeline double
  into out, err
  pipeline
    select {"n": event.id * 2, "s": "tick #{event.id}"} from in where event.id > 0 into out;
  end;
  create connector tick;
  create pipeline double;
  create connector stop from connectors::exit;
  connect /connector/tick to /pipeline/double/in;
  connect /pipeline/double/err to /connector/stop/in;
end;
deploy flow a;
deploy flow b;
"#;
    let plan = plan_source(src, "config.troy", &[]).unwrap_or_else(|e| panic!("plans: {e}"));
    assert_eq!(plan.flows.len(), 2);
    let b = &plan.flows[1];
    assert_eq!(b.name, "b");
    assert_eq!(
        tremor_value::to_json(&b.connectors[0].config),
        r#"{"interval":1000000000}"#
    );
    let sel = &b.pipelines[0].selects[0];
    let ev = Value::from_iter(vec![("id", Value::from(21))]);
    let none = Value::object();
    assert_eq!(
        tremor_value::to_json(&eval::eval(&sel.target, &ev, &none).expect("evaluates")),
        r#"{"n":42,"s":"tick 21"}"#
    );
    assert_eq!(
        eval::eval_filter(sel.filter.as_ref().expect("filter"), &ev, &none),
        Ok(true)
    );
    assert_eq!(b.links[1].from.port, "err");
}

#[test]
fn error_display_and_helpers() {
    let e = TroyError::at("f.troy", Pos::new(2, 9), "bad");
    assert_eq!(e.to_string(), "f.troy:2:9: bad");
    let e = TroyError::in_file("f.troy", "gone");
    assert_eq!(e.to_string(), "f.troy: gone");
    let _: &dyn std::error::Error = &e;
    assert_eq!(Pos::new(3, 4).to_string(), "3:4");
    assert_eq!(split_tremor_path(""), Vec::<std::path::PathBuf>::new());
    assert_eq!(
        split_tremor_path("/a::/b"),
        vec![PathBuf::from("/a"), PathBuf::from("/b")]
    );
}

#[test]
fn hostile_input_does_not_panic() {
    let inputs = [
        "\"",
        "\"\"\"",
        "`",
        "\"#{",
        "define",
        "define flow",
        "define flow x flow",
        "define flow x flow create",
        "define flow x flow connect /",
        "define flow x flow connect /connector/",
        "define pipeline p pipeline select",
        "define pipeline p pipeline select {",
        "define pipeline p pipeline select \"#{",
        "define pipeline p pipeline select event from",
        "define connector c from x with config = ",
        "use",
        "use a::",
        "deploy flow",
        "\u{0}",
        "é",
        "define pipeline p pipeline select event[ from in into out; end;",
        "define pipeline p pipeline select nanos:: from in into out; end;",
    ];
    for src in inputs {
        assert!(
            plan_source(src, "x", &[]).is_err(),
            "{src:?} must fail cleanly"
        );
    }
}
