/*
 * test_normalise.c - NFC, case folding and white space: Kazakh, Russian and
 * English, Latin-script Kazakh, invisible characters, limits and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/util.h"
#include "text/normalise.h"

static void
check(const char *in, size_t in_len, const char *want)
{
    struct arena *a = arena_new();
    struct str out = {NULL, 12345};
    enum err e = normalise_text(a, (struct str){in, in_len}, &out);
    if (e != ERR_OK)
        fail_msg("normalise_text(%s): %s", in, err_name(e));
    if (out.len != strlen(want) || memcmp(out.p, want, out.len) != 0)
        fail_msg("normalise_text(%s) = [%.*s], want [%s]", in, (int)out.len, out.p, want);
    assert_int_equal(out.p[out.len], '\0');
    arena_free(a);
}
#define CHECK(in, want) check((in), sizeof(in) - 1, (want))

static void
folds_case_in_three_languages(void **state)
{
    (void)state;
    CHECK("ҚАЗАҚСТАН РЕСПУБЛИКАСЫ", "қазақстан республикасы");
    CHECK("ӘҒҚҢӨҰҮҺІ", "әғқңөұүһі");
    CHECK("Жалоба на АКИМАТ", "жалоба на акимат");
    CHECK("The Road Is BROKEN", "the road is broken");
    CHECK("Straße", "strasse"); /* full folding */
    /* Latin-script Kazakh: İ folds to plain i, not i + combining dot. */
    CHECK("QAZAQSTAN RESPUBLİKASY", "qazaqstan respublikasy");
    CHECK("ÄKİMDİK ŞEŞİMİ", "äkimdik şeşimi");
    CHECK("Ūlttyq Ğylym Ñ Ö Ü", "ūlttyq ğylym ñ ö ü");
}

static void
composes(void **state)
{
    (void)state;
    CHECK("и\xCC\x86", "й");              /* и + breve */
    CHECK("Е\xCC\x88лка", "ёлка");        /* Е + diaeresis, then folded */
    CHECK("cafe\xCC\x81", "caf\xC3\xA9"); /* e + acute */
}

static void
collapses_white_space(void **state)
{
    (void)state;
    CHECK("  бір   екі\t\tүш\r\nтөрт  ", "бір екі үш төрт");
    CHECK("a\xC2\xA0\xE2\x80\x83"
          "b",
          "a b");                               /* no-break space, em space */
    CHECK("a\x01\x02z", "a z");                 /* controls are gaps */
    CHECK("line\xE2\x80\xA8next", "line next"); /* U+2028 */
    CHECK("", "");
    CHECK(" \t\n ", "");
}

static void
drops_invisible_characters(void **state)
{
    (void)state;
    CHECK("қа\xC2\xADзақ", "қазақ"); /* soft hyphen */
    CHECK("a\xE2\x80\x8B"
          "b",
          "ab"); /* zero-width space */
    CHECK("\xEF\xBB\xBF"
          "Сәлем",
          "сәлем"); /* BOM */
}

static void
nul_is_a_gap(void **state)
{
    (void)state;
    check("a\0b", 3, "a b");
}

static void
rejects_bad_input(void **state)
{
    struct arena *a = arena_new();
    struct str out = {"untouched", 9};
    (void)state;
    assert_int_equal(normalise_text(a, STR("ab\xD0"), &out), ERR_INVALID);
    assert_int_equal(normalise_text(a, STR("\xC0\x80"), &out), ERR_INVALID);
    assert_int_equal(out.len, 9);
    static char big[NORMALISE_MAX + 1];
    memset(big, 'a', sizeof(big));
    assert_int_equal(normalise_text(a, (struct str){big, sizeof(big)}, &out), ERR_TOOBIG);
    assert_int_equal(normalise_text(a, (struct str){big, NORMALISE_MAX}, &out), ERR_OK);
    assert_int_equal(out.len, NORMALISE_MAX);
    arena_free(a);
}

static void
is_idempotent(void **state)
{
    static const char *const in[] = {"  ҚАЗАҚ  тілі ", "Ёлка И\xCC\x86", "İSTANBUL Straße",
                                     "mixed Қазақ and Русский"};
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < ARRAY_LEN(in); i++) {
        struct str once, twice;
        assert_int_equal(normalise_text(a, str_from_cstr(in[i]), &once), ERR_OK);
        assert_int_equal(normalise_text(a, once, &twice), ERR_OK);
        assert_true(str_eq(once, twice));
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folds_case_in_three_languages),
        cmocka_unit_test(composes),
        cmocka_unit_test(collapses_white_space),
        cmocka_unit_test(drops_invisible_characters),
        cmocka_unit_test(nul_is_a_gap),
        cmocka_unit_test(rejects_bad_input),
        cmocka_unit_test(is_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
