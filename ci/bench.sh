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
# With --workflow classify it instead measures, interleaved in one run, the passthrough pipeline
# (`builtin` above) and a classification script shaped like Tremor's throughput-logging-json
# benchmark (`classify`), and prints as its last line
#   ratios: classify/passthrough=Z.ZZ
# and with --workflow bucket the same script followed by `grouper::bucket` (Tremor's benchmark
# as it is, both operator ports going out), ending with
#   ratios: bucket/passthrough=B.BB
# and with --workflow group every event passing plus a count per `application` over tumbling
# windows of 100 events (a windowed `select … group by`), ending with
#   ratios: group/passthrough=G.GG
#
# With --isolation it measures, interleaved in one run, the bench connector loaded as a plugin
# (`dynamic` above) and the same plugin with isolation = "process" (`isolated`: in a helper
# process, batches crossing a socketpair), and prints as its last line
#   ratios: isolated/dynamic=I.II
#
# Usage: ci/bench.sh [--quick] [--data FILE] [--rounds N] [--secs N]
#                    [--workflow classify|bucket|group] [--isolation]
#   --data FILE   replay FILE (newline-delimited JSON; .xz is decompressed) instead of the
#                 generated data set (100k realistic log records, target/bench/data.json)
#   --quick       12 rounds of 3 s (+1 s warmup) per variant (under 5 minutes with the build)
#
# The machine is shared and noisy (runs of one variant differ by up to ±10 %), so the variants
# run interleaved in one process, many short rounds, and the table shows medians.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/lib/bench-common.sh
. ci/lib/bench-common.sh

rounds=15 secs=10 warmup=2 data="" variants=native,builtin,dynamic
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) rounds=12 secs=3 warmup=1 ;;
    --data) data="${2:?--data needs a file}"; shift ;;
    --rounds) rounds="${2:?}"; shift ;;
    --secs) secs="${2:?}"; shift ;;
    --isolation) variants=dynamic,isolated ;;
    --workflow)
      case "${2:?--workflow needs a name}" in
        passthrough) variants=native,builtin,dynamic ;;
        classify) variants=builtin,classify ;;
        bucket) variants=builtin,bucket ;;
        group) variants=builtin,group ;;
        *) echo "unknown workflow $2 (passthrough, classify, bucket, group)" >&2; exit 2 ;;
      esac
      shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

echo "== building (release) =="
bench_build target
bench_data target
echo "data: $data ($lines lines, $(wc -c < "$data") bytes); $rounds rounds x ${secs}s (+${warmup}s warmup) per variant"
echo "machine: $(nproc) cores, $(uname -m), $(rustc --version)"
echo "commit: $(bench_commit)"

# The harness interleaves the variants in one process, round by round, and prints the table
# and, as its last line, the ratios.
exec "$exe" --data "$data" --plugin "$plugin" --variants "$variants" --rounds "$rounds" \
  --secs "$secs" --warmup "$warmup"
