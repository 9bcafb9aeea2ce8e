#!/usr/bin/env bash
# Builds every connector crate under connectors/ as a cdylib plugin and copies the shared
# libraries into OUTDIR.   Usage: ci/build-plugins.sh [--release] OUTDIR
#
# Each plugin is the connector's own crate compiled with its `plugin` feature (which exports
# the root module symbol) and crate type cdylib: building one compiles pdk, tremor-value and
# the connector's own dependencies, never the runtime or another connector.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
args=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  args+=(--release)
  shift
fi
out="${1:?usage: ci/build-plugins.sh [--release] OUTDIR}"
mkdir -p "$out"
target="${CARGO_TARGET_DIR:-target}"

for manifest in connectors/*/Cargo.toml; do
  crate=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1)
  lib="lib${crate//-/_}.so"
  echo "building plugin $crate"
  cargo rustc --quiet -p "$crate" --lib --features plugin --crate-type cdylib "${args[@]}"
  install -m 0644 "$target/$profile/$lib" "$out/$lib"
done
chmod go-w "$out"
echo "plugins in $out:"
ls -l "$out"
