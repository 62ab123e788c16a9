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

enum err
normalise_text(struct arena *a, struct str s, struct str *out)
{
    if (s.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    if (!utf8_valid(s))
        return ERR_INVALID;
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
