#!/usr/bin/env bash
# Runs Tremor's own tests/scripts cases (script.tremor, in, out) through this project's
# `tremor run` and compares each output event with Tremor's as Tremor's tests/script.rs does:
# as values with sorted keys (key order is not compared). A tool for people, not part of
# ci/test.sh. Tremor's harness gives each event an origin URI (snot://test:23/snot) that
# `tremor run` has no flag for, so its `origin` case cannot pass here.
#
# Usage: tests/tools/tremor_scripts.sh [--tag TAG] [--tremor BIN] [-v] [CASE...]
# Env:   TREMOR_SRC (default /work/.mirror/tremor-rs+tremor-runtime/repo, a git directory).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
source_git="${TREMOR_SRC:-/work/.mirror/tremor-rs+tremor-runtime/repo}"
tag=v0.13.0-rc.33
tremor_bin="$here/target/debug/tremor"
verbose=false
only=()
while [ $# -gt 0 ]; do
    case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --tremor) tremor_bin="$2"; shift 2 ;;
    -v) verbose=true; shift ;;
    *) only+=("$1"); shift ;;
    esac
done
work="$(mktemp -d "${TMPDIR:-/tmp}/tremor-scripts.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git --git-dir="$source_git" archive "$tag" tests/scripts tremor-script/lib | tar -x -C "$work"
cd "$work"
pass=0
total=0
failed=()
for dir in tests/scripts/*/; do
    name="$(basename "$dir")"
    [ -f "$dir/script.tremor" ] || continue
    if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
    total=$((total + 1))
    for f in in out; do
        if [ -f "$dir/$f.xz" ]; then xz -dc "$dir/$f.xz" >"$dir/$f.plain"; else cp "$dir/$f" "$dir/$f.plain"; fi
    done
    TREMOR_PATH="tremor-script/lib:$dir" timeout 60 "$tremor_bin" run "$dir/script.tremor" \
        -i "$dir/in.plain" -o "$dir/got" 2>"$dir/err" || true
    if python3 - "$dir/out.plain" "$dir/got" <<'PY'
import json, sys
def events(path):
    with open(path) as f:
        return [json.dumps(json.loads(l), sort_keys=True) for l in f if l.strip()]
sys.exit(0 if events(sys.argv[1]) == events(sys.argv[2]) else 1)
PY
    then
        pass=$((pass + 1))
    else
        failed+=("$name")
        if $verbose; then
            printf '=== %s\n--- expected\n' "$name"; cat "$dir/out.plain"
            printf -- '--- actual\n'; cat "$dir/got" "$dir/err" 2>/dev/null || true
        fi
    fi
done
echo "failing: ${failed[*]:-none}"
echo "$pass of $total of Tremor's script cases give Tremor's output"
