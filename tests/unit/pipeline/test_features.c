/*
 * test_features.c - the router's features: Kazakh in Cyrillic and in the
 * 2021 Latin alphabet giving the same features, Russian and English endings
 * meeting in one stem, mixed Kazakh-Russian texts stemmed word by word, the
 * scaling of the values, texts without words, the extractor's reuse from
 * one text to the next, the FEATURES_MAX cap, and features_predict(): the
 * same scores as the full vector, from rows cached per classifier.
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
#include "base/util.h"
#include "pipeline/classify.h"
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
        /* One word: its stem (the stem tag is 1) and its grams, each once,
         * so every value is 1/sqrt(their count); the two share the stem. */
        const char *stem = p == 0 ? "жалоб" : "complaint";
        uint32_t id = features_hash(1, stem, strlen(stem));
        size_t shared_word = find(x, id) && find(y, id);
        for (size_t i = 0; i < x.n; i++)
            assert_float_equal(x.f[i].value, 1 / sqrt((double)x.n), 1e-6);
        for (size_t i = 0; i < y.n; i++)
            assert_float_equal(y.f[i].value, 1 / sqrt((double)y.n), 1e-6);
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
    /* Each part's stems and grams are in the whole, and nothing else is:
     * no feature spans two words. */
    size_t missing = 0;
    for (size_t i = 0; i < ru.n; i++)
        missing += find(mixed, ru.f[i].id) == NULL;
    assert_int_equal(missing, 0);
    missing = 0;
    for (size_t i = 0; i < kk.n; i++)
        missing += find(mixed, kk.f[i].id) == NULL;
    assert_int_equal(missing, 0);
    struct fset mid = extract(fx, a, "керек", LANG_ID_RU);
    size_t extra = 0;
    for (size_t i = 0; i < mixed.n; i++)
        extra += !find(ru, mixed.f[i].id) && !find(kk, mixed.f[i].id) && !find(mid, mixed.f[i].id);
    assert_int_equal(extra, 0);
    assert_int_equal(kk.n, kk_lat.n);
    assert_true(subset(kk, kk_lat));
    ids_are_distinct_and_nonzero(mixed);
    features_free(fx);
    arena_free(a);
}

static void
values_are_linear_and_scaled(void **state)
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
        for (size_t k = 0; k < s.n; k++)
            assert_true(s.f[k].value > 0 && s.f[k].value <= 1);
        ids_are_distinct_and_nonzero(s);
    }
    /* "вода" alone: one stem and 7 grams of " voda " (4 of 3 bytes, 3 of
     * 4), each once: 8 features of 1/sqrt(8). */
    struct fset once = extract(fx, a, "вода", LANG_ID_RU);
    assert_int_equal(once.n, 8);
    uint32_t stem_id = features_hash(1, "вод", strlen("вод"));
    const struct feature *stem = find(once, stem_id);
    assert_non_null(stem);
    for (size_t i = 0; i < once.n; i++)
        assert_float_equal(once.f[i].value, 1 / sqrt(8), 1e-6);
    /* Three times: the stem and each gram count 3, of 3 * 8 = 24 in all.
     * Linear, not 1 + ln tf, and no feature of the pairs of words. */
    struct fset rep = extract(fx, a, "вода вода вода", LANG_ID_RU);
    assert_int_equal(rep.n, 8);
    assert_non_null(find(rep, stem->id));
    for (size_t i = 0; i < rep.n; i++) {
        assert_non_null(find(once, rep.f[i].id));
        assert_float_equal(rep.f[i].value, 3 / sqrt(24), 1e-6);
    }
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
    /* Their grams repeat, but the stems alone pass the cap. */
    char *big = many_words(FEATURES_MAX + 4000);
    struct fset s = extract(fx, a, big, LANG_ID_EN);
    assert_int_equal(s.n, FEATURES_MAX);
    for (size_t k = 0; k < s.n; k++)
        assert_true(s.f[k].value > 0 && isfinite(s.f[k].value));
    free(big);
    features_free(fx);
    arena_free(a);
}

/* Labelled texts in kk (Cyrillic and Latin), ru and en for the classifiers
 * below: label i % classes. */
static const char *const corpus[] = {
    "Жолда үлкен шұңқыр бар, асфальт бұзылған",
    "Üide ystyq su joq, jylu berilmeidi",
    "На дороге огромная яма, асфальт разрушен",
    "There is no hot water in the building and the heating is off",
    "Көшедегі жолды жөндеу керек, шұңқырлар көп",
    "Прорвало трубу водопровода, течёт холодная вода",
    "Please repair the road on our street, potholes everywhere",
    "Su qūbyry jaryldy, suyq su ağyp jatyr",
    "Во дворе стая бродячих собак, собака укусила ребёнка",
    "The district clinic will not give me an appointment",
    "Аулада қаңғыбас иттер көп, балаларға қауіпті",
    "Emhanada därıger joq, kezek üş aptağa sozyldy",
};

/* A classifier of classes classes trained on corpus by fx's features. */
static struct classifier *
train_on_corpus(struct features *fx, struct arena *a, size_t classes)
{
    const char *names[] = {"a", "b", "c", "d"};
    struct classify_sample s[ARRAY_LEN(corpus)];
    for (size_t i = 0; i < ARRAY_LEN(corpus); i++) {
        struct fset f = extract(fx, a, corpus[i], LANG_ID_UND);
        s[i] = (struct classify_sample){f.f, f.n, i % classes};
    }
    struct classifier *m = NULL;
    assert_int_equal(classify_train(s, ARRAY_LEN(s), names, classes, NULL, &m), ERR_OK);
    return m;
}

static const char *const unseen[] = {
    "Жолдағы шұңқырлар әлі жөнделмеді, жол жол жол",
    "joldağy şūñqyrlar äli jöndelmedi",
    "Яма на дороге так и не отремонтирована, яма яма",
    "No hot water for three days, no water at all",
    "Горячей су жоқ, жылу жоқ, please help",
    "12.03.2026 15,5",
    "",
    "Собака собака собака укусила",
};

/* features_predict() of every unseen text equals classify_predict() of its
 * full vector: the same class, probabilities within 1e-5. */
static void
scores_match_the_full_vector(struct features *fx, struct arena *a, const struct classifier *m)
{
    size_t k = classify_label_count(m);
    for (size_t i = 0; i < ARRAY_LEN(unseen); i++) {
        for (enum lang l = LANG_ID_UND; l < LANG_ID__COUNT; l++) {
            struct token *t;
            size_t n;
            assert_int_equal(token_split(a, str_from_cstr(unseen[i]), &t, &n), ERR_OK);
            struct feature *f;
            size_t nf;
            features_extract(fx, a, t, n, l, &f, &nf);
            double slow[4], fast[4];
            size_t want = classify_predict(m, f, nf, slow);
            size_t got = features_predict(fx, a, t, n, l, m, fast);
            for (size_t c = 0; c < k; c++)
                if (fabs(slow[c] - fast[c]) > 1e-5)
                    fail_msg("\"%s\" (%s), class %zu: %.8f, full vector %.8f", unseen[i],
                             lang_code(l), c, fast[c], slow[c]);
            assert_int_equal(got, want);
        }
    }
}

static void
predict_equals_the_full_vector(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    struct classifier *m = train_on_corpus(fx, a, 4);
    scores_match_the_full_vector(fx, a, m); /* rows computed */
    scores_match_the_full_vector(fx, a, m); /* rows from the cache */
    /* A fresh extractor, whose cache starts empty, agrees too. */
    struct features *fresh;
    assert_int_equal(features_new(&fresh), ERR_OK);
    scores_match_the_full_vector(fresh, a, m);
    features_free(fresh);
    /* Past FEATURES_MAX occurrences it takes the full vector's way. */
    char *big = many_words(40000);
    struct token *t;
    size_t n;
    assert_int_equal(token_split(a, str_from_cstr(big), &t, &n), ERR_OK);
    struct feature *f;
    size_t nf;
    features_extract(fx, a, t, n, LANG_ID_EN, &f, &nf);
    double slow[4], fast[4];
    assert_int_equal(features_predict(fx, a, t, n, LANG_ID_EN, m, fast),
                     classify_predict(m, f, nf, slow));
    for (size_t c = 0; c < 4; c++)
        assert_float_equal(fast[c], slow[c], 1e-5);
    free(big);
    classify_free(m);
    features_free(fx);
    arena_free(a);
}

/* One extractor used with one classifier, then others (more than it keeps
 * rows for), then one made where a freed one was: the rows follow the
 * classifier, never a stale one's. */
static void
cached_rows_follow_the_classifier(void **state)
{
    (void)state;
    struct features *fx;
    assert_int_equal(features_new(&fx), ERR_OK);
    struct arena *a = arena_new();
    struct classifier *m2 = train_on_corpus(fx, a, 2), *m3 = train_on_corpus(fx, a, 3),
                      *m4 = train_on_corpus(fx, a, 4);
    scores_match_the_full_vector(fx, a, m2);
    scores_match_the_full_vector(fx, a, m3);
    scores_match_the_full_vector(fx, a, m4);
    scores_match_the_full_vector(fx, a, m2);
    scores_match_the_full_vector(fx, a, m4);
    /* The same number of classes, other weights, maybe the same address. */
    classify_free(m4);
    const char *names[] = {"a", "b", "c", "d"};
    struct classify_sample s[ARRAY_LEN(corpus)];
    for (size_t i = 0; i < ARRAY_LEN(corpus); i++) {
        struct fset f = extract(fx, a, corpus[i], LANG_ID_UND);
        s[i] = (struct classify_sample){f.f, f.n, (i / 3) % 4};
    }
    assert_int_equal(classify_train(s, ARRAY_LEN(s), names, 4, NULL, &m4), ERR_OK);
    scores_match_the_full_vector(fx, a, m4);
    scores_match_the_full_vector(fx, a, m3);
    classify_free(m2);
    classify_free(m3);
    classify_free(m4);
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
        cmocka_unit_test(values_are_linear_and_scaled),
        cmocka_unit_test(text_without_words_has_no_features),
        cmocka_unit_test(extractor_is_the_same_from_text_to_text),
        cmocka_unit_test(features_are_capped_at_features_max),
        cmocka_unit_test(predict_equals_the_full_vector),
        cmocka_unit_test(cached_rows_follow_the_classifier),
        cmocka_unit_test(hash_is_never_zero_and_depends_on_the_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
