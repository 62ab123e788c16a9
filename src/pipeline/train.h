/*
 * train.h - train a classifier for the router from labelled texts and
 * measure it by k-fold cross-validation on the same texts: what `tyndau
 * train` and the default model use. Exports struct train_example, struct
 * train_opts, struct train_metrics, train_classifier(), train_metrics_json()
 * and TRAIN_FOLDS_MAX.
 *
 * Threads: as router_features(); the router is only read.
 */
#ifndef PIPELINE_TRAIN_H
#define PIPELINE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "pipeline/classify.h"
#include "pipeline/router.h"

enum { TRAIN_FOLDS_MAX = 20 };

struct train_example {
    struct str text;   /* borrowed */
    const char *label; /* borrowed; non-empty */
};

struct train_opts {
    size_t folds;  /* 0: no cross-validation; else 2..TRAIN_FOLDS_MAX */
    uint64_t seed; /* of the fold shuffle */
    struct classify_opts classify;
};

struct train_metrics {
    size_t n;        /* examples */
    size_t classes;  /* distinct labels */
    size_t features; /* in the model trained on everything (see classify_opts.min_count) */
    size_t folds;    /* 0: not cross-validated (accuracy and macro_f1 are 0) */
    double accuracy, macro_f1;
};

/*
 * Features of each text through rt (router_features()), then, with folds,
 * train on all but one fold and score that fold, for each fold; then train
 * on everything into *out (caller owns it). ERR_INVALID for bad options, an
 * empty label, fewer examples than folds or fewer than two labels;
 * ERR_TOOBIG past classify_train()'s limits; router_features()'s errors.
 */
enum err train_classifier(struct router *rt, const struct train_example *ex, size_t n,
                          const struct train_opts *o, struct classifier **out,
                          struct train_metrics *m);

/* m as one JSON object:
 * {"n":..,"classes":..,"features":..,"folds":..,"accuracy":..,"macro_f1":..}. */
void train_metrics_json(const struct train_metrics *m, struct buf *b);

#endif
