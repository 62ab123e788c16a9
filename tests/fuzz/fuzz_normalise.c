/*
 * fuzz_normalise.c - text/normalise, text/token and text/lang on any bytes.
 * Invalid UTF-8 is rejected by all three. For valid input: the normal form
 * is valid UTF-8, NUL-terminated, has no space at either end and never two
 * in a row, and normalising it again changes nothing; tokens lie inside the
 * text in order without overlapping, start and end on character bounds, and
 * fold to valid UTF-8 with no spaces, exactly as normalise_text() folds them; the language shares
 * are 0 (no words) or sum to 1.
 */
#include <math.h>
#include <string.h>

#include "base/arena.h"
#include "fuzz/fuzz.h"
#include "text/lang.h"
#include "text/normalise.h"
#include "text/token.h"
#include "text/utf8.h"

static bool
char_bound(const uint8_t *p, size_t size, size_t i)
{
    return i == size || (p[i] & 0xC0) != 0x80;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One model for the whole run: building it takes milliseconds. */
    static struct lang_model *model;
    if (!model)
        model = lang_model_new();
    struct str s = {(const char *)data, size};
    struct arena *a = arena_new();
    struct str n = {NULL, 0};
    enum err e = normalise_text(a, s, &n);
    bool valid = utf8_valid(s);
    if (!valid) {
        struct token *t;
        size_t count;
        struct lang_guess g;
        FUZZ_CHECK(e == ERR_INVALID);
        FUZZ_CHECK(token_split(a, s, &t, &count) == ERR_INVALID);
        FUZZ_CHECK(lang_detect(model, a, s, &g) == ERR_INVALID);
        arena_free(a);
        return 0;
    }
    FUZZ_CHECK(e == ERR_OK);
    FUZZ_CHECK(n.p != NULL && n.p[n.len] == '\0');
    FUZZ_CHECK(utf8_valid(n));
    FUZZ_CHECK(n.len == 0 || (n.p[0] != ' ' && n.p[n.len - 1] != ' '));
    for (size_t i = 0; i + 1 < n.len; i++)
        FUZZ_CHECK(!(n.p[i] == ' ' && n.p[i + 1] == ' '));
    struct str n2;
    FUZZ_CHECK(normalise_text(a, n, &n2) == ERR_OK);
    FUZZ_CHECK(str_eq(n, n2));

    struct token *t = NULL;
    size_t count = 0, end = 0;
    FUZZ_CHECK(token_split(a, s, &t, &count) == ERR_OK);
    for (size_t i = 0; i < count; i++) {
        FUZZ_CHECK(t[i].len > 0 && t[i].off >= end && t[i].off + t[i].len <= size);
        FUZZ_CHECK(char_bound(data, size, t[i].off) && char_bound(data, size, t[i].off + t[i].len));
        FUZZ_CHECK(utf8_valid(t[i].norm));
        struct str tn; /* the tokeniser's fast fold is normalise_text() */
        FUZZ_CHECK(normalise_text(a, (struct str){s.p + t[i].off, t[i].len}, &tn) == ERR_OK);
        FUZZ_CHECK(str_eq(tn, t[i].norm));
        FUZZ_CHECK(memchr(t[i].norm.p, ' ', t[i].norm.len) == NULL);
        FUZZ_CHECK((t[i].kind == TOKEN_NUMBER) == (t[i].letter_count == 0));
        end = t[i].off + t[i].len;
    }

    struct lang_guess g;
    FUZZ_CHECK(lang_detect(model, a, s, &g) == ERR_OK);
    double sum = g.score[LANG_ID_KK] + g.score[LANG_ID_RU] + g.score[LANG_ID_EN];
    FUZZ_CHECK(g.score[LANG_ID_UND] == 0);
    if (g.words == 0)
        FUZZ_CHECK(sum == 0 && g.lang == LANG_ID_UND);
    else
        FUZZ_CHECK(fabs(sum - 1) < 1e-6 && g.lang != LANG_ID_UND);
    arena_free(a);
    return 0;
}
