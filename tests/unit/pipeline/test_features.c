/*
 * test_features.c - the router's features: Kazakh in Cyrillic and in the
 * 2021 Latin alphabet giving the same features, Russian and English endings
 * meeting in one stem, mixed Kazakh-Russian texts stemmed word by word, the
 * scaling of the values, texts without words, the extractor's reuse from
 * one text to the next, and the FEATURES_MAX cap.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "pipeline/features.h"
#include "text/lang.h"
#include "text/token.h"

struct fset {
    struct feature *f;
    size_t n;
};

static struct fset
extract(struct features *fx, struct arena *a, const char *text, enum lang lang)
{
    struct token *t;
    size_t n;
    assert_int_equal(token_split(a, str_from_cstr(text), &t, &n), ERR_OK);
    struct fset s;
    features_extract(fx, a, t, n, lang, &s.f, &s.n);
    return s;
}

static const struct feature *
find(struct fset s, uint32_t id)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.f[i].id == id)
            return &s.f[i];
    return NULL;
}

/* Every id of a is in b. */
static bool
subset(struct fset a, struct fset b)
{
    for (size_t i = 0; i < a.n; i++)
        if (!find(b, a.f[i].id))
            return false;
    return true;
}

static double
sum_of_squares(struct fset s)
{
    double q = 0;
    for (size_t i = 0; i < s.n; i++)
        q += (double)s.f[i].value * s.f[i].value;
    return q;
}

static void
ids_are_distinct_and_nonzero(struct fset s)
{
    for (size_t i = 0; i < s.n; i++) {
        assert_int_not_equal(s.f[i].id, 0);
        for (size_t j = i + 1; j < s.n; j++)
            assert_int_not_equal(s.f[i].id, s.f[j].id);
    }
}

static void
kazakh_in_both_scripts_gives_the_same_features(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    struct fset cyr = extract(fx, a, "Жолдарда шұңқырлар көп", LANG_ID_KK);
    struct fset lat = extract(fx, a, "Joldarda şūñqyrlar köp", LANG_ID_KK);
    assert_true(cyr.n > 10);
    assert_int_equal(cyr.n, lat.n);
    assert_true(subset(cyr, lat));
    /* The same words, declined otherwise, share their stem. */
    struct fset other = extract(fx, a, "жол", LANG_ID_KK);
    struct fset one = extract(fx, a, "жолдарда", LANG_ID_KK);
    size_t shared = 0;
    for (size_t i = 0; i < other.n; i++)
        shared += find(one, other.f[i].id) != NULL;
    assert_true(shared >= 1);
    features_free(fx);
    arena_free(a);
}

static void
russian_and_english_endings_meet_in_the_stem(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    const char *pairs[][2] = {{"жалобами", "жалобы"}, {"complaints", "complaint"}};
    const enum lang langs[] = {LANG_ID_RU, LANG_ID_EN};
    for (size_t p = 0; p < 2; p++) {
        struct fset x = extract(fx, a, pairs[p][0], langs[p]);
        struct fset y = extract(fx, a, pairs[p][1], langs[p]);
        /* One word: its stem is the only word feature, so the two share
         * exactly one feature with a value of 1/sqrt(2), and char grams. */
        size_t shared_word = 0;
        for (size_t i = 0; i < x.n; i++) {
            const struct feature *g = find(y, x.f[i].id);
            if (g && fabsf(g->value - (float)M_SQRT1_2) < 1e-6f &&
                fabsf(x.f[i].value - (float)M_SQRT1_2) < 1e-6f)
                shared_word++;
        }
        assert_int_equal(shared_word, 1);
    }
    features_free(fx);
    arena_free(a);
}

static void
mixed_text_stems_each_word_in_its_language(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    /* A Kazakh text with a Russian phrase: the Russian words (no Kazakh
     * letters) follow the text's language, Kazakh, unless the text is
     * Russian; the words with ә ғ қ ң ө ұ ү һ і are Kazakh either way. */
    struct fset mixed = extract(fx, a, "Көшедегі жөндеу керек дорога разрушена", LANG_ID_RU);
    struct fset ru = extract(fx, a, "дорога разрушена", LANG_ID_RU);
    struct fset kk = extract(fx, a, "Көшедегі жөндеу", LANG_ID_RU);
    struct fset kk_lat = extract(fx, a, "Köşedegi jöndeu", LANG_ID_KK);
    /* Each part's unigram and gram features are in the whole; the bigram
     * across the seam is the whole's own. */
    size_t missing = 0;
    for (size_t i = 0; i < ru.n; i++)
        missing += find(mixed, ru.f[i].id) == NULL;
    assert_int_equal(missing, 0);
    missing = 0;
    for (size_t i = 0; i < kk.n; i++)
        missing += find(mixed, kk.f[i].id) == NULL;
    assert_int_equal(missing, 0);
    assert_int_equal(kk.n, kk_lat.n);
    assert_true(subset(kk, kk_lat));
    ids_are_distinct_and_nonzero(mixed);
    features_free(fx);
    arena_free(a);
}

static void
values_are_sublinear_and_scaled(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    const char *texts[] = {
        "На дороге огромная яма, асфальт разрушен",
        "There is a huge pothole on the road",
        "Үйде ыстық су жоқ",
        "Üide ystyq su joq, jylu berilmeidi",
        "Жол жөндеу керек, дорога разрушена, please fix it",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct fset s = extract(fx, a, texts[i], LANG_ID_UND);
        assert_true(s.n > 0);
        assert_true(fabs(sum_of_squares(s) - 1.0) < 1e-5);
        ids_are_distinct_and_nonzero(s);
    }
    /* One word three times: its stem counts 3, the bigram (w, w) 2. */
    struct fset rep = extract(fx, a, "вода вода вода", LANG_ID_RU);
    struct fset once = extract(fx, a, "вода", LANG_ID_RU);
    const struct feature *stem = NULL;
    for (size_t i = 0; i < once.n && !stem; i++)
        if (fabsf(once.f[i].value - (float)M_SQRT1_2) < 1e-6f)
            stem = find(rep, once.f[i].id);
    assert_non_null(stem);
    float bigram = 0;
    for (size_t i = 0; i < rep.n; i++)
        if (!find(once, rep.f[i].id))
            bigram = rep.f[i].value;
    assert_true(bigram > 0);
    assert_float_equal(stem->value / bigram, (1 + logf(3)) / (1 + logf(2)), 1e-5);
    features_free(fx);
    arena_free(a);
}

static void
text_without_words_has_no_features(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    const char *texts[] = {"", "   ", "12.03.2026 45 000 !!!", "— … ?"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct fset s = extract(fx, a, texts[i], LANG_ID_RU);
        assert_null(s.f);
        assert_int_equal(s.n, 0);
    }
    features_free(fx);
    arena_free(a);
}

/* A text of count distinct made-up words (letters from the word's number). */
static char *
many_words(size_t count)
{
    char *p = malloc(count * 10 + 1);
    size_t len = 0;
    for (size_t i = 0; i < count; i++) {
        size_t v = i;
        p[len++] = 'q';
        for (int k = 0; k < 7; k++, v /= 26)
            p[len++] = (char)('a' + v % 26);
        p[len++] = ' ';
    }
    p[len] = '\0';
    return p;
}

static void
extractor_is_the_same_from_text_to_text(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    const char *small = "Прорвало трубу водопровода, течёт холодная вода";
    char *big = many_words(3000); /* grows the scratch table */
    struct fset first = extract(fx, a, small, LANG_ID_RU);
    struct fset large = extract(fx, a, big, LANG_ID_EN);
    struct fset again = extract(fx, a, small, LANG_ID_RU);
    assert_true(large.n > 3000);
    ids_are_distinct_and_nonzero(large);
    assert_int_equal(first.n, again.n);
    for (size_t i = 0; i < first.n; i++) {
        assert_int_equal(first.f[i].id, again.f[i].id);
        assert_float_equal(first.f[i].value, again.f[i].value, 0);
    }
    /* A fresh extractor agrees with the used one. */
    struct features *fresh;
    assert_int_equal(features_new(&fresh), ERR_OK);
    struct fset other = extract(fresh, a, small, LANG_ID_RU);
    assert_int_equal(other.n, first.n);
    assert_true(subset(other, first));
    features_free(fresh);
    features_free(fx);
    free(big);
    arena_free(a);
}

static void
features_are_capped_at_features_max(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    /* Their grams repeat, but the words and bigrams alone pass the cap. */
    char *big = many_words(40000);
    struct fset s = extract(fx, a, big, LANG_ID_EN);
    assert_int_equal(s.n, FEATURES_MAX);
    assert_true(fabs(sum_of_squares(s) - 1.0) < 1e-4);
    free(big);
    features_free(fx);
    arena_free(a);
}

static void
hash_is_never_zero_and_depends_on_the_tag(void **state)
{
    (void)state;
    assert_int_not_equal(features_hash(1, "", 0), 0);
    assert_int_not_equal(features_hash(1, "jol", 3), features_hash(2, "jol", 3));
    assert_int_equal(features_hash(6, "jol", 3), features_hash(6, "jol", 3));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kazakh_in_both_scripts_gives_the_same_features),
        cmocka_unit_test(russian_and_english_endings_meet_in_the_stem),
        cmocka_unit_test(mixed_text_stems_each_word_in_its_language),
        cmocka_unit_test(values_are_sublinear_and_scaled),
        cmocka_unit_test(text_without_words_has_no_features),
        cmocka_unit_test(extractor_is_the_same_from_text_to_text),
        cmocka_unit_test(features_are_capped_at_features_max),
        cmocka_unit_test(hash_is_never_zero_and_depends_on_the_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
