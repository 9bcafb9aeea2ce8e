#!/usr/bin/env bash
# Builds connector plugins and copies the shared libraries into OUTDIR.
#
#   ci/build-plugins.sh [--release] OUTDIR             every connector under connectors/
#   ci/build-plugins.sh [--release] --fixtures OUTDIR  the test fixtures under tests/plugins/
#
# A plugin is the connector's own crate compiled with its `plugin` feature (which exports the
# root module symbol) as crate type cdylib: building one compiles pdk, tremor-value and the
# connector's own dependencies, never the runtime or another connector.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
args=()
crates_dir=connectors
while [ $# -gt 1 ]; do
  case "$1" in
    --release) profile=release; args+=(--release) ;;
    --fixtures) crates_dir=tests/plugins ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
out="${1:?usage: ci/build-plugins.sh [--release] [--fixtures] OUTDIR}"
mkdir -p "$out"
target="${CARGO_TARGET_DIR:-target}"

for manifest in "$crates_dir"/*/Cargo.toml; do
  crate=$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1)
  lib="lib${crate//-/_}.so"
  if [ "$crates_dir" = connectors ] && ! grep -q '^plugin = ' "$manifest"; then
    # A helper crate shared by connectors (connectors/net): linked into them, no plugin.
    echo "skipping $crate (not a connector)"
    continue
  fi
  echo "building plugin $crate"
  if grep -q '^plugin = ' "$manifest"; then
    cargo rustc --quiet -p "$crate" --lib --features plugin --crate-type cdylib "${args[@]}"
  else
    # Fixtures that are cdylibs by nature (not plugins, or plugins of another interface).
    cargo build --quiet -p "$crate" "${args[@]}"
  fi
  install -m 0644 "$target/$profile/$lib" "$out/$lib"
done
chmod go-w "$out"
echo "plugins in $out:"
ls -l "$out"
