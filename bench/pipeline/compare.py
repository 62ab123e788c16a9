#!/usr/bin/env python3
"""compare.py - the references for bench/pipeline/run.sh: scikit-learn
(TF-IDF + LogisticRegression) and fastText (supervised, the Debian CLI) on
the same folds as tyndau, and the same metrics for all three.

  compare.py CSV TEXT_COL LABEL_COL FOLDS_FILE OURS_PREDICTIONS OUT_JSON [TYNDAU]

CSV has no header; columns are 1-based. FOLDS_FILE holds each row's fold
(written by tyndau eval --folds-out). OURS_PREDICTIONS holds tyndau's
predicted label for each row (tyndau eval --predictions-out). Rows whose
text is empty after HTML stripping or whose label is empty are dropped,
as tyndau drops them, so the rows line up. Each tool predicts on one
thread; predictions per second are measured on the same texts.

With TYNDAU (the binary), each fold is also timed for tyndau right after
fastText is timed on it: `tyndau eval --train <the other folds> --test
<this fold>` on the raw rows, so that both speeds of a fold come from the
same seconds of this shared machine ("interleaved" in OUT_JSON, with the
ratio of each fold).
"""
import csv
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

TAG = re.compile(r"<[^>]*>")


def strip_html(t):
    return html.unescape(TAG.sub(" ", t))


def load(path, text_col, label_col):
    """(text without HTML, label, raw text) of each row kept."""
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.reader(f):
            text = strip_html(r[text_col - 1])
            label = r[label_col - 1].strip()
            if text.strip() and label:
                rows.append((text, label, r[text_col - 1]))
    return rows


def write_rows(path, raw, labels, idx):
    with open(path, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        for i in idx:
            w.writerow([raw[i], labels[i]])


def tyndau_rate(tyndau, raw, labels, tr, te, tmp):
    """tyndau's predictions per second on the rows te, trained on tr."""
    train = os.path.join(tmp, "ours_train.csv")
    test = os.path.join(tmp, "ours_test.csv")
    write_rows(train, raw, labels, tr)
    write_rows(test, raw, labels, te)
    got = subprocess.run([tyndau, "eval", "--train", train, "--test", test, "--text-col", "1",
                          "--label-col", "2", "--no-header", "--json"],
                         check=True, capture_output=True, text=True)
    return json.loads(got.stdout)["predictions_per_s"]


def metrics(truth, pred):
    return {
        "accuracy": accuracy_score(truth, pred),
        "macro_f1": f1_score(truth, pred, average="macro", zero_division=0),
    }


def sklearn_cv(texts, labels, folds, k):
    pred = [None] * len(texts)
    rate = []
    for f in range(k):
        tr = [i for i in range(len(texts)) if folds[i] != f]
        te = [i for i in range(len(texts)) if folds[i] == f]
        vec = TfidfVectorizer(sublinear_tf=True)
        x = vec.fit_transform([texts[i] for i in tr])
        clf = LogisticRegression(max_iter=1000, n_jobs=1)
        clf.fit(x, [labels[i] for i in tr])
        test_texts = [texts[i] for i in te]
        t0 = time.perf_counter()
        out = clf.predict(vec.transform(test_texts))
        rate.append(len(te) / (time.perf_counter() - t0))
        for i, p in zip(te, out):
            pred[i] = p
    return pred, sum(rate) / len(rate)


def ft_line(text):
    return " ".join(text.lower().split())


def fasttext_cv(texts, labels, folds, k, tmp, tyndau, raw):
    pred = [None] * len(texts)
    rate, ours = [], []
    for f in range(k):
        tr = [i for i in range(len(texts)) if folds[i] != f]
        te = [i for i in range(len(texts)) if folds[i] == f]
        train = os.path.join(tmp, "train.txt")
        with open(train, "w", encoding="utf-8") as out:
            for i in tr:
                out.write("__label__%s %s\n" % (labels[i].replace(" ", "_"), ft_line(texts[i])))
        model = os.path.join(tmp, "m")
        subprocess.run(["fasttext", "supervised", "-input", train, "-output", model,
                        "-epoch", "25", "-wordNgrams", "2", "-bucket", "200000",
                        "-thread", "1", "-verbose", "0"], check=True)
        test = os.path.join(tmp, "test.txt")
        with open(test, "w", encoding="utf-8") as out:
            for i in te:
                out.write(ft_line(texts[i]) + "\n")
        got = subprocess.run(["fasttext", "predict", model + ".bin", test],
                             check=True, capture_output=True, text=True).stdout.split("\n")
        names = {l.replace(" ", "_"): l for l in set(labels)}
        for i, p in zip(te, got):
            pred[i] = names.get(p[len("__label__"):], p)
        # Speed: the model load is the same for a small and a large input;
        # the difference is prediction alone.
        small = os.path.join(tmp, "small.txt")
        big = os.path.join(tmp, "big.txt")
        with open(small, "w", encoding="utf-8") as out:
            out.write(ft_line(texts[te[0]]) + "\n")
        reps = 20
        with open(big, "w", encoding="utf-8") as out:
            for _ in range(reps):
                for i in te:
                    out.write(ft_line(texts[i]) + "\n")
        def timed(path):
            t0 = time.perf_counter()
            subprocess.run(["fasttext", "predict", model + ".bin", path], check=True,
                           stdout=subprocess.DEVNULL)
            return time.perf_counter() - t0
        # the fastest of three runs each, as a shared machine slows some
        # down (tyndau eval takes the fastest of three rounds per fold too)
        t_small = min(timed(small) for _ in range(3))
        t_big = min(timed(big) for _ in range(3))
        rate.append((reps * len(te) - 1) / max(t_big - t_small, 1e-6))
        if tyndau:
            ours.append(tyndau_rate(tyndau, raw, labels, tr, te, tmp))
    return pred, sum(rate) / len(rate), rate, ours


def main():
    path, text_col, label_col, folds_path, ours_path, out_path = sys.argv[1:7]
    tyndau = sys.argv[7] if len(sys.argv) > 7 else None
    rows = load(path, int(text_col), int(label_col))
    texts = [r[0] for r in rows]
    labels = [r[1] for r in rows]
    raw = [r[2] for r in rows]
    folds = [int(l) for l in open(folds_path)]
    ours = [l.rstrip("\n") for l in open(ours_path, encoding="utf-8")]
    if len(folds) != len(rows) or len(ours) != len(rows):
        sys.exit("compare.py: %d rows, %d folds, %d predictions: they must match"
                 % (len(rows), len(folds), len(ours)))
    k = max(folds) + 1
    result = {"n": len(rows), "folds": k, "ours": metrics(labels, ours)}
    pred, rate = sklearn_cv(texts, labels, folds, k)
    result["sklearn"] = dict(metrics(labels, pred), predictions_per_s=rate)
    with tempfile.TemporaryDirectory() as tmp:
        pred, rate, ft_rates, ours_rates = fasttext_cv(texts, labels, folds, k, tmp, tyndau, raw)
    result["fasttext"] = dict(metrics(labels, pred), predictions_per_s=rate)
    if ours_rates:
        result["interleaved"] = {
            "tyndau_per_s": ours_rates,
            "fasttext_per_s": ft_rates,
            "ratio_per_fold": [o / f for o, f in zip(ours_rates, ft_rates)],
            "ratio": (sum(ours_rates) / len(ours_rates)) / (sum(ft_rates) / len(ft_rates)),
        }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
