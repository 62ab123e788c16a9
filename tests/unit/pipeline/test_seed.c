/*
 * test_seed.c - the seed corpus: every topic in every script, the same seed
 * gives the same texts, Latin Kazakh has no Cyrillic letter, no text holds
 * anything the redaction scanner calls personal data, and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "pipeline/seed.h"
#include "text/redact.h"

static const char *const scripts[] = {"kk", "kk-latn", "ru", "en"};

static void
seed_covers_every_topic_and_script(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct seed_row *rows;
    size_t n;
    assert_int_equal(seed_corpus(a, 1, 6, &rows, &n), ERR_OK);
    assert_int_equal(seed_topic_count(), 20);
    assert_int_equal(n, seed_topic_count() * 4 * 6);
    for (size_t t = 0; t < seed_topic_count(); t++)
        for (size_t s = 0; s < 4; s++) {
            size_t hits = 0;
            for (size_t i = 0; i < n; i++)
                hits += strcmp(rows[i].topic, seed_topic(t)) == 0 &&
                        strcmp(rows[i].lang, scripts[s]) == 0;
            if (hits != 6)
                fail_msg("%s in %s: %zu texts, want 6", seed_topic(t), scripts[s], hits);
        }
    assert_null(seed_topic(seed_topic_count()));
    arena_free(a);
}

static void
seed_is_deterministic_and_varied(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct seed_row *x, *y, *z;
    size_t nx, ny, nz;
    assert_int_equal(seed_corpus(a, 7, 10, &x, &nx), ERR_OK);
    assert_int_equal(seed_corpus(a, 7, 10, &y, &ny), ERR_OK);
    assert_int_equal(seed_corpus(a, 8, 10, &z, &nz), ERR_OK);
    assert_int_equal(nx, ny);
    size_t differ = 0, distinct = 0;
    for (size_t i = 0; i < nx; i++) {
        assert_int_equal(x[i].text.len, y[i].text.len);
        assert_memory_equal(x[i].text.p, y[i].text.p, x[i].text.len);
        differ +=
            x[i].text.len != z[i].text.len || memcmp(x[i].text.p, z[i].text.p, x[i].text.len) != 0;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = x[j].text.len == x[i].text.len &&
                   memcmp(x[j].text.p, x[i].text.p, x[i].text.len) == 0;
        distinct += !seen;
    }
    /* Another seed draws other texts; one seed draws mostly different ones. */
    assert_true(differ > nx / 2);
    assert_true(distinct > nx * 8 / 10);
    arena_free(a);
}

static void
seed_latin_has_no_cyrillic_and_no_personal_data(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct seed_row *rows;
    size_t n;
    assert_int_equal(seed_corpus(a, 3, 20, &rows, &n), ERR_OK);
    for (size_t i = 0; i < n; i++) {
        assert_true(rows[i].text.len >= 10);
        if (strcmp(rows[i].lang, "kk-latn") == 0)
            for (size_t k = 0; k < rows[i].text.len; k++) {
                unsigned char c = (unsigned char)rows[i].text.p[k];
                /* Cyrillic lead bytes: U+0400..U+04FF is D0..D3. */
                if (c >= 0xD0 && c <= 0xD3)
                    fail_msg("Cyrillic in a Latin text: %.*s", (int)rows[i].text.len,
                             rows[i].text.p);
            }
        struct redact_span *sp;
        size_t count;
        assert_int_equal(redact_scan(a, rows[i].text, &sp, &count), ERR_OK);
        if (count)
            fail_msg("personal data in a seed text: %.*s", (int)rows[i].text.len, rows[i].text.p);
    }
    arena_free(a);
}

static void
seed_limits(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct seed_row *rows;
    size_t n;
    assert_int_equal(seed_corpus(a, 1, 0, &rows, &n), ERR_INVALID);
    assert_int_equal(seed_corpus(a, 1, SEED_PER_MAX + 1, &rows, &n), ERR_TOOBIG);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_covers_every_topic_and_script),
        cmocka_unit_test(seed_is_deterministic_and_varied),
        cmocka_unit_test(seed_latin_has_no_cyrillic_and_no_personal_data),
        cmocka_unit_test(seed_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
