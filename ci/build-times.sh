#!/usr/bin/env bash
# Build-time figures (why a plugin kit exists):
#   1. clean release build of the full monolith (runtime + every connector builtin)
#   2. clean release build of the runtime with no builtin connector (plugin host only)
#   3. rebuild of one plugin after a one-line change to its source, debug and release, with
#      cargo's own output as proof that neither the runtime nor another connector compiles.
# Clean builds use their own target directories under target/build-times/ (the normal target/
# cache is left alone). Takes several minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

base="$PWD/target/build-times"
connector=metronome
source_file="connectors/$connector/src/lib.rs"
crate="tremor-connector-$connector"
mkdir -p "$base"

seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.1f}")' "$1"; }

timed() { # label, then the command
  local label="$1"; shift
  local start; start=$(python3 -c 'import time; print(time.time())')
  "$@" > "$base/last.log" 2>&1 || { cat "$base/last.log"; exit 1; }
  echo "$label: $(seconds "$start") s"
}

rm -rf "$base/full" "$base/core"
timed "clean release build, full monolith (every connector builtin)" \
  env CARGO_TARGET_DIR="$base/full" cargo build --release
timed "clean release build, runtime without builtin connectors (+ loader)" \
  env CARGO_TARGET_DIR="$base/core" cargo build --release --no-default-features --features dynamic-plugins

# Plugin rebuilds: build once, change one line, rebuild.
cp "$source_file" "$base/$connector.rs.orig"
trap 'cp "$base/$connector.rs.orig" "$source_file"' EXIT
for profile in debug release; do
  flag=(); [ "$profile" = release ] && flag=(--release)
  env CARGO_TARGET_DIR="$base/full" cargo rustc -p "$crate" --lib --features plugin --crate-type cdylib "${flag[@]}" > /dev/null 2>&1
  echo "// build-times probe $(date +%s%N)" >> "$source_file"
  timed "one-line change, rebuild of the $connector plugin ($profile)" \
    env CARGO_TARGET_DIR="$base/full" cargo rustc -p "$crate" --lib --features plugin --crate-type cdylib "${flag[@]}"
  echo "  cargo compiled:"
  grep -E '^\s+Compiling' "$base/last.log" | sed 's/^/    /'
  if grep -E '^\s+Compiling' "$base/last.log" | grep -qv " $crate "; then
    echo "  UNEXPECTED: something besides $crate was compiled" >&2
    exit 1
  fi
  cp "$base/$connector.rs.orig" "$source_file"
done
