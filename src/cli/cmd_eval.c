/*
 * cmd_eval.c - `tyndau eval`: train the router's classifier on one labelled
 * file and score it on another, or by k-fold cross-validation on one file:
 * accuracy, macro-F1, a per-class table and the most confused pairs, or one
 * JSON object with --json. Also the loading, options and training that
 * `tyndau train` shares. Exports cmd_eval(), cli_dataset_read() and
 * cli_classify_opts().
 */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "base/xalloc.h"
#include "pipeline/classify.h"
#include "pipeline/dataset.h"
#include "pipeline/router.h"

#define FILE_MAX ((size_t)1 << 30)
enum { FOLDS_MAX = 100, CONFUSED_SHOWN = 10, MIN_COUNT_MAX = 1000 };

static const char usage[] =
    "usage: tyndau eval --train A (--test B | --folds K) --text-col N --label-col M\n"
    "         [--no-header] [--jsonl] [--json] [--seed S] [--c C] [--min-count M]\n"
    "         [--folds-out F | --folds-from F] [--predictions-out P]\n"
    "  columns by number (1 for the first) or header name / JSON key; CSV unless the\n"
    "  file name ends in .jsonl or .ndjson, or --jsonl; HTML in the text is stripped\n"
    "  --folds-out writes each row's fold (0..K-1, one a line); --folds-from reads them\n"
    "  --predictions-out writes the predicted label of each test row, one a line\n"
    "  --min-count M leaves out features in fewer than M training rows (default: 2\n"
    "  from 1000 rows on, else 1)\n"
    "       tyndau eval dedupe ...   (near-duplicate search; see tyndau eval dedupe --help)\n";

static const char *const valued[] = {
    "train", "test",      "folds",      "text_col",        "label_col", "seed",
    "c",     "folds_out", "folds_from", "predictions_out", "min_count"};
static const char *const switches[] = {"json", "no_header", "jsonl"};

struct args {
    const char *v[ARRAY_LEN(valued)];
    bool sw[ARRAY_LEN(switches)];
};

static int
index_of(const char *const *set, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], name) == 0)
            return (int)i;
    return -1;
}

/* config_load() keeps "--name value" as a switch and a positional: pair
 * them again, in order. */
static bool
gather(const char *cmd, const struct config_args *a, struct args *out, const char *const *val,
       size_t nval, const char *const *sw, size_t nsw, const char *use)
{
    int next = 0;
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < a->flag_count; i++) {
        int k = index_of(val, nval, a->name[i]);
        if (k < 0) {
            int s = index_of(sw, nsw, a->name[i]);
            if (s < 0) {
                fprintf(stderr, "tyndau: %s: unknown flag --%s\n%s", cmd, a->name[i], use);
                return false;
            }
            out->sw[s] = strcmp(a->value[i], "false") != 0;
            continue;
        }
        const char *v = a->value[i];
        if (strcmp(v, "true") == 0) {
            if (next == a->pos_count) {
                fprintf(stderr, "tyndau: %s: --%s needs a value\n", cmd, a->name[i]);
                return false;
            }
            v = a->pos[next++];
        }
        out->v[k] = v;
    }
    if (next < a->pos_count) {
        fprintf(stderr, "tyndau: %s: unexpected argument %s\n%s", cmd, a->pos[next], use);
        return false;
    }
    return true;
}

static const char *
arg(const struct args *g, const char *name)
{
    return g->v[index_of(valued, ARRAY_LEN(valued), name)];
}

static bool
sw(const struct args *g, const char *name)
{
    return g->sw[index_of(switches, ARRAY_LEN(switches), name)];
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The whole file in memory (caller frees), at most FILE_MAX bytes. */
static char *
slurp(const char *cmd, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tyndau: %s: cannot open %s: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    struct buf b = BUF_INIT(FILE_MAX);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || buf_failed(&b)) {
        fprintf(stderr, "tyndau: %s: cannot read %s: %s\n", cmd, path,
                bad ? "read error" : "larger than 1 GiB");
        buf_fini(&b);
        return NULL;
    }
    size_t l;
    char *p = buf_detach(&b, &l);
    *len = l;
    return p ? p : xcalloc(1, 1);
}

bool
cli_dataset_read(const char *cmd, struct arena *a, const char *path, const struct dataset_opts *o,
                 struct dataset_row **rows, size_t *count)
{
    size_t len = 0, skipped = 0;
    char *bytes = slurp(cmd, path, &len);
    if (!bytes)
        return false;
    struct dataset_opts opts = *o;
    opts.jsonl = o->jsonl || ends_with(path, ".jsonl") || ends_with(path, ".ndjson");
    const char *why = NULL;
    enum err e = dataset_load(a, (struct str){bytes, len}, &opts, rows, count, &skipped, &why);
    free(bytes);
    if (e) {
        fprintf(stderr, "tyndau: %s: %s: %s\n", cmd, path, why ? why : err_name(e));
        return false;
    }
    if (skipped)
        fprintf(stderr, "tyndau: %s: %s: %zu rows without text or label skipped\n", cmd, path,
                skipped);
    if (*count == 0) {
        fprintf(stderr, "tyndau: %s: %s: no labelled rows\n", cmd, path);
        return false;
    }
    return true;
}

/* Label names: sorted, distinct. */
struct labels {
    const char **name;
    size_t count;
};

static int
cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
labels_add(struct labels *l, struct arena *a, const struct dataset_row *r, size_t n)
{
    const char **all = ARENA_ARRAY(a, const char *, l->count + n);
    memcpy(all, l->name, l->count * sizeof(*all));
    for (size_t i = 0; i < n; i++)
        all[l->count + i] = r[i].label.p;
    size_t total = l->count + n, u = 0;
    qsort(all, total, sizeof(*all), cmp_cstr);
    for (size_t i = 0; i < total; i++)
        if (u == 0 || strcmp(all[u - 1], all[i]) != 0)
            all[u++] = all[i];
    l->name = all;
    l->count = u;
}

static size_t
labels_find(const struct labels *l, const char *s)
{
    const char **hit = bsearch(&s, l->name, l->count, sizeof(*l->name), cmp_cstr);
    return hit ? (size_t)(hit - l->name) : l->count;
}

/* The features of each row, computed once: they do not depend on the fold. */
struct featured {
    struct feature **f;
    size_t *n;
};

static enum err
featurise(struct arena *a, struct router *rt, const struct dataset_row *r, size_t n,
          struct featured *out)
{
    enum err e = ERR_OK;
    out->f = ARENA_ARRAY(a, struct feature *, n);
    out->n = ARENA_ARRAY(a, size_t, n);
    for (size_t i = 0; i < n && !e; i++)
        e = router_features(rt, a, r[i].text, &out->f[i], &out->n[i], NULL);
    return e;
}

static enum err
train_subset(const struct featured *ft, const size_t *label, const bool *use, size_t n,
             const struct labels *l, const struct classify_opts *o, struct classifier **out)
{
    size_t k = 0;
    struct classify_sample *s = xcalloc(n ? n : 1, sizeof(*s));
    for (size_t i = 0; i < n; i++)
        if (use[i])
            s[k++] = (struct classify_sample){ft->f[i], ft->n[i], label[i]};
    enum err e = classify_train(s, k, l->name, l->count, o, out);
    free(s);
    return e;
}

struct scores {
    size_t n, correct;
    size_t *conf; /* k x k: truth row, predicted column */
    size_t k;
};

static void
print_or_json(const struct scores *sc, const struct labels *l, bool json, size_t n_train,
              double pred_per_s, const char *mode)
{
    size_t k = sc->k;
    double macro = 0;
    size_t classes = 0;
    double *prec = xcalloc(k, sizeof(double)), *rec = xcalloc(k, sizeof(double)),
           *f1 = xcalloc(k, sizeof(double));
    size_t *support = xcalloc(k, sizeof(size_t)), *predicted = xcalloc(k, sizeof(size_t));
    for (size_t t = 0; t < k; t++)
        for (size_t p = 0; p < k; p++) {
            support[t] += sc->conf[t * k + p];
            predicted[p] += sc->conf[t * k + p];
        }
    for (size_t c = 0; c < k; c++) {
        if (support[c] == 0 && predicted[c] == 0)
            continue; /* as scikit-learn: classes in the truth or the predictions */
        size_t tp = sc->conf[c * k + c];
        prec[c] = predicted[c] ? (double)tp / (double)predicted[c] : 0;
        rec[c] = support[c] ? (double)tp / (double)support[c] : 0;
        f1[c] = prec[c] + rec[c] > 0 ? 2 * prec[c] * rec[c] / (prec[c] + rec[c]) : 0;
        macro += f1[c];
        classes++;
    }
    macro = classes ? macro / (double)classes : 0;
    double acc = sc->n ? (double)sc->correct / (double)sc->n : 0;
    /* The most confused pairs, by count. */
    size_t top_t[CONFUSED_SHOWN], top_p[CONFUSED_SHOWN], top_c[CONFUSED_SHOWN], shown = 0;
    for (size_t t = 0; t < k; t++)
        for (size_t p = 0; p < k; p++) {
            size_t c = sc->conf[t * k + p];
            if (t == p || c == 0)
                continue;
            size_t at = shown < CONFUSED_SHOWN ? shown++ : CONFUSED_SHOWN - 1;
            if (at == CONFUSED_SHOWN - 1 && shown == CONFUSED_SHOWN && top_c[at] >= c)
                continue;
            while (at > 0 && top_c[at - 1] < c) {
                top_t[at] = top_t[at - 1], top_p[at] = top_p[at - 1], top_c[at] = top_c[at - 1];
                at--;
            }
            top_t[at] = t, top_p[at] = p, top_c[at] = c;
        }
    if (json) {
        struct buf b = BUF_INIT((size_t)1 << 24);
        buf_printf(&b,
                   "{\"mode\":\"%s\",\"accuracy\":%.6f,\"macro_f1\":%.6f,\"n_train\":%zu,"
                   "\"n_test\":%zu,\"classes\":%zu,\"predictions_per_s\":%.0f,\"per_class\":[",
                   mode, acc, macro, n_train, sc->n, classes, pred_per_s);
        bool first = true;
        for (size_t c = 0; c < k; c++) {
            if (support[c] == 0 && predicted[c] == 0)
                continue;
            buf_printf(&b, "%s{\"label\":", first ? "" : ",");
            buf_append_json_str(&b, l->name[c], strlen(l->name[c]));
            buf_printf(&b, ",\"support\":%zu,\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f}",
                       support[c], prec[c], rec[c], f1[c]);
            first = false;
        }
        buf_puts(&b, "],\"confused\":[");
        for (size_t i = 0; i < shown; i++) {
            buf_printf(&b, "%s{\"truth\":", i ? "," : "");
            buf_append_json_str(&b, l->name[top_t[i]], strlen(l->name[top_t[i]]));
            buf_puts(&b, ",\"predicted\":");
            buf_append_json_str(&b, l->name[top_p[i]], strlen(l->name[top_p[i]]));
            buf_printf(&b, ",\"count\":%zu}", top_c[i]);
        }
        buf_puts(&b, "]}\n");
        size_t len;
        char *s = buf_detach(&b, &len);
        fwrite(s, 1, len, stdout);
        free(s);
    } else {
        printf("%s: %zu training rows, %zu scored, %zu classes\n", mode, n_train, sc->n, classes);
        printf("accuracy    %.4f\nmacro-F1    %.4f\npredictions %.0f per second (one thread,"
               " features included)\n\n",
               acc, macro, pred_per_s);
        printf("%-40s %7s %9s %7s %7s\n", "class", "support", "precision", "recall", "F1");
        for (size_t c = 0; c < k; c++)
            if (support[c] || predicted[c])
                printf("%-40.40s %7zu %9.3f %7.3f %7.3f\n", l->name[c], support[c], prec[c], rec[c],
                       f1[c]);
        if (shown)
            printf("\nmost confused (truth -> predicted: count)\n");
        for (size_t i = 0; i < shown; i++)
            printf("  %.40s -> %.40s: %zu\n", l->name[top_t[i]], l->name[top_p[i]], top_c[i]);
    }
    free(prec);
    free(rec);
    free(f1);
    free(support);
    free(predicted);
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
cli_classify_opts(const char *cmd, const char *c, const char *min_count, struct classify_opts *o)
{
    double cval = 0;
    uint64_t mc = 0;
    if (c && (str_to_double(str_from_cstr(c), &cval) || !(cval > 0 && cval <= 1e6))) {
        fprintf(stderr, "tyndau: %s: --c must be a number in (0, 1e6]\n", cmd);
        return false;
    }
    if (min_count && (str_to_u64(str_from_cstr(min_count), MIN_COUNT_MAX, &mc) || mc == 0)) {
        fprintf(stderr, "tyndau: %s: --min-count must be a whole number from 1 to %d\n", cmd,
                MIN_COUNT_MAX);
        return false;
    }
    *o = (struct classify_opts){.c = cval, .min_count = (size_t)mc};
    return true;
}

/* Predictions per second of m from raw text, on one thread, as the router
 * makes them (router_predict(): split, language, cached word rows): after
 * one pass to warm the word cache, SPEED_ROUNDS rounds of every text again
 * and again for at least SPEED_ROUND_S each, and the fastest round, as a
 * shared machine slows some rounds down. eval measures each fold's model
 * on that fold's test texts and reports the mean over the folds, as
 * bench/pipeline/compare.py measures fastText: the fastest of three runs
 * per fold, averaged. */
enum { SPEED_ROUNDS = 3 };
#define SPEED_ROUND_S 0.2

static double
speed(const struct classifier *m, struct router *rt, const struct dataset_row *r, size_t n)
{
    if (n == 0)
        return 0;
    double best = 0;
    for (int round = -1; round < SPEED_ROUNDS; round++) {
        size_t done = 0;
        double t0 = now_s(), t = 0;
        do {
            for (size_t i = 0; i < n; i++) {
                struct arena *a = arena_new();
                size_t top;
                (void)router_predict(rt, a, r[i].text, m, NULL, &top);
                arena_free(a);
            }
            done += n;
            t = now_s() - t0;
        } while (round >= 0 && t < SPEED_ROUND_S);
        if (round >= 0 && (double)done / t > best)
            best = (double)done / t;
    }
    return best;
}

/* Fold of each row: a seeded shuffle dealt round-robin, or read from a file. */
static bool
folds_assign(size_t n, size_t k, uint64_t seed, const char *from, const char *to, size_t *fold)
{
    if (from) {
        FILE *f = fopen(from, "r");
        if (!f) {
            fprintf(stderr, "tyndau: eval: cannot open %s: %s\n", from, strerror(errno));
            return false;
        }
        char line[64];
        size_t i = 0;
        bool ok = true;
        while (ok && fgets(line, sizeof(line), f)) {
            uint64_t v;
            size_t len = strcspn(line, "\r\n");
            if (i >= n || str_to_u64((struct str){line, len}, k - 1, &v) != ERR_OK)
                ok = false;
            else
                fold[i++] = (size_t)v;
        }
        fclose(f);
        if (!ok || i != n) {
            fprintf(stderr, "tyndau: eval: %s: want %zu lines, each a fold number from 0 to %zu\n",
                    from, n, k - 1);
            return false;
        }
        return true;
    }
    size_t *perm = xmalloc(n * sizeof(*perm));
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = n; i > 1; i--) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t j = (size_t)(x % i);
        size_t tmp = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = tmp;
    }
    for (size_t i = 0; i < n; i++)
        fold[perm[i]] = i % k;
    free(perm);
    if (to) {
        FILE *f = fopen(to, "w");
        if (!f) {
            fprintf(stderr, "tyndau: eval: cannot write %s: %s\n", to, strerror(errno));
            return false;
        }
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%zu\n", fold[i]);
        if (fclose(f) != 0) {
            fprintf(stderr, "tyndau: eval: cannot write %s\n", to);
            return false;
        }
    }
    return true;
}

int
cmd_eval(struct config *c, struct config_args *a)
{
    (void)c;
    struct args g;
    if (a->pos_count > 0 && strcmp(a->pos[0], "dedupe") == 0) {
        fprintf(stderr, "tyndau: eval: put dedupe first: tyndau eval dedupe ...\n");
        return 2;
    }
    if (!gather("eval", a, &g, valued, ARRAY_LEN(valued), switches, ARRAY_LEN(switches), usage))
        return 2;
    const char *train_path = arg(&g, "train"), *test_path = arg(&g, "test");
    const char *folds_s = arg(&g, "folds");
    if (!train_path || (!test_path) == (!folds_s) || !arg(&g, "text_col") ||
        !arg(&g, "label_col")) {
        fprintf(stderr,
                "tyndau: eval: give --train, one of --test and --folds, --text-col and "
                "--label-col\n%s",
                usage);
        return 2;
    }
    uint64_t k = 0, seed = 1;
    if (folds_s && (str_to_u64(str_from_cstr(folds_s), FOLDS_MAX, &k) || k < 2)) {
        fprintf(stderr, "tyndau: eval: --folds must be a whole number from 2 to %d\n", FOLDS_MAX);
        return 2;
    }
    if (arg(&g, "seed") && str_to_u64(str_from_cstr(arg(&g, "seed")), UINT64_MAX, &seed)) {
        fprintf(stderr, "tyndau: eval: --seed must be a whole number\n");
        return 2;
    }
    struct classify_opts co;
    if (!cli_classify_opts("eval", arg(&g, "c"), arg(&g, "min_count"), &co))
        return 2;
    int rc = 1;
    struct arena *ar = arena_new();
    struct router *rt = router_new(NULL);
    struct dataset_opts o = {.jsonl = sw(&g, "jsonl"),
                             .no_header = sw(&g, "no_header"),
                             .text_col = arg(&g, "text_col"),
                             .label_col = arg(&g, "label_col")};
    struct dataset_row *tr = NULL, *te = NULL;
    size_t ntr = 0, nte = 0;
    struct classifier *m = NULL;
    size_t *fold = NULL;
    struct scores sc = {0};
    struct labels l = {0};
    FILE *pred_out = NULL;
    if (!cli_dataset_read("eval", ar, train_path, &o, &tr, &ntr))
        goto out;
    if (test_path && !cli_dataset_read("eval", ar, test_path, &o, &te, &nte))
        goto out;
    if (folds_s && ntr < k) {
        fprintf(stderr, "tyndau: eval: %zu rows cannot make %llu folds\n", ntr,
                (unsigned long long)k);
        goto out;
    }
    labels_add(&l, ar, tr, ntr);
    if (te)
        labels_add(&l, ar, te, nte);
    /* All rows in one array: training rows first, then the test rows. */
    size_t n = ntr + nte;
    struct dataset_row *rows = ARENA_ARRAY(ar, struct dataset_row, n);
    memcpy(rows, tr, ntr * sizeof(*rows));
    if (nte)
        memcpy(rows + ntr, te, nte * sizeof(*rows));
    size_t *label = ARENA_ARRAY(ar, size_t, n);
    for (size_t i = 0; i < n; i++)
        label[i] = labels_find(&l, rows[i].label.p);
    struct featured ft;
    if (featurise(ar, rt, rows, n, &ft)) {
        fprintf(stderr, "tyndau: eval: cannot compute features\n");
        goto out;
    }
    size_t *predicted = ARENA_ARRAY(ar, size_t, n);
    struct dataset_row *held = ARENA_ARRAY(ar, struct dataset_row, n); /* a fold's test rows */
    double pps = 0;
    bool *use = ARENA_ARRAY(ar, bool, n);
    size_t folds = folds_s ? (size_t)k : 1, n_train = 0;
    fold = xcalloc(n, sizeof(*fold));
    if (folds_s && !folds_assign(n, folds, seed, arg(&g, "folds_from"), arg(&g, "folds_out"), fold))
        goto out;
    for (size_t f = 0; f < folds; f++) {
        for (size_t i = 0; i < n; i++)
            use[i] = folds_s ? fold[i] != f : i < ntr;
        classify_free(m);
        m = NULL;
        enum err e = train_subset(&ft, label, use, n, &l, &co, &m);
        if (e) {
            fprintf(stderr, "tyndau: eval: cannot train%s: %s\n",
                    e == ERR_INVALID ? " (fewer than two classes?)" : "", err_name(e));
            goto out;
        }
        size_t nheld = 0;
        for (size_t i = 0; i < n; i++) {
            if (use[i])
                continue;
            size_t best = classify_predict(m, ft.f[i], ft.n[i], NULL);
            predicted[i] = labels_find(&l, classify_label(m, best));
            held[nheld++] = rows[i];
        }
        pps += speed(m, rt, held, nheld) / (double)folds;
    }
    /* Per fold, the rows of the other folds: on average n (k - 1) / k. */
    n_train = folds_s ? (size_t)((double)n * (double)(folds - 1) / (double)folds + 0.5) : ntr;
    sc.k = l.count;
    sc.conf = xcalloc(l.count * l.count, sizeof(*sc.conf));
    if (arg(&g, "predictions_out")) {
        pred_out = fopen(arg(&g, "predictions_out"), "w");
        if (!pred_out) {
            fprintf(stderr, "tyndau: eval: cannot write %s: %s\n", arg(&g, "predictions_out"),
                    strerror(errno));
            goto out;
        }
    }
    for (size_t i = folds_s ? 0 : ntr; i < n; i++) {
        sc.n++;
        sc.correct += predicted[i] == label[i];
        sc.conf[label[i] * l.count + predicted[i]]++;
        if (pred_out)
            fprintf(pred_out, "%s\n", l.name[predicted[i]]);
    }
    print_or_json(&sc, &l, sw(&g, "json"), n_train, pps,
                  folds_s ? "cross-validation" : "train/test");
    rc = 0;
out:
    if (pred_out && fclose(pred_out) != 0) {
        fprintf(stderr, "tyndau: eval: cannot write %s\n", arg(&g, "predictions_out"));
        rc = 1;
    }
    free(sc.conf);
    free(fold);
    classify_free(m);
    router_free(rt);
    arena_free(ar);
    return rc;
}
