/*
 * test_lang.c - language identification: Kazakh in both scripts, Russian,
 * English, informal Kazakh typed on a Russian keyboard, mixed Kazakh and
 * Russian texts with a share per language, texts without letters, codes,
 * a model trained on given samples, and a held-out check on the seed corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/util.h"
#include "text/lang.h"
#include "text/lang_corpus.h"
#include "text/token.h"

static struct lang_model *model;

static int
setup(void **state)
{
    (void)state;
    model = lang_model_new();
    return model ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    lang_model_free(model);
    return 0;
}

static struct lang_guess
guess(const char *text)
{
    struct arena *a = arena_new();
    struct lang_guess g;
    memset(&g, 0xAB, sizeof(g));
    enum err e = lang_detect(model, a, str_from_cstr(text), &g);
    if (e != ERR_OK)
        fail_msg("lang_detect(%s): %s", text, err_name(e));
    arena_free(a);
    return g;
}

static void
expect(const char *text, enum lang want)
{
    struct lang_guess g = guess(text);
    if (g.lang != want)
        fail_msg("%s: %s (kk %.2f ru %.2f en %.2f), want %s", text, lang_code(g.lang),
                 g.score[LANG_ID_KK], g.score[LANG_ID_RU], g.score[LANG_ID_EN], lang_code(want));
}

static void
three_languages(void **state)
{
    (void)state;
    expect("Біздің көшеде үш күннен бері жарық жоқ, балалар қараңғыда жүреді.", LANG_ID_KK);
    expect("Жолды қашан жөндейсіздер?", LANG_ID_KK);
    expect("У нас во дворе третий день не вывозят мусор.", LANG_ID_RU);
    expect("Когда отремонтируют дорогу?", LANG_ID_RU);
    expect("The playground near our school has been broken for months.", LANG_ID_EN);
    expect("When will you fix the road?", LANG_ID_EN);
}

static void
kazakh_without_kazakh_letters(void **state)
{
    (void)state;
    /* Typed on a Russian keyboard: қ -> к, ө -> о, і -> и ... */
    expect("Рахмет, жолды тез жондеп бердиниздер, оте жаксы", LANG_ID_KK);
    expect("Бизде су жок, кашан береди?", LANG_ID_KK);
}

static void
latin_kazakh(void **state)
{
    (void)state;
    struct lang_guess g = guess("Bızdıñ köşede üş künnen berı jaryq joq.");
    assert_int_equal(g.lang, LANG_ID_KK);
    assert_true(g.kk_latin);
    g = guess("Bizdin koshede ush kunnen beri zharyq zhoq, balalar qaranghyda zhuredi.");
    assert_int_equal(g.lang, LANG_ID_KK);
    assert_true(g.kk_latin);
    g = guess("Qazaqstan Respublikasynyñ azamattary");
    assert_int_equal(g.lang, LANG_ID_KK);
    g = guess("Біздің ауылда су жоқ.");
    assert_false(g.kk_latin);
}

static void
mixed_kazakh_and_russian(void **state)
{
    (void)state;
    struct lang_guess g =
        guess("Сәлеметсіз бе, біздің үйде жылу жоқ. Очень холодно, дети болеют, примите меры.");
    assert_true(g.mixed);
    assert_true(g.score[LANG_ID_KK] >= LANG_MIXED_MIN);
    assert_true(g.score[LANG_ID_RU] >= LANG_MIXED_MIN);
    double sum = g.score[LANG_ID_KK] + g.score[LANG_ID_RU] + g.score[LANG_ID_EN];
    assert_true(sum > 0.999 && sum < 1.001);
    assert_true(g.score[LANG_ID_UND] == 0);
    /* Mostly Kazakh with a Russian loan phrase: Kazakh dominates. */
    g = guess("Құрметті әкімдік, біздің ауланың ойын алаңы бұзылған, короче ужас.");
    assert_int_equal(g.lang, LANG_ID_KK);
    /* Mostly Russian with a Kazakh greeting: Russian dominates. */
    g = guess("Сәлеметсіз бе! Прошу разобраться с отоплением в нашем доме, батареи холодные "
              "уже вторую неделю.");
    assert_int_equal(g.lang, LANG_ID_RU);
    assert_true(g.score[LANG_ID_KK] > 0);
}

/* A long text is judged on a sample of LANG_WORDS_MAX words spread over all
 * of it: a Russian second half still counts, and so does Kazakh in between. */
static void
long_text_is_sampled_evenly(void **state)
{
    (void)state;
    char text[8192];
    size_t len = 0;
    for (int i = 0; i < 12; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s",
                                "Біздің ауданда жол жөндеу жұмыстары тоқтап қалды. ");
    for (int i = 0; i < 10; i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s",
                                "Дорогу не ремонтируют уже третий месяц подряд. ");
    assert_true(len < sizeof(text) - 1);
    struct lang_guess g = guess(text);
    assert_true(g.words > 0);
    assert_true(g.words <= LANG_WORDS_MAX);
    assert_int_equal(g.lang, LANG_ID_KK);
    assert_true(g.mixed);
    assert_true(g.score[LANG_ID_RU] >= LANG_MIXED_MIN);
    /* A short text is judged on every word. */
    g = guess("Дорогу не ремонтируют уже третий месяц");
    assert_int_equal(g.words, 6);
}

static void
no_letters(void **state)
{
    (void)state;
    struct lang_guess g = guess("12.03.2026 — 15 000 ₸ !!! 😀");
    assert_int_equal(g.lang, LANG_ID_UND);
    assert_int_equal(g.words, 0);
    assert_false(g.mixed);
    for (int l = 0; l < LANG_ID__COUNT; l++)
        assert_true(g.score[l] == 0);
    g = guess("");
    assert_int_equal(g.lang, LANG_ID_UND);
}

static void
bad_input(void **state)
{
    struct arena *a = arena_new();
    struct lang_guess g = {.lang = LANG_ID_EN};
    (void)state;
    assert_int_equal(lang_detect(model, a, STR("су \xFF"), &g), ERR_INVALID);
    assert_int_equal(g.lang, LANG_ID_EN);
    arena_free(a);
}

static void
codes(void **state)
{
    (void)state;
    assert_string_equal(lang_code(LANG_ID_KK), "kk");
    assert_string_equal(lang_code(LANG_ID_RU), "ru");
    assert_string_equal(lang_code(LANG_ID_EN), "en");
    assert_string_equal(lang_code(LANG_ID_UND), "und");
    assert_string_equal(lang_code((enum lang)99), "und");
    assert_int_equal(lang_from_code(STR("kk")), LANG_ID_KK);
    assert_int_equal(lang_from_code(STR("ru")), LANG_ID_RU);
    assert_int_equal(lang_from_code(STR("en")), LANG_ID_EN);
    assert_int_equal(lang_from_code(STR("de")), LANG_ID_UND);
    assert_int_equal(lang_from_code(STR("")), LANG_ID_UND);
}

static void
trained_on_given_samples(void **state)
{
    static const struct lang_sample s[] = {
        {LANG_ID_KK, STR("сәлем әлем қалайсың")},     {LANG_ID_RU, STR("привет мир как дела")},
        {LANG_ID_EN, STR("hello world how are you")}, {LANG_ID_UND, STR("skipped")},
        {LANG_ID_EN, STR("bad \xFF skipped")},
    };
    (void)state;
    struct lang_model *m = lang_model_train(s, ARRAY_LEN(s));
    struct arena *a = arena_new();
    struct lang_guess g;
    assert_int_equal(lang_detect(m, a, STR("how are you, world"), &g), ERR_OK);
    assert_int_equal(g.lang, LANG_ID_EN);
    assert_int_equal(lang_detect(m, a, STR("как дела, мир"), &g), ERR_OK);
    assert_int_equal(g.lang, LANG_ID_RU);
    arena_free(a);
    lang_model_free(m);
    lang_model_free(NULL);
}

/* Every fifth corpus sentence held out: at least 95% right per language,
 * in Cyrillic and (for Kazakh) in the 2021 Latin letters. */
static void
held_out_corpus(void **state)
{
    (void)state;
    struct lang_sample train[1024];
    size_t n = 0;
    for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
        size_t count;
        const char *const *s = lang_corpus_get((enum lang)l, &count);
        for (size_t i = 0; i < count && n < ARRAY_LEN(train); i++)
            if (i % 5 != 4)
                train[n++] = (struct lang_sample){(enum lang)l, str_from_cstr(s[i])};
    }
    struct lang_model *m = lang_model_train(train, n);
    struct arena *a = arena_new();
    for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
        size_t count, right = 0, total = 0;
        const char *const *s = lang_corpus_get((enum lang)l, &count);
        for (size_t i = 4; i < count; i += 5) {
            struct lang_guess g;
            assert_int_equal(lang_detect(m, a, str_from_cstr(s[i]), &g), ERR_OK);
            total++;
            right += g.lang == (enum lang)l;
        }
        if (right * 100 < total * 95)
            fail_msg("%s: %zu of %zu held-out sentences right", lang_code((enum lang)l), right,
                     total);
    }
    arena_free(a);
    lang_model_free(m);
}

/* The memo changes nothing: every corpus sentence, and mixed and Latin
 * ones, get the same guess to the bit with a memo as without, seen once or
 * again, and after the memo was used with another model. */
static void
memo_gives_the_same_guess(void **state)
{
    (void)state;
    static const struct lang_sample few[] = {
        {LANG_ID_KK, STR("сәлем әлем қалайсың")},
        {LANG_ID_RU, STR("привет мир как дела")},
        {LANG_ID_EN, STR("hello world how are you")},
    };
    struct lang_model *other = lang_model_train(few, ARRAY_LEN(few));
    struct lang_memo *mm = lang_memo_new();
    struct arena *a = arena_new();
    for (int round = 0; round < 3; round++) {
        const struct lang_model *m = round == 1 ? other : model;
        for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
            size_t count;
            const char *const *s = lang_corpus_get((enum lang)l, &count);
            for (size_t i = 0; i < count; i++) {
                struct token *t;
                size_t n;
                assert_int_equal(token_split(a, str_from_cstr(s[i]), &t, &n), ERR_OK);
                struct lang_guess plain, memo;
                lang_detect_tokens(m, t, n, &plain);
                lang_detect_tokens_memo(m, mm, t, n, &memo);
                assert_int_equal(memo.lang, plain.lang);
                assert_int_equal(memo.mixed, plain.mixed);
                assert_int_equal(memo.kk_latin, plain.kk_latin);
                assert_int_equal(memo.words, plain.words);
                assert_memory_equal(memo.score, plain.score, sizeof(plain.score));
            }
        }
    }
    arena_free(a);
    lang_memo_free(mm);
    lang_memo_free(NULL);
    lang_model_free(other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_languages),
        cmocka_unit_test(kazakh_without_kazakh_letters),
        cmocka_unit_test(latin_kazakh),
        cmocka_unit_test(mixed_kazakh_and_russian),
        cmocka_unit_test(no_letters),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(codes),
        cmocka_unit_test(trained_on_given_samples),
        cmocka_unit_test(held_out_corpus),
        cmocka_unit_test(long_text_is_sampled_evenly),
        cmocka_unit_test(memo_gives_the_same_guess),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
