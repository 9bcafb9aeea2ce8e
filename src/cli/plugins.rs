//! `tremor plugins ...`: list the connector types, inspect a plugin file without loading it,
//! generate a new plugin crate; and the plugin options every command that loads plugins takes.

use crate::{
    connectors::{
        registry::Registry,
        scaffold::{self, NewPlugin, PdkSource},
    },
    errors::{Error, Result},
};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `tremor plugins ...`
#[derive(Subcommand, Debug)]
pub enum PluginsCommand {
    /// List every connector type with its origin and versions, then the connectors running
    /// isolated in helper processes on this machine.
    List(ListArgs),
    /// Describe plugin files (type, versions, ports, target, sha256) without loading them.
    Inspect(InspectArgs),
    /// Write a new connector plugin crate, ready to build.
    New(NewArgs),
}

/// Where plugins are searched, and which may load.
#[derive(Args, Debug, Clone, Default)]
pub struct PluginArgs {
    /// A directory with connector plugins (repeatable; also `TREMOR_PLUGIN_PATH`, a colon list).
    #[arg(long = "plugin-path", value_name = "DIR")]
    pub plugin_path: Vec<PathBuf>,
    /// Load only the plugins this file pins: lines `SHA256  PATH-OR-NAME`, as `sha256sum`
    /// prints them (also `TREMOR_PLUGIN_ALLOW`).
    #[arg(long = "plugin-allow", value_name = "FILE")]
    pub plugin_allow: Option<PathBuf>,
}

/// `tremor plugins list`
#[derive(Args, Debug, Clone, Default)]
pub struct ListArgs {
    /// Where plugins are searched.
    #[command(flatten)]
    pub plugins: PluginArgs,
    /// Show only the isolated connectors of the runtime with this process id.
    #[arg(long = "pid", value_name = "PID")]
    pub pid: Option<u32>,
}

/// `tremor plugins inspect`
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Plugin files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `tremor plugins new`
#[derive(Args, Debug)]
pub struct NewArgs {
    /// The connector type name (lowercase letters, digits, `_`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Generate a source part (default: both parts).
    #[arg(long)]
    pub source: bool,
    /// Generate a sink part (default: both parts).
    #[arg(long)]
    pub sink: bool,
    /// The crate's directory (default: `./NAME`); must not exist or be empty.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Depend on the tremor-pdk in this directory (a copy of a runtime's `pdk/`) instead of
    /// the copy bundled in this binary (written to `DIR/tremor-pdk`).
    #[arg(long = "pdk-path", value_name = "DIR", conflicts_with = "pdk_version")]
    pub pdk_path: Option<PathBuf>,
    /// Depend on this version of tremor-pdk from the registry instead of the bundled copy.
    #[arg(long = "pdk-version", value_name = "VERSION")]
    pub pdk_version: Option<String>,
}

/// Runs a `plugins` subcommand.
pub fn run(command: &PluginsCommand) -> Result<i32> {
    match command {
        PluginsCommand::List(args) => list(args),
        PluginsCommand::Inspect(args) => inspect(args),
        PluginsCommand::New(args) => new(args),
    }
}

/// The registry: builtins, plus plugins when the loader is built in.
pub fn registry(args: &PluginArgs) -> Result<Registry> {
    #[allow(unused_mut)]
    let mut registry = Registry::with_builtins();
    #[cfg(feature = "dynamic-plugins")]
    {
        use crate::connectors::{allowlist::Allowlist, loader};
        let allow =
            Allowlist::from_cli_or_env(args.plugin_allow.as_deref()).map_err(Error::Deploy)?;
        loader::load_all_allowed(
            &mut registry,
            &loader::search_path(&args.plugin_path),
            allow.as_ref(),
        );
    }
    #[cfg(not(feature = "dynamic-plugins"))]
    if !args.plugin_path.is_empty() || std::env::var_os("TREMOR_PLUGIN_PATH").is_some() {
        log::warn!(
            "this binary was built without the `dynamic-plugins` feature: plugin paths are ignored"
        );
    }
    Ok(registry)
}

fn list(args: &ListArgs) -> Result<i32> {
    use crate::connectors::registry::Origin;
    let registry = registry(&args.plugins)?;
    let rows: Vec<[String; 4]> = registry
        .iter()
        .map(|ty| {
            let origin = match &ty.origin {
                Origin::Builtin => "builtin".to_string(),
                Origin::Native => "native".to_string(),
                Origin::Plugin { path, sha256 } => {
                    format!("{} (sha256 {sha256})", path.display())
                }
            };
            [
                ty.name().to_string(),
                ty.connector_version().to_string(),
                ty.interface_version().to_string(),
                origin,
            ]
        })
        .collect();
    let header = ["TYPE", "VERSION", "INTERFACE", "ORIGIN"].map(String::from);
    print_table(&header, &rows);
    list_isolated(args.pid);
    Ok(0)
}

/// Prints `rows` under `header`, each column as wide as its widest cell (so that long names
/// keep the table aligned), the last one unpadded.
fn print_table<const N: usize>(header: &[String; N], rows: &[[String; N]]) {
    let widths: Vec<usize> = (0..N)
        .map(|col| {
            std::iter::once(header)
                .chain(rows)
                .map(|r| r[col].len())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(header).chain(rows) {
        let mut line = String::new();
        for (col, cell) in row.iter().enumerate() {
            if col + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[col]));
            }
        }
        println!("{}", line.trim_end());
    }
}

/// The connectors running isolated on this machine (of runtime `pid` only, when given).
fn list_isolated(pid: Option<u32>) {
    let helpers = crate::isolation::running::running_helpers(pid);
    if helpers.is_empty() {
        if let Some(pid) = pid {
            println!("\nno connector of process {pid} runs isolated");
        }
        return;
    }
    println!("\nisolated connectors:");
    let rows: Vec<[String; 6]> = helpers
        .into_iter()
        .map(|h| {
            [
                h.runtime_pid.to_string(),
                h.pid.to_string(),
                h.alias,
                h.connector_type,
                h.max_memory_mb.unwrap_or_else(|| "-".into()),
                h.plugin.unwrap_or_else(|| "builtin".into()),
            ]
        })
        .collect();
    let header = ["RUNTIME", "HELPER", "CONNECTOR", "TYPE", "MAX_MB", "FROM"].map(String::from);
    print_table(&header, &rows);
}

/// Prints each file's manifest; a file that is not a plugin is named on stderr and makes the
/// exit code 1. Nothing is loaded: the files are parsed as data.
#[cfg(feature = "dynamic-plugins")]
fn inspect(args: &InspectArgs) -> Result<i32> {
    let mut code = 0;
    for (i, file) in args.files.iter().enumerate() {
        match crate::connectors::inspect::inspect(file) {
            Ok(inspection) => {
                if i > 0 {
                    println!();
                }
                println!("file:                {}", file.display());
                println!("{inspection}");
            }
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                code = 1;
            }
        }
    }
    Ok(code)
}

#[cfg(not(feature = "dynamic-plugins"))]
fn inspect(_args: &InspectArgs) -> Result<i32> {
    Err(Error::Deploy(
        "this binary was built without the `dynamic-plugins` feature: it cannot inspect plugins"
            .to_string(),
    ))
}

fn new(args: &NewArgs) -> Result<i32> {
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    let pdk = match (&args.pdk_path, &args.pdk_version) {
        (Some(path), _) => {
            PdkSource::Path(std::path::absolute(path).unwrap_or_else(|_| path.clone()))
        }
        (None, Some(version)) => PdkSource::Version(version.clone()),
        (None, None) => PdkSource::Bundled,
    };
    let plugin = NewPlugin {
        name: args.name.clone(),
        source: args.source,
        sink: args.sink,
        dir: dir.clone(),
        pdk,
    };
    let files = scaffold::generate(&plugin).map_err(|e| Error::Deploy(e.to_string()))?;
    for file in files {
        println!("created {}", file.display());
    }
    println!(
        "next: cd {} && cargo build --release --features plugin   (see README.md)",
        dir.display()
    );
    Ok(0)
}
