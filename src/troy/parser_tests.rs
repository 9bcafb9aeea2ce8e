use super::*;
use crate::troy::test_support::TREMOR_012_CONFIG;

fn parse(src: &str) -> File {
    parse_file(src, "config.troy").expect("parses")
}

fn err(src: &str) -> String {
    parse_file(src, "config.troy")
        .expect_err("fails")
        .to_string()
}

/// Each `use` as `ALIAS=PATH@LINE:COL`.
fn uses(uses: &[Use]) -> Vec<String> {
    uses.iter()
        .map(|u| {
            let p: Vec<&str> = u.path.iter().map(|i| i.name.as_str()).collect();
            format!("{}={}", u.alias.name, p.join("::"))
        })
        .collect()
}

#[test]
fn tremor_012_file_parses() {
    let f = parse(TREMOR_012_CONFIG);
    assert_eq!(f.flows.len(), 1);
    assert_eq!(f.deploys.len(), 1);
    let flow = &f.flows[0];
    assert_eq!(flow.name.name, "main");
    assert_eq!(
        uses(&flow.uses),
        [
            "integration=integration",
            "pipelines=tremor::pipelines",
            "connectors=tremor::connectors"
        ]
    );
    assert_eq!(flow.connectors.len(), 1);
    assert_eq!(flow.connectors[0].connector_type.name, "metronome");
    assert_eq!(flow.connectors[0].with[0].name.name, "config");
    assert_eq!(flow.creates.len(), 4);
    let c = &flow.creates[2];
    assert_eq!((c.kind, c.alias.name.as_str()), (Kind::Connector, "out"));
    let from = c.from.as_ref().expect("has from");
    assert_eq!(from.to_string(), "integration::write_file");
    assert_eq!(c.with[0].name.name, "file");
    assert_eq!((c.pos.line, c.pos.column), (12, 3));
    assert!(flow.creates[0].from.is_none());
    assert_eq!(flow.connects.len(), 3);
    let last = &flow.connects[2];
    assert_eq!(last.from.kind, Kind::Pipeline);
    assert_eq!(
        last.from.port.as_ref().map(|p| p.name.as_str()),
        Some("exit")
    );
    assert_eq!(last.to.kind, Kind::Connector);
    assert!(last.to.port.is_none());
    assert_eq!(f.deploys[0].alias.name, "main");
    assert_eq!(f.deploys[0].flow.name.name, "main");
}

#[test]
fn connector_definition_forms() {
    let f = parse(
        r#"
define connector a from file;
define connector b from `udp-client`
args path, mode = "read",
with
  codec = {"name": "json", "config": {"mode": "sorted"}},
  preprocessors = ["separate", {"name": "separate", "config": {"buffered": false}}],
  postprocessors = [],
  config = {"path": args.path, "mode": args.mode},
  reconnect = "none",
  metrics_interval_s = 10,
end;
define connector c from stdio args x;
"#,
    );
    assert_eq!(f.connectors.len(), 3);
    let b = &f.connectors[1];
    assert_eq!(b.connector_type.name, "udp-client");
    assert_eq!(b.args.len(), 2);
    assert!(b.args[0].default.is_none());
    assert!(b.args[1].default.is_some());
    let keys: Vec<&str> = b.with.iter().map(|w| w.name.name.as_str()).collect();
    assert_eq!(
        keys,
        [
            "codec",
            "preprocessors",
            "postprocessors",
            "config",
            "reconnect",
            "metrics_interval_s"
        ]
    );
    assert_eq!(f.connectors[2].args.len(), 1);
}

#[test]
fn pipeline_definition_forms() {
    let f = parse(
        r##"
define pipeline p
from in, other
into out, exit,  err
args delay = 1, name
pipeline
  use std::time::nanos;
  select event from in into out;
  select {"exit": 0, "delay": args.delay} from in where event == "exit" into exit;
  select "#{event}" from other where true into err;
end;
define pipeline q pipeline select event from in into out; end;
"##,
    );
    let p = &f.pipelines[0];
    let ports = |v: &Option<Vec<Ident>>| -> Vec<String> {
        v.iter().flatten().map(|i| i.name.clone()).collect()
    };
    assert_eq!(ports(&p.from_ports), ["in", "other"]);
    assert_eq!(ports(&p.into_ports), ["out", "exit", "err"]);
    assert_eq!(p.args.len(), 2);
    assert_eq!(p.selects.len(), 3);
    assert!(p.selects[0].target.is_event());
    assert!(p.selects[1].filter.is_some());
    assert_eq!(p.selects[1].into_port.name, "exit");
    assert_eq!((p.selects[1].pos.line, p.selects[1].pos.column), (9, 3));
    assert_eq!(p.selects[2].from_port.name, "other");
    assert!(f.pipelines[1].into_ports.is_none());
}

#[test]
fn top_level_definitions_uses_and_deploys() {
    let f = parse(
        r"
use integration as i;
use a::b;
define connector c from exit;
define flow one flow create connector c; end;
define flow two flow end;
deploy flow one;
deploy flow again from one;
deploy flow two;
",
    );
    assert_eq!(f.uses[0].alias.name, "i");
    assert_eq!(f.uses[1].alias.name, "b");
    assert_eq!(f.uses[1].path.len(), 2);
    assert_eq!(f.connectors.len(), 1);
    assert_eq!(f.flows.len(), 2);
    let d: Vec<(&str, &str)> = f
        .deploys
        .iter()
        .map(|d| (d.alias.name.as_str(), d.flow.name.name.as_str()))
        .collect();
    assert_eq!(d, [("one", "one"), ("again", "one"), ("two", "two")]);
}

#[test]
fn grouped_imports_of_tremor_0_13() {
    let f = parse(
        "use tremor::{connectors, pipelines};\n\
         define flow main flow\n\
         \x20 use std::{time::nanos as n, string};\n\
         \x20 use a::{b::{c, d as e}, f};\n\
         \x20 use integration as i;\n\
         end;",
    );
    assert_eq!(
        uses(&f.uses),
        [
            "connectors=tremor::connectors",
            "pipelines=tremor::pipelines"
        ]
    );
    assert_eq!(
        uses(&f.flows[0].uses),
        [
            "n=std::time::nanos",
            "string=std::string",
            "c=a::b::c",
            "e=a::b::d",
            "f=a::f",
            "i=integration"
        ]
    );
    // A grouped module is placed at its own name, a plain one at its `use`.
    let at: Vec<(u32, u32)> = f.flows[0]
        .uses
        .iter()
        .map(|u| (u.pos.line, u.pos.column))
        .collect();
    assert_eq!(at, [(3, 13), (3, 31), (4, 15), (4, 18), (4, 27), (5, 3)]);
    assert_eq!((f.uses[1].pos.line, f.uses[1].pos.column), (1, 26));
}

#[test]
fn malformed_grouped_imports() {
    for (src, msg) in [
        (
            "use tremor::{};",
            "config.troy:1:14: expected a module name, found `}`",
        ),
        (
            "use tremor::{connectors,};",
            "config.troy:1:25: expected a module name, found `}`",
        ),
        (
            "use tremor::{connectors pipelines};",
            "config.troy:1:25: expected `}`, found `pipelines`",
        ),
        (
            "use tremor::{connectors}\nuse x;",
            "config.troy:2:1: expected `;`, found `use`",
        ),
        (
            "use {tremor};",
            "config.troy:1:5: expected a module name, found `{`",
        ),
        (
            "use tremor::{a} as b;",
            "config.troy:1:17: expected `;`, found `as`",
        ),
    ] {
        assert_eq!(err(src), msg, "{src}");
    }
}

#[test]
fn backticks_and_keywords_as_names() {
    let f = parse(
        "define flow `my-flow` flow\n\
         create pipeline `select` from pipelines::passthrough;\n\
         connect /pipeline/`select`/`odd-port` to /pipeline/`select`;\n\
         end;\ndeploy flow `my-flow`;",
    );
    assert_eq!(f.flows[0].name.name, "my-flow");
    let c = &f.flows[0].connects[0];
    assert_eq!(c.from.alias.name, "select");
    assert_eq!(
        c.from.port.as_ref().map(|p| p.name.as_str()),
        Some("odd-port")
    );
}

#[test]
fn syntax_error_position() {
    assert_eq!(
        err("define flow main\nflow\n  create connector x from;\nend;"),
        "config.troy:3:26: expected a definition name, found `;`"
    );
    assert_eq!(
        err("define flow main flow\n  connect /connector/a /pipeline/b;\nend;"),
        "config.troy:2:24: expected `to`, found `/`"
    );
    assert_eq!(
        err("deploy flow main\ndeploy flow other;"),
        "config.troy:2:1: expected `;`, found `deploy`"
    );
    assert_eq!(
        err("define pipeline p pipeline end;"),
        "config.troy:1:17: pipeline `p` has no `select` statement"
    );
    assert_eq!(
        err("define pipeline p into a into b pipeline select event from in into a; end;"),
        "config.troy:1:26: duplicate `into` clause"
    );
    assert_eq!(
        err("defne flow x flow end;"),
        "config.troy:1:1: expected `use`, `define` or `deploy`, found `defne`"
    );
    assert_eq!(
        err("define connector c from x args a, a;"),
        "config.troy:1:35: duplicate argument `a`"
    );
    assert_eq!(
        err("define connector c from x with codec = 1, codec = 2 end;"),
        "config.troy:1:43: duplicate `with` key `codec`"
    );
    assert_eq!(
        err("define pipeline p into out, out pipeline select event from in into out; end;"),
        "config.troy:1:29: duplicate port `out`"
    );
}

#[test]
fn unknown_connector_setting() {
    assert_eq!(
        err("define connector c from file with codec = \"json\", path = \"x\" end;"),
        "config.troy:1:51: unknown connector setting `path` (allowed: codec, preprocessors, \
         postprocessors, config, reconnect, metrics_interval_s, isolation)"
    );
}

#[test]
fn unsupported_constructs_are_named() {
    let cases = [
        (
            "define flow main\nflow\n  define script s\n  script\n    event\n  end;\nend;",
            "config.troy:3:3: unsupported construct `define script`",
        ),
        (
            "define flow main flow\n  define operator o from grouper::bucket;\nend;",
            "config.troy:2:3: unsupported construct `define operator`",
        ),
        (
            "define pipeline p\npipeline\n  define window w from tumbling state [] script from tick true script true end;\nend;",
            "config.troy:3:42: unsupported construct `script from tick (a window's tick script)`",
        ),
        (
            "define pipeline p\npipeline\n  create operator o from m::o;\nend;",
            "config.troy:3:27: unsupported construct `operator from a module`",
        ),
        (
            "define pipeline p\npipeline\n  let x = 1;\nend;",
            "config.troy:3:3: unsupported construct `let`",
        ),
        (
            "define flow f flow create flow x; end;",
            "config.troy:1:20: unsupported construct `create flow`",
        ),
        (
            "define flow f flow connect /flow/x to /pipeline/y; end;",
            "config.troy:1:29: unsupported construct `flow`",
        ),
        (
            "define flow f flow define flow g flow end; end;",
            "config.troy:1:20: unsupported construct `define flow`",
        ),
        (
            "deploy connector f;",
            "config.troy:1:1: unsupported construct `deploy connector`",
        ),
        (
            "mod m with end;",
            "config.troy:1:1: unsupported construct `mod`",
        ),
        (
            "fn f() with 1 end;",
            "config.troy:1:1: unsupported construct `fn`",
        ),
        (
            "define window w from tumbling with size = 1 end;",
            "config.troy:1:1: unsupported construct `define window`",
        ),
    ];
    for (src, want) in cases {
        let got = err(src);
        assert_eq!(
            got,
            format!("{want} (outside the supported Troy subset)"),
            "for {src:?}"
        );
    }
}

#[test]
fn create_outside_flow() {
    assert_eq!(
        err("create connector x;"),
        "config.troy:1:1: `create` and `connect` are only allowed inside `define flow ... end`"
    );
}

#[test]
fn flow_args_and_deploy_with() {
    let f = parse(
        "define flow f\nargs a, b = 2,\nflow\nend;\n\
         deploy flow x from m::n::f with a = 1, b = \"s\", end;\n\
         deploy flow f;",
    );
    let args: Vec<(&str, bool)> = (f.flows[0].args.iter())
        .map(|a| (a.name.name.as_str(), a.default.is_some()))
        .collect();
    assert_eq!(args, [("a", false), ("b", true)]);
    let d = &f.deploys[0];
    assert_eq!(
        (d.alias.name.as_str(), d.flow.to_string()),
        ("x", "m::n::f".to_string())
    );
    assert_eq!(d.flow.name.pos, Pos::new(5, 26));
    let with: Vec<&str> = d.with.iter().map(|w| w.name.name.as_str()).collect();
    assert_eq!(with, ["a", "b"]);
    assert_eq!(f.deploys[1].flow.to_string(), "f");
    assert!(f.deploys[1].with.is_empty());
    assert_eq!(
        err("deploy flow x with a = 1, a = 2 end;"),
        "config.troy:1:27: duplicate `with` key `a`"
    );
    assert_eq!(
        err("define flow f args a, a flow end;"),
        "config.troy:1:23: duplicate argument `a`"
    );
}

#[test]
fn a_config_directive_sets_the_metrics_interval_of_the_pipeline_it_is_in() {
    let f = parse(
        "#!config metrics_interval_s = 7\n\
         define pipeline top\npipeline\n  #!config metrics_interval_s = 3\n  \
         select event from in into out;\nend;\n\
         define flow main\nflow\n  define pipeline quiet\n  pipeline\n    \
         select event from in into out;\n  end;\n  define pipeline loud\n  pipeline\n    \
         #!config id = \"loud\"\n    #!config metrics_interval_s = 5\n    \
         select event from in into out;\n  end;\n  \
         define pipeline odd\n  pipeline\n    #!config metrics_interval_s = \"2\"\n    \
         select event from in into out;\n  end;\nend;\n",
    );
    let interval = |p: &PipelineDef| (p.name.name.clone(), p.metrics_interval_s);
    let pipelines: Vec<_> = f
        .pipelines
        .iter()
        .chain(&f.flows[0].pipelines)
        .map(interval)
        .collect();
    assert_eq!(
        pipelines,
        [
            ("top".to_string(), Some(3)),
            ("quiet".to_string(), None),
            ("loud".to_string(), Some(5)),
            // Not a whole number of seconds: logged and ignored, as Tremor reports nothing.
            ("odd".to_string(), None),
        ]
    );
}

#[test]
fn the_last_semicolon_is_optional() {
    // Tremor separates statements by `;`: the last one of a file, a flow or a pipeline body
    // may go without, and `#!config` directives are read (and ignored) like comments.
    let f = parse(
        "#!config metrics_interval_s = 10\n\
         define flow main\nflow\n  use std\nend;\n\
         define flow other\nflow\n  define pipeline p\n  pipeline\n    #!config id = \"p\"\n    \
         select event from in into out\n  end;\n  create pipeline p\nend;\n\
         deploy flow main",
    );
    assert_eq!(f.flows.len(), 2);
    assert_eq!(f.flows[1].pipelines[0].selects.len(), 1);
    assert_eq!(f.flows[1].creates.len(), 1);
    assert_eq!(f.deploys.len(), 1);
    let m = parse("define connector c from exit");
    assert_eq!(m.connectors.len(), 1);
    assert_eq!(
        err("define flow main flow end\ndeploy flow main;"),
        "config.troy:2:1: expected `;`, found `deploy`"
    );
}
