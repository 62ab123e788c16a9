/*
 * test_normalise.c - NFC, case folding and white space: Kazakh, Russian and
 * English, Latin-script Kazakh, invisible characters, limits and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

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

/* The result of the full utf8proc path for s: NFC, case fold, ignorables
 * dropped, İ as i; white space left alone. Caller frees. */
static char *
reference(const char *s, size_t len, size_t *out_len)
{
    utf8proc_uint8_t *m = NULL;
    size_t n = 0;
    char *r = malloc(len * 4 + 1);
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        i += (size_t)utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i),
                                      &cp);
        char one[4];
        utf8proc_ssize_t k = utf8proc_encode_char(cp == 0x130 ? 'i' : cp, (utf8proc_uint8_t *)one);
        utf8proc_ssize_t got =
            utf8proc_map((const utf8proc_uint8_t *)one, k, &m,
                         UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
        assert_true(got >= 0);
        memcpy(r + n, m, (size_t)got);
        n += (size_t)got;
        free(m);
    }
    r[n] = '\0';
    *out_len = n;
    return r;
}

/* Every character up to U+21FF (Cyrillic, General Punctuation, letterlike
 * symbols) between two ASCII letters folds exactly as utf8proc folds it alone: the fast path for
 * these ranges must not differ from the full one. */
static void
fast_path_matches_utf8proc(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (int32_t cp = 0x21; cp < 0x2200; cp++) {
        utf8proc_category_t c = utf8proc_category(cp);
        if (c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
            c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CN || (cp >= 0xD800 && cp < 0xE000))
            continue; /* white space and controls are gaps; unassigned is not text */
        char in[8];
        size_t n = 0;
        in[n++] = 'Q';
        n += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)in + n);
        in[n++] = 'Z';
        struct str out;
        assert_int_equal(normalise_text(a, (struct str){in, n}, &out), ERR_OK);
        size_t want_len;
        char *want = reference(in, n, &want_len);
        if (out.len != want_len || memcmp(out.p, want, want_len) != 0)
            fail_msg("U+%04X folds to \"%.*s\", utf8proc gives \"%s\"", (unsigned)cp, (int)out.len,
                     out.p, want);
        free(want);
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
        cmocka_unit_test(fast_path_matches_utf8proc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
