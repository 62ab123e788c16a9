#!/usr/bin/env bash
# run.sh - build and run the text layer's evaluation programs against the
# library make builds (build/libtyndau.a), each on one core:
#   lang_eval    language identification accuracy (seed corpus held out,
#                Kursk appeals, KazSAnDRA; skips what is absent)
#   redact_eval  redaction recall and false positives on the piigen corpus
#   text_bench   documents per second per stage
# Usage: bench/text/run.sh [DATA_DIR]   (DATA_DIR defaults to ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/data}
make -s build/libtyndau.a
out=build/bench/text
mkdir -p "$out"
cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -I. -Isrc $(pkg-config --cflags libutf8proc)"
libs="build/libtyndau.a $(pkg-config --libs libmicrohttpd jansson libsodium libutf8proc sqlite3 libcurl libpq) -lstemmer -lpthread -lm"
for p in lang_eval redact_eval text_bench; do
    # shellcheck disable=SC2086 # word splitting wanted
    ${CC:-cc} $cflags -o "$out/$p" "bench/text/$p.c" $libs
done
"$out/lang_eval" "$data"
"$out/redact_eval" 2>/dev/null
taskset -c 0 "$out/text_bench" "$data" 2>/dev/null || "$out/text_bench" "$data"
