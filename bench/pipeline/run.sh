#!/usr/bin/env bash
# run.sh - the router against fastText and scikit-learn on the Kursk appeals,
# and the pipeline's throughput, each on one core:
#   1. tyndau eval --folds 5 for column 4 (executor) and column 5 (topic
#      group), writing the fold of each row and our predictions;
#   2. compare.py trains and scores scikit-learn (TF-IDF + LogisticRegression)
#      and fastText on the same folds, and scores all three the same way;
#   3. pipeline_bench: raw text -> label per second, and the whole pipeline
#      (normalise, language, features, classify, MinHash, LSH lookup).
# Usage: bench/pipeline/run.sh [DATA_DIR]  (DATA_DIR defaults to ../shared/data)
# Results: $BUILD/bench/pipeline/ (summary.txt, *.json); BUILD defaults to build.
# fastText's speed: `fasttext predict` on a file of the test texts repeated
# 20 times minus the same on one text, so model load is left out; one
# thread; the fastest of three runs of each, per fold, averaged over the
# folds. Ours: raw text -> label (normalise, language, features, predict)
# in the same process, one thread: each fold's model on that fold's test
# texts, after one warm-up pass, the fastest of three rounds of 0.2 s,
# averaged over the folds. Both take the fastest because this machine is
# shared: a neighbour slows some runs down, never speeds one up. And
# "interleaved": compare.py also times tyndau on each fold right after
# fastText (tyndau eval --train <other folds> --test <fold>), so a fold's
# two speeds come from the same seconds; the ratio of the means and each
# fold's ratio are printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/data}
csv=$data/kursk-appeals/train_dataset_train.csv
if [ ! -r "$csv" ]; then
    echo "bench/pipeline: $csv not found: skipped (the Kursk appeals are not in the repository)" >&2
    exit 0
fi
for tool in fasttext /usr/bin/python3; do
    command -v "$tool" >/dev/null || { echo "bench/pipeline: $tool missing (scripts/deps.sh)" >&2; exit 1; }
done
bin=${TYNDAU_BIN:-./tyndau}
build=${BUILD:-build}
out=$build/bench/pipeline
mkdir -p "$out"
make -s BUILD="$build" "$build/libtyndau.a"
# shellcheck disable=SC2046 # word splitting wanted
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -I. -Isrc \
    $(pkg-config --cflags libutf8proc) -o "$out/pipeline_bench" bench/pipeline/pipeline_bench.c \
    "$build/libtyndau.a" $(pkg-config --libs libmicrohttpd jansson libsodium libutf8proc sqlite3 libcurl libpq) \
    -lstemmer -llinear -lpthread -lm
summary=$out/summary.txt
{
    echo "nproc=$(nproc)"
    echo "cpu=$(lscpu | sed -n 's/^Model name: *//p')"
} >"$summary"
for col in 4 5; do
    taskset -c 0 "$bin" eval --train "$csv" --folds 5 --text-col 2 --label-col "$col" --no-header \
        --json --seed 1 --folds-out "$out/folds-$col.txt" --predictions-out "$out/ours-$col.txt" \
        >"$out/ours-$col.json"
    taskset -c 0 /usr/bin/python3 bench/pipeline/compare.py "$csv" 2 "$col" "$out/folds-$col.txt" \
        "$out/ours-$col.txt" "$out/compare-$col.json" "$bin" >/dev/null
    /usr/bin/python3 - "$out/ours-$col.json" "$out/compare-$col.json" "$col" >>"$summary" <<'PY'
import json, sys
ours, ref, col = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
print("col%s_ours_macro_f1=%.4f" % (col, ours["macro_f1"]))
print("col%s_ours_accuracy=%.4f" % (col, ours["accuracy"]))
print("col%s_ours_pred_per_s=%.0f" % (col, ours["predictions_per_s"]))
for k in ("sklearn", "fasttext"):
    print("col%s_%s_macro_f1=%.4f" % (col, k, ref[k]["macro_f1"]))
    print("col%s_%s_accuracy=%.4f" % (col, k, ref[k]["accuracy"]))
    print("col%s_%s_pred_per_s=%.0f" % (col, k, ref[k]["predictions_per_s"]))
print("col%s_speed_vs_fasttext=%.2f" % (col, ours["predictions_per_s"] / ref["fasttext"]["predictions_per_s"]))
inter = ref["interleaved"]
print("col%s_interleaved_ours_pred_per_s=%.0f" % (col, sum(inter["tyndau_per_s"]) / len(inter["tyndau_per_s"])))
print("col%s_interleaved_fasttext_pred_per_s=%.0f" % (col, sum(inter["fasttext_per_s"]) / len(inter["fasttext_per_s"])))
print("col%s_interleaved_speed_vs_fasttext=%.2f" % (col, inter["ratio"]))
print("col%s_interleaved_fold_ratios=%s" % (col, ",".join("%.2f" % r for r in inter["ratio_per_fold"])))
PY
done
taskset -c 0 "$out/pipeline_bench" "$csv" 2 5 | sed 's/^/pipeline_/' >>"$summary"
cat "$summary"
