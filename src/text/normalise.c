/*
 * normalise.c - NFC, case folding and white space through utf8proc. Exports
 * normalise_text(); everything else is static.
 */
#include "text/normalise.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "text/text_int.h"
#include "text/utf8.h"

/* Applied to each code point before utf8proc folds it. */
static utf8proc_int32_t
pre_fold(utf8proc_int32_t cp, void *data)
{
    (void)data;
    /* İ would fold to "i" + U+0307, which matches nothing anybody types. */
    return cp == 0x130 ? 'i' : cp;
}

static bool
is_gap(int32_t cp)
{
    return text__is_space(cp) || cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

/* Does utf8proc_tolower() alone give cp's NFC case fold, and is cp neither
 * default-ignorable nor able to compose with the character before it? True
 * for ASCII, Latin-1, Latin Extended-A and Cyrillic letters except the few
 * that fold to something else (µ ß ŉ ſ) and the soft hyphen, and for the
 * common punctuation of General Punctuation; the unit tests check every one
 * of them against utf8proc_map(). */
static bool
folds_simply(int32_t cp)
{
    if (cp < 0xA0)
        return true;
    if (cp < 0x180)
        return cp != 0xAD && cp != 0xB5 && cp != 0xDF && cp != 0x149 && cp != 0x17F;
    if (cp >= 0x400 && cp <= 0x52F)
        return !(cp >= 0x483 && cp <= 0x489);
    /* Dashes, quotes, bullets, ‰ (not the invisible format characters), № and ™. */
    return (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) || cp == 0x2116 ||
           cp == 0x2122;
}

/* The text of the fast path: valid UTF-8 whose every character folds simply.
 * false (and nothing written) when one does not. */
static bool
normalise_simple(struct arena *a, struct str s, struct str *out)
{
    for (size_t i = 0; i < s.len;) {
        int32_t cp;
        i += text__decode(s.p + i, s.len - i, &cp);
        if (!folds_simply(cp))
            return false;
    }
    /* Lower case is never longer than upper case in these ranges. */
    char *dst = arena_alloc(a, s.len + 1);
    size_t len = 0;
    bool gap = false;
    for (size_t i = 0; i < s.len;) {
        int32_t cp;
        i += text__decode(s.p + i, s.len - i, &cp);
        if (is_gap(cp)) {
            gap = true;
            continue;
        }
        if (gap && len > 0)
            dst[len++] = ' ';
        gap = false;
        if (cp < 0x80)
            dst[len++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
        else
            len += text__encode(cp == 0x130 ? 'i' : utf8proc_tolower(cp), dst + len);
    }
    dst[len] = '\0';
    *out = (struct str){dst, len};
    return true;
}

enum err
normalise_text(struct arena *a, struct str s, struct str *out)
{
    if (s.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    if (!utf8_valid(s))
        return ERR_INVALID;
    if (normalise_simple(a, s, out))
        return ERR_OK;
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t n = 0;
    if (s.len > 0) {
        n = utf8proc_map_custom((const utf8proc_uint8_t *)s.p, (utf8proc_ssize_t)s.len, &m,
                                UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
                                    UTF8PROC_IGNORE,
                                pre_fold, NULL);
        if (n < 0) {
            free(m);
            return ERR_INVALID;
        }
    }
    /* Collapsing only shrinks the text. */
    char *dst = arena_alloc(a, (size_t)n + 1);
    size_t len = 0;
    bool gap = false;
    for (size_t i = 0; i < (size_t)n;) {
        int32_t cp;
        size_t k = text__decode((const char *)m + i, (size_t)n - i, &cp);
        if (is_gap(cp)) {
            gap = true;
        } else {
            if (gap && len > 0)
                dst[len++] = ' ';
            gap = false;
            memcpy(dst + len, m + i, k);
            len += k;
        }
        i += k;
    }
    dst[len] = '\0';
    free(m);
    *out = (struct str){dst, len};
    return ERR_OK;
}
