//! The command line: `tremor server run`, `tremor test integration`, `tremor plugins ...`
//! (in `cli/plugins.rs`).

use crate::{
    errors::{Error, Result},
    rt, troy,
    world::{World, WorldMsg},
};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

mod plugins;
pub use plugins::{registry, InspectArgs, ListArgs, NewArgs, PluginArgs, PluginsCommand};

/// Command line of the `tremor` binary.
#[derive(Parser, Debug)]
#[command(
    name = "tremor",
    version,
    about = "Event-processing runtime with stable-ABI connector plugins"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Tremor's log4rs configuration file (`tremor -l logger.yaml server run ...`, as Tremor's
    /// own test directories start servers): accepted for compatibility and ignored; logging is
    /// set with `RUST_LOG`.
    #[arg(
        short = 'l',
        long = "logger-config",
        value_name = "FILE",
        global = true
    )]
    pub logger_config: Option<PathBuf>,
}

/// Top-level commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run deployments.
    Server {
        /// What to do with the server.
        #[command(subcommand)]
        command: ServerCommand,
    },
    /// Run tests.
    Test {
        /// Which tests.
        #[command(subcommand)]
        command: TestCommand,
    },
    /// Run a query (`.trickle`) or script (`.tremor`) over events from a file or stdin, or a
    /// deployment (`.troy`) as `server run` does.
    Run(crate::run::Args),
    /// Serves one isolated connector instance for a runtime (started by the runtime, see
    /// `isolation = "process"`; not for people).
    #[command(name = "plugin-host", hide = true)]
    PluginHost(crate::isolation::helper::PluginHostArgs),
    /// Inspect connector plugins.
    Plugins {
        /// What to do with plugins.
        #[command(subcommand)]
        command: PluginsCommand,
    },
}

/// `tremor server ...`
#[derive(Subcommand, Debug)]
pub enum ServerCommand {
    /// Run one or more deployment files until they stop themselves or a signal arrives.
    Run(RunArgs),
}

/// `tremor test ...`
#[derive(Subcommand, Debug)]
pub enum TestCommand {
    /// Run integration-test directories (Tremor's layout: config.troy + assert.yaml).
    Integration(IntegrationArgs),
}

/// `tremor test integration`
#[derive(Args, Debug)]
pub struct IntegrationArgs {
    /// A test directory, or a directory of test directories.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Run only tests carrying this tag (repeatable).
    #[arg(short = 'i', long = "includes", value_name = "TAG")]
    pub includes: Vec<String>,
    /// Skip tests carrying this tag (repeatable).
    #[arg(short = 'e', long = "excludes", value_name = "TAG")]
    pub excludes: Vec<String>,
    /// Seconds a deployment may run before it is killed and the test fails.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Fail a test whose assert/before/after/tags file has a key the runner does not know
    /// (by default a warning, and the key is ignored, as Tremor does).
    #[arg(long)]
    pub strict: bool,
}

/// `tremor server run`
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Deployment files (`.troy`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Do not start the HTTP API (there is none; accepted for Tremor compatibility).
    #[arg(short = 'n', long = "no-api")]
    pub no_api: bool,
    /// Enable debug connectors (bench, null and exit are always available; accepted for
    /// Tremor compatibility).
    #[arg(short = 'd', long = "debug-connectors")]
    pub debug_connectors: bool,
    /// Write the process id to this file.
    #[arg(short = 'p', long = "pid", value_name = "FILE")]
    pub pid: Option<PathBuf>,
    /// Exit with 0 even when a sink dropped events (by default such a run exits with 3, see
    /// `world::EXIT_EVENTS_DROPPED`, after logging a summary of the connectors that lost them).
    #[arg(long = "allow-dropped-events")]
    pub allow_dropped_events: bool,
    /// Plugin search path.
    #[command(flatten)]
    pub plugins: PluginArgs,
}

/// Parses the command line, runs the command, returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    if let Command::PluginHost(args) = &cli.command {
        // The helper's log records go to the runtime's logger, not to its own stderr.
        return crate::isolation::helper::run(args);
    }
    init_logging();
    let outcome = match cli.command {
        Command::PluginHost(_) => Ok(0),
        Command::Server {
            command: ServerCommand::Run(args),
        } => run(&args),
        Command::Run(args) => run_file(&args),
        Command::Plugins { command } => plugins::run(&command),
        Command::Test {
            command: TestCommand::Integration(args),
        } => Ok(crate::test_runner::run(&crate::test_runner::Options {
            path: args.path,
            includes: args.includes,
            excludes: args.excludes,
            timeout: std::time::Duration::from_secs(args.timeout),
            strict: args.strict,
        })),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        1
    })
}

fn init_logging() {
    // `info` unless RUST_LOG says otherwise: progress and summaries are for people.
    let env = env_logger::Env::default().default_filter_or("info");
    let _ = env_logger::Builder::from_env(env).try_init();
}

/// The directories of `TREMOR_PATH` (module files).
pub fn tremor_path() -> Vec<PathBuf> {
    std::env::var_os("TREMOR_PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .filter(|d| !d.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn run(args: &RunArgs) -> Result<i32> {
    let registry = registry(&args.plugins)?;
    let path = tremor_path();
    let mut plan = troy::plan::Plan { flows: Vec::new() };
    for file in &args.files {
        let mut more = troy::load_deployment(file, &path)?;
        plan.flows.append(&mut more.flows);
    }
    if let Some(pid_file) = &args.pid {
        write_pid(pid_file)?;
    }
    let world = World::start(&plan, &registry)?.exit_nonzero_on_drops(!args.allow_dropped_events);
    install_signal_handler(world.sender())?;
    log::info!(
        "running {} flow(s) from {}",
        plan.flows.len(),
        args.files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(rt::block_on(world.run()))
}

/// `tremor run FILE`: a deployment runs as with `server run`, anything else through
/// [`crate::run`].
fn run_file(args: &crate::run::Args) -> Result<i32> {
    if crate::run::SourceKind::of(&args.script) == Some(crate::run::SourceKind::Deployment) {
        return run(&RunArgs {
            files: vec![args.script.clone()],
            no_api: true,
            debug_connectors: false,
            pid: None,
            allow_dropped_events: false,
            plugins: PluginArgs::default(),
        });
    }
    Ok(crate::run::run(args))
}

fn write_pid(file: &Path) -> Result<()> {
    std::fs::write(file, format!("{}\n", std::process::id()))
        .map_err(|e| Error::io(format!("cannot write pid file {}", file.display()), e))
}

/// The signals that stop a deployment gracefully (drain, flush, stop); a second one during the
/// drain stops at once. SIGQUIT drains too, as in Tremor (whose tests stop deployments with it),
/// and so does SIGHUP (there is no configuration to reload).
pub const STOP_SIGNALS: [i32; 4] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGQUIT,
    signal_hook::consts::SIGHUP,
];

fn install_signal_handler(world: rt::Sender<WorldMsg>) -> Result<()> {
    use signal_hook::iterator::Signals;
    // A file over the size limit (`ulimit -f`) must be a write error the file sink reports,
    // not SIGXFSZ's default action (the process dumps core mid-write).
    signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    )
    .map_err(|e| Error::io("cannot install signal handlers", e))?;
    let mut signals =
        Signals::new(STOP_SIGNALS).map_err(|e| Error::io("cannot install signal handlers", e))?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if world.try_send(WorldMsg::Signal(sig)).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| Error::io("cannot start the signal thread", e))?;
    Ok(())
}
