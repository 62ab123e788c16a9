/*
 * train.c - features once, k-fold cross-validation, then the model on all
 * examples. Exports what train.h lists; everything else is static.
 */
#include "pipeline/train.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/xalloc.h"

static int
cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted distinct labels of ex into *names (lives in a); their count. */
static size_t
labels_of(struct arena *a, const struct train_example *ex, size_t n, const char ***names)
{
    const char **v = ARENA_ARRAY(a, const char *, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        v[i] = ex[i].label;
    qsort(v, n, sizeof(*v), cmp_cstr);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || strcmp(v[u - 1], v[i]) != 0)
            v[u++] = v[i];
    *names = v;
    return u;
}

static size_t
label_index(const char **names, size_t count, const char *s)
{
    const char **hit = bsearch(&s, names, count, sizeof(*names), cmp_cstr);
    return (size_t)(hit - names);
}

/* A seeded shuffle dealt round-robin: the fold of each example. */
static void
folds_deal(size_t *fold, size_t n, size_t k, uint64_t seed)
{
    size_t *perm = xmalloc(n * sizeof(*perm));
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = n; i > 1; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t j = (size_t)(x % i), t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        fold[perm[i]] = i % k;
    free(perm);
}

/* Accuracy and macro-F1 (over the labels in the truth or the predictions)
 * from a k x k confusion matrix, truth by row. */
static void
score(const size_t *conf, size_t k, size_t total, struct train_metrics *m)
{
    size_t correct = 0, classes = 0;
    double macro = 0;
    for (size_t c = 0; c < k; c++) {
        size_t support = 0, predicted = 0, tp = conf[c * k + c];
        for (size_t j = 0; j < k; j++) {
            support += conf[c * k + j];
            predicted += conf[j * k + c];
        }
        correct += tp;
        if (support == 0 && predicted == 0)
            continue;
        double p = predicted ? (double)tp / (double)predicted : 0;
        double r = support ? (double)tp / (double)support : 0;
        macro += p + r > 0 ? 2 * p * r / (p + r) : 0;
        classes++;
    }
    m->accuracy = total ? (double)correct / (double)total : 0;
    m->macro_f1 = classes ? macro / (double)classes : 0;
}

enum err
train_classifier(struct router *rt, const struct train_example *ex, size_t n,
                 const struct train_opts *o, struct classifier **out, struct train_metrics *m)
{
    *out = NULL;
    *m = (struct train_metrics){.n = n, .folds = o->folds};
    if (o->folds == 1 || o->folds > TRAIN_FOLDS_MAX || (o->folds && n < o->folds))
        return ERR_INVALID;
    if (n > CLASSIFY_SAMPLES_MAX)
        return ERR_TOOBIG;
    for (size_t i = 0; i < n; i++)
        if (!ex[i].label || !*ex[i].label)
            return ERR_INVALID;
    struct arena *a = arena_new();
    struct classify_sample *s = NULL, *fs = NULL;
    size_t *fold = NULL, *conf = NULL;
    struct classifier *cm = NULL;
    const char **names;
    size_t k = labels_of(a, ex, n, &names);
    m->classes = k;
    enum err e = k < 2 ? ERR_INVALID : ERR_OK;
    if (e)
        goto out;
    s = xcalloc(n, sizeof(*s));
    for (size_t i = 0; i < n && !e; i++) {
        struct feature *f = NULL;
        size_t count = 0;
        e = router_features(rt, a, ex[i].text, &f, &count, NULL);
        s[i] = (struct classify_sample){f, count, label_index(names, k, ex[i].label)};
    }
    if (e)
        goto out;
    if (o->folds) {
        fold = xcalloc(n, sizeof(*fold));
        conf = xcalloc(k * k, sizeof(*conf));
        fs = xcalloc(n, sizeof(*fs));
        folds_deal(fold, n, o->folds, o->seed);
        for (size_t f = 0; f < o->folds && !e; f++) {
            size_t used = 0;
            for (size_t i = 0; i < n; i++)
                if (fold[i] != f)
                    fs[used++] = s[i];
            e = classify_train(fs, used, names, k, &o->classify, &cm);
            for (size_t i = 0; i < n && !e; i++) {
                if (fold[i] != f)
                    continue;
                const char *p = classify_label(cm, classify_predict(cm, s[i].f, s[i].count, NULL));
                conf[s[i].label * k + label_index(names, k, p)]++;
            }
            classify_free(cm);
            cm = NULL;
        }
        if (e)
            goto out;
        score(conf, k, n, m);
    }
    e = classify_train(s, n, names, k, &o->classify, out);
    if (!e)
        m->features = classify_feature_count(*out);
out:
    free(s);
    free(fs);
    free(fold);
    free(conf);
    arena_free(a);
    return e;
}

void
train_metrics_json(const struct train_metrics *m, struct buf *b)
{
    buf_printf(b,
               "{\"n\":%zu,\"classes\":%zu,\"features\":%zu,\"folds\":%zu,\"accuracy\":%.4f,"
               "\"macro_f1\":%.4f}",
               m->n, m->classes, m->features, m->folds, m->accuracy, m->macro_f1);
}
