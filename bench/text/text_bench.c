/*
 * text_bench.c - throughput of the text layer on one core, documents per
 * second per stage and for all of it together.
 *
 *   text_bench [DATA_DIR]     (DATA_DIR defaults to ../shared/data)
 *
 * The documents are the Kursk appeals (DATA_DIR/kursk-appeals/
 * train_dataset_train.csv, column 2, HTML stripped) when present, else
 * 2,000 texts from text/piigen.h mixed with the seed corpus. Each stage
 * runs over all documents repeatedly for at least a second. "all" is what
 * the intake path does: redact, normalise, tokenise, guess the language,
 * fold and stem every word.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "bench/text/csv.h"
#include "text/lang.h"
#include "text/lang_corpus.h"
#include "text/normalise.h"
#include "text/piigen.h"
#include "text/redact.h"
#include "text/stem.h"
#include "text/token.h"
#include "text/translit.h"

enum stage { NORMALISE, TOKENS, LANG, FOLD, REDACT, STEM, ALL, STAGES };
static const char *const names[STAGES] = {"normalise", "tokenise",   "language", "fold",
                                          "redact",    "stem words", "all of it"};

struct docs {
    struct str *d;
    size_t n, bytes;
};

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
push(struct docs *ds, const char *p, size_t n)
{
    ds->d = realloc(ds->d, (ds->n + 1) * sizeof(*ds->d));
    char *c = malloc(n + 1);
    memcpy(c, p, n);
    c[n] = '\0';
    ds->d[ds->n++] = (struct str){c, n};
    ds->bytes += n;
}

static const char *
load(struct docs *ds, const char *dir)
{
    char path[4096];
    struct csv c;
    snprintf(path, sizeof(path), "%s/kursk-appeals/train_dataset_train.csv", dir);
    if (csv_open(&c, path)) {
        while (csv_next(&c))
            if (c.count > 1)
                push(ds, c.field[1], csv_strip_html(c.field[1], c.field_len[1]));
        csv_close(&c);
        return "Kursk appeals";
    }
    struct piigen g;
    struct arena *a = arena_new();
    piigen_init(&g, 1);
    for (int i = 0; i < 2000; i++) {
        struct piigen_sample s;
        if (i % 2)
            piigen_pii(&g, a, &s);
        else
            piigen_clean(&g, a, &s);
        size_t n;
        const char *const *sent = lang_corpus_get((enum lang)(1 + i % 3), &n);
        char buf[4096];
        int len = snprintf(buf, sizeof(buf), "%s %.*s %s", sent[i % n], (int)s.text.len, s.text.p,
                           sent[(i * 7) % n]);
        push(ds, buf, (size_t)len);
    }
    arena_free(a);
    return "generated texts and seed sentences";
}

static void
run(enum stage st, const struct docs *ds, const struct lang_model *m, struct stem *sm)
{
    size_t done = 0;
    double t0 = now(), t;
    do {
        for (size_t i = 0; i < ds->n; i++) {
            struct arena *a = arena_new();
            struct str s = ds->d[i], out;
            struct token *tok;
            size_t nt;
            struct lang_guess g;
            enum lang l = LANG_ID_RU;
            switch (st) {
            case NORMALISE:
                (void)normalise_text(a, s, &out);
                break;
            case TOKENS:
                (void)token_split(a, s, &tok, &nt);
                break;
            case LANG:
                (void)lang_detect(m, a, s, &g);
                break;
            case FOLD:
                (void)translit_fold(a, s, &out);
                break;
            case REDACT:
                (void)redact_text(a, s, &out, NULL, NULL);
                break;
            case ALL:
                (void)redact_text(a, s, &s, NULL, NULL);
                (void)normalise_text(a, s, &out);
                if (lang_detect(m, a, s, &g) == ERR_OK)
                    l = g.lang;
                (void)translit_fold(a, s, &out);
                /* fall through: stem every word */
                __attribute__((fallthrough));
            case STEM:
                if (token_split(a, s, &tok, &nt) == ERR_OK)
                    for (size_t k = 0; k < nt; k++)
                        if (tok[k].kind == TOKEN_WORD)
                            (void)stem_word(sm, a, l, tok[k].norm, &out);
                break;
            case STAGES:
                break;
            }
            arena_free(a);
            done++;
        }
        t = now() - t0;
    } while (t < 1.0);
    printf("  %-11s %9.0f docs/s  %7.1f MB/s\n", names[st], (double)done / t,
           (double)ds->bytes * ((double)done / (double)ds->n) / t / 1e6);
}

int
main(int argc, char **argv)
{
    struct docs ds = {0};
    const char *what = load(&ds, argc > 1 ? argv[1] : "../shared/data");
    struct lang_model *m = lang_model_new();
    struct stem *sm = NULL;
    if (stem_new(&sm) != ERR_OK) {
        fprintf(stderr, "text_bench: cannot make the stemmers\n");
        return 1;
    }
    printf("%zu documents (%s), %.0f bytes each on average, one thread\n", ds.n, what,
           (double)ds.bytes / (double)ds.n);
    for (int s = 0; s < STAGES; s++)
        run((enum stage)s, &ds, m, sm);
    stem_free(sm);
    lang_model_free(m);
    for (size_t i = 0; i < ds.n; i++)
        free((void *)ds.d[i].p);
    free(ds.d);
    return 0;
}
