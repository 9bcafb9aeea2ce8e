//! A plugin author's and an operator's path, in the build without builtin connectors:
//! `tremor plugins new` → build against a copy of `pdk/` alone (outside this workspace) →
//! `plugins inspect` (without loading) → run; plugins built against a bumped pdk copy are
//! refused with both versions (or the first differing field); allowlists pin plugins by hash.
//!
//! Needs the plugins of `ci/build-plugins.sh` in `TREMOR_PLUGIN_PATH` and the fixtures of
//! `ci/build-plugins.sh --fixtures` in `TREMOR_TEST_PLUGIN_FIXTURES`, as `tests/plugins.rs`.
//! The generated crates are built with cargo into this workspace's target directory (its
//! Cargo.lock copied, offline), so their dependencies compile once, not per run.
#![cfg(feature = "dynamic-plugins")]

mod common;

use common::{fixtures, good_plugins, text};
use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    time::{Duration, Instant},
};

const WORKSPACE: &str = env!("CARGO_MANIFEST_DIR");
/// How long one cargo build of a generated crate may take (the first one compiles the
/// dependencies of a plugin; later ones only the pdk copy and the crate).
const BUILD_LIMIT: Duration = Duration::from_secs(600);

/// Runs the tremor binary in `dir` with no ambient plugin settings.
fn tremor(args: &[&str], dir: &Path) -> Output {
    common::run(
        common::tremor()
            .args(args)
            .current_dir(dir)
            .env_remove("TREMOR_PLUGIN_PATH")
            .env_remove("TREMOR_PLUGIN_ALLOW"),
    )
}

fn plugin_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "so"))
        .collect();
    files.sort();
    files
}

/// The workspace's target directory (the tests' scratch dir is `<target>/tmp`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target dir")
        .to_path_buf()
}

/// Copies `pdk/` (manifest and sources only) to `to`, with `version` and, when given,
/// `edit(path, text) -> text` applied to each source file.
fn copy_pdk(to: &Path, version: &str, edit: impl Fn(&Path, String) -> String) {
    let from = Path::new(WORKSPACE).join("pdk");
    std::fs::create_dir_all(to.join("src")).expect("pdk copy dir");
    let manifest = std::fs::read_to_string(from.join("Cargo.toml")).expect("pdk/Cargo.toml");
    let ours = format!("version = \"{}\"", tremor_pdk_version());
    assert!(manifest.contains(&ours), "pdk/Cargo.toml has no `{ours}`");
    std::fs::write(
        to.join("Cargo.toml"),
        manifest.replacen(&ours, &format!("version = \"{version}\""), 1),
    )
    .expect("write manifest");
    for entry in std::fs::read_dir(from.join("src")).expect("pdk/src") {
        let path = entry.expect("entry").path();
        let source = std::fs::read_to_string(&path).expect("source");
        let name = path.file_name().expect("file name");
        std::fs::write(to.join("src").join(name), edit(&path, source)).expect("write source");
    }
}

/// The runtime's interface version, from the pdk it was built with.
fn tremor_pdk_version() -> &'static str {
    tremor_pdk::INTERFACE_VERSION
}

fn bumped(minor: u32, patch: u32) -> String {
    let parts: Vec<u32> = tremor_pdk_version()
        .split('.')
        .map(|p| p.parse().expect("numeric version"))
        .collect();
    format!("{}.{}.{}", parts[0], parts[1] + minor, parts[2] + patch)
}

/// `tremor plugins new NAME DIR --pdk-path PDK [EXTRA...]`, with this workspace's lock file
/// copied in so that the build reuses the dependency versions already compiled.
fn new_plugin(work: &Path, name: &str, pdk: &Path, extra: &[&str]) -> PathBuf {
    let dir = work.join(name);
    let (dir_arg, pdk_arg) = (dir.display().to_string(), pdk.display().to_string());
    let mut args = vec!["plugins", "new", name, &dir_arg, "--pdk-path", &pdk_arg];
    args.extend_from_slice(extra);
    let out = tremor(&args, work);
    assert!(out.status.success(), "plugins new: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("created"),
        "{}",
        text(&out.stdout)
    );
    std::fs::copy(
        Path::new(WORKSPACE).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .expect("copy Cargo.lock");
    dir
}

/// Runs cargo in `dir` on the workspace's target directory, offline, within [`BUILD_LIMIT`].
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("cargo starts");
    let deadline = Instant::now() + BUILD_LIMIT;
    while child.try_wait().expect("waitable").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("cargo output")
}

/// Builds the generated crate in `dir` as its README says, and installs the plugin file into
/// `dir/plugins` (mode 0644, directory not writable by others); returns the file.
fn build_and_install(dir: &Path, name: &str, release: bool) -> PathBuf {
    let mut args = vec!["build", "--features", "plugin"];
    if release {
        args.push("--release");
    }
    let out = cargo(dir, &args);
    assert!(
        out.status.success(),
        "cargo build of {name}:\n{}",
        text(&out.stderr)
    );
    let profile = if release { "release" } else { "debug" };
    let lib = format!("libtremor_connector_{name}.so");
    let plugins = dir.join("plugins");
    std::fs::create_dir_all(&plugins).expect("plugins dir");
    let installed = plugins.join(&lib);
    std::fs::copy(target_dir().join(profile).join(&lib), &installed).expect("install plugin");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::set_permissions(&plugins, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    installed
}

/// The `file=` lines of the dynamic loader's debug output that name `file`.
fn mapped(stderr: &str, file: &Path) -> Vec<String> {
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    stderr
        .lines()
        .filter(|l| l.contains("file=") && l.contains(&name))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_generated_plugin_builds_outside_the_workspace_is_inspected_unloaded_and_runs() {
    // `tremor plugins new demo`, as a stranger with only the binary runs it: the crate gets
    // the tremor-pdk bundled in the binary and builds offline against it alone.
    let work = tempfile::tempdir().expect("work dir");
    let out = tremor(&["plugins", "new", "demo"], work.path());
    assert!(out.status.success(), "plugins new: {}", text(&out.stderr));
    let dir = work.path().join("demo");
    std::fs::copy(
        Path::new(WORKSPACE).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .expect("copy Cargo.lock");
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "README.md",
        "example.troy",
        "tremor-pdk/Cargo.toml",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("README");
    assert!(
        readme.contains("cargo build --release --features plugin")
            && readme.contains("tremor server run --plugin-path plugins example.troy"),
        "{readme}"
    );
    // Its own tests (tremor_pdk::testing) pass, then the plugin builds as the README says.
    let tests = cargo(&dir, &["test"]);
    assert!(
        tests.status.success(),
        "cargo test:\n{}",
        text(&tests.stderr)
    );
    assert!(
        text(&tests.stdout).contains("test result: ok. 3 passed"),
        "{}",
        text(&tests.stdout)
    );
    let plugin = build_and_install(&dir, "demo", true);

    // Inspect: the manifest, read without the dynamic loader ever mapping the file...
    let path = plugin.display().to_string();
    let inspect = common::run(
        common::tremor()
            .args(["plugins", "inspect", &path])
            .env("LD_DEBUG", "files")
            .env_remove("TREMOR_PLUGIN_PATH"),
    );
    let (stdout, stderr) = (text(&inspect.stdout), text(&inspect.stderr));
    assert!(inspect.status.success(), "{stderr}");
    for line in [
        "type:                demo".to_string(),
        "connector version:   0.1.0".to_string(),
        format!("interface version:   {}", tremor_pdk_version()),
        "input ports:         in".to_string(),
        "profile:             release".to_string(),
        "sha256:              ".to_string(),
    ] {
        assert!(stdout.contains(&line), "`{line}` missing:\n{stdout}");
    }
    assert!(
        stderr.contains("file="),
        "LD_DEBUG=files had no effect:\n{stderr}"
    );
    assert_eq!(mapped(&stderr, &plugin), Vec::<String>::new());
    // ... which `plugins list` does map (so the check above can see it).
    let list = common::run(
        common::tremor()
            .args(["plugins", "list", "--plugin-path"])
            .arg(plugin.parent().expect("plugins dir"))
            .env("LD_DEBUG", "files")
            .env_remove("TREMOR_PLUGIN_PATH"),
    );
    assert!(!mapped(&text(&list.stderr), &plugin).is_empty());

    // Run its example deployment (with this repository's plugins for `exit`).
    let good = good_plugins().display().to_string();
    let out = tremor(
        &[
            "server",
            "run",
            "--plugin-path",
            "plugins",
            "--plugin-path",
            &good,
            "example.troy",
        ],
        &dir,
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for n in 0..3 {
        let line = format!("demo got {{\"message\":\"hello\",\"n\":{n}}}");
        assert!(
            stdout.lines().any(|l| l == line),
            "`{line}` missing:\n{stdout}"
        );
    }
}

#[test]
fn a_plugin_built_against_another_pdk_minor_is_refused_with_both_versions() {
    let work = tempfile::tempdir().expect("work dir");
    let next = bumped(1, 0);
    let pdk = work.path().join("tremor-pdk");
    copy_pdk(&pdk, &next, |_, source| source);
    let dir = new_plugin(work.path(), "demo_next", &pdk, &["--sink"]);
    let plugin = build_and_install(&dir, "demo_next", false);
    let plugins = plugin.parent().expect("dir").display().to_string();

    let out = tremor(&["plugins", "list", "--plugin-path", &plugins], work.path());
    let stderr = text(&out.stderr);
    let accepted = format!(
        "{}.x",
        tremor_pdk_version().rsplit_once('.').expect("x.y.z").0
    );
    let expected = format!(
        "{}: built against tremor-pdk {next}; this runtime accepts {accepted}",
        plugin.display()
    );
    assert!(
        stderr.lines().any(|l| l.ends_with(&expected)),
        "no line ending with `{expected}`:\n{stderr}"
    );
    assert!(
        !text(&out.stdout).contains("demo_next"),
        "{}",
        text(&out.stdout)
    );

    let path = plugin.display().to_string();
    let inspect = tremor(&["plugins", "inspect", &path], work.path());
    assert!(
        text(&inspect.stdout).contains(&format!(
            "interface version:   {next} (this runtime accepts {accepted}: NOT compatible"
        )),
        "{}",
        text(&inspect.stdout)
    );
}

#[test]
fn a_compatible_plugin_whose_interface_layout_differs_names_the_first_difference() {
    let work = tempfile::tempdir().expect("work dir");
    let patch = bumped(0, 1);
    let pdk = work.path().join("tremor-pdk");
    // A "compatible" release that nevertheless grows the storage of every `pull` reply.
    copy_pdk(&pdk, &patch, |path, source| {
        if path.ends_with("source.rs") {
            let grown = source.replace("size = [u64; 16]", "size = [u64; 17]");
            assert_ne!(
                grown, source,
                "SourceReply's storage is no longer [u64; 16]"
            );
            grown
        } else {
            source
        }
    });
    let dir = new_plugin(work.path(), "demo_wide", &pdk, &["--source"]);
    let plugin = build_and_install(&dir, "demo_wide", false);
    let plugins = plugin.parent().expect("dir").display().to_string();

    // The complete report is long (100 kB): into a file, not a pipe nobody reads until exit.
    let log = work.path().join("stderr.log");
    let out = common::run(
        common::tremor()
            .args(["plugins", "list", "--plugin-path", &plugins])
            .current_dir(work.path())
            .env_remove("TREMOR_PLUGIN_PATH")
            .stderr(std::fs::File::create(&log).expect("log file")),
    );
    assert!(out.status.success());
    let stderr = std::fs::read_to_string(&log).expect("log");
    let line = stderr
        .lines()
        .find(|l| l.contains("interface layout mismatch"))
        .unwrap_or_else(|| panic!("no layout mismatch reported:\n{stderr}"));
    assert!(
        line.contains(&format!(
            "{}: interface layout mismatch: first difference at",
            plugin.display()
        )) && line.contains("pull")
            && line.contains("field `__returns: FfiPoll`: another size (bytes): host has"),
        "the first line must name the file, the differing field and both sides: {line}"
    );
    // The complete report follows (not cut after a few lines).
    assert!(stderr.contains("full report from abi_stable:"), "{stderr}");
    assert!(stderr.contains("Layout of expected type"), "{stderr}");
}

/// Removes `from` (inclusive) up to `to` (exclusive) from `text`; both must be there.
fn cut(text: &str, from: &str, to: &str) -> String {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("`{from}` not found"));
    let end = start
        + text[start..]
            .find(to)
            .unwrap_or_else(|| panic!("`{to}` not found"));
    format!("{}{}", &text[..start], &text[end..])
}

/// `plugins list` of the one plugin `plugin`: (stdout, stderr).
fn list_one(plugin: &Path, work: &Path) -> (String, String) {
    let plugins = plugin.parent().expect("dir").display().to_string();
    let out = tremor(&["plugins", "list", "--plugin-path", &plugins], work);
    (text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_plugin_without_the_appended_host_services_is_refused_and_one_with_more_loads() {
    // abi_stable lets a plugin's prefix types (here the host services' vtable) be longer than
    // the runtime's, never shorter: why appending `take_metrics`/`publish_metric` was a minor
    // (ADR 0002, 0.3.0), and what their default bodies are for.
    let work = tempfile::tempdir().expect("work dir");
    let shorter = work.path().join("pdk-shorter");
    copy_pdk(&shorter, tremor_pdk_version(), |path, source| {
        if path.ends_with("context.rs") {
            let trait_cut = cut(
                &source,
                "\n    /// The runtime's metrics records",
                "\n}\n\n/// A shared",
            );
            cut(
                &trait_cut,
                "\n    /// The runtime's metrics records reported",
                "\n}\n\nimpl std::fmt::Debug",
            )
        } else if path.ends_with("testing.rs") {
            cut(
                &source,
                "    fn take_metrics(&self)",
                "}\n\n/// Creates a connector instance",
            )
        } else {
            source
        }
    });
    let dir = new_plugin(work.path(), "demo_short", &shorter, &["--sink"]);
    let plugin = build_and_install(&dir, "demo_short", false);
    let (stdout, stderr) = list_one(&plugin, work.path());
    assert!(!stdout.contains("demo_short"), "{stdout}");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("interface layout mismatch")
                && l.contains("another number of fields: host has")),
        "{stderr}"
    );

    let longer = work.path().join("pdk-longer");
    let newer = bumped(0, 1);
    copy_pdk(&longer, &newer, |path, source| {
        if path.ends_with("context.rs") {
            let appended = source.replacen(
                "        drop(record);\n        false\n    }\n",
                "        drop(record);\n        false\n    }\n\n    /// A later service.\n    \
                 fn later_service(&self) -> u64 {\n        0\n    }\n",
                1,
            );
            assert_ne!(appended, source, "publish_metric's body moved");
            appended
        } else {
            source
        }
    });
    let dir = new_plugin(work.path(), "demo_long", &longer, &["--sink"]);
    let plugin = build_and_install(&dir, "demo_long", false);
    let (stdout, stderr) = list_one(&plugin, work.path());
    let row = stdout
        .lines()
        .find(|l| l.starts_with("demo_long "))
        .unwrap_or_else(|| panic!("not loaded:\n{stdout}\n{stderr}"));
    assert!(row.contains(&format!(" {newer} ")), "{row}");
}

/// Parses `plugins list` rows: type → (version, interface, path, sha256).
fn listed(stdout: &str) -> Vec<(String, String, String, String, String)> {
    stdout
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split_whitespace();
            let (ty, version, interface, path) =
                (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
            let sha = line.split("(sha256 ").nth(1)?.trim_end_matches(')');
            Some((
                ty.to_string(),
                version.to_string(),
                interface.to_string(),
                path.to_string(),
                sha.to_string(),
            ))
        })
        .collect()
}

fn field(inspection: &str, key: &str) -> String {
    inspection
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
        .unwrap_or_else(|| panic!("no `{key}` in:\n{inspection}"))
}

#[test]
fn inspect_agrees_with_list_for_every_plugin_of_the_repository_without_loading_any() {
    let dir = good_plugins();
    let dir_arg = dir.display().to_string();
    let list = tremor(&["plugins", "list", "--plugin-path", &dir_arg], &dir);
    assert!(list.status.success(), "{}", text(&list.stderr));
    let rows = listed(&text(&list.stdout));
    let files = plugin_files(&dir);
    assert_eq!(rows.len(), files.len(), "{}", text(&list.stdout));
    for file in &files {
        let path = file.display().to_string();
        let out = common::run(
            common::tremor()
                .args(["plugins", "inspect", &path])
                .env("LD_DEBUG", "files")
                .env_remove("TREMOR_PLUGIN_PATH"),
        );
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{path}: {stderr}");
        assert_eq!(
            mapped(&stderr, file),
            Vec::<String>::new(),
            "{path} was mapped"
        );
        let row = rows
            .iter()
            .find(|r| r.3 == path)
            .unwrap_or_else(|| panic!("{path} not listed"));
        assert_eq!(field(&stdout, "type"), row.0, "{path}");
        assert_eq!(field(&stdout, "connector version"), row.1, "{path}");
        assert_eq!(field(&stdout, "interface version"), row.2, "{path}");
        assert_eq!(field(&stdout, "sha256"), row.4, "{path}");
    }
}

#[test]
fn inspect_gives_a_clear_answer_for_files_that_are_not_plugins() {
    let work = tempfile::tempdir().expect("work dir");
    let notes = work.path().join("notes.so");
    std::fs::write(&notes, "not even ELF").expect("write");
    let not_a_plugin = fixtures().join("libtremor_test_not_a_plugin.so");
    let (a, b) = (
        notes.display().to_string(),
        not_a_plugin.display().to_string(),
    );
    let out = tremor(&["plugins", "inspect", &a, &b], work.path());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{a}: not a plugin: not a shared library")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{b}: not a tremor connector plugin: no `.tremor_connector` section"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_allowlist_loads_only_pinned_plugins_with_their_hash() {
    let work = tempfile::tempdir().expect("work dir");
    let dir = work.path().join("plugins");
    std::fs::create_dir(&dir).expect("plugins dir");
    for name in [
        "libtremor_connector_null.so",
        "libtremor_connector_exit.so",
        "libtremor_connector_file.so",
    ] {
        std::fs::copy(good_plugins().join(name), dir.join(name)).expect("copy plugin");
    }
    let hash = |name: &str| {
        let out = tremor(
            &["plugins", "inspect", &dir.join(name).display().to_string()],
            work.path(),
        );
        field(&text(&out.stdout), "sha256")
    };
    let (null, exit) = (
        hash("libtremor_connector_null.so"),
        hash("libtremor_connector_exit.so"),
    );
    let wrong = "0".repeat(64);
    let allow = work.path().join("allowed.txt");
    std::fs::write(
        &allow,
        format!(
            "{null}  libtremor_connector_null.so\n{wrong}  {}\n",
            dir.join("libtremor_connector_exit.so").display()
        ),
    )
    .expect("write allowlist");
    let dir_arg = dir.display().to_string();
    let allow_arg = allow.display().to_string();
    let by_flag = tremor(
        &[
            "plugins",
            "list",
            "--plugin-path",
            &dir_arg,
            "--plugin-allow",
            &allow_arg,
        ],
        work.path(),
    );
    let by_env = common::run(
        common::tremor()
            .args(["plugins", "list", "--plugin-path", &dir_arg])
            .current_dir(work.path())
            .env_remove("TREMOR_PLUGIN_PATH")
            .env("TREMOR_PLUGIN_ALLOW", &allow),
    );
    for out in [by_flag, by_env] {
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{stderr}");
        let types: Vec<String> = listed(&stdout).into_iter().map(|r| r.0).collect();
        assert_eq!(types, ["null"], "{stdout}\n{stderr}");
        assert!(
            stderr.contains(&format!("expected {wrong}, found {exit}")),
            "the exit plugin's hashes must be named:\n{stderr}"
        );
        assert!(
            stderr.contains("libtremor_connector_file.so is not on the plugin allowlist"),
            "{stderr}"
        );
    }
}

#[test]
fn pdk_stands_alone_and_packages() {
    let manifest = std::fs::read_to_string(Path::new(WORKSPACE).join("pdk/Cargo.toml"))
        .expect("pdk/Cargo.toml");
    assert!(
        !manifest
            .lines()
            .any(|l| !l.trim_start().starts_with('#') && l.contains("workspace")),
        "pdk/Cargo.toml must inherit nothing from the workspace:\n{manifest}"
    );
    let out = cargo(
        Path::new(WORKSPACE),
        &[
            "package",
            "-p",
            "tremor-pdk",
            "--allow-dirty",
            "--no-verify",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Packaged"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_source_only_and_sink_only_skeletons_run_their_examples_as_their_readmes_say() {
    let work = tempfile::tempdir().expect("work dir");
    let good = good_plugins().display().to_string();
    for (name, flag, expected) in [
        (
            "only_source",
            "--source",
            [0, 1, 2].map(|n| format!("{{\"message\":\"hello\",\"n\":{n}}}")),
        ),
        (
            "only_sink",
            "--sink",
            [0, 1, 2].map(|n| format!("only_sink got {{\"n\":{n}}}")),
        ),
    ] {
        let out = tremor(&["plugins", "new", name, flag], work.path());
        assert!(out.status.success(), "plugins new: {}", text(&out.stderr));
        let dir = work.path().join(name);
        std::fs::copy(
            Path::new(WORKSPACE).join("Cargo.lock"),
            dir.join("Cargo.lock"),
        )
        .expect("copy Cargo.lock");
        let readme = std::fs::read_to_string(dir.join("README.md")).expect("README");
        for line in &expected {
            assert!(
                readme.contains(line.as_str()),
                "README lacks `{line}`:\n{readme}"
            );
        }
        build_and_install(&dir, name, false);
        let out = tremor(
            &[
                "server",
                "run",
                "--plugin-path",
                "plugins",
                "--plugin-path",
                &good,
                "example.troy",
            ],
            &dir,
        );
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        for line in &expected {
            assert!(
                stdout.lines().any(|l| l == line),
                "{name}: `{line}` missing:\n{stdout}"
            );
        }
    }
}
