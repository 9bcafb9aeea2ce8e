use super::*;
use crate::troy::{
    plan::{ConnectorPlan, Endpoint, PipelinePlan},
    Pos,
};
use tremor_value::Value;

fn connector(alias: &str) -> ConnectorPlan {
    ConnectorPlan {
        alias: alias.into(),
        connector_type: "test".into(),
        codec: None,
        preprocessors: vec![],
        postprocessors: vec![],
        config: Value::object(),
        reconnect: Value::from("none"),
        metrics_interval_s: None,
        isolation: Value::from("none"),
        pos: Pos::new(1, 1),
        config_at: None,
    }
}

fn pipeline(alias: &str) -> PipelinePlan {
    PipelinePlan {
        alias: alias.into(),
        from_ports: vec!["in".into()],
        into_ports: vec!["out".into(), "err".into()],
        selects: vec![],
        nodes: Default::default(),
        args: Value::object(),
        metrics_interval_s: None,
        pos: Pos::new(1, 1),
    }
}

/// `"connector/a/out"` or `"pipeline/p/in"`.
fn endpoint(spec: &str) -> Endpoint {
    let mut parts = spec.split('/');
    let kind = match parts.next() {
        Some("connector") => EndpointKind::Connector,
        Some("pipeline") => EndpointKind::Pipeline,
        other => panic!("bad endpoint kind {other:?}"),
    };
    Endpoint {
        kind,
        alias: parts.next().expect("alias").into(),
        port: parts.next().expect("port").into(),
    }
}

fn link(line: u32, from: &str, to: &str) -> Link {
    Link {
        from: endpoint(from),
        to: endpoint(to),
        pos: Pos::new(line, 1),
    }
}

fn flow(name: &str, connectors: &[&str], pipelines: &[&str], links: Vec<Link>) -> FlowPlan {
    FlowPlan {
        name: name.into(),
        file: "test.troy".into(),
        connectors: connectors.iter().map(|a| connector(a)).collect(),
        pipelines: pipelines.iter().map(|a| pipeline(a)).collect(),
        links,
    }
}

const SOURCE: ConnectorShape = ConnectorShape {
    has_source: true,
    has_sink: false,
    input_ports: None,
};
const SINK: ConnectorShape = ConnectorShape {
    has_source: false,
    has_sink: true,
    input_ports: None,
};
const BOTH: ConnectorShape = ConnectorShape {
    has_source: true,
    has_sink: true,
    input_ports: None,
};

fn target(node: NodeId, port: &str, name: &str) -> Target {
    Target {
        node,
        port: port.into(),
        name: name.into(),
    }
}

fn ids(list: &[u32]) -> BTreeSet<ConnectorId> {
    list.iter().copied().map(ConnectorId).collect()
}

fn deploy_error(plan: &Plan, shapes: &[ConnectorShape]) -> String {
    match Topology::build(plan, shapes) {
        Ok(t) => panic!("expected an error, got {t:#?}"),
        Err(e) => e.to_string(),
    }
}

/// Asserts, for each `(line, "from -> to", expected)`, that a flow `f` of the connectors
/// `connectors` (with `shapes`) and the pipeline `p` whose only link is that one fails with
/// `test.troy:{line}:1: {expected}`.
fn assert_link_errors(connectors: &[&str], shapes: &[ConnectorShape], cases: &[(u32, &str, &str)]) {
    for &(line, link_spec, expected) in cases {
        let (from, to) = link_spec.split_once(" -> ").expect("from -> to");
        let plan = Plan {
            flows: vec![flow("f", connectors, &["p"], vec![link(line, from, to)])],
        };
        assert_eq!(
            deploy_error(&plan, shapes),
            format!("test.troy:{line}:1: {expected}"),
            "{link_spec}"
        );
    }
}

#[test]
fn a_source_feeding_two_sinks_through_a_pipeline() {
    let plan = Plan {
        flows: vec![flow(
            "main",
            &["src", "a", "b"],
            &["p"],
            vec![
                link(1, "connector/src/out", "pipeline/p/in"),
                link(2, "pipeline/p/out", "connector/a/in"),
                link(3, "pipeline/p/out", "connector/b/in"),
            ],
        )],
    };
    let t = Topology::build(&plan, &[SOURCE, SINK, SINK]).expect("valid");
    let p = NodeId::Pipeline(PipelineId(0));
    let (a, b) = (ConnectorId(1), ConnectorId(2));

    let src = &t.connectors[0];
    assert_eq!(src.name, "main::src");
    assert!(src.sink.is_none());
    let source = src.source.as_ref().expect("a source part");
    assert_eq!(source.out, vec![target(p, "in", "main/p")]);
    assert!(source.err.is_empty());
    assert_eq!(source.downstream_sinks, ids(&[1, 2]));

    for sink in [a, b] {
        let node = t.connectors[sink.index()]
            .sink
            .as_ref()
            .expect("a sink part");
        assert_eq!(node.upstream_links, 1);
        assert_eq!(node.upstream_sources, ids(&[0]));
    }

    let pipe = &t.pipelines[0];
    assert_eq!(pipe.name, "main::p");
    assert_eq!(pipe.upstream_links, 1);
    assert_eq!(
        pipe.outputs,
        vec![Output {
            port: "out".into(),
            targets: vec![
                target(NodeId::Connector(a), "in", "main/a"),
                target(NodeId::Connector(b), "in", "main/b"),
            ],
        }]
    );
}

#[test]
fn chains_of_pipelines_and_err_links_reach_the_sinks_they_feed() {
    // src -> p1 -> p2 -> a ; src/err -> b ; p1/err -> c ; d is fed by nothing.
    let plan = Plan {
        flows: vec![flow(
            "f",
            &["src", "a", "b", "c", "d"],
            &["p1", "p2"],
            vec![
                link(1, "connector/src/out", "pipeline/p1/in"),
                link(2, "pipeline/p1/out", "pipeline/p2/in"),
                link(3, "pipeline/p2/out", "connector/a/in"),
                link(4, "connector/src/err", "connector/b/in"),
                link(5, "pipeline/p1/err", "connector/c/in"),
                // A loop back into p1 must not make the walk run forever.
                link(6, "pipeline/p2/err", "pipeline/p1/in"),
            ],
        )],
    };
    let t = Topology::build(&plan, &[SOURCE, SINK, SINK, SINK, SINK]).expect("valid");
    let source = t.connectors[0].source.as_ref().expect("source");
    assert_eq!(source.downstream_sinks, ids(&[1, 2, 3]));
    assert_eq!(
        source.err,
        vec![target(NodeId::Connector(ConnectorId(2)), "in", "f/b")]
    );
    let d = t.connectors[4].sink.as_ref().expect("sink");
    assert_eq!(d.upstream_links, 0);
    assert!(d.upstream_sources.is_empty());
    assert_eq!(t.pipelines[0].upstream_links, 2);
    let ports: Vec<&str> = t.pipelines[0]
        .outputs
        .iter()
        .map(|o| o.port.as_str())
        .collect();
    assert_eq!(ports, ["out", "err"]);
}

#[test]
fn ids_run_across_flows_and_links_stay_inside_their_flow() {
    let plan = Plan {
        flows: vec![
            flow(
                "one",
                &["x"],
                &["p"],
                vec![
                    link(1, "connector/x/out", "pipeline/p/in"),
                    link(2, "pipeline/p/out", "connector/x/in"),
                ],
            ),
            flow(
                "two",
                &["x"],
                &["p"],
                vec![link(1, "connector/x/out", "pipeline/p/in")],
            ),
        ],
    };
    let t = Topology::build(&plan, &[BOTH, BOTH]).expect("valid");
    assert_eq!(t.connectors[1].id, ConnectorId(1));
    assert_eq!(t.connectors[1].name, "two::x");
    assert_eq!((t.connectors[1].flow, t.connectors[1].index), (1, 0));
    assert_eq!(t.pipelines[1].name, "two::p");
    let first = t.connectors[0].source.as_ref().expect("source");
    assert_eq!(first.downstream_sinks, ids(&[0]));
    assert_eq!(
        first.out,
        vec![target(NodeId::Pipeline(PipelineId(0)), "in", "one/p")]
    );
    let second = t.connectors[1].source.as_ref().expect("source");
    assert!(second.downstream_sinks.is_empty());
    assert_eq!(
        t.connectors[1].sink.as_ref().expect("sink").upstream_links,
        0
    );
}

#[test]
fn links_to_or_from_ports_that_do_not_exist_are_errors() {
    let with_ports = ConnectorShape {
        has_source: false,
        has_sink: true,
        input_ports: Some(vec!["in", "stderr"]),
    };
    let shapes = [SOURCE, with_ports];
    let plan = Plan {
        flows: vec![flow(
            "f",
            &["src", "out"],
            &["p"],
            vec![link(7, "pipeline/p/out", "connector/out/stderr")],
        )],
    };
    assert!(Topology::build(&plan, &shapes).is_ok());
    assert_link_errors(
        &["src", "out"],
        &shapes,
        &[
            (
                7,
                "pipeline/p/out -> connector/out/nope",
                "connector `out` has no input port `nope` (ports: in, stderr)",
            ),
            (
                8,
                "pipeline/p/exit -> connector/out/in",
                "pipeline `p` has no output port `exit` (ports: out, err)",
            ),
            (
                9,
                "connector/src/metrics -> pipeline/p/in",
                "connector `src` has no output port `metrics` (ports: out, err)",
            ),
            (
                10,
                "connector/src/out -> pipeline/p/in2",
                "pipeline `p` has no input port `in2` (ports: in)",
            ),
        ],
    );
}

#[test]
fn links_need_a_source_part_to_send_and_a_sink_part_to_receive() {
    assert_link_errors(
        &["src", "snk"],
        &[SOURCE, SINK],
        &[
            (
                3,
                "connector/snk/out -> pipeline/p/in",
                "connector `snk` produces no events (it has no source part)",
            ),
            (
                4,
                "pipeline/p/out -> connector/src/in",
                "`src` cannot receive events (a connector without a sink part)",
            ),
            (
                5,
                "pipeline/q/out -> connector/snk/in",
                "no pipeline `q` in this flow",
            ),
        ],
    );
}
