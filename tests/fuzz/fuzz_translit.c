/*
 * fuzz_translit.c - text/translit on any bytes, and a round trip on Kazakh
 * words built from them. Invalid UTF-8 is rejected. For valid input, every
 * output is valid UTF-8 and NUL-terminated, the fold has no Kazakh Cyrillic
 * letter left, and a text folds as its Latin transliteration does (unless
 * it has ё, which folds as е but is "io" in Latin, a combining mark, or a
 * word that mixes scripts). Then
 * the bytes spell a Cyrillic Kazakh word (one letter per byte, й only after
 * a vowel and и never after a vowel or й): Cyrillic -> Latin -> Cyrillic gives the
 * word back, and so does every input that translit_is_round_trip_word()
 * accepts.
 */
#include <string.h>
#include <utf8proc.h>

#include "base/arena.h"
#include "base/util.h"
#include "fuzz/fuzz.h"
#include "text/token.h"
#include "text/translit.h"
#include "text/utf8.h"

/* The letters of round-trip words; the first 11 are vowels. */
static const char *const letters[] = {
    "а", "ә", "е", "и", "і", "о", "ө", "у", "ұ", "ү", "ы", "б", "в", "г", "ғ",
    "д", "ж", "з", "й", "к", "қ", "л", "м", "н", "ң", "п", "р", "с", "т", "ф",
    "х", "ш", "А", "Ә", "Қ", "Ө", "І", "Ұ", "Ү", "Ғ", "Ң", "И", "Ш",
};
enum { VOWELS = 11 };

static bool
vowel(const char *l)
{
    static const char *const upper_vowels[] = {"А", "Ә", "Ө", "І", "Ұ", "Ү", "И"};
    for (size_t k = 0; k < VOWELS; k++)
        if (strcmp(l, letters[k]) == 0)
            return true;
    for (size_t k = 0; k < ARRAY_LEN(upper_vowels); k++)
        if (strcmp(l, upper_vowels[k]) == 0)
            return true;
    return false;
}

static void
round_trip(struct arena *a, struct str w)
{
    struct str lat, back;
    FUZZ_CHECK(translit_to_latin(a, w, &lat) == ERR_OK);
    FUZZ_CHECK(translit_to_cyrillic(a, lat, &back) == ERR_OK);
    FUZZ_CHECK(str_eq(w, back));
}

static bool
has_kazakh_cyrillic(struct str s)
{
    static const char *const kk[] = {"ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і"};
    for (size_t k = 0; k < ARRAY_LEN(kk); k++)
        for (size_t i = 0; i + 2 <= s.len; i++)
            if (memcmp(s.p + i, kk[k], 2) == 0)
                return true;
    return false;
}

static bool
has_mixed_word(struct arena *a, struct str s)
{
    struct token *t;
    size_t n;
    if (token_split(a, s, &t, &n) != ERR_OK)
        return true;
    for (size_t i = 0; i < n; i++)
        if (t[i].script == TOKEN_SCRIPT_MIXED || t[i].script == TOKEN_SCRIPT_OTHER)
            return true;
    return false;
}

/* A combining mark: on a Cyrillic letter it is dropped, on the Latin one it
 * may compose into a new letter (Ү + U+0341 -> Ü + acute -> ǘ). */
static bool
has_mark(struct str s)
{
    for (size_t i = 0; i < s.len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s.p + i, (utf8proc_ssize_t)(s.len - i), &cp);
        if (n <= 0)
            return true;
        utf8proc_category_t c = utf8proc_category(cp);
        if (c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME)
            return true;
        i += (size_t)n;
    }
    return false;
}

static bool
has_yo(struct str s)
{
    for (size_t i = 0; i + 2 <= s.len; i++)
        if (memcmp(s.p + i, "ё", 2) == 0 || memcmp(s.p + i, "Ё", 2) == 0)
            return true;
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str s = {(const char *)data, size};
    struct arena *a = arena_new();
    struct str lat, cyr, fold, fold_lat;
    if (!utf8_valid(s)) {
        FUZZ_CHECK(translit_to_latin(a, s, &lat) == ERR_INVALID);
        FUZZ_CHECK(translit_to_cyrillic(a, s, &cyr) == ERR_INVALID);
        FUZZ_CHECK(translit_fold(a, s, &fold) == ERR_INVALID);
    } else {
        FUZZ_CHECK(translit_to_latin(a, s, &lat) == ERR_OK);
        FUZZ_CHECK(translit_to_cyrillic(a, s, &cyr) == ERR_OK);
        FUZZ_CHECK(translit_fold(a, s, &fold) == ERR_OK);
        FUZZ_CHECK(utf8_valid(lat) && lat.p[lat.len] == '\0');
        FUZZ_CHECK(utf8_valid(cyr) && cyr.p[cyr.len] == '\0');
        FUZZ_CHECK(utf8_valid(fold) && fold.p[fold.len] == '\0');
        FUZZ_CHECK(!has_kazakh_cyrillic(fold));
        FUZZ_CHECK(translit_fold(a, lat, &fold_lat) == ERR_OK);
        /* ё folds as е (the Russian habit), while its 2021 Latin is "io"; in
         * a word of both scripts (before or after: Serbian ј stays Cyrillic),
         * or with letters of a third script, Latin look-alikes fold as
         * Cyrillic. */
        bool same = has_yo(s) || has_mark(s) || has_mixed_word(a, s) || has_mixed_word(a, lat);
        if (!same && !str_eq(fold, fold_lat))
            fprintf(stderr, "fold [%.*s] but fold of Latin [%.*s]\n", (int)fold.len, fold.p,
                    (int)fold_lat.len, fold_lat.p);
        FUZZ_CHECK(same || str_eq(fold, fold_lat));
        if (translit_is_round_trip_word(s))
            round_trip(a, s);
    }
    /* A word spelt by the bytes. */
    char w[4 * 64];
    size_t len = 0;
    const char *prev = NULL;
    for (size_t i = 0; i < size && i < 64; i++) {
        const char *l = letters[data[i] % ARRAY_LEN(letters)];
        bool after_vowel = prev && vowel(prev);
        bool after_short_i = prev && strcmp(prev, "й") == 0;
        if (strcmp(l, "й") == 0 && !after_vowel)
            l = "и";
        if ((strcmp(l, "и") == 0 || strcmp(l, "И") == 0) && (after_vowel || after_short_i))
            l = after_vowel ? "й" : "а";
        memcpy(w + len, l, strlen(l));
        len += strlen(l);
        prev = l;
    }
    if (len > 0) {
        struct str word = {w, len};
        FUZZ_CHECK(translit_is_round_trip_word(word));
        round_trip(a, word);
    }
    arena_free(a);
    return 0;
}
