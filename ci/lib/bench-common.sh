# Shared by ci/bench.sh and ci/callgrind.sh (sourced, not run): building the passthrough harness
# and the bench connector plugin, and preparing the data file both replay.

# Builds the passthrough benchmark harness (release) and the bench connector as a plugin file.
# $1: the cargo target directory (relative to the repository root or absolute).
# Sets `exe` (the harness) and `plugin` (the absolute path of the plugin file).
bench_build() {
  local target=$1
  local features=(--no-default-features --features connector-bench,dynamic-plugins)
  exe=$(cargo bench --no-run --bench passthrough "${features[@]}" --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "passthrough":
        print(m["executable"])')
  [ -x "$exe" ] || { echo "could not build the benchmark" >&2; exit 1; }
  cargo rustc --quiet -p tremor-connector-bench --lib --release --features plugin --crate-type cdylib
  mkdir -p "$target/bench/plugins"
  install -m 0644 "$target/release/libtremor_connector_bench.so" "$target/bench/plugins/"
  plugin="$(cd "$target/bench/plugins" && pwd)/libtremor_connector_bench.so"
}

# Makes `data` a plain newline-delimited JSON file: with `data` empty, the generated data set
# ($1/bench/data.json, 100k records, generated once); a `.xz` file is decompressed into
# $1/bench/. $1: the cargo target directory. Needs `exe` (bench_build). Sets `lines`.
bench_data() {
  local target=$1
  if [ -z "$data" ]; then
    data="$target/bench/data.json"
    [ -s "$data" ] || "$exe" --generate "$data" --lines 100000
  elif [[ "$data" == *.xz ]]; then
    local plain
    plain="$target/bench/$(basename "${data%.xz}")"
    python3 -c 'import lzma,sys; open(sys.argv[2],"wb").write(lzma.open(sys.argv[1]).read())' "$data" "$plain"
    data="$plain"
  fi
  lines=$(wc -l < "$data")
}

# The commit measured: short hash, ` (dirty)` with uncommitted changes.
bench_commit() {
  echo "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
}
