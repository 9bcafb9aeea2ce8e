#!/usr/bin/env bash
# Runs Tremor's own script test cases through this project's `tremor run` and counts how many
# give Tremor's result. A tool for people, not part of ci/test.sh.
#
#   errors   tests/script_errors: the whole `Error:` block must equal Tremor's error.txt (as
#            Tremor's tests/script_error.rs compares it, trimmed); also counted: the message
#            alone (the text after the carets). Run from the repository root with the case's
#            directory and tremor-script/lib as module path, relative, as Tremor's test does.
#   scripts  tests/scripts: every output event must equal Tremor's `out` as a value with
#            sorted keys (as Tremor's tests/script.rs compares). Tremor's harness gives each
#            event an origin URI (snot://test:23/snot) `tremor run` has no flag for, so its
#            `origin` case cannot pass here.
#
# Usage: tests/tools/tremor_script_cases.sh errors|scripts [--tag TAG] [--tremor BIN] [-v] [CASE...]
#   -v prints expected and actual output for every failing case.
# Env:   TREMOR_SRC (default /work/.mirror/tremor-rs+tremor-runtime/repo, a git directory).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
source_git="${TREMOR_SRC:-/work/.mirror/tremor-rs+tremor-runtime/repo}"
mode="${1:-}"
case "$mode" in
errors | scripts) shift ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
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
work="$(mktemp -d "${TMPDIR:-/tmp}/tremor-script-cases.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cases=tests/script_errors
[ "$mode" = scripts ] && cases=tests/scripts
git --git-dir="$source_git" archive "$tag" "$cases" tremor-script/lib | tar -x -C "$work"
cd "$work"
echo '{}' >in.json
# The wording alone: the text after the caret run of each `| ^^^ message` line.
messages() { sed -n 's/^ *| *\^\+ *//p'; }
# Text without trailing blanks on each line and without trailing empty lines.
trimmed() { sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }
pass=0
message_pass=0
total=0
failed=()
for dir in "$cases"/*/; do
    dir="${dir%/}"
    name="$(basename "$dir")"
    [ -f "$dir/script.tremor" ] && [ "$name" != _template ] || continue
    if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
    total=$((total + 1))
    if [ "$mode" = errors ]; then
        expected="$(trimmed <"$dir/error.txt")"
        actual="$(TREMOR_PATH="$dir/:tremor-script/lib" timeout 20 "$tremor_bin" run \
            "$dir/script.tremor" -i in.json 2>&1 >/dev/null | trimmed || true)"
        [ "$(messages <<<"$expected")" = "$(messages <<<"$actual")" ] &&
            message_pass=$((message_pass + 1))
        ok=false
        [ "$expected" = "$actual" ] && ok=true
    else
        for f in in out; do
            if [ -f "$dir/$f.xz" ]; then xz -dc "$dir/$f.xz" >"$dir/$f.plain"; else cp "$dir/$f" "$dir/$f.plain"; fi
        done
        TREMOR_PATH="tremor-script/lib:$dir" timeout 60 "$tremor_bin" run "$dir/script.tremor" \
            -i "$dir/in.plain" -o "$dir/got" 2>"$dir/err" || true
        ok=false
        python3 - "$dir/out.plain" "$dir/got" <<'PY' && ok=true
import json, sys
def events(path):
    with open(path) as f:
        return [json.dumps(json.loads(l), sort_keys=True) for l in f if l.strip()]
sys.exit(0 if events(sys.argv[1]) == events(sys.argv[2]) else 1)
PY
        expected="$(cat "$dir/out.plain")"
        actual="$(cat "$dir/got" "$dir/err" 2>/dev/null || true)"
    fi
    if $ok; then
        pass=$((pass + 1))
    else
        failed+=("$name")
        if $verbose; then
            printf '=== %s\n--- expected\n%s\n--- actual\n%s\n' "$name" "$expected" "$actual"
        fi
    fi
done
echo "failing: ${failed[*]:-none}"
if [ "$mode" = errors ]; then
    echo "$pass of $total cases print Tremor's exact error block, $message_pass its exact message"
else
    echo "$pass of $total of Tremor's script cases give Tremor's output"
fi
