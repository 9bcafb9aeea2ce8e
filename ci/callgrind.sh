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
# shellcheck source=ci/lib/bench-common.sh
. ci/lib/bench-common.sh

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

target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bench_build "$target"
bench_data "$target"
n1=${iters%,*} n2=${iters#*,}
echo "data: $data ($lines lines); commit $(bench_commit)"

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
