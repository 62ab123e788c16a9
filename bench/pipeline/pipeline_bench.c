/*
 * pipeline_bench.c - throughput of the routing pipeline on one core.
 *
 *   pipeline_bench CSV TEXT_COL LABEL_COL     (CSV without a header, 1-based columns)
 *
 * Trains the router's topic classifier on every row of CSV, then times, each
 * over all texts again and again for at least two seconds after one warm-up
 * pass:
 *   classify   router_predict(): raw text to label (split, language,
 *              scores from the extractor's cached word rows), which is what
 *              fastText's predictions per second measure
 *   pipeline   router_classify() (normalise, tokenise, language, features,
 *              classify, rules) + MinHash signature of the router's tokens
 *              + LSH lookup against an index of every text, as the intake
 *              does it (app/route.c, app/cluster.c)
 * Both in documents per second of wall time (as fastText's figure) and per
 * second of this thread's CPU time (what the work took on a shared core),
 * then each stage alone on its own inputs (CPU microseconds per text: split,
 * lang, features and predict (the full feature vector, as training uses
 * it), scores (features_predict(): what the router does instead of
 * features + predict), minhash from tokens, lsh), and prints name=value lines for
 * bench/pipeline/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "pipeline/classify.h"
#include "pipeline/dataset.h"
#include "pipeline/features.h"
#include "pipeline/lsh.h"
#include "pipeline/minhash.h"
#include "pipeline/router.h"
#include "text/lang.h"
#include "text/stem.h"
#include "text/token.h"

static double
clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time, as fastText's figure is measured. */
static double
now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* This thread's CPU time: on a shared machine, what the work itself took. */
static double
cpu(void)
{
    return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0, k;
    char *p = malloc(cap);
    while ((k = fread(p + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap)
            p = realloc(p, cap *= 2);
    }
    fclose(f);
    *len = n;
    return p;
}

/* What one stage needs of every text, made once before it is timed. */
struct prepared {
    struct token *tok;
    size_t tok_count;
    struct lang_guess guess;
    struct feature *f;
    size_t f_count;
    struct minhash_sig sig;
};

enum stage { ST_SPLIT, ST_LANG, ST_FEATURES, ST_PREDICT, ST_SCORES, ST_MINHASH, ST_LSH, ST__COUNT };
static const char *const stage_name[ST__COUNT] = {"split",  "lang",    "features", "predict",
                                                  "scores", "minhash", "lsh"};

struct ctx {
    const struct dataset_row *rows;
    const struct prepared *pre;
    size_t n;
    const struct lang_model *lm;
    struct lang_memo *memo;
    struct features *fx;
    struct stem *st;
    const struct classifier *m;
    const struct lsh *idx;
};

static void
run_stage(const struct ctx *c, enum stage s, size_t i, struct arena *a)
{
    const struct prepared *p = &c->pre[i];
    struct token *t;
    size_t n;
    struct lang_guess g;
    struct feature *f;
    struct minhash_sig sig;
    uint32_t seqs[16];
    switch (s) {
    case ST_SPLIT:
        (void)token_split(a, c->rows[i].text, &t, &n);
        break;
    case ST_LANG:
        lang_detect_tokens_memo(c->lm, c->memo, p->tok, p->tok_count, &g);
        break;
    case ST_FEATURES:
        features_extract(c->fx, a, p->tok, p->tok_count, p->guess.lang, &f, &n);
        break;
    case ST_PREDICT:
        (void)classify_predict(c->m, p->f, p->f_count, NULL);
        break;
    case ST_SCORES:
        (void)features_predict(c->fx, a, p->tok, p->tok_count, p->guess.lang, c->m, NULL);
        break;
    case ST_MINHASH: {
        uint64_t *h;
        if (minhash_shingles_tokens(c->st, &p->guess, a, p->tok, p->tok_count, &h, &n) == ERR_OK)
            minhash_sign(h, n, &sig);
        break;
    }
    case ST_LSH:
        (void)lsh_query(c->idx, &p->sig, seqs, 16);
        break;
    case ST__COUNT:
        break;
    }
}

/* Microseconds of CPU time per text of stage s: every text for at least
 * half a second after one warm-up pass. */
static double
time_stage(const struct ctx *c, enum stage s)
{
    size_t done = 0;
    double t0 = 0, t = 0;
    for (int pass = 0; pass == 0 || t < 0.5; pass++) {
        if (pass == 1)
            t0 = cpu();
        for (size_t i = 0; i < c->n; i++) {
            struct arena *a = arena_new();
            run_stage(c, s, i, a);
            arena_free(a);
        }
        if (pass > 0) {
            done += c->n;
            t = cpu() - t0;
        }
    }
    return t * 1e6 / (double)done;
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: pipeline_bench CSV TEXT_COL LABEL_COL\n");
        return 2;
    }
    size_t len;
    char *bytes = slurp(argv[1], &len);
    if (!bytes) {
        fprintf(stderr, "pipeline_bench: cannot read %s\n", argv[1]);
        return 1;
    }
    struct arena *ar = arena_new();
    struct dataset_opts o = {.no_header = true, .text_col = argv[2], .label_col = argv[3]};
    struct dataset_row *rows;
    size_t n, skipped;
    const char *why;
    if (dataset_load(ar, (struct str){bytes, len}, &o, &rows, &n, &skipped, &why)) {
        fprintf(stderr, "pipeline_bench: %s: %s\n", argv[1], why);
        return 1;
    }
    struct router *r = router_new(NULL);
    /* Labels: index of the first row with the same label. */
    const char **names = ARENA_ARRAY(ar, const char *, n);
    struct classify_sample *s = ARENA_ARRAY(ar, struct classify_sample, n);
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < nl && strcmp(names[k], rows[i].label.p) != 0)
            k++;
        if (k == nl)
            names[nl++] = rows[i].label.p;
        struct feature *f;
        size_t nf;
        if (router_features(r, ar, rows[i].text, &f, &nf, NULL)) {
            fprintf(stderr, "pipeline_bench: row %zu: cannot compute features\n", i + 1);
            return 1;
        }
        s[i] = (struct classify_sample){f, nf, k};
    }
    struct classifier *m;
    if (classify_train(s, n, names, nl, NULL, &m)) {
        fprintf(stderr, "pipeline_bench: cannot train\n");
        return 1;
    }
    printf("docs=%zu\nclasses=%zu\nfeatures=%zu\n", n, classify_label_count(m),
           classify_feature_count(m));

    /* classify: raw text to label */
    size_t done = 0;
    double t0 = 0, t = 0, c0 = 0, ct = 0;
    for (int pass = 0; pass == 0 || t < 2.0; pass++) {
        if (pass == 1) {
            t0 = now();
            c0 = cpu();
        }
        for (size_t i = 0; i < n; i++) {
            struct arena *a = arena_new();
            size_t best;
            (void)router_predict(r, a, rows[i].text, m, NULL, &best);
            arena_free(a);
        }
        if (pass > 0) {
            done += n;
            t = now() - t0;
            ct = cpu() - c0;
        }
    }
    printf("classify_docs_per_s=%.0f\nclassify_docs_per_cpu_s=%.0f\n", (double)done / t,
           (double)done / ct);

    /* the whole pipeline */
    struct classifier *copy;
    struct buf b = BUF_INIT((size_t)1 << 30);
    classify_save(m, &b);
    size_t used;
    if (buf_failed(&b) || classify_load(b.p, b.len, &used, &copy)) {
        fprintf(stderr, "pipeline_bench: cannot save and load the model\n");
        return 1;
    }
    buf_fini(&b);
    router_swap_model(r, router_model_new(copy, NULL, 1));
    struct lang_model *lm = lang_model_new();
    struct stem *st;
    struct lsh *idx;
    struct lsh_opts lo = {.bands = 32, .rows = 4, .capacity = n, .chain_max = 64};
    if (stem_new(&st) || lsh_new(&lo, &idx)) {
        fprintf(stderr, "pipeline_bench: cannot make the stemmers or the index\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        struct arena *a = arena_new();
        struct minhash_sig sig;
        if (minhash_text(st, lm, a, rows[i].text, &sig) == ERR_OK)
            (void)lsh_insert(idx, &sig);
        arena_free(a);
    }
    done = 0;
    t = 0;
    size_t triage = 0, near = 0;
    uint32_t seqs[LSH_QUERY_MAX];
    for (int pass = 0; pass == 0 || t < 2.0; pass++) {
        if (pass == 1) {
            t0 = now();
            c0 = cpu();
        }
        for (size_t i = 0; i < n; i++) {
            struct arena *a = arena_new();
            struct router_result res;
            struct minhash_sig sig;
            if (router_classify(r, a, rows[i].text, NULL, &res) != ERR_OK) {
                arena_free(a);
                continue;
            }
            triage += pass == 0 && res.why == ROUTER_WHY_LOW;
            uint64_t *h;
            size_t nh;
            /* the router's tokens and language: the text is split once, as
             * in the intake (app/cluster.c) */
            if (minhash_shingles_tokens(st, &res.guess, a, res.tokens, res.token_count, &h, &nh) ==
                ERR_OK) {
                minhash_sign(h, nh, &sig);
                size_t q = lsh_query(idx, &sig, seqs, 16);
                near += pass == 0 && q > 1;
            }
            arena_free(a);
        }
        if (pass > 0) {
            done += n;
            t = now() - t0;
            ct = cpu() - c0;
        }
    }
    printf("pipeline_docs_per_s=%.0f\npipeline_docs_per_cpu_s=%.0f\n", (double)done / t,
           (double)done / ct);
    printf("low_confidence_share=%.3f\nnear_share=%.3f\n", (double)triage / (double)n,
           (double)near / (double)n);

    /* each stage alone */
    struct features *fx;
    if (features_new(&fx)) {
        fprintf(stderr, "pipeline_bench: cannot make the feature extractor\n");
        return 1;
    }
    struct prepared *pre = ARENA_ARRAY(ar, struct prepared, n);
    for (size_t i = 0; i < n; i++) {
        struct prepared *p = &pre[i];
        if (token_split(ar, rows[i].text, &p->tok, &p->tok_count) ||
            minhash_text(st, lm, ar, rows[i].text, &p->sig)) {
            fprintf(stderr, "pipeline_bench: row %zu: cannot split\n", i + 1);
            return 1;
        }
        lang_detect_tokens(lm, p->tok, p->tok_count, &p->guess);
        features_extract(fx, ar, p->tok, p->tok_count, p->guess.lang, &p->f, &p->f_count);
    }
    struct lang_memo *memo = lang_memo_new();
    struct ctx c = {rows, pre, n, lm, memo, fx, st, copy, idx};
    for (int s2 = 0; s2 < ST__COUNT; s2++)
        printf("stage_%s_us=%.2f\n", stage_name[s2], time_stage(&c, (enum stage)s2));
    features_free(fx);
    lang_memo_free(memo);
    lsh_free(idx);
    stem_free(st);
    lang_model_free(lm);
    router_free(r);
    classify_free(m);
    arena_free(ar);
    free(bytes);
    return 0;
}
