#!/usr/bin/env bash
# The test command (README, CI): builds and tests both builds.
#   0. structure: the module import graph of src/ has no cycle (ci/check-module-cycles.py);
#      `cargo fmt --check`.
#   1. static: every connector builtin; unit tests of every crate and the integration suite;
#      clippy (warnings denied) on every crate and target; rustdoc of pdk and tremor-value.
#   2. dynamic: a binary with no builtin connector (`--no-default-features --features
#      dynamic-plugins`), every connector built as a plugin by ci/build-plugins.sh, and the
#      same integration suite run against it through TREMOR_PLUGIN_PATH.
#   3. isolated: the same integration suite once more with every plugin connector in a helper
#      process of its own (TREMOR_ISOLATE_ALL=1, issue 17), reusing the dynamic build.
# Benchmarks are type-checked and linted in both feature sets (clippy --all-targets, and the
# feature set ci/bench.sh uses) so they keep building, but not compiled in release nor run:
# timings are never pass/fail here; ci/bench.sh builds and measures them. (Compiling them in
# release here cost two release builds of the runtime, about a third of the whole run.)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

step "structure: no two modules of src/ import each other; code formatted"
python3 ci/check-module-cycles.py src
cargo fmt --all -- --check

step "static build: unit and integration tests"
cargo test --workspace

step "lint: clippy on every crate and target, warnings denied"
cargo clippy --workspace --all-targets -- -D warnings

step "docs: the interface (pdk) and tremor-value document every public item, warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p tremor-pdk -p tremor-value

if [ -x ci/build-plugins.sh ]; then
  plugins="$PWD/target/plugins"
  step "dynamic build: every connector as a plugin in $plugins"
  ci/build-plugins.sh "$plugins"
  fixtures="$PWD/target/test-plugins"
  step "dynamic build: misbehaving and broken plugin fixtures in $fixtures"
  ci/build-plugins.sh --fixtures "$fixtures"
  step "dynamic build: the binary without builtin connectors, integration tests through plugins"
  TREMOR_PLUGIN_PATH="$plugins" TREMOR_TEST_PLUGIN_FIXTURES="$fixtures" \
    cargo test -p tremor --no-default-features --features dynamic-plugins
  step "isolated: the integration suite with every plugin connector in its own helper process"
  TREMOR_ISOLATE_ALL=1 TREMOR_PLUGIN_PATH="$plugins" TREMOR_TEST_PLUGIN_FIXTURES="$fixtures" \
    cargo test -p tremor --no-default-features --features dynamic-plugins --test integration
  step "dynamic build: benchmarks type-check and lint clean (the feature set ci/bench.sh uses)"
  cargo clippy -p tremor --benches --no-default-features --features connector-bench,dynamic-plugins \
    -- -D warnings
fi
