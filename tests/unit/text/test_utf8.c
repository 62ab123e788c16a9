/*
 * test_utf8.c - strict UTF-8 validation, code point counting and NFC.
 *
 * Validation is checked against the well-formed byte sequences of Unicode
 * (The Unicode Standard, Table 3-7), written out below as ranges: every
 * sequence of one and two bytes, every three-byte sequence with a lead byte
 * of C0..FF, and every code point encoded by this file's own encoder. Named
 * cases cover overlongs, surrogates, values past U+10FFFF, truncation and
 * NUL. Counting uses Kazakh and Russian text; NFC composes decomposed
 * Cyrillic (и + breve -> й) and leaves the Kazakh letters as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/util.h"
#include "text/utf8.h"

static bool
valid(const char *s)
{
    return utf8_valid(str_from_cstr(s));
}

static bool
validn(const void *p, size_t n)
{
    return utf8_valid((struct str){p, n});
}

/* Table 3-7: the well-formed sequences, lead byte range then the ranges of
 * the continuation bytes. */
static const struct wf {
    unsigned char lo, hi;  /* first byte */
    unsigned char r[3][2]; /* following bytes */
    int n;
} table37[] = {
    {0x00, 0x7F, {{0}}, 1},
    {0xC2, 0xDF, {{0x80, 0xBF}}, 2},
    {0xE0, 0xE0, {{0xA0, 0xBF}, {0x80, 0xBF}}, 3},
    {0xE1, 0xEC, {{0x80, 0xBF}, {0x80, 0xBF}}, 3},
    {0xED, 0xED, {{0x80, 0x9F}, {0x80, 0xBF}}, 3},
    {0xEE, 0xEF, {{0x80, 0xBF}, {0x80, 0xBF}}, 3},
    {0xF0, 0xF0, {{0x90, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}}, 4},
    {0xF1, 0xF3, {{0x80, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}}, 4},
    {0xF4, 0xF4, {{0x80, 0x8F}, {0x80, 0xBF}, {0x80, 0xBF}}, 4},
};

/* Is p[0..n) exactly a sequence of well-formed characters? */
static bool
oracle(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const struct wf *w = NULL;
        for (size_t k = 0; k < ARRAY_LEN(table37); k++)
            if (p[i] >= table37[k].lo && p[i] <= table37[k].hi)
                w = &table37[k];
        if (!w || n - i < (size_t)w->n)
            return false;
        for (int k = 1; k < w->n; k++)
            if (p[i + k] < w->r[k - 1][0] || p[i + k] > w->r[k - 1][1])
                return false;
        i += (size_t)w->n;
    }
    return true;
}

/* Encode cp the generalised way (surrogates too): the byte count. */
static size_t
encode(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static void
named_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid(STR_NULL));
    assert_true(valid(""));
    assert_true(valid("plain ASCII ~\x7f"));
    assert_true(valid("Қазақстан Республикасы"));
    assert_true(valid("Ёлка, йод, ЙОГУРТ"));
    assert_true(valid("әғқңөұүһі ӘҒҚҢӨҰҮҺІ"));
    assert_true(valid("\xC2\x80"));         /* U+0080 */
    assert_true(valid("\xDF\xBF"));         /* U+07FF */
    assert_true(valid("\xE0\xA0\x80"));     /* U+0800 */
    assert_true(valid("\xED\x9F\xBF"));     /* U+D7FF, below the surrogates */
    assert_true(valid("\xEE\x80\x80"));     /* U+E000, above them */
    assert_true(valid("\xEF\xBF\xBF"));     /* U+FFFF */
    assert_true(valid("\xF0\x90\x80\x80")); /* U+10000 */
    assert_true(valid("\xF0\x9F\x98\x80")); /* U+1F600 */
    assert_true(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
    assert_true(valid("\xEF\xBB\xBF"
                      "BOM ok")); /* U+FEFF */
    /* NUL is a character. */
    assert_true(validn("\0", 1));
    assert_true(validn("a\0\xD0\xB9\0", 5));
}

static void
named_invalid(void **state)
{
    static const char *const bad[] = {
        /* overlong */
        "\xC0\x80",
        "\xC0\xAF",
        "\xC1\xBF",
        "\xE0\x80\x80",
        "\xE0\x80\xAF",
        "\xE0\x9F\xBF",
        "\xF0\x80\x80\x80",
        "\xF0\x80\x80\xAF",
        "\xF0\x8F\xBF\xBF",
        /* surrogates, alone and paired */
        "\xED\xA0\x80",
        "\xED\xAD\xBF",
        "\xED\xAE\x80",
        "\xED\xBF\xBF",
        "\xED\xA0\xBD\xED\xB8\x80",
        /* past U+10FFFF and bytes that never appear */
        "\xF4\x90\x80\x80",
        "\xF5\x80\x80\x80",
        "\xF7\xBF\xBF\xBF",
        "\xF8\x88\x80\x80\x80",
        "\xFC\x84\x80\x80\x80\x80",
        "\xFE",
        "\xFF",
        "a\xFFz",
        /* continuation bytes without a lead */
        "\x80",
        "\xBF",
        "a\x80",
        "\xD0\xB9\xB9",
        /* truncated */
        "\xC3",
        "\xE2\x82",
        "\xF0\x9F\x98",
        "abc\xD0",
        "\xE2\x82"
        "a",
        "\xF0\x9F"
        "ab",
        /* a wrong continuation */
        "\xC3\x28",
        "\xE2\x28\xA1",
        "\xE2\x82\x28",
        "\xF0\x28\x8C\xBC",
        "\xF0\x90\x28\xBC",
        "\xF0\x90\x8C\x28",
        "\xD0\xC0",
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (valid(bad[i]))
            fail_msg("case %zu accepted", i);
    /* The view ends mid-character, even if the bytes after it would finish it. */
    assert_false(validn("\xD0\xB9", 1));
    assert_false(validn("\xF0\x9F\x98\x80", 3));
    assert_true(validn("\xD0\xB9\xD0", 2));
}

static void
every_one_and_two_byte_sequence(void **state)
{
    (void)state;
    for (int a = 0; a < 256; a++) {
        unsigned char s[2] = {(unsigned char)a, 0};
        if (utf8_valid((struct str){(char *)s, 1}) != oracle(s, 1))
            fail_msg("%02X", a);
        for (int b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            if (utf8_valid((struct str){(char *)s, 2}) != oracle(s, 2))
                fail_msg("%02X %02X: want %d", a, b, oracle(s, 2));
        }
    }
}

static void
every_three_byte_sequence_with_a_lead(void **state)
{
    (void)state;
    for (int a = 0xC0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            for (int c = 0; c < 256; c++) {
                unsigned char s[3] = {(unsigned char)a, (unsigned char)b, (unsigned char)c};
                if (utf8_valid((struct str){(char *)s, 3}) != oracle(s, 3))
                    fail_msg("%02X %02X %02X: want %d", a, b, c, oracle(s, 3));
            }
}

/* Four-byte sequences: every lead F0..FF with every second byte, and a
 * spread of third and fourth bytes. */
static void
four_byte_sequences(void **state)
{
    static const unsigned char tail[] = {0x00, 0x41, 0x7F, 0x80, 0x8F,
                                         0x90, 0xA5, 0xBF, 0xC0, 0xFF};
    (void)state;
    for (int a = 0xF0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            for (size_t c = 0; c < ARRAY_LEN(tail); c++)
                for (size_t d = 0; d < ARRAY_LEN(tail); d++) {
                    unsigned char s[4] = {(unsigned char)a, (unsigned char)b, tail[c], tail[d]};
                    if (utf8_valid((struct str){(char *)s, 4}) != oracle(s, 4))
                        fail_msg("%02X %02X %02X %02X: want %d", a, b, s[2], s[3], oracle(s, 4));
                }
}

/* Every code point up to 0x13FFFF: valid exactly when it is a scalar value. */
static void
every_code_point(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp < 0x140000; cp++) {
        unsigned char s[4];
        size_t n = encode(cp, s);
        bool want = cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (utf8_valid((struct str){(char *)s, n}) != want)
            fail_msg("U+%04X: want %d", cp, want);
        if (want)
            assert_int_equal(utf8_count((struct str){(char *)s, n}), 1);
    }
}

static void
counting(void **state)
{
    (void)state;
    assert_int_equal(utf8_count(STR_NULL), 0);
    assert_int_equal(utf8_count(STR("abc")), 3);
    assert_int_equal(utf8_count(STR("Қазақстан")), 9);
    assert_int_equal(STR("Қазақстан").len, 18);
    assert_int_equal(utf8_count(STR("әғқңөұүһі")), 9);
    assert_int_equal(utf8_count(STR("ӘҒҚҢӨҰҮҺІ")), 9);
    assert_int_equal(utf8_count(STR("Ёлка й")), 6);
    assert_int_equal(utf8_count(STR("Сәлем, әлем! Hi 😀")), 17);
    assert_int_equal(utf8_count((struct str){"a\0b", 3}), 3);
    /* A decomposed й is two code points; APPEAL_TEXT_MIN counts after NFC. */
    assert_int_equal(utf8_count(STR("и\xCC\x86")), 2);
    /* 10 Kazakh letters: the text minimum sits at 10 code points, 20 bytes. */
    assert_int_equal(utf8_count(STR("ӘӘӘӘӘӘӘӘӘӘ")), 10);
}

static char *
nfc(struct arena *a, const char *s, size_t n, size_t *len)
{
    char *out = NULL;
    *len = 12345;
    enum err e = utf8_nfc(a, (struct str){s, n}, &out, len);
    if (e != ERR_OK)
        fail_msg("utf8_nfc: %s", err_name(e));
    assert_non_null(out);
    assert_int_equal(out[*len], '\0');
    return out;
}

#define assert_nfc(a, in, want)                                                                    \
    do {                                                                                           \
        size_t len_;                                                                               \
        char *got_ = nfc((a), (in), sizeof(in) - 1, &len_);                                        \
        assert_int_equal(len_, sizeof(want) - 1);                                                  \
        assert_memory_equal(got_, (want), sizeof(want) - 1);                                       \
    } while (0)

static void
nfc_composes(void **state)
{
    struct arena *a = arena_new();
    (void)state;
    /* и + U+0306 combining breve -> й U+0439; И -> Й U+0419 */
    assert_nfc(a, "\xD0\xB8\xCC\x86", "\xD0\xB9");
    assert_nfc(a, "\xD0\x98\xCC\x86", "\xD0\x99");
    assert_nfc(a, "мо\xD0\xB8\xCC\x86 город", "мой город");
    /* е + U+0308 diaeresis -> ё; Е -> Ё */
    assert_nfc(a, "\xD0\xB5\xCC\x88", "ё");
    assert_nfc(a, "\xD0\x95\xCC\x88", "Ё");
    /* ә + U+0308 -> ӛ U+04DB; і + U+0308 -> ї U+0457 */
    assert_nfc(a, "\xD3\x99\xCC\x88", "\xD3\x9B");
    assert_nfc(a, "\xD1\x96\xCC\x88", "\xD1\x97");
    /* Latin: e + acute -> é */
    assert_nfc(a, "e\xCC\x81", "\xC3\xA9");
    /* Marks put in canonical order: a + acute + dot below -> ạ + acute */
    assert_nfc(a, "a\xCC\x81\xCC\xA3", "\xE1\xBA\xA1\xCC\x81");
    /* Singletons: ANGSTROM SIGN -> Å, OHM SIGN -> Ω */
    assert_nfc(a, "\xE2\x84\xAB", "\xC3\x85");
    assert_nfc(a, "\xE2\x84\xA6", "\xCE\xA9");
    arena_free(a);
}

static void
nfc_keeps_what_is_composed(void **state)
{
    static const char *const keep[] = {
        "",
        "plain ASCII",
        "Қазақстан Республикасы",
        "әғқңөұүһі ӘҒҚҢӨҰҮҺІ",
        "Ёлка, йод, ЙОГУРТ",
        "ﬁ ½ ２",   /* compatibility characters: NFKC would change them, NFC does not */
        "\xCC\x86", /* a mark with nothing before it stays */
        "😀 U+1F600",
    };
    struct arena *a = arena_new();
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(keep); i++) {
        size_t len;
        char *out = nfc(a, keep[i], strlen(keep[i]), &len);
        assert_int_equal(len, strlen(keep[i]));
        assert_memory_equal(out, keep[i], len);
    }
    /* NUL passes through, and so does the length. */
    size_t len;
    char *out = nfc(a, "a\0\xD0\xB8\xCC\x86", 6, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "a\0\xD0\xB9", 4);
    out = nfc(a, NULL, 0, &len);
    assert_int_equal(len, 0);
    arena_free(a);
}

static void
nfc_rejects_invalid(void **state)
{
    static const char *const bad[] = {"\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "ab\xD0",
                                      "\xFF"};
    struct arena *a = arena_new();
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *out = (char *)"untouched";
        size_t len = 7;
        assert_int_equal(utf8_nfc(a, str_from_cstr(bad[i]), &out, &len), ERR_INVALID);
    }
    arena_free(a);
}

/* NFC output is valid UTF-8, and NFC of it changes nothing. */
static void
nfc_is_idempotent(void **state)
{
    static const char *const in[] = {
        "\xD0\xB8\xCC\x86\xD0\xB5\xCC\x88",
        "a\xCC\xA3\xCC\x81",
        "Қа\xCC\x86з",
        "\xE2\x84\xAB",
    };
    struct arena *a = arena_new();
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(in); i++) {
        size_t n1, n2;
        char *once = nfc(a, in[i], strlen(in[i]), &n1);
        assert_true(utf8_valid((struct str){once, n1}));
        char *twice = nfc(a, once, n1, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(once, twice, n1);
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(named_valid),
        cmocka_unit_test(named_invalid),
        cmocka_unit_test(every_one_and_two_byte_sequence),
        cmocka_unit_test(every_three_byte_sequence_with_a_lead),
        cmocka_unit_test(four_byte_sequences),
        cmocka_unit_test(every_code_point),
        cmocka_unit_test(counting),
        cmocka_unit_test(nfc_composes),
        cmocka_unit_test(nfc_keeps_what_is_composed),
        cmocka_unit_test(nfc_rejects_invalid),
        cmocka_unit_test(nfc_is_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
