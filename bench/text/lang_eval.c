/*
 * lang_eval.c - how well text/lang.h names the language.
 *
 *   lang_eval [DATA_DIR]      (DATA_DIR defaults to ../shared/data)
 *
 * 1. Held-out: a model trained on four fifths of the seed corpus
 *    (text/lang_corpus.c; sentence i is held out when i % 5 == 4) guesses the
 *    other fifth: Kazakh, Russian, English, the Kazakh sentences in 2021
 *    Latin letters and in plain ASCII Latin, and mixed texts made of one
 *    held-out Kazakh and one held-out Russian sentence (right when both get a
 *    share of at least LANG_MIXED_MIN and the longer one wins).
 * 2. Real texts, with the model of the whole seed corpus: the Kursk appeals
 *    (Russian; DATA_DIR/kursk-appeals/train_dataset_train.csv, column 2, HTML
 *    stripped) and KazSAnDRA reviews (Kazakh, with some Russian and Latin
 *    ones; DATA_DIR/kazsandra/13_set_valid_pc.csv, column "text"). Each set
 *    is skipped with a message when its file is absent. Nothing from them is
 *    printed but counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/util.h"
#include "bench/text/csv.h"
#include "text/lang.h"
#include "text/lang_corpus.h"
#include "text/translit.h"

struct tally {
    size_t n, right;
    size_t as[LANG_ID__COUNT];
};

static void
report(const char *name, const struct tally *t)
{
    printf("%-34s n=%5zu  accuracy %6.2f%%   (und %zu, kk %zu, ru %zu, en %zu)\n", name, t->n,
           t->n ? 100.0 * (double)t->right / (double)t->n : 0.0, t->as[LANG_ID_UND],
           t->as[LANG_ID_KK], t->as[LANG_ID_RU], t->as[LANG_ID_EN]);
}

static void
judge(const struct lang_model *m, struct arena *a, struct str s, enum lang want, struct tally *t)
{
    struct lang_guess g;
    if (lang_detect(m, a, s, &g))
        return;
    t->n++;
    t->as[g.lang]++;
    if (g.lang == want)
        t->right++;
}

/* Kazakh Latin without the 2021 letters, as typed on a plain keyboard. */
static struct str
ascii_latin(struct arena *a, struct str s)
{
    static const char *const from[] = {"ä", "ğ", "ñ", "ö", "ū", "ü", "ş", "ı",
                                       "İ", "Ä", "Ğ", "Ñ", "Ö", "Ū", "Ü", "Ş"};
    static const char *const to[] = {"a", "g", "n", "o", "u", "u", "sh", "i",
                                     "I", "A", "G", "N", "O", "U", "U",  "Sh"};
    char *p = arena_alloc(a, s.len * 2 + 1);
    size_t o = 0;
    for (size_t i = 0; i < s.len;) {
        size_t k = 0;
        for (; k < ARRAY_LEN(from); k++) {
            size_t l = strlen(from[k]);
            if (i + l <= s.len && memcmp(s.p + i, from[k], l) == 0) {
                memcpy(p + o, to[k], strlen(to[k]));
                o += strlen(to[k]);
                i += l;
                break;
            }
        }
        if (k == ARRAY_LEN(from))
            p[o++] = s.p[i++];
    }
    return (struct str){p, o};
}

/* The first n words of s (split at spaces), in a. */
static const char *
first_words(struct arena *a, const char *s, int n)
{
    const char *e = s;
    for (int k = 0; k < n && *e; k++) {
        while (*e == ' ')
            e++;
        while (*e && *e != ' ')
            e++;
    }
    return arena_strndup(a, s, (size_t)(e - s));
}

/* Kazakh Cyrillic typed on a Russian keyboard: ә -> а, қ -> к, і -> и... */
static struct str
russian_keyboard(struct arena *a, struct str s)
{
    static const char *const from[] = {"ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і",
                                       "Ә", "Ғ", "Қ", "Ң", "Ө", "Ұ", "Ү", "Һ", "І"};
    static const char *const to[] = {"а", "г", "к", "н", "о", "у", "у", "х", "и",
                                     "А", "Г", "К", "Н", "О", "У", "У", "Х", "И"};
    char *p = arena_alloc(a, s.len + 1);
    size_t o = 0;
    for (size_t i = 0; i < s.len;) {
        size_t k = 0;
        for (; k < ARRAY_LEN(from); k++) {
            size_t l = strlen(from[k]);
            if (i + l <= s.len && memcmp(s.p + i, from[k], l) == 0) {
                memcpy(p + o, to[k], strlen(to[k]));
                o += strlen(to[k]);
                i += l;
                break;
            }
        }
        if (k == ARRAY_LEN(from))
            p[o++] = s.p[i++];
    }
    return (struct str){p, o};
}

static void
held_out(void)
{
    struct lang_sample *train = calloc(2000, sizeof(*train));
    size_t ntrain = 0;
    for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
        size_t n;
        const char *const *s = lang_corpus_get((enum lang)l, &n);
        for (size_t i = 0; i < n; i++)
            if (i % 5 != 4)
                train[ntrain++] = (struct lang_sample){(enum lang)l, str_from_cstr(s[i])};
    }
    struct lang_model *m = lang_model_train(train, ntrain);
    struct arena *a = arena_new();
    struct tally t[LANG_ID__COUNT] = {{0}}, lat = {0}, ascii = {0}, rukb = {0}, mixed = {0},
                 all = {0};
    size_t nkk, nru;
    const char *const *kk = lang_corpus_get(LANG_ID_KK, &nkk);
    const char *const *ru = lang_corpus_get(LANG_ID_RU, &nru);
    for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
        size_t n;
        const char *const *s = lang_corpus_get((enum lang)l, &n);
        for (size_t i = 4; i < n; i += 5) {
            judge(m, a, str_from_cstr(s[i]), (enum lang)l, &t[l]);
            judge(m, a, str_from_cstr(s[i]), (enum lang)l, &all);
        }
    }
    for (size_t i = 4; i < nkk; i += 5) {
        struct str l1;
        judge(m, a, russian_keyboard(a, str_from_cstr(kk[i])), LANG_ID_KK, &rukb);
        if (translit_to_latin(a, str_from_cstr(kk[i]), &l1) == ERR_OK) {
            judge(m, a, l1, LANG_ID_KK, &lat);
            judge(m, a, ascii_latin(a, l1), LANG_ID_KK, &ascii);
        }
    }
    /* kk + ru sentences: both languages found; kk + two ru words and ru +
     * two kk words: the sentence's language dominates. */
    size_t both = 0;
    struct tally kk_dom = {0}, ru_dom = {0};
    for (size_t i = 4; i < nkk && i < nru; i += 5) {
        const char *k = kk[i], *r = ru[(i + 10) % nru];
        struct lang_guess g;
        if (lang_detect(m, a, str_from_cstr(arena_printf(a, "%s %s", k, r)), &g) == ERR_OK) {
            mixed.n++;
            mixed.as[g.lang]++;
            if (g.mixed && g.score[LANG_ID_KK] >= LANG_MIXED_MIN &&
                g.score[LANG_ID_RU] >= LANG_MIXED_MIN)
                mixed.right++;
        }
        char *txt = arena_printf(a, "%s %s", k, first_words(a, r, 2));
        judge(m, a, str_from_cstr(txt), LANG_ID_KK, &kk_dom);
        txt = arena_printf(a, "%s %s", r, first_words(a, k, 2));
        judge(m, a, str_from_cstr(txt), LANG_ID_RU, &ru_dom);
        both++;
    }
    printf("held-out fifth of the seed corpus (model trained on the other %zu sentences)\n",
           ntrain);
    report("  kk (Cyrillic)", &t[LANG_ID_KK]);
    report("  ru", &t[LANG_ID_RU]);
    report("  en", &t[LANG_ID_EN]);
    report("  all three", &all);
    report("  kk on a Russian keyboard", &rukb);
    report("  kk in 2021 Latin", &lat);
    report("  kk in plain ASCII Latin", &ascii);
    report("  kk + ru sentence: mixed, both >=0.2", &mixed);
    report("  kk sentence + 2 ru words: kk", &kk_dom);
    report("  ru sentence + 2 kk words: ru", &ru_dom);
    (void)both;
    arena_free(a);
    lang_model_free(m);
    free(train);
}

static void
real_set(const struct lang_model *m, const char *path, int col, bool header, bool html,
         enum lang want, const char *name)
{
    struct csv c;
    if (!csv_open(&c, path)) {
        printf("%-34s skipped: %s not found\n", name, path);
        return;
    }
    struct tally t = {0};
    size_t mixed = 0, kk_latin = 0;
    struct arena *a = arena_new();
    if (header)
        (void)csv_next(&c);
    while (csv_next(&c)) {
        if (c.count <= col)
            continue;
        size_t len = c.field_len[col];
        if (html)
            len = csv_strip_html(c.field[col], len);
        struct lang_guess g;
        if (lang_detect(m, a, (struct str){c.field[col], len}, &g))
            continue;
        t.n++;
        t.as[g.lang]++;
        t.right += g.lang == want;
        mixed += g.mixed;
        kk_latin += g.lang == LANG_ID_KK && g.kk_latin;
        if (t.n % 512 == 0) {
            arena_free(a);
            a = arena_new();
        }
    }
    report(name, &t);
    printf("  %-32s mixed %zu, Kazakh in Latin letters %zu\n", "", mixed, kk_latin);
    arena_free(a);
    csv_close(&c);
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data";
    held_out();
    struct lang_model *m = lang_model_new();
    char path[4096];
    printf("real texts (model of the whole seed corpus)\n");
    snprintf(path, sizeof(path), "%s/kursk-appeals/train_dataset_train.csv", dir);
    real_set(m, path, 1, false, true, LANG_ID_RU, "  Kursk appeals (ru)");
    snprintf(path, sizeof(path), "%s/kazsandra/13_set_valid_pc.csv", dir);
    real_set(m, path, 0, true, false, LANG_ID_KK, "  KazSAnDRA valid (kk)");
    lang_model_free(m);
    return 0;
}
