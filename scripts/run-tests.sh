#!/usr/bin/env bash
# run-tests.sh BUILD TYNDAU_BIN [--only unit|integration|fuzz|pg|e2e]
# Runs the built test binaries, one suite per binary, each under a timeout:
#   unit         BUILD/tests/unit/*/*/test_*
#   integration  BUILD/tests/integration/test_*   (TYNDAU_BIN exported, absolute)
#   fuzz         BUILD/tests/fuzz/replay_T over tests/fuzz/corpus/T/*
#   pg           when TEST_PG_DSN is set: the store unit tests and the
#                integration tests again, with TEST_PG_DSN exported (the
#                other passes run without it)
#   e2e          node --test over tests/e2e/*.test.mjs, if there are any
# Prints one line per suite, then each failure's name and the tail of its
# output, and last exactly one line "N passed, N failed[, N skipped]".
# Exits 1 if any suite failed. Full logs: BUILD/test-logs/.
#   TEST_TIMEOUT  seconds per binary (600); E2E_TIMEOUT for the e2e run (900)
#   TAIL_LINES    lines of output shown per failure (40)
set -uo pipefail

usage() {
    echo "usage: run-tests.sh BUILD TYNDAU_BIN [--only unit|integration|fuzz|pg|e2e]" >&2
    exit 2
}

only='' pos=()
while [ $# -gt 0 ]; do
    case "$1" in
    --only)
        [ $# -ge 2 ] || usage
        only=$2
        shift 2
        ;;
    --only=*)
        only=${1#--only=}
        shift
        ;;
    -h | --help) usage ;;
    *)
        pos+=("$1")
        shift
        ;;
    esac
done
[ ${#pos[@]} -eq 2 ] || usage
case "$only" in '' | unit | integration | fuzz | pg | e2e) ;; *) usage ;; esac

cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$root/$1" ;; esac; }
BUILD=$(abspath "${pos[0]}")
TYNDAU_BIN=$(abspath "${pos[1]}")
export TYNDAU_BIN
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
E2E_TIMEOUT=${E2E_TIMEOUT:-900}
TAIL_LINES=${TAIL_LINES:-40}
PG_DSN=${TEST_PG_DSN:-}
unset TEST_PG_DSN # only the pg pass sees it

logdir=$BUILD/test-logs
rm -rf "$logdir"
mkdir -p "$logdir" || exit 2

passed=0 failed=0 skipped=0 failures=() child=

on_signal() {
    trap - HUP INT TERM
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    echo "interrupted: $passed passed, $failed failed so far" >&2
    exit 130
}
trap on_signal HUP INT TERM

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

# run NAME COMMAND... : one suite; its output goes to a log file.
run() {
    local name=$1 log start end rc secs
    shift
    log=$logdir/$(printf '%s' "$name" | tr '/:' '__').log
    start=$(date +%s.%N)
    # In the background so that a signal to us is handled at once (on_signal).
    "$@" </dev/null >"$log" 2>&1 &
    child=$!
    wait "$child"
    rc=$?
    child=
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'ok    %-50s %6ss\n' "$name" "$secs"
    else
        failed=$((failed + 1))
        failures+=("$name|$rc|$log")
        local why="exit $rc"
        [ $rc -eq 124 ] && why="timed out"
        [ $rc -gt 128 ] && [ $rc -ne 124 ] && why="killed by signal $((rc - 128))"
        printf 'FAIL  %-50s %6ss  (%s)\n' "$name" "$secs" "$why"
    fi
}

skip() {
    skipped=$((skipped + 1))
    printf 'skip  %-50s (%s)\n' "$1" "$2"
}

# Binaries matching a glob, sorted; nothing when it matches nothing.
bins() {
    local f
    for f in "$@"; do
        [ -f "$f" ] && [ -x "$f" ] && printf '%s\n' "$f"
    done | sort
}

rel() { printf '%s\n' "${1#"$BUILD"/tests/}"; }

unit_pass() {
    local b
    while IFS= read -r b; do
        run "$(rel "$b")" timeout -k 10 "$TEST_TIMEOUT" "$b"
    done < <(bins "$BUILD"/tests/unit/*/test_* "$BUILD"/tests/unit/*/*/test_*)
}

integration_pass() {
    local b
    while IFS= read -r b; do
        run "$(rel "$b")" timeout -k 10 "$TEST_TIMEOUT" "$b"
    done < <(bins "$BUILD"/tests/integration/test_*)
}

fuzz_pass() {
    local b t corpus
    while IFS= read -r b; do
        t=${b##*/replay_}
        corpus=tests/fuzz/corpus/$t
        [ -d "$corpus" ] || corpus=tests/fuzz/corpus/${t#fuzz_}
        if [ -z "$(find "$corpus" -type f -print -quit 2>/dev/null)" ]; then
            skip "fuzz/replay_$t" "no corpus in tests/fuzz/corpus/$t"
            continue
        fi
        # shellcheck disable=SC2016 # expanded by the inner sh
        run "fuzz/replay_$t" sh -c 'find "$1" -type f -print0 | sort -z |
            timeout -k 10 "$2" xargs -0 "$3"' sh "$corpus" "$TEST_TIMEOUT" "$b"
    done < <(bins "$BUILD"/tests/fuzz/replay_*)
}

# The calendar against an independent source (npm date-holidays, pinned).
oracle_pass() {
    local out="$BUILD/tests/oracle"
    if ! command -v node >/dev/null 2>&1 || [ ! -d node_modules/date-holidays ]; then
        skip "oracle/holidays" "node or node_modules/date-holidays missing: run scripts/deps.sh"
        return 0
    fi
    if [ ! -x "$out/calendar_dump" ]; then
        skip "oracle/holidays" "$out/calendar_dump not built"
        return 0
    fi
    run "oracle/holidays" sh -c '"$1/calendar_dump" >"$1/calendar.json" &&
        node tests/oracle/holidays.mjs "$1/calendar.json"' sh "$out"
}

pg_pass() {
    local b
    if [ -z "$PG_DSN" ]; then
        skip "pg" "TEST_PG_DSN is not set"
        return 0
    fi
    # The integration harness (srv.c) makes a database per server on TEST_PG_DSN.
    while IFS= read -r b; do
        run "pg:$(rel "$b")" env TEST_PG_DSN="$PG_DSN" TYNDAU_TEST_DB_KIND=postgres \
            timeout -k 10 "$TEST_TIMEOUT" "$b"
    done < <(bins "$BUILD"/tests/unit/store/test_* "$BUILD"/tests/unit/store/*/test_* \
        "$BUILD"/tests/integration/test_*)
}

e2e_pass() {
    local files=()
    shopt -s nullglob
    files=(tests/e2e/*.test.mjs)
    shopt -u nullglob
    if [ ${#files[@]} -eq 0 ]; then
        skip "e2e" "no tests/e2e/*.test.mjs"
        return 0
    fi
    if ! command -v node >/dev/null 2>&1 || [ ! -d node_modules ]; then
        failed=$((failed + 1))
        failures+=("e2e|-|")
        printf 'FAIL  %-50s (node or node_modules missing: run scripts/deps.sh)\n' "e2e"
        return 0
    fi
    run "e2e" timeout -k 10 "$E2E_TIMEOUT" node --test "${files[@]}"
}

want unit && unit_pass
want unit && oracle_pass
want integration && integration_pass
want fuzz && fuzz_pass
want pg && pg_pass
want e2e && e2e_pass

if [ $failed -gt 0 ]; then
    echo
    echo "Failures:"
    for f in "${failures[@]}"; do
        IFS='|' read -r name rc log <<<"$f"
        echo "--- $name (exit $rc) ${log:+last $TAIL_LINES lines of $log}"
        [ -n "$log" ] && tail -n "$TAIL_LINES" "$log"
    done
    echo
fi
if [ $skipped -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
