/*
 * test_piigen.c - the labelled corpus generator: the same seed gives the
 * same texts, labels point at what they say (an IIN with a right check
 * digit, a Luhn-valid card, a valid IBAN, an "@" or "at" in an e-mail),
 * every form of every kind turns up, texts are valid UTF-8 in the three
 * languages, and clean texts carry no labels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "text/piigen.h"
#include "text/utf8.h"

static void
same_seed_same_texts(void **state)
{
    (void)state;
    struct piigen g1, g2, g3;
    piigen_init(&g1, 7);
    piigen_init(&g2, 7);
    piigen_init(&g3, 8);
    struct arena *a = arena_new();
    bool differs = false;
    for (int i = 0; i < 50; i++) {
        struct piigen_sample s1, s2, s3;
        piigen_pii(&g1, a, &s1);
        piigen_pii(&g2, a, &s2);
        piigen_pii(&g3, a, &s3);
        assert_true(str_eq(s1.text, s2.text));
        assert_int_equal(s1.item_count, s2.item_count);
        differs |= !str_eq(s1.text, s3.text);
    }
    assert_true(differs);
    arena_free(a);
}

/* The digits of it, ASCII (fullwidth digits read as theirs). */
static size_t
digits_of(struct str t, const struct piigen_item *it, char *d, size_t max)
{
    size_t n = 0;
    for (size_t i = it->off; i < it->off + it->len && n < max; i++) {
        unsigned char c = (unsigned char)t.p[i];
        if (c >= '0' && c <= '9')
            d[n++] = (char)c;
        else if (c == 0xEF && i + 2 < t.len && (unsigned char)t.p[i + 1] == 0xBC)
            d[n++] = (char)('0' + ((unsigned char)t.p[i + 2] - 0x90)), i += 2;
    }
    return n;
}

static bool
has(struct str t, const struct piigen_item *it, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = it->off; i + n <= it->off + it->len; i++)
        if (memcmp(t.p + i, needle, n) == 0)
            return true;
    return false;
}

static void
labels_are_true(void **state)
{
    (void)state;
    struct piigen g;
    piigen_init(&g, 20260301);
    struct arena *a = arena_new();
    bool seen[REDACT__COUNT][32] = {{false}};
    size_t langs[LANG_ID__COUNT] = {0};
    for (int i = 0; i < 3000; i++) {
        struct piigen_sample s;
        piigen_pii(&g, a, &s);
        assert_true(utf8_valid(s.text));
        assert_true(s.item_count >= 1 && s.item_count <= PIIGEN_ITEMS_MAX);
        langs[s.lang]++;
        for (size_t k = 0; k < s.item_count; k++) {
            const struct piigen_item *it = &s.items[k];
            char d[40];
            assert_true(it->off + it->len <= s.text.len);
            seen[it->kind][it->form] = true;
            size_t n = digits_of(s.text, it, d, sizeof(d));
            switch (it->kind) {
            case REDACT_IIN:
                assert_true(redact_iin_check((struct str){d, n}));
                break;
            case REDACT_CARD:
                assert_true(n >= 13 && n <= 19 && redact_luhn_check((struct str){d, n}));
                break;
            case REDACT_PHONE:
                assert_true(n >= 10 && n <= 11);
                break;
            case REDACT_EMAIL:
                assert_true(has(s.text, it, "@") || has(s.text, it, "at)") ||
                            has(s.text, it, "at]"));
                break;
            case REDACT_IBAN: {
                char b[40];
                size_t m = 0;
                for (size_t j = it->off; j < it->off + it->len; j++)
                    if (s.text.p[j] != ' ')
                        b[m++] = s.text.p[j];
                assert_true(redact_iban_check((struct str){b, m}));
                break;
            }
            case REDACT__COUNT:
                fail();
            }
        }
        if (i % 100 == 0) {
            arena_free(a);
            a = arena_new();
        }
    }
    for (int k = 0; k < REDACT__COUNT; k++)
        for (unsigned f = 0; f < piigen_form_count((enum redact_kind)k); f++)
            if (!seen[k][f])
                fail_msg("%s form %s never generated", redact_placeholder((enum redact_kind)k),
                         piigen_form_name((enum redact_kind)k, f));
    assert_true(langs[LANG_ID_KK] > 500 && langs[LANG_ID_RU] > 500 && langs[LANG_ID_EN] > 500);
    assert_true(piigen_form_count(REDACT_PHONE) >= 10);
    assert_string_equal(piigen_form_name(REDACT_IIN, 99), "?");
    arena_free(a);
}

static void
clean_texts_have_no_labels(void **state)
{
    (void)state;
    struct piigen g;
    piigen_init(&g, 1);
    struct arena *a = arena_new();
    for (int i = 0; i < 500; i++) {
        struct piigen_sample s;
        piigen_clean(&g, a, &s);
        assert_int_equal(s.item_count, 0);
        assert_true(s.text.len > 10);
        assert_true(utf8_valid(s.text));
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_texts),
        cmocka_unit_test(labels_are_true),
        cmocka_unit_test(clean_texts_have_no_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
