#!/usr/bin/env bash
# Runs Tremor's own integration-test directories (tremor-cli/tests/integration) with this
# project's `tremor test integration` and prints PASS / FAIL / SKIP per directory.
#
# A tool for people, not part of ci/test.sh: it needs Tremor's sources, which a fresh machine
# does not have. Get them in one of three ways and name them with --source (or TREMOR_SRC):
#   - a bare clone:  git clone --bare https://github.com/tremor-rs/tremor-runtime tremor.git
#                    (then --source tremor.git; the tags to test are --tags / TREMOR_TAGS)
#   - a tarball:     curl -LO https://github.com/tremor-rs/tremor-runtime/archive/refs/tags/v0.13.0-rc.33.tar.gz
#                    (then --source v0.13.0-rc.33.tar.gz; one version per tarball)
#   - a checkout:    any directory containing tremor-cli/tests
# Default source: the mirror this project's developers have at
# /work/.mirror/tremor-rs+tremor-runtime/repo.
#
# Only directories whose deployments use connectors this project has (file, stdio, tcp, udp,
# unix sockets, metronome, crononome, bench, null, exit, cb, kv, wal, metrics, ws, http, dns) are run
# (scripts, windows and operators are supported), and those that test the error for an unknown
# connector type; the
# others are listed as SKIP with the reason (--all runs them anyway).
# Each directory runs with Tremor's tests/lib of the same version as TREMOR_PATH.
#
# Usage: ci/tremor-compat.sh [--source PATH] [--tags "T1 T2"] [--tremor BIN] [--work DIR]
#                            [--timeout SECS] [--all] [DIR-NAME...]
# Env:   TREMOR_SRC, TREMOR_TAGS, TREMOR_BIN (default: target/debug/tremor, built if missing),
#        COMPAT_WORK (default: a new temporary directory; kept, its path is printed).
# Exit code: 0 when every directory that ran passed, 1 otherwise.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
source_path="${TREMOR_SRC:-/work/.mirror/tremor-rs+tremor-runtime/repo}"
tags="${TREMOR_TAGS:-v0.13.0-rc.33 v0.12.4}"
tremor_bin="${TREMOR_BIN:-}"
work="${COMPAT_WORK:-}"
timeout_secs=60
run_all=false
only=()

while [ $# -gt 0 ]; do
    case "$1" in
    --source) source_path="$2"; shift 2 ;;
    --tags) tags="$2"; shift 2 ;;
    --tremor) tremor_bin="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --timeout) timeout_secs="$2"; shift 2 ;;
    --all) run_all=true; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) only+=("$1"); shift ;;
    esac
done

if [ -z "$tremor_bin" ]; then
    tremor_bin="$here/target/debug/tremor"
    if [ ! -x "$tremor_bin" ]; then
        (cd "$here" && cargo build -p tremor)
    fi
fi
[ -x "$tremor_bin" ] || { echo "no tremor binary at $tremor_bin" >&2; exit 2; }
[ -n "$work" ] || work="$(mktemp -d "${TMPDIR:-/tmp}/tremor-compat.XXXXXX")"
mkdir -p "$work"

# Writes tremor-cli/tests of git tag $2 from the git directory $1 into $3. File by file rather
# than `git archive`, so a mirror that lacks some large blobs still yields the rest (the
# missing files are named).
extract_tag() {
    local git_dir="$1" tag="$2" dest="$3"
    git --git-dir="$git_dir" ls-tree -r -z "$tag" tremor-cli/tests |
        while IFS=$'\t' read -r -d '' meta path; do
            local mode object
            mode="${meta%% *}"
            object="${meta##* }"
            mkdir -p "$dest/$(dirname "$path")"
            if ! git --git-dir="$git_dir" cat-file blob "$object" >"$dest/$path" 2>/dev/null; then
                echo "note: $tag:$path is not in $git_dir (skipped)" >&2
                rm -f "$dest/$path"
                continue
            fi
            [ "$mode" = 100755 ] && chmod +x "$dest/$path"
            true
        done
}

# Prints "LABEL<TAB>TESTS-DIR" for each version found in the source.
prepare_sources() {
    if [ -d "$source_path/tremor-cli/tests" ]; then
        # A copy: the runner writes its logs into the test directories.
        local label
        label="$(basename "$(cd "$source_path" && pwd)")"
        rm -rf "${work:?}/$label"
        mkdir -p "$work/$label/tremor-cli"
        cp -R "$source_path/tremor-cli/tests" "$work/$label/tremor-cli/"
        printf '%s\t%s\n' "$label" "$work/$label/tremor-cli/tests"
    elif [ -d "$source_path" ] && git --git-dir="$source_path" rev-parse --git-dir >/dev/null 2>&1; then
        for tag in $tags; do
            rm -rf "${work:?}/$tag"
            extract_tag "$source_path" "$tag" "$work/$tag"
            printf '%s\t%s\n' "$tag" "$work/$tag/tremor-cli/tests"
        done
    elif [ -f "$source_path" ]; then
        local label
        label="$(basename "$source_path")"
        label="${label%.tar.gz}"
        label="${label%.tgz}"
        label="${label%.tar}"
        rm -rf "${work:?}/$label"
        mkdir -p "$work/$label"
        tar -xf "$source_path" -C "$work/$label"
        local tests
        tests="$(find "$work/$label" -maxdepth 4 -type d -path '*/tremor-cli/tests' | head -n 1)"
        [ -n "$tests" ] || { echo "no tremor-cli/tests in $source_path" >&2; exit 2; }
        printf '%s\t%s\n' "$label" "$tests"
    else
        echo "cannot use $source_path as Tremor's sources (see --help for how to get them)" >&2
        exit 2
    fi
}

# Troy text of a test directory (and of its own modules, whatever their extension) without
# comments.
troy_text() {
    cat "$1"/*.troy "$1"/lib/* 2>/dev/null | sed 's/#.*//'
}

# Why a directory is not run (empty when it is in scope).
skip_reason() {
    local dir="$1" text types t unsupported=""
    text="$(troy_text "$dir")"
    if [ -z "$(ls "$dir"/*.troy "$dir"/*.TROY 2>/dev/null)" ]; then
        echo "no .troy file (Tremor 0.11 layout)"
        return
    fi
    # `define connector NAME from TYPE`, possibly across lines; `connectors::NAME` modules.
    types="$(echo "$text" | tr '\n' ' ' |
        grep -oE 'define[[:space:]]+connector[[:space:]]+[`A-Za-z0-9_-]+[[:space:]]+from[[:space:]]+[A-Za-z0-9_]+' |
        awk '{print $NF}')"
    types="$types $(echo "$text" | grep -oE 'connectors::[a-z_]+' | sed 's/connectors::console/stdio/; s/connectors:://')"
    for t in $types; do
        case "$t" in
        file | stdio | tcp_client | tcp_server | udp_client | udp_server | unix_socket_client | \
            unix_socket_server | metronome | crononome | bench | null | exit | cb | kv | wal | metrics | \
            ws_client | ws_server | http_client | http_server | dns | dns_client) ;;
        *)
            # A test of the error for an unknown connector type is in scope.
            grep -qs "Unknown connector type $t" "$dir/assert.yaml" ||
                unsupported="$unsupported $t"
            ;;
        esac
    done
    if [ -n "$unsupported" ]; then
        echo "connector$(echo "$unsupported" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')"
    fi
}

results="$work/results.tsv"
: >"$results"
failed=0
while IFS=$'\t' read -r label tests; do
    for dir in "$tests"/integration/*/; do
        dir="${dir%/}"
        name="$(basename "$dir")"
        if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx "$name"; then
            continue
        fi
        reason="$(skip_reason "$dir")"
        if [ -n "$reason" ] && ! $run_all; then
            printf 'SKIP\t%s\t%s\t%s\n' "$label" "$name" "$reason" | tee -a "$results"
            continue
        fi
        log="$work/$label.$name.log"
        if TREMOR_PATH="$tests/lib" "$tremor_bin" test integration "$dir" \
            --timeout "$timeout_secs" >"$log" 2>&1; then
            printf 'PASS\t%s\t%s\t%s\n' "$label" "$name" "$reason" | tee -a "$results"
        else
            failed=1
            # The deployment's own error says most; else the runner's first complaint.
            first="$( (grep -m1 -E '^    .*(error|ERROR|Error)' "$log" || grep -m1 -E '^    ' "$log") |
                sed 's/^ *//' | cut -c1-160 || true)"
            printf 'FAIL\t%s\t%s\t%s\n' "$label" "$name" "${first:-see $log}" | tee -a "$results"
        fi
    done
done < <(prepare_sources)

echo
for label in $(cut -f2 "$results" | sort -u); do
    printf '%s: %s passed, %s failed, %s skipped\n' "$label" \
        "$(grep -c "^PASS	$label	" "$results" || true)" \
        "$(grep -c "^FAIL	$label	" "$results" || true)" \
        "$(grep -c "^SKIP	$label	" "$results" || true)"
done
echo "logs and test directories: $work"
exit $failed
