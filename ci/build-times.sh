#!/usr/bin/env bash
# Build-time figures (why a plugin kit exists):
#   1. clean release build of the full monolith (runtime + every connector builtin)
#   2. clean release build of the runtime with no builtin connector (plugin host only),
#      compared with its figure of record from before the heavy connectors (issue 16) came:
#      it must stay within 10 % of it (CORE_BEFORE_S, default 123.7 s: c901d2f built on a quiet
#      machine, docs/benchmarks.md; build c901d2f in the same sitting for a fair figure),
#      and none of their dependencies may be in its dependency tree
#   3. clean release build of each heavy connector's plugin on its own (kv, wal, metrics, dns,
#      http_*, ws_*: whichever crates exist), as its author would build it: pdk, tremor-value,
#      abi_stable and the connector's own dependencies, nothing of the runtime
#   4. rebuild of one plugin after a one-line change to its source, debug and release, with
#      cargo's own output as proof that neither the runtime nor another connector compiles.
# Clean builds use their own target directories under target/build-times/ (the normal target/
# cache is left alone; a plugin's directory is removed after its build). Takes a quarter of an
# hour on 2 cores. Exit code 1 when a check fails (after printing every figure).
#
# Usage: ci/build-times.sh [PLUGIN-DIR-PREFIX...]   (default: kv wal metrics dns http ws)
set -euo pipefail
cd "$(dirname "$0")/.."

base="$PWD/target/build-times"
connector=metronome
source_file="connectors/$connector/src/lib.rs"
crate="tremor-connector-$connector"
core_before_s="${CORE_BEFORE_S:-123.7}"
plugin_prefixes=("$@")
[ ${#plugin_prefixes[@]} -gt 0 ] || plugin_prefixes=(kv wal metrics dns http ws)
# Crates only the heavy connectors need: the runtime without builtins must not build them.
heavy_deps='^(redb|hickory-resolver|hyper|rustls|futures-rustls|async-tungstenite|tungstenite) '
failed=0
mkdir -p "$base"

now() { python3 -c 'import time; print(time.time())'; }
seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.1f}")' "$1"; }

last_seconds=0
timed() { # label, then the command
  local label="$1"; shift
  local start; start=$(now)
  "$@" > "$base/last.log" 2>&1 || { cat "$base/last.log"; exit 1; }
  last_seconds=$(seconds "$start")
  echo "$label: $last_seconds s"
}

# Seconds cargo spent compiling the units of crate $2 in the build whose target dir is $1 (from
# its --timings report; parallel units overlap, so this is the crate's own share, not a sum).
crate_seconds() {
  python3 - "$1/cargo-timings/cargo-timing.html" "$2" <<'PY'
import json, sys
html = open(sys.argv[1]).read()
start = html.index("UNIT_DATA = ") + len("UNIT_DATA = ")
units, _ = json.JSONDecoder().raw_decode(html[start:])
print(f"{sum(u['duration'] for u in units if u['name'] == sys.argv[2]):.1f}")
PY
}

# The crate name of a connector directory when it builds a plugin (has a `plugin` feature).
plugin_crate() {
  local manifest="$1/Cargo.toml"
  [ -f "$manifest" ] && grep -q '^plugin = ' "$manifest" || return 0
  sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -n1
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start ($(date -u +%H:%M) UTC)"

rm -rf "$base/full" "$base/core"
timed "clean release build, full monolith (every connector builtin)" \
  env CARGO_TARGET_DIR="$base/full" cargo build --release --timings
echo "  of which the tremor crate itself (runtime, CLI): $(crate_seconds "$base/full" tremor) s"
timed "clean release build, runtime without builtin connectors (+ loader)" \
  env CARGO_TARGET_DIR="$base/core" cargo build --release --no-default-features --features dynamic-plugins --timings
echo "  of which the tremor crate itself (runtime, CLI): $(crate_seconds "$base/core" tremor) s"
verdict=$(python3 -c 'import sys; now, was = float(sys.argv[1]), float(sys.argv[2]); d = (now / was - 1) * 100; print(f"{d:+.0f} % against {was} s before issue 16: " + ("within 10 %" if d <= 10 else "NOT within 10 %"))' "$last_seconds" "$core_before_s")
echo "  $verdict"
case "$verdict" in *NOT*) failed=1 ;; esac
leaked=$(cargo tree -e normal --prefix none --no-default-features --features dynamic-plugins -p tremor |
  sed 's/ (\*)$//' | sort -u | grep -E "$heavy_deps" || true)
if [ -n "$leaked" ]; then
  echo "  UNEXPECTED: heavy connector dependencies in the runtime without builtins:"
  echo "$leaked" | sed 's/^/    /'
  failed=1
else
  echo "  none of the heavy connectors' dependencies is in its tree (redb, hickory, hyper, rustls, tungstenite)"
fi

for prefix in "${plugin_prefixes[@]}"; do
  for dir in "connectors/$prefix" connectors/"$prefix"_*; do
    [ -d "$dir" ] || continue
    plugin=$(plugin_crate "$dir")
    [ -n "$plugin" ] || continue
    rm -rf "$base/plugin"
    timed "clean release build, $(basename "$dir") plugin alone ($plugin)" \
      env CARGO_TARGET_DIR="$base/plugin" cargo rustc -p "$plugin" --lib --features plugin --crate-type cdylib --release
    if grep -E '^\s+Compiling tremor (v|\()' "$base/last.log"; then
      echo "  UNEXPECTED: the $plugin plugin compiled the runtime" >&2
      failed=1
    fi
  done
done
rm -rf "$base/plugin"

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
echo "machine: load $(cut -d' ' -f1-3 /proc/loadavg) at the end ($(date -u +%H:%M) UTC)"
exit $failed
