#!/usr/bin/env bash
# run.sh - the opinion benchmark (issue 5): builds bench/opinion/bench_opinion.c
# against build/libtyndau.a and runs it; prints a Markdown table, also saved
# to build/bench/opinion.md. About a minute on 2 cores.
#   REPS  replications per scenario (200)    SEED  population seed (20240505)
#   POP   population size (1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
[ -f "$BUILD/libtyndau.a" ] || make "$BUILD/libtyndau.a" >&2
mkdir -p "$BUILD/bench"
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Isrc \
    -o "$BUILD/bench/bench_opinion" bench/opinion/bench_opinion.c "$BUILD/libtyndau.a" -lm
"$BUILD/bench/bench_opinion" --reps "${REPS:-200}" --seed "${SEED:-20240505}" \
    --pop "${POP:-1000000}" | tee "$BUILD/bench/opinion.md"
