#!/usr/bin/env bash
# Instructions per event of the passthrough benchmark, per variant, with valgrind's callgrind.
# Instruction counts do not drift with the machine's load, so small differences between
# variants or commits show here when timings (ci/bench.sh) cannot resolve them.
#
# Each variant runs twice on fixed work (--iters N1 and N2 replays of the data file); the
# difference of the two totals divided by the difference in events is the per-event cost,
# with start-up and shutdown cancelled out.
#
# Usage: ci/callgrind.sh [--data FILE] [--variants native,builtin,dynamic] [--iters N1,N2]
#   --data FILE   default: Tremor's demo data (../shared/data/tremor-demo-data.json.xz if
#                 present, else the generated data set of ci/bench.sh)
# Prints one line per variant: `VARIANT: I instructions/event (N1 vs N2 replays, E events)`.
set -euo pipefail
cd "$(dirname "$0")/.."

data="" variants="native,builtin,dynamic" iters="200,400"
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="${2:?--data needs a file}"; shift ;;
    --variants) variants="${2:?}"; shift ;;
    --iters) iters="${2:?}"; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
if [ -z "$data" ] && [ -f ../shared/data/tremor-demo-data.json.xz ]; then
  data=../shared/data/tremor-demo-data.json.xz
fi

features=(--no-default-features --features connector-bench,dynamic-plugins)
exe=$(cargo bench --no-run --bench passthrough "${features[@]}" --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "passthrough":
        print(m["executable"])')
[ -x "$exe" ] || { echo "could not build the benchmark" >&2; exit 1; }
cargo rustc --quiet -p tremor-connector-bench --lib --release --features plugin --crate-type cdylib
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
mkdir -p "$target/bench/plugins"
install -m 0644 "$target/release/libtremor_connector_bench.so" "$target/bench/plugins/"
plugin="$target/bench/plugins/libtremor_connector_bench.so"

if [ -z "$data" ]; then
  data="$target/bench/data.json"
  [ -s "$data" ] || "$exe" --generate "$data" --lines 100000
elif [[ "$data" == *.xz ]]; then
  plain="$target/bench/$(basename "${data%.xz}")"
  python3 -c 'import lzma,sys; open(sys.argv[2],"wb").write(lzma.open(sys.argv[1]).read())' "$data" "$plain"
  data="$plain"
fi
lines=$(wc -l < "$data")
n1=${iters%,*} n2=${iters#*,}
echo "data: $data ($lines lines); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total() { # variant iters -> instructions executed by the whole process
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" "$exe" --data "$data" \
    --variants "$1" --rounds 1 --iters "$2" --warmup 0 --plugin "$plugin" >/dev/null 2>"$out/log"
  grep -h '^summary:' "$out"/cg.* | awk '{s += $2} END {print s}'
  rm -f "$out"/cg.*
}
for variant in ${variants//,/ }; do
  a=$(total "$variant" "$n1")
  b=$(total "$variant" "$n2")
  events=$(( (n2 - n1) * lines ))
  echo "$variant: $(( (b - a) / events )) instructions/event ($n1 vs $n2 replays, $events events)"
done
