#!/usr/bin/env bash
# Measures how many of Tremor's tests/script_errors cases this project's `tremor run` answers
# with Tremor's exact error text (the comparison Tremor's own tests/script_error.rs makes:
# the whole `Error:` block, trimmed). A tool for people, not part of ci/test.sh.
#
# Usage: tests/tools/tremor_script_errors.sh [--tag TAG] [--tremor BIN] [-v] [CASE...]
#   -v prints expected and actual text for every failing case.
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
work="$(mktemp -d "${TMPDIR:-/tmp}/script-errors.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git --git-dir="$source_git" archive "$tag" tests/script_errors tremor-script/lib | tar -x -C "$work"
echo '{}' >"$work/in.json"
pass=0
message_pass=0
total=0
failed=()
# The wording alone: the text after the caret run of each `| ^^^ message` line.
messages() { sed -n 's/^ *| *\^\+ *//p'; }
cd "$work/tests/script_errors"
for dir in */; do
    name="${dir%/}"
    [ -f "$name/error.txt" ] && [ -f "$name/script.tremor" ] && [ "$name" != _template ] || continue
    if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
    total=$((total + 1))
    expected="$(sed -e 's/[[:space:]]*$//' "$name/error.txt" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')"
    # As Tremor's test does: from the repository's root, the case's directory and the
    # standard library as module path (relative, as its messages show them).
    actual="$(cd "$work" && TREMOR_PATH="tests/script_errors/$name/:tremor-script/lib" \
        timeout 20 "$tremor_bin" run "tests/script_errors/$name/script.tremor" -i in.json 2>&1 >/dev/null |
        sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' || true)"
    if [ "$(messages <<<"$expected")" = "$(messages <<<"$actual")" ]; then
        message_pass=$((message_pass + 1))
    fi
    if [ "$expected" = "$actual" ]; then
        pass=$((pass + 1))
    else
        failed+=("$name")
        if $verbose; then
            printf '=== %s\n--- expected\n%s\n--- actual\n%s\n' "$name" "$expected" "$actual"
        fi
    fi
done
echo "failing: ${failed[*]:-none}"
echo "$pass of $total cases print Tremor's exact error block, $message_pass its exact message"
