/*
 * stem.c - Snowball through libstemmer for Russian and English, and the
 * Kazakh suffix stripper. Exports stem_new(), stem_free(), stem_word() and
 * stem_kk(); everything else is static.
 */
#include "text/stem.h"

#include <libstemmer.h>
#include <string.h>

#include "base/util.h"
#include "base/xalloc.h"
#include "text/normalise.h"
#include "text/text_int.h"
#include "text/translit.h"

struct stem {
    struct sb_stemmer *ru; /* not thread-safe: see stem.h */
    struct sb_stemmer *en;
};

enum err
stem_new(struct stem **out)
{
    struct stem *st = xcalloc(1, sizeof(*st));
    st->ru = sb_stemmer_new("russian", "UTF_8");
    st->en = sb_stemmer_new("english", "UTF_8");
    if (!st->ru || !st->en) {
        stem_free(st);
        return ERR_UNAVAILABLE;
    }
    *out = st;
    return ERR_OK;
}

void
stem_free(struct stem *st)
{
    if (!st)
        return;
    sb_stemmer_delete(st->ru);
    sb_stemmer_delete(st->en);
    free(st);
}

/* Suffix groups, each longest first. */
static const char *const case_endings[] = {
    "ndağy", "ndegi", "dağy", "degi", "tağy", "tegi", "menen", "benen", "penen", "ndan",
    "nden",  "syna",  "sine", "syn",  "sin",  "nyñ",  "niñ",   "dyñ",   "diñ",   "tyñ",
    "tiñ",   "dan",   "den",  "tan",  "ten",  "nan",  "nen",   "nda",   "nde",   "men",
    "ben",   "pen",   "yna",  "ine",  "ğa",   "ge",   "qa",    "ke",    "ny",    "ni",
    "dy",    "di",    "ty",   "ti",   "da",   "de",   "ta",    "te",    "yn",    "in",
};
static const char *const possessives[] = {
    "ymyz", "imiz", "yñyz", "iñiz", "myz", "miz", "ñyz", "ñiz",
    "ym",   "im",   "yñ",   "iñ",   "sy",  "si",  "y",   "i",
};
static const char *const plurals[] = {"lar", "ler", "dar", "der", "tar", "ter"};

static bool
is_vowel(int32_t cp)
{
    switch (cp) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
    case 0xE4:  /* ä */
    case 0xF6:  /* ö */
    case 0xFC:  /* ü */
    case 0x16B: /* ū */
        return true;
    default:
        return false;
    }
}

/* Letters in w[0..len) and whether one is a vowel. */
static size_t
letters(struct str w, size_t len, bool *vowel)
{
    size_t n = 0;
    *vowel = false;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        i += text__decode(w.p + i, len - i, &cp);
        n++;
        if (is_vowel(cp))
            *vowel = true;
    }
    return n;
}

/* Strip the longest suffix of set from *w that leaves a valid stem; the
 * stripped suffix or NULL. */
static const char *
strip(struct str *w, const char *const *set, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        size_t n = strlen(set[k]);
        if (n >= w->len || memcmp(w->p + w->len - n, set[k], n) != 0)
            continue;
        bool vowel;
        size_t left = letters(*w, w->len - n, &vowel);
        size_t min = n == 1 ? 4 : 3;
        /* Only at a character boundary: a suffix never starts mid-letter. */
        if (((unsigned char)w->p[w->len - n] & 0xC0) == 0x80)
            continue;
        if (left >= min && vowel) {
            w->len -= n;
            return set[k];
        }
    }
    return NULL;
}

struct str
stem_kk(struct arena *a, struct str w)
{
    const char *last = NULL, *s;
    s = strip(&w, case_endings, ARRAY_LEN(case_endings));
    last = s ? s : last;
    s = strip(&w, possessives, ARRAY_LEN(possessives));
    last = s ? s : last;
    s = strip(&w, plurals, ARRAY_LEN(plurals));
    last = s ? s : last;
    if (!last || !is_vowel((unsigned char)last[0]) || w.len == 0)
        return w;
    /* A vowel suffix voiced the stem's last consonant: kitap -> kitaby. */
    const char *back = NULL;
    size_t drop = 1;
    if (w.p[w.len - 1] == 'b')
        back = "p";
    else if (w.p[w.len - 1] == 'g')
        back = "k";
    else if (w.len >= 2 && memcmp(w.p + w.len - 2, "ğ", 2) == 0)
        back = "q", drop = 2;
    if (!back)
        return w;
    char *p = arena_alloc(a, w.len - drop + 2);
    memcpy(p, w.p, w.len - drop);
    p[w.len - drop] = back[0];
    return (struct str){p, w.len - drop + 1};
}

static enum err
snowball(struct sb_stemmer *sb, struct arena *a, struct str w, struct str *out)
{
    const sb_symbol *r = sb_stemmer_stem(sb, (const sb_symbol *)w.p, (int)w.len);
    if (!r)
        return ERR_UNAVAILABLE;
    size_t n = (size_t)sb_stemmer_length(sb);
    *out = (struct str){arena_strndup(a, (const char *)r, n), n};
    return ERR_OK;
}

enum err
stem_word(struct stem *st, struct arena *a, enum lang lang, struct str word, struct str *out)
{
    struct str n;
    enum err e = normalise_text(a, word, &n);
    if (e)
        return e;
    if (n.len > STEM_WORD_MAX) {
        *out = n;
        return ERR_OK;
    }
    switch (lang) {
    case LANG_ID_RU:
        return snowball(st->ru, a, n, out);
    case LANG_ID_EN:
        return snowball(st->en, a, n, out);
    case LANG_ID_KK: {
        struct str f;
        e = translit_fold(a, n, &f);
        if (e)
            return e;
        *out = stem_kk(a, f);
        return ERR_OK;
    }
    case LANG_ID_UND:
    case LANG_ID__COUNT:
        break;
    }
    *out = n;
    return ERR_OK;
}
