#!/usr/bin/env bash
# Passthrough-json benchmark, three variants side by side, interleaved in one run:
#   native  — the bench connector through the runtime's internal traits (no stable-ABI layer)
#   builtin — the bench connector as shipped, through pdk
#   dynamic — the bench connector loaded as a plugin file
# Prints a table (medians over rounds) and, as its last line,
#   ratios: builtin/native=X.XX dynamic/native=Y.YY
#
# Usage: ci/bench.sh [--quick] [--data FILE] [--rounds N] [--secs N]
#   --data FILE   replay FILE (newline-delimited JSON; .xz is decompressed) instead of the
#                 generated data set (100k realistic log records, target/bench/data.json)
#   --quick       3 rounds of 8 s per variant (about 4 minutes including the build)
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5 secs=20 warmup=3 data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) rounds=3 secs=8 warmup=2 ;;
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

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq 1 "$rounds"); do
  for variant in native builtin dynamic; do
    out=$("$exe" --variant "$variant" --data "$data" --secs "$((secs + warmup))" --warmup "$warmup" --plugin "$plugin")
    line=$(printf '%s\n' "$out" | python3 -c '
import re, sys
text = sys.stdin.read()
t = re.search(r"throughput: ([0-9.]+) events/s, ([0-9.]+) MB/s", text)
l = re.search(r"p50=([0-9.]+) p90=[0-9.]+ p99=([0-9.]+) p99.9=([0-9.]+)", text)
if not (t and l):
    sys.exit("no report in output:\n" + text)
print(t.group(1), t.group(2), l.group(1), l.group(2), l.group(3))')
    echo "$variant $line" >> "$results"
    printf 'round %d %-8s %s events/s\n' "$round" "$variant" "${line%% *}"
  done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    v, *nums = line.split()
    rows.setdefault(v, []).append([float(x) for x in nums])
med = {v: [statistics.median(col) for col in zip(*r)] for v, r in rows.items()}
print()
print(f"{'variant':<9} {'events/s':>10} {'MB/s':>8} {'p50 us':>10} {'p99 us':>10} {'p99.9 us':>10}  (medians of {len(rows['native'])} rounds)")
for v in ("native", "builtin", "dynamic"):
    e, mb, p50, p99, p999 = med[v]
    print(f"{v:<9} {e:>10.0f} {mb:>8.1f} {p50:>10.1f} {p99:>10.1f} {p999:>10.1f}")
n = med["native"][0]
print(f"ratios: builtin/native={med['builtin'][0] / n:.2f} dynamic/native={med['dynamic'][0] / n:.2f}")
PY
