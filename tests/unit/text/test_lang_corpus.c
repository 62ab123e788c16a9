/*
 * test_lang_corpus.c - the seed corpus: enough sentences in each language,
 * all valid UTF-8 and not empty, Kazakh ones written with Kazakh letters,
 * none of them repeated, nothing for LANG_ID_UND.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text/lang_corpus.h"
#include "text/utf8.h"

static void
each_language_has_sentences(void **state)
{
    (void)state;
    for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
        size_t n = 0;
        const char *const *s = lang_corpus_get((enum lang)l, &n);
        assert_non_null(s);
        assert_true(n >= 150);
        for (size_t i = 0; i < n; i++) {
            struct str x = str_from_cstr(s[i]);
            assert_true(x.len >= 10);
            assert_true(utf8_valid(x));
            for (size_t j = 0; j < i; j++)
                if (strcmp(s[i], s[j]) == 0)
                    fail_msg("%s: sentence %zu repeats %zu", lang_code((enum lang)l), i, j);
        }
    }
    size_t n = 7;
    assert_null(lang_corpus_get(LANG_ID_UND, &n));
    assert_int_equal(n, 0);
}

/* Most Kazakh sentences use a letter Russian lacks. */
static void
kazakh_sentences_look_kazakh(void **state)
{
    static const char *const letters[] = {"ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і"};
    (void)state;
    size_t n, with = 0;
    const char *const *s = lang_corpus_get(LANG_ID_KK, &n);
    for (size_t i = 0; i < n; i++) {
        bool has = false;
        for (size_t k = 0; k < sizeof(letters) / sizeof(letters[0]) && !has; k++)
            has = strstr(s[i], letters[k]) != NULL;
        with += has;
    }
    assert_true(with * 10 >= n * 9);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_language_has_sentences),
        cmocka_unit_test(kazakh_sentences_look_kazakh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
