use super::*;
use crate::script::eval::{eval, eval_filter};
use crate::troy::plan::NamedConfig;
use crate::troy::plan_source;
use crate::troy::test_support::{TempDir, INTEGRATION_MODULE, TREMOR_012_CONFIG};

fn plan(src: &str) -> Plan {
    plan_source(src, "config.troy", &[]).unwrap_or_else(|e| panic!("plans: {e}"))
}

fn err(src: &str) -> String {
    plan_source(src, "config.troy", &[])
        .expect_err("fails")
        .to_string()
}

fn flow(body: &str) -> String {
    format!("define flow main\nflow\n{body}\nend;\ndeploy flow main;\n")
}

fn json(v: &Value<'_>) -> String {
    tremor_value::to_json(v)
}

#[test]
fn builtin_connectors_and_pipelines() {
    let p = plan(&flow(
        "  use tremor::connectors;\n  use tremor::pipelines;\n\
         create connector console from connectors::console;\n\
         create connector stop from connectors::exit;\n\
         create pipeline pass from pipelines::passthrough;\n\
         connect /connector/console to /pipeline/pass;\n\
         connect /pipeline/pass to /connector/console;",
    ));
    let f = &p.flows[0];
    let console = f.connector("console").expect("console");
    assert_eq!(console.connector_type, "stdio");
    assert_eq!(
        console.codec.as_ref().map(|c| c.name.as_str()),
        Some("string")
    );
    let names = |v: &[NamedConfig]| v.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&console.preprocessors), ["separate"]);
    assert_eq!(names(&console.postprocessors), ["separate"]);
    assert_eq!(json(&console.config), "{}");
    assert_eq!(json(&console.reconnect), r#""none""#);
    let stop = f.connector("stop").expect("exit");
    assert_eq!(stop.connector_type, "exit");
    assert!(stop.codec.is_none());
    let pass = f.pipeline("pass").expect("passthrough");
    assert_eq!(pass.into_ports, ["out", "err"]);
    assert_eq!(pass.selects.len(), 1);
    let s = &pass.selects[0];
    assert!(s.target.is_event() && s.filter.is_none());
    assert_eq!((s.from_port.as_str(), s.into_port.as_str()), ("in", "out"));
    assert_eq!(f.links.len(), 2);
    assert_eq!(f.links[0].from.to_string(), "/connector/console/out");
    assert_eq!(f.links[0].to.to_string(), "/pipeline/pass/in");
    assert_eq!(f.links[1].from.to_string(), "/pipeline/pass/out");
    assert_eq!(f.links[1].to.to_string(), "/connector/console/in");
    assert_eq!((f.links[1].pos.line, f.links[1].pos.column), (9, 1));
}

#[test]
fn the_tremor_012_deployment() {
    let lib = TempDir::new("plan-012");
    lib.write("integration.tremor", INTEGRATION_MODULE);
    let p = plan_source(
        TREMOR_012_CONFIG,
        "config.troy",
        &[lib.path().to_path_buf()],
    )
    .unwrap_or_else(|e| panic!("plans: {e}"));
    assert_eq!(p.flows.len(), 1);
    let f = &p.flows[0];
    assert_eq!(f.name, "main");
    let aliases: Vec<&str> = f.connectors.iter().map(|c| c.alias.as_str()).collect();
    assert_eq!(aliases, ["metronome", "exit", "out"]);
    let m = &f.connectors[0];
    assert_eq!(m.connector_type, "metronome");
    assert_eq!(json(&m.config), r#"{"interval":10000000}"#);
    assert_eq!((m.pos.line, m.pos.column), (10, 3));
    let exit = &f.connectors[1];
    assert_eq!(exit.connector_type, "exit");
    assert_eq!(json(&exit.config), r#"{"delay":100000000,"graceful":true}"#);
    let out = &f.connectors[2];
    assert_eq!(out.connector_type, "file");
    assert_eq!(
        out.codec.as_ref().map(|c| c.name.as_str()),
        Some("json-sorted")
    );
    assert_eq!(out.postprocessors.len(), 1);
    assert!(out.preprocessors.is_empty());
    assert_eq!(json(&out.config), r#"{"path":"out.log","mode":"truncate"}"#);
    let main = f.pipeline("main").expect("main");
    assert_eq!(main.into_ports, ["out", "exit"]);
    assert_eq!(json(&main.args), r#"{"delay":50000000}"#);
    let exit_sel = &main.selects[0];
    assert_eq!(exit_sel.into_port, "exit");
    let target = exit_sel.target.as_literal().expect("folded at plan time");
    assert_eq!(json(target), r#"{"exit":0,"delay":50000000}"#);
    let filter = exit_sel.filter.as_ref().expect("filter");
    let none = Value::object();
    assert_eq!(eval_filter(filter, &Value::from("exit"), &none), Ok(true));
    assert_eq!(eval_filter(filter, &Value::from(1), &none), Ok(false));
    assert!(main.selects[1].target.is_event());
    let links: Vec<String> = f
        .links
        .iter()
        .map(|l| format!("{} -> {}", l.from, l.to))
        .collect();
    assert_eq!(
        links,
        [
            "/connector/metronome/out -> /pipeline/main/in",
            "/pipeline/main/out -> /connector/out/in",
            "/pipeline/main/exit -> /connector/exit/in",
        ]
    );
}

#[test]
fn args_defaults_and_overrides() {
    let src = |create: &str| {
        flow(&format!(
            "define connector f from file\n\
             args path, mode = \"read\"\n\
             with config = {{\"path\": args.path, \"mode\": args.mode, \"label\": \"#{{args.path}}-#{{args.mode}}\"}} end;\n\
             define pipeline p args factor = 2, label pipeline\n\
               select {{\"v\": event * args.factor, \"l\": args.label}} from in into out;\n\
             end;\n{create}"
        ))
    };
    let p = plan(&src("create connector f with path = \"in.json\" end;\n\
         create pipeline p with label = \"x\" end;\n\
         create pipeline q from p with label = \"y\", factor = 10 end;"));
    let f = &p.flows[0];
    assert_eq!(
        json(&f.connectors[0].config),
        r#"{"path":"in.json","mode":"read","label":"in.json-read"}"#
    );
    let run = |alias: &str, e: i64| {
        let pl = f.pipeline(alias).expect("pipeline");
        json(&eval(&pl.selects[0].target, &Value::from(e), &pl.args).expect("evaluates"))
    };
    assert_eq!(run("p", 3), r#"{"v":6,"l":"x"}"#);
    assert_eq!(run("q", 3), r#"{"v":30,"l":"y"}"#);
    assert_eq!(json(&f.pipelines[1].args), r#"{"factor":10,"label":"y"}"#);
    let p = plan(&src(
        "create connector f with path = \"a\", mode = \"truncate\" end;\ncreate pipeline p with label = 1 end;",
    ));
    assert_eq!(
        json(&p.flows[0].connectors[0].config),
        r#"{"path":"a","mode":"truncate","label":"a-truncate"}"#
    );
    assert_eq!(
        err(&src("create connector f;")),
        "config.troy:9:1: missing argument `path` for connector definition `f`: it has no \
         default, so give it with `with path = ... end`"
    );
    assert_eq!(
        err(&src("create connector f with path = \"a\", size = 3 end;")),
        "config.troy:9:37: unknown argument `size` for connector definition `f` (declared: path, mode)"
    );
    assert_eq!(
        err(&flow("  use tremor::connectors;\n  create connector c from connectors::exit with x = 1 end;")),
        "config.troy:4:49: unknown argument `x` for connector definition `exit` (it declares no arguments)"
    );
    assert_eq!(
        err(&src("create connector f with path = event.x end;")),
        "config.troy:9:32: `event` cannot be used here: there is no event when a deployment is planned"
    );
}

#[test]
fn connector_settings() {
    let p = plan(&flow(
        "define connector c from tcp_server\nwith\n\
           codec = {\"name\": \"json\", \"config\": {\"mode\": \"sorted\"}},\n\
           preprocessors = [\"separate\", {\"name\": \"base64\"}],\n\
           postprocessors = [{\"name\": \"separate\", \"config\": {\"buffered\": false}}],\n\
           reconnect = {\"retry\": {\"interval_ms\": 100, \"growth_rate\": 2, \"max_retries\": 3, \"randomized\": false}},\n\
           metrics_interval_s = 10,\n\
         end;\ncreate connector c;",
    ));
    let c = &p.flows[0].connectors[0];
    let codec = c.codec.as_ref().expect("codec");
    assert_eq!(
        (codec.name.as_str(), json(&codec.config)),
        ("json", r#"{"mode":"sorted"}"#.into())
    );
    assert_eq!(c.preprocessors[1].name, "base64");
    assert_eq!(json(&c.preprocessors[1].config), "{}");
    assert_eq!(json(&c.postprocessors[0].config), r#"{"buffered":false}"#);
    assert!(json(&c.reconnect).starts_with(r#"{"retry":{"interval_ms":100"#));
    assert_eq!(c.metrics_interval_s, Some(10));
    assert_eq!(json(&c.config), "{}");

    let bad = |setting: &str| {
        err(&flow(&format!(
            "define connector c from x with {setting} end;\ncreate connector c;"
        )))
    };
    assert_eq!(
        bad("config = [1]"),
        "config.troy:3:41: `config` must be a record, got array"
    );
    assert!(bad("codec = 1").contains("`codec` entries must be a name or a record"));
    assert!(bad("codec = {\"nom\": \"json\"}").contains("unknown key `nom` in `codec`"));
    assert!(bad("codec = {\"name\": \"json\", \"config\": 1}").contains("must be a record"));
    assert!(bad("preprocessors = \"separate\"")
        .contains("`preprocessors` must be an array, got string"));
    assert!(bad("reconnect = \"sometimes\"").contains("`reconnect` must be \"none\" or a record"));
    assert!(bad("metrics_interval_s = -1").contains("non-negative integer"));
    // Names and configs of codecs, processors and reconnect policies resolve at plan time.
    assert_eq!(
        bad("codec = \"jsn\""),
        format!(
            "config.troy:3:40: unknown codec `jsn` (known: {})",
            crate::codec::NAMES.join(", ")
        )
    );
    assert_eq!(
        bad("preprocessors = [\"gzipp\"]"),
        format!(
            "config.troy:3:48: unknown preprocessor `gzipp` (known: {})",
            crate::preprocessor::NAMES.join(", ")
        )
    );
    assert_eq!(
        bad("postprocessors = [{\"name\": \"separate\", \"config\": {\"separator\": \"ab\"}}]"),
        "config.troy:3:49: separate: `separator` must be a string of one byte"
    );
    assert_eq!(
        bad("reconnect = {\"retry\": {\"max_retries\": -1}}"),
        "config.troy:3:44: invalid reconnect policy: `max_retries` must be a non-negative integer"
    );
    assert_eq!(
        bad("config = {\"a\": 1 + \"b\"}"),
        "config.troy:3:49: The binary operation `+` is not defined for the type `integer` and `string`"
    );
}

#[test]
fn definitions_in_scope() {
    let p = plan(
        "define connector top from exit;\n\
         define connector shadowed from file;\n\
         define flow main flow\n\
           define connector shadowed from stdio;\n\
           create connector top;\n\
           create connector s from shadowed;\n\
         end;\n\
         define flow other flow use tremor::connectors; create connector c from connectors::console; end;\n\
         deploy flow main;\ndeploy flow copy from main;\ndeploy flow other;",
    );
    let names: Vec<&str> = p.flows.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["main", "copy", "other"]);
    assert_eq!(p.flows[0].connectors[0].connector_type, "exit");
    assert_eq!(
        p.flows[0].connectors[1].connector_type, "stdio",
        "the flow's own wins"
    );
    assert_eq!(p.flows[1].connectors, p.flows[0].connectors);
    assert_eq!(p.flows[2].connectors[0].connector_type, "stdio");
    assert!(plan("define flow f flow end;").flows.is_empty());
}

#[test]
fn a_second_create_of_an_alias_replaces_the_first_as_in_tremor() {
    let p = plan(&flow(
        "  use tremor::connectors;\n  use tremor::pipelines;\n\
         create connector a from connectors::exit;\n\
         create pipeline p from pipelines::passthrough;\n\
         create connector a from connectors::console;\n\
         create pipeline p from pipelines::passthrough;\n\
         connect /connector/a to /pipeline/p;",
    ));
    let f = &p.flows[0];
    let types: Vec<_> = f
        .connectors
        .iter()
        .map(|c| (c.alias.as_str(), c.connector_type.as_str()))
        .collect();
    assert_eq!(types, [("a", "stdio")]);
    assert_eq!(f.pipelines.len(), 1);
}

#[test]
fn resolution_errors() {
    let cases = [
        ("create connector nope;", "config.troy:3:18: unknown connector definition `nope` (`create connector nope;` uses the definition named `nope`; name another with `from`)"),
        ("create pipeline p from nope;", "config.troy:3:24: unknown pipeline definition `nope`"),
        ("create connector c from connectors::console;", "config.troy:3:25: unknown module `connectors`: add `use tremor::connectors;`"),
        ("create connector c from lib::x;", "config.troy:3:25: unknown module `lib`: add `use lib;` to the flow or the file"),
        ("use tremor::pipelines;\ncreate connector c from pipelines::passthrough;", "config.troy:4:36: module `tremor::pipelines` has no connector definition `passthrough`"),
        ("use tremor::pipelines;\ncreate pipeline p from pipelines::passthrough;\nconnect /pipeline/p to /connector/ghost;", "config.troy:5:35: unknown connector `ghost`: no `create connector ghost;` in flow `main`"),
        ("use tremor::pipelines;\ncreate pipeline p from pipelines::passthrough;\nconnect /connector/p to /pipeline/p;", "config.troy:5:20: unknown connector `p`: no `create connector p;` in flow `main` (`p` is a pipeline)"),
        ("use tremor::connectors;\ncreate connector a from connectors::exit;\nconnect /connector/a to /connector/a;", "config.troy:5:1: cannot connect a connector directly to a connector: connect both to a pipeline (e.g. `pipelines::passthrough`)"),
        ("define connector d from exit;\ndefine connector d from file;", "config.troy:4:18: duplicate connector definition `d` (first defined at 3:18)"),
        ("define pipeline p pipeline select event from in into exit; end;\ncreate pipeline p;", "config.troy:3:54: pipeline `p` has no output port `exit` (output ports: out, err; declare ports with `into PORT, ...` before `pipeline`)"),
        ("define pipeline p pipeline select event from other into out; end;\ncreate pipeline p;", "config.troy:3:46: pipeline `p` has no input port `other` (input ports: in; declare ports with `from PORT, ...` before `pipeline`)"),
        ("define pipeline p pipeline select args.nope from in into out; end;\ncreate pipeline p;", "config.troy:3:35: unknown argument `nope`"),
        ("define pipeline p pipeline select event from in where 1 + 1 into out; end;\ncreate pipeline p;", "config.troy:3:57: `where` must be a boolean, got integer"),
        ("use nanos;", "config.troy:3:1: module `nanos` not found: no file `nanos.tremor` (TREMOR_PATH is empty, no directory was searched)"),
    ];
    for (body, want) in cases {
        assert_eq!(err(&flow(body)), want, "for {body:?}");
    }
    assert_eq!(
        err("define flow a flow end;\ndeploy flow b;"),
        "config.troy:2:13: unknown flow `b` (defined flows: a)"
    );
    assert_eq!(
        err("deploy flow b;"),
        "config.troy:1:13: unknown flow `b` (no flow is defined)"
    );
    assert_eq!(
        err("define flow a flow end;\ndeploy flow a;\ndeploy flow a;"),
        "config.troy:3:13: flow `a` is already deployed under this name (at 2:13); use `deploy flow OTHER_NAME from a` to run it twice"
    );
    assert_eq!(
        err("define flow a flow end;\ndefine flow a flow end;"),
        "config.troy:2:13: duplicate flow definition `a` (first defined at 1:13)"
    );
}

#[test]
fn errors_inside_modules_point_into_the_module() {
    let lib = TempDir::new("plan-moderr");
    lib.write(
        "m.tremor",
        "define connector c from file\nwith\n  config = {\"path\": args.path}\nend;\n",
    );
    let e = plan_source(
        &flow("  use m;\n  create connector x from m::c;"),
        "config.troy",
        &[lib.path().to_path_buf()],
    )
    .expect_err("unknown argument in the module");
    assert!(e.file.ends_with("m.tremor"), "{e}");
    assert_eq!(e.pos, Some(Pos::new(3, 21)));
    assert_eq!(e.message, "unknown argument `path`");
}

#[test]
fn module_aliases() {
    let lib = TempDir::new("plan-alias");
    lib.write("integration.tremor", INTEGRATION_MODULE);
    let path = [lib.path().to_path_buf()];
    let src = "use integration as i;\n\
               define flow main flow\n\
                 create connector a from i::read_file;\n\
                 create connector b from integration::write_file with file = \"x.log\" end;\n\
               end;\ndeploy flow main;";
    let p = plan_source(src, "config.troy", &path).unwrap_or_else(|e| panic!("plans: {e}"));
    let f = &p.flows[0];
    assert_eq!(
        json(&f.connectors[0].config),
        r#"{"path":"in.json","mode":"read"}"#
    );
    assert_eq!(
        json(&f.connectors[1].config),
        r#"{"path":"x.log","mode":"truncate"}"#
    );
}

/// A flow with arguments whose `create` statements read them in all of Tremor's forms.
const FLOW_WITH_ARGS: &str = "define flow f\n\
     args file, delay = 5, tags = [\"a\"]\n\
     flow\n\
       define connector out from file args path with config = {\"path\": args.path} end;\n\
       define pipeline p args settings pipeline\n\
         select {\"d\": args.settings.delay, \"t\": args.settings.tags} from in into out;\n\
       end;\n\
       create connector out with path = \"#{args.file}.log\" end;\n\
       create pipeline p with settings = args end;\n\
       connect /pipeline/p to /connector/out;\n\
     end;\n";

#[test]
fn flow_args_reach_the_with_of_create() {
    let p = plan(
        &format!(
            "{FLOW_WITH_ARGS}deploy flow one from f with file = \"a\" end;\n\
         deploy flow two from f with file = \"b\", delay = args_free(), tags = [] end;"
        )
        .replace("args_free()", "7"),
    );
    let summary: Vec<String> = (p.flows.iter())
        .map(|f| {
            let pl = f.pipeline("p").expect("pipeline");
            let out = eval(&pl.selects[0].target, &Value::null(), &pl.args).expect("evaluates");
            format!(
                "{} {} {}",
                f.name,
                json(&f.connectors[0].config),
                json(&out)
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            r#"one {"path":"a.log"} {"d":5,"t":["a"]}"#,
            r#"two {"path":"b.log"} {"d":7,"t":[]}"#
        ]
    );
}

#[test]
fn flow_arg_errors_are_worded_as_tremor_words_them() {
    assert_eq!(
        err(
            "define flow without_arg\nflow\nend;\ndeploy flow without_arg with arg = \"snot\" end;"
        ),
        "config.troy:4:30: Unknown argument: arg (flow `without_arg`: it declares no arguments)"
    );
    assert_eq!(
        err(&format!(
            "{FLOW_WITH_ARGS}deploy flow f with file = 1, size = 2 end;"
        )),
        "config.troy:12:30: Unknown argument: size (flow `f`: declared: file, delay, tags)"
    );
    assert_eq!(
        err("define flow required\nargs\n  required\nflow\nend;\ndeploy flow required;"),
        "config.troy:3:3: Missing required argument: required (`deploy flow required` at \
         config.troy:6:1 gives none: add `with required = ... end`)"
    );
    // Only `create` statements see the flow's arguments; a definition reads its own.
    assert_eq!(
        err("define flow f args x = 1 flow\n\
             define connector c from exit with config = {\"x\": args.x} end;\n\
             create connector c;\nend;\ndeploy flow f;"),
        "config.troy:2:50: unknown argument `x`"
    );
}

#[test]
fn undeployed_flows_are_checked_when_their_args_have_defaults() {
    // Without values for its arguments a flow cannot be planned until it is deployed ...
    let p = plan("define flow f args x flow create connector c with y = args.x end; end;");
    assert!(p.flows.is_empty());
    // ... with defaults it is, and its mistakes surface.
    assert_eq!(
        err("define flow f args x = 1 flow create connector c; end;"),
        "config.troy:1:48: unknown connector definition `c` (`create connector c;` uses the \
         definition named `c`; name another with `from`)"
    );
}

#[test]
fn deploy_a_flow_of_a_module() {
    let lib = TempDir::new("plan-modflow");
    lib.write("flows/lib.tremor", FLOW_WITH_ARGS);
    lib.write(
        "bad.tremor",
        "define flow g args n = 1 flow\n  create connector nope;\nend;\n",
    );
    let path = [lib.path().to_path_buf()];
    let p = plan_source(
        "use flows::lib;\ndeploy flow main from lib::f with file = \"m\" end;\n\
         deploy flow again from flows::lib::f with file = \"n\" end",
        "config.troy",
        &path,
    )
    .unwrap_or_else(|e| panic!("plans: {e}"));
    let configs: Vec<String> = (p.flows.iter())
        .map(|f| format!("{} {}", f.name, json(&f.connectors[0].config)))
        .collect();
    assert_eq!(
        configs,
        [r#"main {"path":"m.log"}"#, r#"again {"path":"n.log"}"#]
    );
    assert!(
        p.flows[0].file.ends_with("lib.tremor"),
        "{}",
        p.flows[0].file
    );
    let err_of = |src: &str| {
        plan_source(src, "config.troy", &path)
            .expect_err("fails")
            .to_string()
    };
    assert_eq!(
        err_of("use flows::lib;\ndeploy flow x from lib::nope;"),
        "config.troy:2:25: module `flows::lib` has no flow definition `nope`"
    );
    assert_eq!(
        err_of("deploy flow x from lib::f;"),
        "config.troy:1:20: unknown module `lib`: add `use lib;` to the flow or the file"
    );
    let e = err_of("use bad;\ndeploy flow x from bad::g;");
    assert!(
        e.contains("bad.tremor:2:20: unknown connector definition `nope`"),
        "{e}"
    );
}
