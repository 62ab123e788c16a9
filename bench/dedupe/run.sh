#!/usr/bin/env bash
# run.sh - the near-duplicate benchmark: `tyndau eval dedupe` (TYNDAU_BIN,
# default ./tyndau) on the Boston Open311 duplicates (recall@3, precision,
# threshold), then lookup latency
# and memory with 1,000,000 generated appeals in the index against a
# brute-force scan measured in the same run (bench/dedupe/bench_dedupe.c).
# Results also go to BUILD/bench/dedupe.md. About a minute on 2 cores, about
# 1 GB of memory.
#   BUILD (build)   N appeals (1000000)   QUERIES (2000)   SEED (20260101)
# Usage: bench/dedupe/run.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/data}
BUILD=${BUILD:-build}
TYNDAU_BIN=${TYNDAU_BIN:-./tyndau}
[ -f "$BUILD/libtyndau.a" ] || make "$BUILD/libtyndau.a" >&2
[ -x "$TYNDAU_BIN" ] || make BUILD="$BUILD" BIN="$TYNDAU_BIN" "$TYNDAU_BIN" >&2
out=$BUILD/bench
mkdir -p "$out"
cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Isrc $(pkg-config --cflags libutf8proc)"
libs="$BUILD/libtyndau.a $(pkg-config --libs libmicrohttpd jansson libsodium libutf8proc sqlite3 libcurl libpq) -lstemmer -llinear -lpthread -lm"
# shellcheck disable=SC2086 # word splitting wanted
${CC:-cc} $cflags -o "$out/dedupe_bench_dedupe" bench/dedupe/bench_dedupe.c $libs
{
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    boston=$data/boston-open311
    if [ -f "$boston/open311_requests.jsonl" ] && [ -f "$boston/duplicate_pairs.csv" ]; then
        echo '```'
        "$TYNDAU_BIN" eval dedupe --records "$boston/open311_requests.jsonl" \
            --pairs "$boston/duplicate_pairs.csv"
        echo '```'
    else
        echo "Boston Open311 data not found in $boston: eval dedupe skipped"
    fi
    echo
    taskset -c 0 "$out/dedupe_bench_dedupe" "${N:-1000000}" "${QUERIES:-2000}" "${SEED:-20260101}" 2>/dev/null ||
        "$out/dedupe_bench_dedupe" "${N:-1000000}" "${QUERIES:-2000}" "${SEED:-20260101}"
} | tee "$out/dedupe.md"
