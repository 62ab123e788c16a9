/*
 * cmd_train.c - `tyndau train`: train a routing classifier (topic or agency)
 * from a labelled CSV or JSONL file, the seed corpus and officials'
 * corrections in the store (any of them together), measure it by k-fold
 * cross-validation, and store it as the next version of its kind; a running
 * server puts it in place within model_check_ms. `--list` prints the stored
 * versions. Exports cmd_train().
 */
#include "cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/tm.h"
#include "base/util.h"
#include "pipeline/classify.h"
#include "pipeline/dataset.h"
#include "pipeline/router.h"
#include "pipeline/seed.h"
#include "pipeline/train.h"

enum { SEED_PER_DEFAULT = 30, CORRECTIONS_MAX = 1000000, SOURCE_MAX = 1000 };

static const char usage[] =
    "usage: tyndau train [--kind topic|agency] [--folds K] [--c C] [--min-count M]\n"
    "         [--data FILE --text-col N --label-col M [--no-header] [--jsonl]]\n"
    "         [--seed [--seed-per N]] [--corrections]\n"
    "       tyndau train --list\n"
    "  at least one of --data, --seed and --corrections; they add up. --seed is the\n"
    "  generated corpus (topic labels only); --corrections are the appeals officials\n"
    "  routed at triage (topic, agency) or forwarded (agency). K folds, 5 by default\n"
    "  (0: no cross-validation). The model is stored as the next version of its kind.\n"
    "  --min-count M leaves out features in fewer than M examples (default: 2 from\n"
    "  1000 examples on, else 1).\n";

static const char *const valued[] = {"kind",     "folds",     "c",        "data",
                                     "text_col", "label_col", "seed_per", "min_count"};
static const char *const switches[] = {"seed", "corrections", "no_header", "jsonl", "list"};

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
gather(const struct config_args *a, struct args *out)
{
    int next = 0;
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < a->flag_count; i++) {
        int k = index_of(valued, ARRAY_LEN(valued), a->name[i]);
        if (k < 0) {
            int s = index_of(switches, ARRAY_LEN(switches), a->name[i]);
            if (s < 0) {
                fprintf(stderr, "tyndau: train: unknown flag --%s\n%s", a->name[i], usage);
                return false;
            }
            out->sw[s] = strcmp(a->value[i], "false") != 0;
            continue;
        }
        const char *v = a->value[i];
        if (strcmp(v, "true") == 0) {
            if (next == a->pos_count) {
                fprintf(stderr, "tyndau: train: --%s needs a value\n", a->name[i]);
                return false;
            }
            v = a->pos[next++];
        }
        out->v[k] = v;
    }
    if (next < a->pos_count) {
        fprintf(stderr, "tyndau: train: unexpected argument %s\n%s", a->pos[next], usage);
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

static int
list_models(struct store *s)
{
    struct arena *a = arena_new();
    struct model_row *rows;
    size_t n;
    enum err e = store_model_list(s, a, &rows, &n);
    if (e) {
        fprintf(stderr, "tyndau: train: cannot list the models: %s\n", store_errmsg(s));
        arena_free(a);
        return 1;
    }
    printf("%-7s %7s  %-25s %s\n", "kind", "version", "created", "metrics / source");
    for (size_t i = 0; i < n; i++) {
        char when[32];
        tm_format_almaty(rows[i].created_at, when);
        printf("%-7s %7lld  %-25s %s\n%42s%s\n", rows[i].kind, (long long)rows[i].version, when,
               rows[i].metrics, "", rows[i].source);
    }
    arena_free(a);
    return 0;
}

struct examples {
    struct train_example *v;
    size_t n, cap;
};

static void
add(struct examples *ex, struct arena *a, struct str text, const char *label)
{
    if (ex->n == ex->cap) {
        size_t cap = ex->cap ? ex->cap * 2 : 1024;
        struct train_example *w = ARENA_ARRAY(a, struct train_example, cap);
        if (ex->n)
            memcpy(w, ex->v, ex->n * sizeof(*w));
        ex->v = w;
        ex->cap = cap;
    }
    ex->v[ex->n++] = (struct train_example){text, label};
}

struct insert_job {
    struct model_row m;
};

static enum err
insert_run(struct store_tx *tx, void *arg)
{
    struct insert_job *j = arg;
    return store_tx_model_insert(tx, &j->m);
}

int
cmd_train(struct config *c, struct config_args *a)
{
    struct args g;
    if (!gather(a, &g))
        return 2;
    const char *kind = arg(&g, "kind") ? arg(&g, "kind") : "topic";
    if (strcmp(kind, "topic") != 0 && strcmp(kind, "agency") != 0) {
        fprintf(stderr, "tyndau: train: --kind must be topic or agency\n");
        return 2;
    }
    uint64_t folds = 5, per = SEED_PER_DEFAULT;
    if (arg(&g, "folds") &&
        (str_to_u64(str_from_cstr(arg(&g, "folds")), TRAIN_FOLDS_MAX, &folds) || folds == 1)) {
        fprintf(stderr, "tyndau: train: --folds must be 0 or a whole number from 2 to %d\n",
                TRAIN_FOLDS_MAX);
        return 2;
    }
    if (arg(&g, "seed_per") &&
        (str_to_u64(str_from_cstr(arg(&g, "seed_per")), SEED_PER_MAX, &per) || per == 0)) {
        fprintf(stderr, "tyndau: train: --seed-per must be a whole number from 1 to %d\n",
                SEED_PER_MAX);
        return 2;
    }
    struct classify_opts co;
    if (!cli_classify_opts("train", arg(&g, "c"), arg(&g, "min_count"), &co))
        return 2;
    const char *data = arg(&g, "data");
    bool list = sw(&g, "list");
    if (!list && !data && !sw(&g, "seed") && !sw(&g, "corrections")) {
        fprintf(stderr, "tyndau: train: give --data, --seed or --corrections\n%s", usage);
        return 2;
    }
    if (data && (!arg(&g, "text_col") || !arg(&g, "label_col"))) {
        fprintf(stderr, "tyndau: train: --data needs --text-col and --label-col\n");
        return 2;
    }
    if (sw(&g, "seed") && strcmp(kind, "topic") != 0) {
        fprintf(stderr, "tyndau: train: the seed corpus has topic labels only\n");
        return 2;
    }
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    if (list) {
        int rc = list_models(s);
        store_close(s);
        return rc;
    }
    int rc = 1;
    struct arena *ar = arena_new();
    struct router *rt = router_new(NULL);
    struct classifier *m = NULL;
    struct buf bytes = BUF_INIT(STORE_MODEL_BYTES_MAX);
    struct buf src = BUF_INIT(SOURCE_MAX);
    struct examples ex = {0};
    if (data) {
        struct dataset_opts o = {.jsonl = sw(&g, "jsonl"),
                                 .no_header = sw(&g, "no_header"),
                                 .text_col = arg(&g, "text_col"),
                                 .label_col = arg(&g, "label_col")};
        struct dataset_row *rows;
        size_t n;
        if (!cli_dataset_read("train", ar, data, &o, &rows, &n))
            goto out;
        for (size_t i = 0; i < n; i++)
            add(&ex, ar, rows[i].text, rows[i].label.p);
        /* The file's name only: a path may say more than it should. */
        const char *base = strrchr(data, '/');
        buf_printf(&src, "%sfile %s (%zu rows)", src.len ? ", " : "", base ? base + 1 : data, n);
    }
    if (sw(&g, "seed")) {
        struct seed_row *rows;
        size_t n;
        if (seed_corpus(ar, 1, (size_t)per, &rows, &n)) {
            fprintf(stderr, "tyndau: train: cannot generate the seed corpus\n");
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            add(&ex, ar, rows[i].text, rows[i].topic);
        buf_printf(&src, "%sseed corpus v%d (%zu generated texts)", src.len ? ", " : "",
                   SEED_VERSION, n);
    }
    if (sw(&g, "corrections")) {
        struct correction_row *rows;
        size_t n;
        if (store_corrections(s, ar, kind, CORRECTIONS_MAX, &rows, &n)) {
            fprintf(stderr, "tyndau: train: cannot read the corrections: %s\n", store_errmsg(s));
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            add(&ex, ar, str_from_cstr(rows[i].text), rows[i].label);
        buf_printf(&src, "%s%zu officials' corrections", src.len ? ", " : "", n);
    }
    if (folds && ex.n < folds) {
        fprintf(stderr, "tyndau: train: %zu examples cannot make %llu folds\n", ex.n,
                (unsigned long long)folds);
        goto out;
    }
    struct train_metrics mt;
    struct train_opts to = {.folds = (size_t)folds, .seed = 1, .classify = co};
    enum err e = train_classifier(rt, ex.v, ex.n, &to, &m, &mt);
    if (e) {
        fprintf(stderr, "tyndau: train: cannot train: %s%s\n", err_name(e),
                e == ERR_INVALID ? " (fewer than two labels?)" : "");
        goto out;
    }
    classify_save(m, &bytes);
    struct buf mj = BUF_INIT(1024);
    train_metrics_json(&mt, &mj);
    buf_putc(&mj, '\0');
    buf_putc(&src, '\0');
    if (buf_failed(&bytes) || buf_failed(&mj) || buf_failed(&src)) {
        buf_fini(&mj);
        fprintf(stderr, "tyndau: train: the model is larger than the store takes\n");
        goto out;
    }
    struct insert_job j = {.m = {.kind = kind,
                                 .created_at = tm_now(),
                                 .source = src.p,
                                 .metrics = arena_strdup(ar, mj.p),
                                 .bytes = bytes.p,
                                 .bytes_len = bytes.len}};
    buf_fini(&mj);
    e = store_write(s, insert_run, &j);
    if (e) {
        fprintf(stderr, "tyndau: train: cannot store the model: %s\n", store_errmsg(s));
        goto out;
    }
    printf("%s model version %lld: %zu examples, %zu labels, %zu features\n", kind,
           (long long)j.m.version, mt.n, mt.classes, mt.features);
    if (mt.folds)
        printf("%zu-fold cross-validation: accuracy %.4f, macro-F1 %.4f\n", mt.folds, mt.accuracy,
               mt.macro_f1);
    else
        printf("not cross-validated (--folds 0)\n");
    rc = 0;
out:
    buf_fini(&bytes);
    buf_fini(&src);
    classify_free(m);
    router_free(rt);
    arena_free(ar);
    store_close(s);
    return rc;
}
