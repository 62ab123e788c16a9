/*
 * redact_eval.c - recall and false positives of text/redact.h on the
 * labelled corpus of text/piigen.h.
 *
 *   redact_eval [SEED [PII_TEXTS [CLEAN_TEXTS]]]   defaults 20260301 2000 2500
 *   redact_eval --dump SEED N                      print N labelled samples (TSV)
 *
 * Recall: an item counts as found when one span of its kind covers all of
 * it. False positives: a text without personal data in which any span was
 * found (the rate the goal of 2% is about), and spans in the texts with
 * personal data that touch none of its items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "text/piigen.h"
#include "text/redact.h"

static unsigned long
arg(int argc, char **argv, int i, unsigned long def)
{
    return argc > i ? strtoul(argv[i], NULL, 10) : def;
}

static bool
covered(const struct piigen_item *it, const struct redact_span *sp, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (sp[k].kind == it->kind && sp[k].off <= it->off &&
            sp[k].off + sp[k].len >= it->off + it->len)
            return true;
    return false;
}

static bool
touches(const struct redact_span *sp, const struct piigen_sample *s)
{
    for (size_t k = 0; k < s->item_count; k++)
        if (sp->off < s->items[k].off + s->items[k].len && s->items[k].off < sp->off + sp->len)
            return true;
    return false;
}

static void
dump(unsigned long seed, unsigned long n)
{
    struct piigen g;
    piigen_init(&g, seed);
    for (unsigned long i = 0; i < n; i++) {
        struct arena *a = arena_new();
        struct piigen_sample s;
        if (i % 2)
            piigen_clean(&g, a, &s);
        else
            piigen_pii(&g, a, &s);
        printf("%s\t%.*s", lang_code(s.lang), (int)s.text.len, s.text.p);
        for (size_t k = 0; k < s.item_count; k++)
            printf("\t%s@%zu+%zu", redact_placeholder(s.items[k].kind), s.items[k].off,
                   s.items[k].len);
        printf("\n");
        arena_free(a);
    }
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--dump") == 0) {
        dump(arg(argc, argv, 2, 20260301), arg(argc, argv, 3, 20));
        return 0;
    }
    unsigned long seed = arg(argc, argv, 1, 20260301), npii = arg(argc, argv, 2, 2000),
                  nclean = arg(argc, argv, 3, 2500);
    struct piigen g;
    piigen_init(&g, seed);
    size_t items = 0, found = 0, per[REDACT__COUNT][32][2] = {{{0}}};
    size_t extra = 0, fp_texts = 0, fp_spans[REDACT__COUNT] = {0};
    for (unsigned long i = 0; i < npii; i++) {
        struct arena *a = arena_new();
        struct piigen_sample s;
        struct redact_span *sp;
        size_t n;
        piigen_pii(&g, a, &s);
        if (redact_scan(a, s.text, &sp, &n) == ERR_OK) {
            for (size_t k = 0; k < s.item_count; k++) {
                bool ok = covered(&s.items[k], sp, n);
                items++;
                found += ok;
                per[s.items[k].kind][s.items[k].form][0]++;
                per[s.items[k].kind][s.items[k].form][1] += ok;
                if (!ok)
                    fprintf(stderr, "missed %s (%s) in: %.*s\n",
                            redact_placeholder(s.items[k].kind),
                            piigen_form_name(s.items[k].kind, s.items[k].form), (int)s.text.len,
                            s.text.p);
            }
            for (size_t k = 0; k < n; k++) {
                if (touches(&sp[k], &s))
                    continue;
                extra++;
                fprintf(stderr, "stray %s: %.*s in: %.*s\n", redact_placeholder(sp[k].kind),
                        (int)sp[k].len, s.text.p + sp[k].off, (int)s.text.len, s.text.p);
            }
        }
        arena_free(a);
    }
    for (unsigned long i = 0; i < nclean; i++) {
        struct arena *a = arena_new();
        struct piigen_sample s;
        struct redact_span *sp;
        size_t n;
        piigen_clean(&g, a, &s);
        if (redact_scan(a, s.text, &sp, &n) == ERR_OK && n > 0) {
            fp_texts++;
            for (size_t k = 0; k < n; k++) {
                fp_spans[sp[k].kind]++;
                fprintf(stderr, "false %s: %.*s in: %.*s\n", redact_placeholder(sp[k].kind),
                        (int)sp[k].len, s.text.p + sp[k].off, (int)s.text.len, s.text.p);
            }
        }
        arena_free(a);
    }
    printf("seed %lu: %lu texts with personal data (%zu items), %lu without\n", seed, npii, items,
           nclean);
    printf("recall %.2f%% (%zu of %zu)\n", items ? 100.0 * (double)found / (double)items : 0.0,
           found, items);
    for (int k = 0; k < REDACT__COUNT; k++) {
        for (unsigned f = 0; f < piigen_form_count((enum redact_kind)k); f++)
            printf("  %-8s %-36s %4zu of %4zu\n", redact_placeholder((enum redact_kind)k),
                   piigen_form_name((enum redact_kind)k, f), per[k][f][1], per[k][f][0]);
    }
    printf("false positives: %zu of %lu clean texts (%.2f%%): iin %zu, phone %zu, email %zu, "
           "card %zu, iban %zu; stray spans in texts with personal data: %zu\n",
           fp_texts, nclean, nclean ? 100.0 * (double)fp_texts / (double)nclean : 0.0,
           fp_spans[REDACT_IIN], fp_spans[REDACT_PHONE], fp_spans[REDACT_EMAIL],
           fp_spans[REDACT_CARD], fp_spans[REDACT_IBAN], extra);
    return 0;
}
