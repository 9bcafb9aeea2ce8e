//! The helper processes running on this machine, as `tremor plugins list` shows them: found
//! through `/proc` by their command line (`tremor plugin-host --alias ... --type ...`), so a
//! runtime needs no API to answer which of its connectors run isolated.

use std::path::Path;

/// A helper process found running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningHelper {
    /// The helper's process id.
    pub pid: u32,
    /// The runtime that started it (its parent).
    pub runtime_pid: u32,
    /// The connector instance it serves (`flow::alias`).
    pub alias: String,
    /// The connector type.
    pub connector_type: String,
    /// The plugin file; `None` for a builtin.
    pub plugin: Option<String>,
    /// Its memory limit in MiB, when it has one.
    pub max_memory_mb: Option<String>,
}

/// Every helper running on this machine (only those of the runtime `runtime_pid` when
/// given), sorted by runtime, then alias.
pub fn running_helpers(runtime_pid: Option<u32>) -> Vec<RunningHelper> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<RunningHelper> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| helper_of(Path::new("/proc").join(pid.to_string()).as_path(), pid))
        .filter(|h| runtime_pid.is_none_or(|r| r == h.runtime_pid))
        .collect();
    found.sort_by(|a, b| (a.runtime_pid, &a.alias).cmp(&(b.runtime_pid, &b.alias)));
    found
}

fn helper_of(proc_dir: &Path, pid: u32) -> Option<RunningHelper> {
    let cmdline = std::fs::read(proc_dir.join("cmdline")).ok()?;
    let args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    parse_args(&args, pid, parent_of(proc_dir)?)
}

/// The parent's pid from `/proc/PID/stat` (the fourth field, after the command in parens,
/// which may itself hold spaces and parens).
fn parent_of(proc_dir: &Path) -> Option<u32> {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    let (_, after_command) = stat.rsplit_once(')')?;
    after_command.split_whitespace().nth(1)?.parse().ok()
}

fn parse_args(args: &[String], pid: u32, runtime_pid: u32) -> Option<RunningHelper> {
    if args.get(1).map(String::as_str) != Some("plugin-host") {
        return None;
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    Some(RunningHelper {
        pid,
        runtime_pid,
        alias: value("--alias")?,
        connector_type: value("--type")?,
        plugin: value("--plugin"),
        max_memory_mb: value("--max-memory-mb"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isolation::spawn::HelperCommand;

    #[test]
    fn a_helpers_command_line_reads_back_as_what_it_serves() {
        let helper = HelperCommand {
            alias: "f::c".into(),
            connector_type: "crash".into(),
            plugin: Some(("/p/libx.so".into(), "ab".into())),
            max_memory_mb: Some(64),
        };
        let mut args = vec!["/usr/bin/tremor".to_string()];
        args.extend(helper.args());
        assert_eq!(
            parse_args(&args, 10, 9),
            Some(RunningHelper {
                pid: 10,
                runtime_pid: 9,
                alias: "f::c".into(),
                connector_type: "crash".into(),
                plugin: Some("/p/libx.so".into()),
                max_memory_mb: Some("64".into()),
            })
        );
        assert_eq!(parse_args(&["tremor".into(), "server".into()], 1, 0), None);
    }

    #[test]
    fn this_test_process_is_not_a_helper_and_its_parent_is_read() {
        let own = Path::new("/proc/self");
        assert_eq!(helper_of(own, std::process::id()), None);
        assert_eq!(parent_of(own), Some(std::os::unix::process::parent_id()));
    }
}
