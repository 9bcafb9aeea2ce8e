//! Runs the integration-test directories under `tests/integration/` (Tremor's layout) through
//! `tremor test integration`, with the binary of this build. In a build without builtin
//! connectors, `TREMOR_PLUGIN_PATH` must name the plugin directory (`ci/test.sh` does that).

use std::process::Command;

#[test]
fn integration_suite() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new(env!("CARGO_BIN_EXE_tremor"))
        .args([
            "test",
            "integration",
            "tests/integration",
            "--timeout",
            "60",
        ])
        .current_dir(root)
        .output()
        .expect("the tremor binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    assert!(
        output.status.success(),
        "integration suite failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.ends_with(" 0 failed") && !l.starts_with("0 passed")),
        "the suite ran no test:\n{stdout}"
    );
}
