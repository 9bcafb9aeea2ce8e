#!/usr/bin/env bash
# HTTP round trips per second on 127.0.0.1 with keep-alive, in one tremor process:
#
#   bench (source) -> passthrough -> http_client ==HTTP/1.1==> http_server -> passthrough
#        ^                                |                          ^             |
#        +------ passthrough <--- out ----+                          +-- response -+
#
# Every event the bench connector replays becomes one POST (a small JSON record) from
# http_client to http_server; the server's pipeline sends the event back as the response; the
# response event returns to the bench connector's sink, which counts it. So the bench report's
# event throughput is round trips per second, each crossing http_client, the TCP connection,
# http_server and three pipelines. http_client keeps `--concurrency` requests in flight over
# keep-alive connections (one connection per request in flight).
#
# Usage: ci/bench-http.sh [--secs N] [--warmup N] [--concurrency N] [--port P] [--no-build]
#   defaults: 10 s measured after 2 s warmup, concurrency 16, port 40790; --no-build runs the
#   target/release/tremor there is (it must have the bench and http connectors)
# Builds a release binary with only the bench and http connectors builtin
# (target/release/tremor, features connector-bench,connector-http-server,connector-http-client).
# Prints the bench connector's report; the line `round trips/s: N` is the result (its latency
# figures cover only the response's way from http_client to the bench sink).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=10 warmup=2 concurrency=16 port=40790 build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --secs) secs="${2:?}"; shift ;;
    --warmup) warmup="${2:?}"; shift ;;
    --concurrency) concurrency="${2:?}"; shift ;;
    --port) port="${2:?}"; shift ;;
    --no-build) build=false ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if $build; then
  cargo build --release -p tremor --no-default-features \
    --features connector-bench,connector-http-server,connector-http-client
fi
target="${CARGO_TARGET_DIR:-target}"
tremor="$(cd "$target/release" && pwd)/tremor"

work="$(mktemp -d "${TMPDIR:-/tmp}/tremor-bench-http.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 - "$work/data.json" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(json.dumps({"id": i, "host": f"web-{i % 7}", "status": 200, "path": "/api/v1/items"}) + "\n")
EOF

cat >"$work/bench.troy" <<EOF
define flow server
flow
  define connector http_in from http_server
  with
    config = {"url": "http://127.0.0.1:$port/"}
  end;
  define pipeline echo
  pipeline
    select event from in into out;
  end;
  create connector http_in;
  create pipeline echo;
  connect /connector/http_in to /pipeline/echo;
  connect /pipeline/echo to /connector/http_in;
end;

define flow client
flow
  define connector load from bench
  with
    codec = "json",
    config = {
      "path": "$work/data.json",
      "warmup_secs": $warmup,
      "stop_after_secs": $secs,
      "report_file": "$work/report.json"
    }
  end;
  define connector http_out from http_client
  with
    config = {"url": "http://127.0.0.1:$port/items", "concurrency": $concurrency}
  end;
  define pipeline passthrough
  pipeline
    select event from in into out;
  end;
  create connector load;
  create connector http_out;
  create pipeline requests from passthrough;
  create pipeline responses from passthrough;
  connect /connector/load to /pipeline/requests;
  connect /pipeline/requests to /connector/http_out;
  connect /connector/http_out to /pipeline/responses;
  connect /pipeline/responses to /connector/load;
end;

deploy flow server;
deploy flow client;
EOF

echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (dirty)'), $(nproc) cores"
echo "command: ci/bench-http.sh --secs $secs --warmup $warmup --concurrency $concurrency"
(cd "$work" && "$tremor" server run -n bench.troy)
python3 - "$work/report.json" <<'EOF'
import json, sys
report = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print("report:", json.dumps(report))
print(f"round trips/s: {report['events_per_s']:.0f}")
# The bench sink measures from the time an event entered the runtime, and a response enters
# it anew at http_client's source: these percentiles are the last leg only, not the round trip.
print(f"response leg latency: p50 {report['p50_us']:.0f} us, p99 {report['p99_us']:.0f} us")
EOF
