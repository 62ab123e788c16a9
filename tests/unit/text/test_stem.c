/*
 * test_stem.c - Snowball russian and english through libstemmer, the Kazakh
 * suffix stripper (plural, possessive and case endings, consonants put back,
 * minimum stem) in both scripts, and a stemmer per thread.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/util.h"
#include "text/stem.h"
#include "text/translit.h"

static void
check(struct stem *st, enum lang l, const char *word, const char *want)
{
    struct arena *a = arena_new();
    struct str out;
    enum err e = stem_word(st, a, l, str_from_cstr(word), &out);
    if (e != ERR_OK)
        fail_msg("stem_word(%s): %s", word, err_name(e));
    if (!str_cstr_eq(out, want))
        fail_msg("stem %s %s = [%.*s], want [%s]", lang_code(l), word, (int)out.len, out.p, want);
    arena_free(a);
}

static int
setup(void **state)
{
    struct stem *st = NULL;
    if (stem_new(&st) != ERR_OK)
        return -1;
    *state = st;
    return 0;
}

static int
teardown(void **state)
{
    stem_free(*state);
    stem_free(NULL);
    return 0;
}

static void
russian(void **state)
{
    struct stem *st = *state;
    check(st, LANG_ID_RU, "жалобами", "жалоб");
    check(st, LANG_ID_RU, "жалоба", "жалоб");
    check(st, LANG_ID_RU, "Дорогами", "дорог"); /* normalised first */
    check(st, LANG_ID_RU, "отремонтировать", "отремонтирова");
    check(st, LANG_ID_RU, "ёлка", "елк");
    check(st, LANG_ID_RU, "елка", "елк");
}

static void
english(void **state)
{
    struct stem *st = *state;
    check(st, LANG_ID_EN, "complaints", "complaint");
    check(st, LANG_ID_EN, "Running", "run");
    check(st, LANG_ID_EN, "roads", "road");
    check(st, LANG_ID_EN, "repaired", "repair");
}

static void
kazakh_suffixes(void **state)
{
    struct stem *st = *state;
    /* plural */
    check(st, LANG_ID_KK, "балалар", "bala");
    check(st, LANG_ID_KK, "үйлер", "üiler"); /* stem would be 2 letters: kept */
    check(st, LANG_ID_KK, "жолдар", "jol");
    check(st, LANG_ID_KK, "ағаштар", "ağaş");
    check(st, LANG_ID_KK, "көшелер", "köşe");
    /* case endings, after plural and possessive */
    check(st, LANG_ID_KK, "балаларға", "bala");
    check(st, LANG_ID_KK, "қалаларында", "qala");
    check(st, LANG_ID_KK, "Астанада", "astana");
    check(st, LANG_ID_KK, "жолдарды", "jol");
    check(st, LANG_ID_KK, "әкімдікпен", "äkimdik");
    check(st, LANG_ID_KK, "көшелердегі", "köşe");
    check(st, LANG_ID_KK, "мектептен", "mektep");
    check(st, LANG_ID_KK, "балалардың", "bala");
    /* possessive, with the voiced consonant put back */
    check(st, LANG_ID_KK, "қаласы", "qala");
    check(st, LANG_ID_KK, "ауылымызда", "auyl");
    check(st, LANG_ID_KK, "ауылына", "auyl");
    check(st, LANG_ID_KK, "кітабы", "kitap");
    check(st, LANG_ID_KK, "мектебімізде", "mektep");
    check(st, LANG_ID_KK, "жүрегі", "jürek");
    /* conservative: short stems and bare -a/-e/-m/-n stay */
    check(st, LANG_ID_KK, "қала", "qala");
    check(st, LANG_ID_KK, "адам", "adam");
    check(st, LANG_ID_KK, "қалам", "qalam");
    check(st, LANG_ID_KK, "ақын", "aqyn");
    check(st, LANG_ID_KK, "мен", "men");
    check(st, LANG_ID_KK, "су", "su");
}

static void
kazakh_in_both_scripts(void **state)
{
    struct stem *st = *state;
    check(st, LANG_ID_KK, "жолдарда", "jol");
    check(st, LANG_ID_KK, "joldarda", "jol");
    check(st, LANG_ID_KK, "Qalalarynda", "qala");
    check(st, LANG_ID_KK, "мектебімізде", "mektep");
    check(st, LANG_ID_KK, "mektebımızde", "mektep");
    check(st, LANG_ID_KK, "mektebimizde", "mektep"); /* i typed for ı */
}

static void
stem_kk_is_a_prefix(void **state)
{
    struct arena *a = arena_new();
    (void)state;
    struct str w = STR("balalarğa");
    struct str s = stem_kk(a, w);
    assert_ptr_equal(s.p, w.p);
    assert_int_equal(s.len, 4);
    s = stem_kk(a, STR(""));
    assert_int_equal(s.len, 0);
    arena_free(a);
}

static void
other_languages_and_limits(void **state)
{
    struct stem *st = *state;
    struct arena *a = arena_new();
    struct str out = {"x", 1};
    check(st, LANG_ID_UND, "  ЖОЛ ", "жол");
    char big[STEM_WORD_MAX + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    check(st, LANG_ID_EN, big, big); /* too long: normalised only */
    assert_int_equal(stem_word(st, a, LANG_ID_RU, STR("\xFF"), &out), ERR_INVALID);
    assert_int_equal(out.len, 1);
    arena_free(a);
}

/* One stemmer per thread: four threads stem at once. */
static void *
worker(void *arg)
{
    struct stem *st = NULL;
    (void)arg;
    if (stem_new(&st) != ERR_OK)
        return (void *)1;
    uintptr_t bad = 0;
    for (int i = 0; i < 2000; i++) {
        struct arena *a = arena_new();
        struct str r, e;
        bad |=
            stem_word(st, a, LANG_ID_RU, STR("жалобами"), &r) != ERR_OK || !str_cstr_eq(r, "жалоб");
        bad |= stem_word(st, a, LANG_ID_EN, STR("complaints"), &e) != ERR_OK ||
               !str_cstr_eq(e, "complaint");
        arena_free(a);
    }
    stem_free(st);
    return (void *)bad;
}

static void
a_stemmer_per_thread(void **state)
{
    pthread_t t[4];
    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_null(r);
    }
}

/* The stems a struct stem remembers are the ones it computes: the same word
 * in another language, words past the cache's size, and again after it has
 * started afresh. */
static void
remembered_stems_are_the_same(void **state)
{
    (void)state;
    struct stem *st, *fresh;
    assert_int_equal(stem_new(&st), ERR_OK);
    assert_int_equal(stem_new(&fresh), ERR_OK);
    struct arena *a = arena_new();
    struct str out, want;
    assert_int_equal(stem_word(st, a, LANG_ID_RU, STR("жалобами"), &out), ERR_OK);
    assert_true(str_cstr_eq(out, "жалоб"));
    assert_int_equal(stem_word(st, a, LANG_ID_RU, STR("жалобами"), &out), ERR_OK);
    assert_true(str_cstr_eq(out, "жалоб"));
    /* The same bytes in another language are another entry. */
    assert_int_equal(stem_word(st, a, LANG_ID_UND, STR("жалобами"), &out), ERR_OK);
    assert_true(str_cstr_eq(out, "жалобами"));
    assert_int_equal(stem_word(st, a, LANG_ID_KK, STR("Жолдарда"), &out), ERR_OK);
    assert_true(str_cstr_eq(out, "jol"));
    char w[16];
    for (unsigned i = 0; i < 100000; i++) {
        size_t n = 0;
        for (unsigned v = i; n == 0 || v > 0; v /= 20)
            w[n++] = (char)('a' + v % 20);
        memcpy(w + n, "ing", 3);
        struct str word = {w, n + 3};
        assert_int_equal(stem_word(st, a, LANG_ID_EN, word, &out), ERR_OK);
        if (i % 997 == 0) {
            assert_int_equal(stem_word(fresh, a, LANG_ID_EN, word, &want), ERR_OK);
            assert_int_equal(out.len, want.len);
            assert_memory_equal(out.p, want.p, out.len);
        }
        if (i % 5000 == 0) {
            arena_free(a);
            a = arena_new();
        }
    }
    assert_int_equal(stem_word(st, a, LANG_ID_RU, STR("жалобами"), &out), ERR_OK);
    assert_true(str_cstr_eq(out, "жалоб"));
    arena_free(a);
    stem_free(fresh);
    stem_free(st);
}

/* The folded stem is the stem put through translit_fold(), the same when
 * remembered, never mixed up with the plain stem of the same word, and the
 * same for a Kazakh word in either script. */
static void
folded_stems(void **state)
{
    struct stem *st = *state;
    struct arena *a = arena_new();
    const struct {
        enum lang lang;
        const char *word;
    } cases[] = {
        {LANG_ID_RU, "жалобами"}, {LANG_ID_EN, "complaints"}, {LANG_ID_KK, "жолдарда"},
        {LANG_ID_KK, "joldarda"}, {LANG_ID_UND, "ქუჩა"},      {LANG_ID_UND, "12,5"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct str w = str_from_cstr(cases[i].word), plain, want, got;
        assert_int_equal(stem_word(st, a, cases[i].lang, w, &plain), ERR_OK);
        if (cases[i].lang == LANG_ID_KK)
            want = plain;
        else
            assert_int_equal(translit_fold(a, plain, &want), ERR_OK);
        for (int again = 0; again < 2; again++) {
            assert_int_equal(stem_word_folded(st, a, cases[i].lang, w, &got), ERR_OK);
            assert_true(str_eq(got, want));
        }
        /* the plain stem is still the plain one */
        assert_int_equal(stem_word(st, a, cases[i].lang, w, &got), ERR_OK);
        assert_true(str_eq(got, plain));
    }
    struct str x, y;
    assert_int_equal(stem_word_folded(st, a, LANG_ID_RU, STR("жалобами"), &x), ERR_OK);
    assert_true(str_cstr_eq(x, "jalob"));
    assert_int_equal(stem_word_folded(st, a, LANG_ID_KK, STR("Жолдарда"), &x), ERR_OK);
    assert_int_equal(stem_word_folded(st, a, LANG_ID_KK, STR("joldarda"), &y), ERR_OK);
    assert_true(str_eq(x, y) && str_cstr_eq(y, "jol"));
    assert_int_equal(stem_word_folded(st, a, LANG_ID_RU, STR("\xff"), &x), ERR_INVALID);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(russian),
        cmocka_unit_test(english),
        cmocka_unit_test(kazakh_suffixes),
        cmocka_unit_test(kazakh_in_both_scripts),
        cmocka_unit_test(stem_kk_is_a_prefix),
        cmocka_unit_test(other_languages_and_limits),
        cmocka_unit_test(a_stemmer_per_thread),
        cmocka_unit_test(remembered_stems_are_the_same),
        cmocka_unit_test(folded_stems),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
