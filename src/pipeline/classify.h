/*
 * classify.h - a multi-class linear classifier over hashed features:
 * L2-regularised logistic regression (one against the rest) trained by
 * liblinear, predicted here with class probabilities, saved and loaded as
 * bytes. Exports struct classifier, struct classify_sample, struct
 * classify_opts, struct feature, classify_train(), classify_predict(),
 * classify_sum_rows(), classify_decide(), classify_stamp(), classify_label(),
 * classify_label_count(), classify_feature_count(), classify_save(),
 * classify_load(), classify_bytes_version(), classify_free(), the format
 * number CLASSIFY_VERSION and the limits CLASSIFY_LABELS_MAX,
 * CLASSIFY_FEATURES_MAX, CLASSIFY_LABEL_LEN_MAX, CLASSIFY_SAMPLES_MAX and
 * CLASSIFY_PRUNE_FROM.
 *
 * Only the features seen in training are kept (on a large corpus, only
 * those seen in two examples or more: struct classify_opts): a table from
 * feature id to a row of weights, one per class. A feature the model never saw counts 0.
 * Predictions read each row as int8 weights with a float scale (at most
 * 1/254 of the row's largest weight off); the saved bytes keep the float
 * weights, so a model loaded back predicts exactly as the one saved.
 * Probabilities are liblinear's for this model: each class's logistic score,
 * normalised to sum to 1.
 *
 * Threads: a classifier is read-only once made, so any number of threads
 * may predict with it at once.
 */
#ifndef PIPELINE_CLASSIFY_H
#define PIPELINE_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

enum {
    /* The format of saved bytes. It also names the feature transform the
     * weights were trained on (pipeline/features.h): weights trained on
     * other feature values mean something else, so a model saved in another
     * version is refused, not read. */
    CLASSIFY_VERSION = 4,
    CLASSIFY_LABELS_MAX = 4096,      /* classes in one model */
    CLASSIFY_FEATURES_MAX = 1 << 24, /* distinct features in one model */
    CLASSIFY_LABEL_LEN_MAX = 256,    /* bytes of one class name */
    CLASSIFY_SAMPLES_MAX = 10000000, /* training examples */
    /* From this many training examples on, a feature in only one of them
     * is left out by default (struct classify_opts) */
    CLASSIFY_PRUNE_FROM = 1000,
};

struct classifier; /* opaque */

/* One entry of a sparse feature vector (pipeline/features.h makes them). */
struct feature {
    uint32_t id; /* hashed; never 0 */
    float value;
};

/* One training example: its features (borrowed) and its class, an index
 * into the label names given to classify_train(). */
struct classify_sample {
    const struct feature *f;
    size_t count;
    size_t label;
};

struct classify_opts {
    double c;   /* inverse regularisation strength; 0: the default, 8 */
    double eps; /* liblinear's stopping tolerance; 0: the default, 0.01 */
    /* Features in fewer training examples than this are left out of the
     * model. 0: the default, 2 from CLASSIFY_PRUNE_FROM examples on, else
     * 1. On a large corpus a feature seen once (most of them are the
     * character grams of rare words) ends with a weight near 0 under the
     * L2 penalty, but it costs memory and a lookup; on a small one every
     * example counts. */
    size_t min_count;
};

/*
 * Train on n samples (borrowed) whose labels index labels[0..label_count)
 * (names copied). Classes without a sample are left out of the model.
 * ERR_INVALID if fewer than two classes have samples, a label is out of
 * range, or a name is empty or longer than CLASSIFY_LABEL_LEN_MAX;
 * ERR_TOOBIG past CLASSIFY_SAMPLES_MAX samples, CLASSIFY_LABELS_MAX labels or
 * CLASSIFY_FEATURES_MAX distinct features. Caller owns *out.
 */
enum err classify_train(const struct classify_sample *s, size_t n, const char *const *labels,
                        size_t label_count, const struct classify_opts *o, struct classifier **out);

/* The most probable class of features f[0..n) (borrowed). prob (may be NULL)
 * receives classify_label_count() probabilities, in label order. */
size_t classify_predict(const struct classifier *m, const struct feature *f, size_t n,
                        double *prob);

/* For a caller that sums rows itself (pipeline/features.h caches them per
 * word): score[0..k) += the row of each of ids[0..n), as classify_predict()
 * weighs a feature of value 1; an id m never saw adds nothing. */
void classify_sum_rows(const struct classifier *m, const uint32_t *ids, size_t n, float *score);
/* score[0..k): the sum of value x row over a text's features, without the
 * bias. Adds the bias, then as classify_predict(): the most probable class,
 * probabilities into prob (may be NULL). */
size_t classify_decide(const struct classifier *m, float *score, double *prob);
/* A number drawn at random when m was made or loaded: two classifiers alive
 * at once, or one freed and another made at its address, differ in it, so
 * a cache of rows can tell them apart. */
uint64_t classify_stamp(const struct classifier *m);

size_t classify_label_count(const struct classifier *m);
/* The name of class i (< classify_label_count()); lives as long as m. */
const char *classify_label(const struct classifier *m, size_t i);
size_t classify_feature_count(const struct classifier *m);

/* Append m's bytes to b (check buf_failed() once after). */
void classify_save(const struct classifier *m, struct buf *b);
/* A classifier from bytes p[0..len) that classify_save() wrote; *used is
 * how many it took. ERR_INVALID for anything else (wrong magic or version,
 * truncated, counts past the limits, a bad name). Caller owns *out. */
enum err classify_load(const void *p, size_t len, size_t *used, struct classifier **out);
/* The format version written in classifier bytes p[0..len), or 0 when they
 * do not begin as classifier bytes: to tell a model of an older version
 * (classify_load() refuses it) from damaged bytes. */
uint32_t classify_bytes_version(const void *p, size_t len);
void classify_free(struct classifier *m); /* accepts NULL */

#endif
