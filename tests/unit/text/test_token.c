/*
 * test_token.c - the tokeniser: words and numbers in Kazakh (both scripts),
 * Russian and English, byte offsets back into the original text, scripts,
 * and what joins or splits a token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "base/arena.h"
#include "base/util.h"
#include "text/normalise.h"
#include "text/token.h"

struct want {
    const char *orig; /* the bytes at off..off+len */
    const char *norm;
    enum token_kind kind;
    enum token_script script;
};

static void
check(const char *text, const struct want *w, size_t n)
{
    struct arena *a = arena_new();
    struct token *t = NULL;
    size_t count = 99;
    struct str s = str_from_cstr(text);
    assert_int_equal(token_split(a, s, &t, &count), ERR_OK);
    if (count != n)
        fail_msg("%s: %zu tokens, want %zu", text, count, n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].len != strlen(w[i].orig) || memcmp(text + t[i].off, w[i].orig, t[i].len) != 0)
            fail_msg("%s: token %zu is [%.*s], want [%s]", text, i, (int)t[i].len, text + t[i].off,
                     w[i].orig);
        if (!str_cstr_eq(t[i].norm, w[i].norm))
            fail_msg("%s: token %zu folds to [%.*s], want [%s]", text, i, (int)t[i].norm.len,
                     t[i].norm.p, w[i].norm);
        assert_int_equal(t[i].kind, w[i].kind);
        assert_int_equal(t[i].script, w[i].script);
    }
    arena_free(a);
}
#define CHECK(text, ...)                                                                           \
    do {                                                                                           \
        static const struct want w_[] = {__VA_ARGS__};                                             \
        check((text), w_, ARRAY_LEN(w_));                                                          \
    } while (0)

#define W TOKEN_WORD
#define N TOKEN_NUMBER
#define L TOKEN_SCRIPT_LATIN
#define C TOKEN_SCRIPT_CYRILLIC
#define X TOKEN_SCRIPT_MIXED
#define NO TOKEN_SCRIPT_NONE

static void
kazakh_cyrillic(void **state)
{
    (void)state;
    CHECK("Құрметті әкім! Көшеде 3 күн су жоқ.", {"Құрметті", "құрметті", W, C},
          {"әкім", "әкім", W, C}, {"Көшеде", "көшеде", W, C}, {"3", "3", N, NO},
          {"күн", "күн", W, C}, {"су", "су", W, C}, {"жоқ", "жоқ", W, C});
    CHECK("ҮЙІМІЗДІҢ һәм ІШІНДЕ", {"ҮЙІМІЗДІҢ", "үйіміздің", W, C}, {"һәм", "һәм", W, C},
          {"ІШІНДЕ", "ішінде", W, C});
}

static void
kazakh_latin(void **state)
{
    (void)state;
    CHECK("Qūrmettı äkım, köşede su joq!", {"Qūrmettı", "qūrmettı", W, L}, {"äkım", "äkım", W, L},
          {"köşede", "köşede", W, L}, {"su", "su", W, L}, {"joq", "joq", W, L});
    CHECK("Qazaqstan'ğa", {"Qazaqstan'ğa", "qazaqstan'ğa", W, L});
}

static void
russian_and_english(void **state)
{
    (void)state;
    CHECK("Нет воды уже 2 недели (с 12.03.2026)!", {"Нет", "нет", W, C}, {"воды", "воды", W, C},
          {"уже", "уже", W, C}, {"2", "2", N, NO}, {"недели", "недели", W, C}, {"с", "с", W, C},
          {"12.03.2026", "12.03.2026", N, NO});
    CHECK("We don't have 3,5 hours.", {"We", "we", W, L}, {"don't", "don't", W, L},
          {"have", "have", W, L}, {"3,5", "3,5", N, NO}, {"hours", "hours", W, L});
}

static void
mixed_text_and_scripts(void **state)
{
    (void)state;
    /* A Latin "a" inside a Cyrillic word: one token, mixed script. */
    CHECK("Рахмет, спасибо, Aкимат", {"Рахмет", "рахмет", W, C}, {"спасибо", "спасибо", W, C},
          {"Aкимат", "aкимат", W, X});
    CHECK("covid19 5G", {"covid19", "covid19", W, L}, {"5G", "5g", W, L});
}

static void
what_splits(void **state)
{
    (void)state;
    CHECK("бір-бірі, e-mail; 75-2026-0000123", {"бір", "бір", W, C}, {"бірі", "бірі", W, C},
          {"e", "e", W, L}, {"mail", "mail", W, L}, {"75", "75", N, NO}, {"2026", "2026", N, NO},
          {"0000123", "0000123", N, NO});
    /* A point or apostrophe at the edge is not part of the word. */
    CHECK("'сөз' 3. 4,", {"сөз", "сөз", W, C}, {"3", "3", N, NO}, {"4", "4", N, NO});
}

static void
offsets_survive_decomposed_and_invisible(void **state)
{
    (void)state;
    /* и + breve, a soft hyphen inside a word, a zero-width space after it */
    CHECK("мои\xCC\x86 қа\xC2\xADзақ\xE2\x80\x8B!", {"мои\xCC\x86", "мой", W, C},
          {"қа\xC2\xADзақ", "қазақ", W, C});
}

static void
empty_and_bad(void **state)
{
    struct arena *a = arena_new();
    struct token *t = (struct token *)1;
    size_t n = 7;
    (void)state;
    assert_int_equal(token_split(a, STR(""), &t, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_null(t);
    assert_int_equal(token_split(a, STR(" ,.!? — "), &t, &n), ERR_OK);
    assert_int_equal(n, 0);
    n = 7;
    assert_int_equal(token_split(a, STR("ab\xFF"), &t, &n), ERR_INVALID);
    assert_int_equal(n, 7);
    arena_free(a);
}

/* Split word (of letter cp); when it is one token, check that its normal
 * form is normalise_text()'s and give its script. The token count. */
static size_t
fold_one(struct arena *a, struct str word, int32_t cp, enum token_script *script)
{
    struct str want;
    struct token *t;
    size_t count;
    assert_int_equal(token_split(a, word, &t, &count), ERR_OK);
    if (count != 1)
        return count;
    assert_int_equal(normalise_text(a, word, &want), ERR_OK);
    if (!str_eq(t[0].norm, want))
        fail_msg("U+%04X: [%.*s], want [%.*s]", (unsigned)cp, (int)t[0].norm.len, t[0].norm.p,
                 (int)want.len, want.p);
    *script = t[0].script;
    return count;
}

/* Every letter of the scripts the tokeniser folds itself (ASCII, Latin-1,
 * Latin Extended-A, Cyrillic), alone and inside a word, gets the normal form
 * normalise_text() gives it. */
static void
fold_matches_normalise(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const int32_t ranges[][2] = {{0x41, 0x7A}, {0xC0, 0x17F}, {0x400, 0x52F}};
    for (size_t r = 0; r < ARRAY_LEN(ranges); r++) {
        for (int32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            char w[16];
            size_t n = 0;
            w[n++] = 'Q';
            n += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)w + n);
            w[n++] = 'z';
            enum token_script script;
            /* a character that is not a letter splits the word */
            (void)fold_one(a, (struct str){w, n}, cp, &script);
        }
    }
    arena_free(a);
}

/* The want tokens of text, each with token_hash() of its normal form. */
static struct token *
split_hashed(struct arena *a, const char *text, size_t want)
{
    struct token *t;
    size_t n;
    assert_int_equal(token_split(a, str_from_cstr(text), &t, &n), ERR_OK);
    assert_int_equal(n, want);
    for (size_t i = 0; i < n; i++)
        assert_true(t[i].hash == token_hash(t[i].norm));
    return t;
}

/* The hash is token_hash() of the normal form, so the same word in any
 * case, taken the quick way (ASCII and basic Cyrillic, ending at a space)
 * or the slow one (ending at a guillemet, or with a Kazakh letter in it),
 * has the same hash; other words differ. */
static void
hash_follows_normal_form(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct token *t =
        split_hashed(a, "Ёлка ёЛКА «ёлка» ЁЛКАҚ ёлкақ, apple APPLE's Apple» 12.5 12,5 ёлкa", 11);
    /* long words (past the 24 bytes read at once), the quick way and not */
    struct token *u = split_hashed(a,
                                   "Достопримечательностями ДОСТОПРИМЕЧАТЕЛЬНОСТЯМИ» "
                                   "internationalisation-INTERNATIONALISATION…",
                                   4);
    assert_true(u[0].hash == u[1].hash && u[2].hash == u[3].hash && u[0].hash != u[2].hash);
    assert_true(t[0].hash == t[1].hash && t[1].hash == t[2].hash);
    assert_true(t[3].hash == t[4].hash && t[3].hash != t[0].hash);
    assert_true(t[5].hash == t[7].hash);
    assert_true(str_cstr_eq(t[6].norm, "apple's") && t[6].hash != t[5].hash);
    assert_true(t[8].hash != t[9].hash);
    assert_true(t[10].script == TOKEN_SCRIPT_MIXED && t[10].hash != t[0].hash);
    /* every length from 0 to 24 bytes: the tail is read both ways */
    char w[32];
    for (size_t len = 0; len <= 24; len++) {
        memset(w, 'a', len);
        uint64_t h = token_hash((struct str){w, len});
        w[len] = 'b';
        assert_true(len == 0 || h != token_hash((struct str){w + 1, len}));
        assert_true(h == token_hash((struct str){w, len}));
        for (size_t k = 0; k < len; k++) {
            w[k] = 'c';
            assert_true(h != token_hash((struct str){w, len}));
            w[k] = 'a';
        }
    }
    arena_free(a);
}

/* Every basic Cyrillic letter (the quick way's table), alone and first in
 * a Cyrillic word, folds as normalise_text() folds it. */
static void
cyrillic_alone_and_first(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (int32_t cp = 0x400; cp <= 0x45F; cp++) {
        char w[16];
        size_t n = (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)w);
        for (int form = 0; form < 2; form++) {
            size_t len = n;
            if (form == 1) {
                memcpy(w + len, "\xD0\x96\xD0\xB6", 4); /* Жж */
                len += 4;
            }
            enum token_script script = TOKEN_SCRIPT_NONE;
            assert_int_equal(fold_one(a, (struct str){w, len}, cp, &script), 1);
            assert_int_equal(script, TOKEN_SCRIPT_CYRILLIC);
        }
    }
    arena_free(a);
}

/* A long text (split sixteen bytes a step) gives the tokens its parts
 * give alone (short: a character at a time): random texts of tricky
 * parts, joined by separators that join nothing. */
static void
long_texts_split_as_their_parts(void **state)
{
    (void)state;
    static const char *const parts[] = {
        "Жалоба",
        "ЖАЛОБА",
        "ёлка",
        "ЁЛКА",
        "Ѐѐ",
        "Ѡѡ",
        "Қазақстан",
        "қаласында",
        "Qazaqstan'ga",
        "don't",
        "12.03.2026",
        "3,5",
        "№5",
        "«Жилищник»",
        "“кавычки”",
        "5G",
        "ёлкa",
        "қа\xC2\xADзақ",
        "e\xCC\x81t",
        "ДОСТОПРИМЕЧАТЕЛЬНОСТЯМИ",
        "word",
        "WORD",
        "x",
        "Ы",
        "бір-бірі",
        "д'Артаньян",
        "…",
        "2021",
        "İstanbul",
        "straße",
    };
    static const char *const seps[] = {" ", ", ", "; ", "\n", " — ", "  "};
    struct arena *a = arena_new();
    uint32_t seed = 12345;
    for (int round = 0; round < 400; round++) {
        char text[2048];
        size_t len = 0, nparts = 0, which[128], at[128];
        while (len < 64 + (size_t)round % 500 && nparts < 128) {
            seed = seed * 1103515245u + 12345u;
            size_t p = (seed >> 8) % ARRAY_LEN(parts), q = (seed >> 20) % ARRAY_LEN(seps);
            if (nparts > 0) {
                memcpy(text + len, seps[q], strlen(seps[q]));
                len += strlen(seps[q]);
            }
            memcpy(text + len, parts[p], strlen(parts[p]));
            at[nparts] = len;
            len += strlen(parts[p]);
            which[nparts++] = p;
        }
        struct token *t;
        size_t n;
        assert_int_equal(token_split(a, (struct str){text, len}, &t, &n), ERR_OK);
        size_t k = 0;
        for (size_t j = 0; j < nparts; j++) {
            struct token *u;
            size_t un;
            const char *part = parts[which[j]];
            assert_int_equal(token_split(a, str_from_cstr(part), &u, &un), ERR_OK);
            size_t base = at[j];
            for (size_t i = 0; i < un; i++, k++) {
                assert_true(k < n);
                if (t[k].off != base + u[i].off || t[k].len != u[i].len ||
                    !str_eq(t[k].norm, u[i].norm) || t[k].kind != u[i].kind ||
                    t[k].script != u[i].script || t[k].letter_count != u[i].letter_count ||
                    t[k].hash != u[i].hash)
                    fail_msg("[%.*s] in a text of %zu bytes: token %zu differs", (int)u[i].len,
                             part + u[i].off, len, k);
            }
        }
        assert_int_equal(k, n);
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kazakh_cyrillic),
        cmocka_unit_test(kazakh_latin),
        cmocka_unit_test(russian_and_english),
        cmocka_unit_test(mixed_text_and_scripts),
        cmocka_unit_test(what_splits),
        cmocka_unit_test(offsets_survive_decomposed_and_invisible),
        cmocka_unit_test(empty_and_bad),
        cmocka_unit_test(fold_matches_normalise),
        cmocka_unit_test(hash_follows_normal_form),
        cmocka_unit_test(cyrillic_alone_and_first),
        cmocka_unit_test(long_texts_split_as_their_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
