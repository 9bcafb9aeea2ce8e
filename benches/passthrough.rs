//! The passthrough-json benchmark: bench source → passthrough pipeline → bench sink, json codec.
//!
//! Three variants of the same connector, measured in one process, interleaved round by round
//! (native, builtin, dynamic, then builtin, dynamic, native, …: each round starts one variant
//! later, so none always runs first) so that they share the machine's conditions:
//! * `native`  — the bench connector's source and sink called through the runtime's internal
//!   part traits directly: no stable-ABI layer (the baseline, kept only here);
//! * `builtin` — the bench connector as shipped, through pdk's stable-ABI trait objects;
//! * `dynamic` — the same crate loaded as a plugin file (`--plugin FILE`);
//! * `classify` — `builtin` with a classification script in the pipeline instead of passthrough
//!   (shaped like Tremor's `throughput-logging-json` benchmark: `match` on fields,
//!   `array::contains`, metadata writes, `emit`); `ci/bench.sh --workflow classify` runs it
//!   beside `builtin` and prints `ratios: classify/passthrough=…`;
//! * `bucket` — `classify` followed by `grouper::bucket` (Tremor's benchmark as it is);
//!   `ci/bench.sh --workflow bucket` prints `ratios: bucket/passthrough=…`;
//! * `group` — passthrough plus a count per `application` over tumbling windows of 100 events;
//!   `ci/bench.sh --workflow group` prints `ratios: group/passthrough=…`;
//! * `isolated` — `dynamic` with `isolation = "process"`: the plugin runs in a helper process
//!   (this harness, started as `plugin-host`); `ci/bench.sh --isolation` runs it beside
//!   `dynamic` and prints `ratios: isolated/dynamic=…`.
//!
//! ```text
//! passthrough --data FILE [--variants native,builtin,dynamic] [--rounds N]
//!             [--secs N | --iters N] [--warmup N] [--plugin FILE]
//! passthrough --generate FILE [--lines N]      # write the generated data set
//! ```
//! Prints one line per run, a table of medians and, last, `ratios: builtin/native=… dynamic/native=…`
//! (or `ratios: classify/passthrough=…` when there is no `native` variant).

mod support;

// The same allocator as the `tremor` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use async_trait::async_trait;
use std::{path::PathBuf, sync::Arc};
use tremor::connectors::{
    parts::{ConnectorPart, Lifecycle, SinkPart, SourcePart},
    registry::{ConnectorType, Factory, Origin, Registry},
};
use tremor_pdk::{
    CodecRequirement, ConnectorContext, ConnectorError, SinkBatch, SinkReplies, SourceReply,
};

struct Args {
    variants: Vec<String>,
    data: Option<PathBuf>,
    rounds: usize,
    secs: u64,
    /// Fixed work instead of a time limit: replay the data this many times (for callgrind).
    iters: Option<u64>,
    warmup: u64,
    plugin: Option<PathBuf>,
    generate: Option<PathBuf>,
    lines: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        variants: vec!["native".into(), "builtin".into(), "dynamic".into()],
        data: None,
        rounds: 5,
        secs: 10,
        iters: None,
        warmup: 2,
        plugin: None,
        generate: None,
        lines: 100_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        // cargo bench passes `--bench`; ignore it.
        if flag == "--bench" {
            continue;
        }
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String, what: &str| v.parse::<u64>().map_err(|e| format!("{what}: {e}"));
        match flag.as_str() {
            "--variants" => args.variants = value()?.split(',').map(str::to_string).collect(),
            "--data" => args.data = Some(value()?.into()),
            "--rounds" => args.rounds = number(value()?, "--rounds")? as usize,
            "--secs" => args.secs = number(value()?, "--secs")?,
            "--iters" => args.iters = Some(number(value()?, "--iters")?),
            "--warmup" => args.warmup = number(value()?, "--warmup")?,
            "--plugin" => args.plugin = Some(value()?.into()),
            "--generate" => args.generate = Some(value()?.into()),
            "--lines" => args.lines = number(value()?, "--lines")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

/// What one run measured (the bench connector's `report_file` record).
#[derive(Debug, Clone, Copy, Default)]
struct Measured {
    events_per_s: f64,
    mb_per_s: f64,
    p50_us: f64,
    p99_us: f64,
    p999_us: f64,
}

fn main() {
    // The `isolated` variant's helper process is this executable, started as the `tremor`
    // binary would be.
    if std::env::args().nth(1).as_deref() == Some("plugin-host") {
        std::process::exit(tremor::cli::main());
    }
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
    let args = parse_args().unwrap_or_else(|e| fail(e));
    if let Some(path) = &args.generate {
        match support::data::generate(path, args.lines, 42) {
            Ok(bytes) => {
                println!(
                    "wrote {} lines, {bytes} bytes to {}",
                    args.lines,
                    path.display()
                );
                return;
            }
            Err(e) => fail(format!("{}: {e}", path.display())),
        }
    }
    let Some(data) = args.data.clone() else {
        // `cargo bench` without arguments: nothing to measure, say how to run it.
        println!("passthrough: run through ci/bench.sh (needs --data)");
        return;
    };
    let registries: Vec<(String, Registry)> = args
        .variants
        .iter()
        .map(|v| {
            (
                v.clone(),
                registry_for(v, &args).unwrap_or_else(|e| fail(e)),
            )
        })
        .collect();
    let mut results: Vec<(String, Vec<Measured>)> = args
        .variants
        .iter()
        .map(|v| (v.clone(), Vec::new()))
        .collect();
    for round in 1..=args.rounds {
        // Each round starts with the next variant (native, builtin, dynamic; builtin, dynamic,
        // native; …) so that no variant always runs first or right after the same neighbour.
        let n = registries.len();
        for i in (0..n).map(|k| (k + round - 1) % n) {
            let (variant, registry) = &registries[i];
            let pipeline = match variant.as_str() {
                "classify" => CLASSIFY_PIPELINE.to_string(),
                "bucket" => bucket_pipeline(),
                "group" => GROUP_PIPELINE.to_string(),
                _ => "create pipeline main from pipelines::passthrough;".to_string(),
            };
            let settings = match variant.as_str() {
                "isolated" => r#"isolation = "process","#,
                _ => "",
            };
            let m =
                run_once(registry, &pipeline, settings, &data, &args).unwrap_or_else(|e| fail(e));
            println!(
                "round {round} {variant:<8} {:>9.0} events/s {:>7.1} MB/s",
                m.events_per_s, m.mb_per_s
            );
            results[i].1.push(m);
        }
    }
    print_table(&results);
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn print_table(results: &[(String, Vec<Measured>)]) {
    let med = |runs: &[Measured], f: fn(&Measured) -> f64| median(runs.iter().map(f).collect());
    println!();
    println!(
        "{:<9} {:>10} {:>8} {:>10} {:>10} {:>10}  (medians of {} rounds)",
        "variant",
        "events/s",
        "MB/s",
        "p50 us",
        "p99 us",
        "p99.9 us",
        results.first().map_or(0, |r| r.1.len())
    );
    for (variant, runs) in results {
        println!(
            "{variant:<9} {:>10.0} {:>8.1} {:>10.1} {:>10.1} {:>10.1}",
            med(runs, |m| m.events_per_s),
            med(runs, |m| m.mb_per_s),
            med(runs, |m| m.p50_us),
            med(runs, |m| m.p99_us),
            med(runs, |m| m.p999_us)
        );
    }
    // The ratio of a variant is the median over rounds of (variant ÷ baseline in the same
    // round): runs of one round are neighbours in time, so pairing them cancels most of the
    // drift of a shared machine. Printed rounded down, so that 0.968 never reads as 0.97.
    let ratio = |name: &str, baseline: &str| {
        let runs_of = |v: &str| results.iter().find(|(n, _)| n == v).map(|(_, r)| r);
        runs_of(name)
            .zip(runs_of(baseline))
            .map(|(runs, base)| {
                let paired = runs
                    .iter()
                    .zip(base)
                    .filter(|(_, b)| b.events_per_s > 0.0)
                    .map(|(r, b)| r.events_per_s / b.events_per_s)
                    .collect();
                median(paired)
            })
            .map_or("n/a".to_string(), |r| {
                format!("{:.2}", (r * 100.0).floor() / 100.0)
            })
    };
    if results.iter().any(|(v, _)| v == "native") {
        println!(
            "ratios: builtin/native={} dynamic/native={}",
            ratio("builtin", "native"),
            ratio("dynamic", "native")
        );
    } else if results.iter().any(|(v, _)| v == "classify") {
        println!(
            "ratios: classify/passthrough={}",
            ratio("classify", "builtin")
        );
    } else if results.iter().any(|(v, _)| v == "bucket") {
        println!("ratios: bucket/passthrough={}", ratio("bucket", "builtin"));
    } else if results.iter().any(|(v, _)| v == "group") {
        println!("ratios: group/passthrough={}", ratio("group", "builtin"));
    } else if results.iter().any(|(v, _)| v == "isolated") {
        println!("ratios: isolated/dynamic={}", ratio("isolated", "dynamic"));
    }
}

/// The pipeline of the `classify` variant: the script of Tremor's `throughput-logging-json`
/// benchmark (its `grouper::bucket` operator left out: this measures the script path).
const CLASSIFY_PIPELINE: &str = r#"
  define pipeline main
  pipeline
    define script runtime
    script
      use std::array;
      match event.application of
        case "app1" => let $class = "applog_app1"; let $rate = 1250; let $dimension = event.application; emit event
        case "app2" => let $class = "applog_app1"; let $rate = 2500; let $dimension = event.application; emit event
        case "app3" => let $class = "applog_app1"; let $rate = 18750; let $dimension = event.application; emit event
        case "app4" => let $class = "applog_app1"; let $rate = 750; let $dimension = event.application; emit event
        case "app5" => let $class = "applog_app1"; let $rate = 18750; let $dimension = event.application; emit event
        case _ => null
      end;
      match event.index_type of
        case "applog_app6" => let $class = "applog_app6"; let $rate = 4500; let $dimensions = event.logger_name; emit event
        case "syslog_app1" => let $class = "syslog_app1"; let $rate = 2500; let $dimensions = event.syslog_hostname; emit event
        case _ => null
      end;
      match array::contains(event.tags, "tag1") of
        case true => let $class = "syslog_app2"; let $rate = 125; let $dimensions = event.syslog_hostname; emit event
        case _ => null
      end;
      match event.index_type of
        case "syslog_app3" => let $class = "syslog_app3"; let $rate = 1750; let $dimensions = event.syslog_hostname
        case "syslog_app4" => let $class = "syslog_app4"; let $rate = 7500; let $dimensions = event.syslog_hostname
        case "syslog_app5" => let $class = "syslog_app5"; let $rate = 125; let $dimensions = event.syslog_hostname
        case "syslog_app6" => let $class = "syslog_app6"; let $rate = 3750; let $dimensions = event.syslog_hostname
        case _ => let $class = "default"; let $rate = 250
      end;
      event
    end;
    create script runtime;
    select event from in into runtime;
    select event from runtime into out;
  end;
  create pipeline main;
"#;

/// The pipeline of the `group` variant: every event passes (so the sink counts the input rate,
/// as for passthrough) and a count per `application` over tumbling windows of 100 events goes
/// out beside them (about one more event per hundred).
const GROUP_PIPELINE: &str = r#"
  define pipeline main
  pipeline
    define window hundred from tumbling with size = 100 end;
    select event from in into out;
    select {"application": event.application, "count": aggr::stats::count()}
    from in[hundred] group by event.application into out;
  end;
  create pipeline main;
"#;

/// The pipeline of the `bucket` variant: Tremor's `throughput-logging-json` as it is, the
/// classification script followed by `grouper::bucket`, both of whose ports go out.
fn bucket_pipeline() -> String {
    CLASSIFY_PIPELINE.replace(
        "    create script runtime;\n",
        "    create script runtime;\n    define operator grouper from grouper::bucket;\n    \
         create operator grouper;\n",
    )
    .replace(
        "    select event from runtime into out;\n",
        "    select event from runtime into grouper;\n    select event from grouper into out;\n    \
         select event from grouper/overflow into out;\n",
    )
}

/// Runs the bench connector (with the extra `with` settings `settings`) through `pipeline`
/// (Troy that creates a pipeline `main`) once.
fn run_once(
    registry: &Registry,
    pipeline: &str,
    settings: &str,
    data: &std::path::Path,
    args: &Args,
) -> Result<Measured, String> {
    let report = std::env::temp_dir().join(format!("tremor-bench-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&report);
    let troy = format!(
        r#"
define flow bench
flow
  use tremor::pipelines;
  define connector bench from bench
  with
    codec = "json",{settings}
    config = {{"path": {path}, {limit}, "warmup_secs": {warmup}, "report_file": {report}}}
  end;
  create connector bench;
  {pipeline}
  connect /connector/bench to /pipeline/main;
  connect /pipeline/main to /connector/bench;
end;
deploy flow bench;
"#,
        path = tremor_value::Value::from(data.display().to_string()),
        limit = match args.iters {
            Some(iters) => format!(r#""iters": {iters}"#),
            // Tremor's meaning: measured seconds, sent after the warmup.
            None => format!(r#""stop_after_secs": {}"#, args.secs),
        },
        warmup = args.warmup,
        report = tremor_value::Value::from(report.display().to_string()),
    );
    let plan =
        tremor::troy::plan_source(&troy, "passthrough.troy", &[]).map_err(|e| e.to_string())?;
    let world = tremor::world::World::start(&plan, registry).map_err(|e| e.to_string())?;
    let code = tremor::rt::block_on(world.run());
    if code != 0 {
        return Err(format!("the benchmark deployment exited with {code}"));
    }
    let text = std::fs::read_to_string(&report).map_err(|e| format!("no report: {e}"))?;
    let _ = std::fs::remove_file(&report);
    let mut raw = text.into_bytes();
    let v = tremor_value::parse_json(&mut raw).map_err(|e| e.to_string())?;
    let num = |k: &str| {
        v.get(k)
            .and_then(tremor_value::Value::as_f64)
            .unwrap_or(0.0)
    };
    Ok(Measured {
        events_per_s: num("events_per_s"),
        mb_per_s: num("mb_per_s"),
        p50_us: num("p50_us"),
        p99_us: num("p99_us"),
        p999_us: num("p999_us"),
    })
}

fn registry_for(variant: &str, args: &Args) -> Result<Registry, String> {
    let mut registry = Registry::with_builtins();
    match variant {
        "builtin" | "classify" | "bucket" | "group" => {}
        "native" => {
            registry.remove("bench");
            registry
                .register(ConnectorType {
                    factory: Factory::Native {
                        name: "bench",
                        version: "native",
                        new: Arc::new(|ctx: ConnectorContext, config: &str| {
                            let (source, sink) = tremor_connector_bench::native_parts(ctx, config)?;
                            Ok(Box::new(NativeBench {
                                source: Some(Box::new(NativeSource(source))),
                                sink: Some(Box::new(NativeSink(sink))),
                            }) as Box<dyn ConnectorPart>)
                        }),
                    },
                    origin: Origin::Native,
                })
                .map_err(|e| e.to_string())?;
        }
        "dynamic" | "isolated" => load_plugin(&mut registry, args)?,
        other => {
            return Err(format!(
            "unknown variant {other} (native, builtin, dynamic, classify, bucket, group, isolated)"
        ))
        }
    }
    Ok(registry)
}

#[cfg(feature = "dynamic-plugins")]
fn load_plugin(registry: &mut Registry, args: &Args) -> Result<(), String> {
    let path = args
        .plugin
        .as_ref()
        .ok_or("the dynamic variant needs --plugin FILE")?;
    let ty = tremor::connectors::loader::load_file(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    registry.remove(ty.name());
    registry.register(ty).map_err(|e| e.to_string())
}

#[cfg(not(feature = "dynamic-plugins"))]
fn load_plugin(_registry: &mut Registry, _args: &Args) -> Result<(), String> {
    Err("the dynamic variant needs the `dynamic-plugins` feature".into())
}

/// The bench connector without the stable-ABI layer: its parts, called directly.
struct NativeBench {
    source: Option<Box<dyn SourcePart>>,
    sink: Option<Box<dyn SinkPart>>,
}

#[async_trait]
impl ConnectorPart for NativeBench {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::optional("json")
    }
    fn create_source(&mut self) -> Result<Option<Box<dyn SourcePart>>, ConnectorError> {
        Ok(self.source.take())
    }
    fn create_sink(&mut self) -> Result<Option<Box<dyn SinkPart>>, ConnectorError> {
        Ok(self.sink.take())
    }
    async fn connect(&mut self, _attempt: u64) -> Result<bool, ConnectorError> {
        Ok(true)
    }
    async fn lifecycle(&mut self, _step: Lifecycle) -> Result<(), ConnectorError> {
        Ok(())
    }
}

struct NativeSource<S>(S);

#[async_trait]
impl<S: tremor_pdk::Source> SourcePart for NativeSource<S> {
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply, ConnectorError> {
        self.0.pull(pull_id).await
    }
    fn ack(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.0.ack(stream, pull_id)
    }
    fn fail(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.0.fail(stream, pull_id)
    }
}

struct NativeSink<S>(S);

#[async_trait]
impl<S: tremor_pdk::Sink> SinkPart for NativeSink<S> {
    async fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> Result<SinkReplies, ConnectorError> {
        self.0.on_batch(batch).await
    }
    async fn flush(&mut self) -> Result<(), ConnectorError> {
        self.0.flush().await
    }
}
