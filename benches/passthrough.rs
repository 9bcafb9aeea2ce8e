//! The passthrough-json benchmark: bench source → passthrough pipeline → bench sink, json codec.
//!
//! One run per process, one variant per run (`ci/bench.sh` interleaves them):
//! * `native`  — the bench connector's source and sink called through the runtime's internal
//!   part traits directly: no stable-ABI layer (the baseline, kept only here);
//! * `builtin` — the bench connector as shipped, through pdk's stable-ABI trait objects;
//! * `dynamic` — the same crate loaded as a plugin file (`--plugin FILE`).
//!
//! ```text
//! passthrough --variant native|builtin|dynamic --data FILE [--secs N | --iters N] [--warmup N]
//!             [--plugin FILE]
//! passthrough --generate FILE [--lines N]      # write the generated data set
//! ```
//! The bench sink prints `throughput: … events/s, … MB/s` and `latency_us: p50=…` lines.

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
    variant: String,
    data: Option<PathBuf>,
    secs: Option<u64>,
    iters: Option<u64>,
    warmup: u64,
    plugin: Option<PathBuf>,
    generate: Option<PathBuf>,
    lines: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        variant: "builtin".into(),
        data: None,
        secs: None,
        iters: None,
        warmup: 0,
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
        match flag.as_str() {
            "--variant" => args.variant = value()?,
            "--data" => args.data = Some(value()?.into()),
            "--secs" => args.secs = Some(value()?.parse().map_err(|e| format!("--secs: {e}"))?),
            "--iters" => args.iters = Some(value()?.parse().map_err(|e| format!("--iters: {e}"))?),
            "--warmup" => args.warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--plugin" => args.plugin = Some(value()?.into()),
            "--generate" => args.generate = Some(value()?.into()),
            "--lines" => args.lines = value()?.parse().map_err(|e| format!("--lines: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn main() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
        .try_init();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
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
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                std::process::exit(1);
            }
        }
    }
    let Some(data) = args.data.clone() else {
        // `cargo bench` without arguments: nothing to measure, say how to run it.
        println!("passthrough: run through ci/bench.sh (needs --variant and --data)");
        return;
    };
    let registry = match registry_for(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let limit = match (args.secs, args.iters) {
        (Some(s), _) => format!(r#""stop_after_secs": {s}"#),
        (None, Some(i)) => format!(r#""iters": {i}"#),
        (None, None) => r#""stop_after_secs": 10"#.to_string(),
    };
    let troy = format!(
        r#"
define flow bench
flow
  use tremor::pipelines;
  define connector bench from bench
  with
    codec = "json",
    config = {{"path": {path}, {limit}, "warmup_secs": {warmup}}}
  end;
  create connector bench;
  create pipeline main from pipelines::passthrough;
  connect /connector/bench to /pipeline/main;
  connect /pipeline/main to /connector/bench;
end;
deploy flow bench;
"#,
        path = tremor_value::Value::from(data.display().to_string()),
        warmup = args.warmup,
    );
    let plan = match tremor::troy::plan_source(&troy, "passthrough.troy", &[]) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("variant: {}", args.variant);
    let world = match tremor::world::World::start(&plan, &registry) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let code = tremor::rt::block_on(world.run());
    std::process::exit(code);
}

fn registry_for(args: &Args) -> Result<Registry, String> {
    let mut registry = Registry::with_builtins();
    match args.variant.as_str() {
        "builtin" => {}
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
        "dynamic" => load_plugin(&mut registry, args)?,
        other => {
            return Err(format!(
                "unknown variant {other} (native, builtin, dynamic)"
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
