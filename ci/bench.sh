#!/usr/bin/env bash
# Passthrough-json benchmark, three variants side by side, interleaved in one run:
#   native  — the bench connector through the runtime's internal traits (no stable-ABI layer)
#   builtin — the bench connector as shipped, through pdk
#   dynamic — the bench connector loaded as a plugin file
# Prints a table (medians over rounds) and, as its last line,
#   ratios: builtin/native=X.XX dynamic/native=Y.YY
# where each ratio is the median over rounds of (variant ÷ native of the same round), rounded
# down to two decimals.
#
# Usage: ci/bench.sh [--quick] [--data FILE] [--rounds N] [--secs N]
#   --data FILE   replay FILE (newline-delimited JSON; .xz is decompressed) instead of the
#                 generated data set (100k realistic log records, target/bench/data.json)
#   --quick       12 rounds of 3 s (+1 s warmup) per variant (under 5 minutes with the build)
#
# The machine is shared and noisy (runs of one variant differ by up to ±10 %), so the variants
# run interleaved in one process, many short rounds, and the table shows medians.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=15 secs=10 warmup=2 data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) rounds=12 secs=3 warmup=1 ;;
    --data) data="${2:?--data needs a file}"; shift ;;
    --rounds) rounds="${2:?}"; shift ;;
    --secs) secs="${2:?}"; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

features=(--no-default-features --features connector-bench,dynamic-plugins)
echo "== building (release) =="
exe=$(cargo bench --no-run --bench passthrough "${features[@]}" --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "passthrough":
        print(m["executable"])')
[ -x "$exe" ] || { echo "could not build the benchmark" >&2; exit 1; }
cargo rustc --quiet -p tremor-connector-bench --lib --release --features plugin --crate-type cdylib
mkdir -p target/bench/plugins
install -m 0644 target/release/libtremor_connector_bench.so target/bench/plugins/
plugin="$PWD/target/bench/plugins/libtremor_connector_bench.so"

if [ -z "$data" ]; then
  data=target/bench/data.json
  [ -s "$data" ] || "$exe" --generate "$data" --lines 100000
elif [[ "$data" == *.xz ]]; then
  plain="target/bench/$(basename "${data%.xz}")"
  python3 -c 'import lzma,sys; open(sys.argv[2],"wb").write(lzma.open(sys.argv[1]).read())' "$data" "$plain"
  data="$plain"
fi
lines=$(wc -l < "$data")
echo "data: $data ($lines lines, $(wc -c < "$data") bytes); $rounds rounds x ${secs}s (+${warmup}s warmup) per variant"
echo "machine: $(nproc) cores, $(uname -m), $(rustc --version)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"

# The harness interleaves the variants in one process, round by round, and prints the table
# and, as its last line, the ratios.
exec "$exe" --data "$data" --plugin "$plugin" --rounds "$rounds" --secs "$secs" --warmup "$warmup"
