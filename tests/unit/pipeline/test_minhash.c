/*
 * test_minhash.c - word shingles (1- to 3-grams, order kept, stems, Kazakh
 * in both scripts), the accuracy of the Jaccard estimate on seeded random
 * sets large and small, shingles from tokens the caller has, empty and
 * invalid text.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "pipeline/minhash.h"
#include "text/token.h"

struct fixture {
    struct stem *st;
    struct lang_model *lm;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL || stem_new(&f->st) != ERR_OK)
        return -1;
    f->lm = lang_model_new();
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    stem_free(f->st);
    lang_model_free(f->lm);
    free(f);
    return 0;
}

static double
sim(struct fixture *f, const char *x, const char *y)
{
    struct arena *a = arena_new();
    struct minhash_sig sx, sy;
    assert_int_equal(minhash_text(f->st, f->lm, a, str_from_cstr(x), &sx), ERR_OK);
    assert_int_equal(minhash_text(f->st, f->lm, a, str_from_cstr(y), &sy), ERR_OK);
    arena_free(a);
    return minhash_similarity(&sx, &sy);
}

static void
shingle_count(void **state)
{
    struct fixture *f = *state;
    struct arena *a = arena_new();
    uint64_t *h = NULL;
    size_t n = 0;
    /* 4 tokens: 4 unigrams + 3 bigrams + 2 trigrams */
    assert_int_equal(minhash_shingles(f->st, f->lm, a, STR("no water since Monday"), &h, &n),
                     ERR_OK);
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_true(h[i] != h[j]);
    /* punctuation and case do not make shingles */
    uint64_t *h2 = NULL;
    size_t n2 = 0;
    assert_int_equal(minhash_shingles(f->st, f->lm, a, STR("No WATER, since... Monday!"), &h2, &n2),
                     ERR_OK);
    assert_int_equal(n2, n);
    assert_memory_equal(h, h2, n * sizeof(*h));
    arena_free(a);
}

static void
same_text(void **state)
{
    struct fixture *f = *state;
    assert_true(sim(f, "Нет воды в доме на улице Абая 10", "Нет воды в доме на улице Абая 10") ==
                1.0);
}

static void
kazakh_both_scripts(void **state)
{
    struct fixture *f = *state;
    /* the same complaint in Cyrillic and in the 2021 Latin alphabet */
    double s = sim(f, "Біздің көшеде үш күннен бері су жоқ, жолдарда шұңқырлар көп",
                   "Bızdıñ köşede üş künnen berı su joq, joldarda şūñqyrlar köp");
    assert_true(s > 0.9);
    /* inflected forms share their stems */
    double t = sim(f, "көшедегі жолдарда шұңқырлар", "көшедегі жолдар шұңқыр");
    assert_true(t > 0.3);
}

static void
russian_stems(void **state)
{
    struct fixture *f = *state;
    double s = sim(f, "Жалобы на отключение горячей воды в домах",
                   "Жалоба на отключение горячей воды в доме");
    assert_true(s > 0.6);
    double u = sim(f, "Жалобы на отключение горячей воды в домах",
                   "Прошу отремонтировать детскую площадку во дворе");
    assert_true(u < 0.1);
}

static void
english_order_matters(void **state)
{
    struct fixture *f = *state;
    /* same words, other order: the unigrams agree, the bigrams and trigrams do not */
    double s = sim(f, "road closed near the school", "the school near closed road");
    assert_true(s > 0.15 && s < 0.6);
    assert_true(sim(f, "Streetlight out on Main Street", "Streetlights out on main street") > 0.9);
    assert_true(sim(f, "Abandoned car with no plates", "Dog barking all night next door") < 0.05);
}

/* A seeded xorshift: the tests must not change from run to run. */
static uint64_t
next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void
estimate_accuracy(void **state)
{
    (void)state;
    uint64_t seed = 20260101;
    /* |A ∩ B| = common, |A| = |B| = common + own: J = common / (common + 2 own) */
    const struct {
        size_t common, own;
    } cases[] = {{100, 0},
                 {100, 50},
                 {60, 120},
                 {20, 190},
                 {0, 100},
                 /* short texts: a few shingles leave most slots to densification */
                 {1, 0},
                 {3, 2},
                 {6, 3},
                 {2, 6},
                 {9, 0}};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        double err_sum = 0, sq_sum = 0;
        const int trials = 40;
        double want = (double)cases[c].common / (cases[c].common + 2 * cases[c].own);
        for (int t = 0; t < trials; t++) {
            uint64_t a[400], b[400];
            size_t na = 0, nb = 0;
            for (size_t i = 0; i < cases[c].common; i++) {
                uint64_t x = next(&seed);
                a[na++] = x;
                b[nb++] = x;
            }
            for (size_t i = 0; i < cases[c].own; i++) {
                a[na++] = next(&seed);
                b[nb++] = next(&seed);
            }
            struct minhash_sig sa, sb;
            minhash_sign(a, na, &sa);
            minhash_sign(b, nb, &sb);
            double got = minhash_similarity(&sa, &sb);
            assert_true(got >= 0 && got <= 1);
            /* k = 128: standard error at most 0.045; 5 of them is never reached */
            assert_true(fabs(got - want) < 0.23);
            err_sum += got - want;
            sq_sum += (got - want) * (got - want);
        }
        /* as precise as k = 128 independent hash functions (standard error
         * at most 0.045 at J = 0.5), short sets included */
        assert_true(sqrt(sq_sum / trials) < 0.065);
        /* unbiased: the mean error over 40 trials is within 3 standard errors */
        assert_true(fabs(err_sum / trials) < 0.03);
    }
}

/* The signature is exact for a set against itself and against its own
 * duplicates, and any value may be hashed (small integers too). */
static void
sign_edge_cases(void **state)
{
    (void)state;
    uint64_t one[] = {1}, twice[] = {1, 1}, other[] = {2};
    struct minhash_sig a, b, c, e;
    minhash_sign(one, 1, &a);
    minhash_sign(twice, 2, &b);
    minhash_sign(other, 1, &c);
    minhash_sign(NULL, 0, &e);
    assert_false(a.empty);
    assert_true(e.empty);
    assert_true(minhash_similarity(&a, &b) == 1.0);
    assert_true(minhash_similarity(&a, &c) < 0.05);
    assert_true(minhash_similarity(&a, &e) == 0);
}

/* Shingles from tokens the caller already has are those of the text. */
static void
shingles_from_tokens(void **state)
{
    struct fixture *f = *state;
    struct arena *a = arena_new();
    const char *texts[] = {"Біздің көшеде су жоқ, 3 күн", "Нет воды в доме 12 по улице Абая",
                           "Streetlight out", "Bızdıñ köşede su joq", ""};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct str s = str_from_cstr(texts[i]);
        uint64_t *h, *h2;
        size_t n, n2;
        struct token *t;
        size_t tn;
        struct lang_guess g;
        assert_int_equal(minhash_shingles(f->st, f->lm, a, s, &h, &n), ERR_OK);
        assert_int_equal(token_split(a, s, &t, &tn), ERR_OK);
        lang_detect_tokens(f->lm, t, tn, &g);
        assert_int_equal(minhash_shingles_tokens(f->st, &g, a, t, tn, &h2, &n2), ERR_OK);
        assert_int_equal(n2, n);
        if (n > 0)
            assert_memory_equal(h, h2, n * sizeof(*h));
    }
    arena_free(a);
}

static void
empty_and_invalid(void **state)
{
    struct fixture *f = *state;
    struct arena *a = arena_new();
    struct minhash_sig s, t;
    assert_int_equal(minhash_text(f->st, f->lm, a, STR(""), &s), ERR_OK);
    assert_true(s.empty);
    assert_int_equal(minhash_text(f->st, f->lm, a, STR("  ...!!! — "), &t), ERR_OK);
    assert_true(t.empty);
    assert_true(minhash_similarity(&s, &t) == 0); /* no words: never a duplicate */
    struct minhash_sig u = {.empty = false};
    assert_int_equal(minhash_text(f->st, f->lm, a, STR("ok \xff\xfe bad"), &u), ERR_INVALID);
    assert_false(u.empty); /* untouched */
    /* without a language model or stemmer words are only folded */
    struct minhash_sig v, w;
    assert_int_equal(minhash_text(NULL, NULL, a, STR("Қазақстан"), &v), ERR_OK);
    assert_int_equal(minhash_text(NULL, NULL, a, STR("QAZAQSTAN"), &w), ERR_OK);
    assert_true(minhash_similarity(&v, &w) == 1.0);
    arena_free(a);
}

static void
long_text_is_capped(void **state)
{
    struct fixture *f = *state;
    struct arena *a = arena_new();
    size_t words = MINHASH_TOKEN_MAX + 500, len = 0;
    char *text = arena_alloc(a, words * 4 + 1);
    for (size_t i = 0; i < words; i++) {
        memcpy(text + len, "su ", 3);
        len += 3;
    }
    uint64_t *h = NULL;
    size_t n = 0;
    assert_int_equal(minhash_shingles(f->st, f->lm, a, (struct str){text, len}, &h, &n), ERR_OK);
    assert_int_equal(n, 3 * (size_t)MINHASH_TOKEN_MAX - 3);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shingle_count),         cmocka_unit_test(same_text),
        cmocka_unit_test(kazakh_both_scripts),   cmocka_unit_test(russian_stems),
        cmocka_unit_test(english_order_matters), cmocka_unit_test(estimate_accuracy),
        cmocka_unit_test(empty_and_invalid),     cmocka_unit_test(long_text_is_capped),
        cmocka_unit_test(sign_edge_cases),       cmocka_unit_test(shingles_from_tokens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
