/*
 * stem.c - Snowball through libstemmer for Russian and English, and the
 * Kazakh suffix stripper, with a cache of the stems made. Exports
 * stem_new(), stem_free(), stem_word() and stem_kk(); everything else is
 * static.
 */
#include "text/stem.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/xalloc.h"
#include "text/normalise.h"
#include "text/text_int.h"
#include "text/translit.h"

/* Appeals repeat their words, and Snowball is the dear part of matching, so
 * each struct stem remembers the stems it made: CACHE_SLOTS words at most,
 * their stems in CACHE_BYTES of text, and it starts afresh when either is
 * full. */
enum { CACHE_SLOTS = 1 << 16, CACHE_BYTES = 1 << 20 };

struct cached {
    uint64_t key; /* a hash of the language and the word; 0: empty */
    uint32_t off; /* the word, then its stem: text[off .. off + word_len + len) */
    uint16_t word_len;
    uint16_t len;
};

struct stem {
    struct sb_stemmer *ru; /* not thread-safe: see stem.h */
    struct sb_stemmer *en;
    struct cached *slot; /* CACHE_SLOTS, open addressing */
    size_t used;
    char *text; /* CACHE_BYTES */
    size_t text_used;
};

enum err
stem_new(struct stem **out)
{
    struct stem *st = xcalloc(1, sizeof(*st));
    st->ru = sb_stemmer_new("russian", "UTF_8");
    st->en = sb_stemmer_new("english", "UTF_8");
    st->slot = xcalloc(CACHE_SLOTS, sizeof(*st->slot));
    st->text = xmalloc(CACHE_BYTES);
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
    free(st->slot);
    free(st->text);
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

/* kind: the language, or LANG_ID__COUNT + the language for a folded stem. */
static uint64_t
cache_key(unsigned kind, struct str w)
{
    uint64_t h = 14695981039346656037ull ^ (uint64_t)kind;
    for (size_t i = 0; i < w.len; i++)
        h = (h ^ (unsigned char)w.p[i]) * 1099511628211ull;
    h ^= h >> 31;
    return h ? h : 1;
}

/* The slot of key: its own, or the empty one where it would go. */
static struct cached *
cache_find(struct stem *st, uint64_t key)
{
    size_t i = (size_t)key & (CACHE_SLOTS - 1);
    while (st->slot[i].key != 0 && st->slot[i].key != key)
        i = (i + 1) & (CACHE_SLOTS - 1);
    return &st->slot[i];
}

/* Remember stem as the stem of word (key its hash), emptying the cache
 * first when it is full. */
static void
cache_put(struct stem *st, uint64_t key, struct str word, struct str stem)
{
    size_t need = word.len + stem.len;
    if (word.len > STEM_WORD_MAX || stem.len > UINT16_MAX)
        return;
    if ((st->used + 1) * 2 > CACHE_SLOTS || CACHE_BYTES - st->text_used < need) {
        memset(st->slot, 0, CACHE_SLOTS * sizeof(*st->slot));
        st->used = 0;
        st->text_used = 0;
    }
    struct cached *c = cache_find(st, key);
    memcpy(st->text + st->text_used, word.p, word.len);
    memcpy(st->text + st->text_used + word.len, stem.p, stem.len);
    *c = (struct cached){key, (uint32_t)st->text_used, (uint16_t)word.len, (uint16_t)stem.len};
    st->text_used += need;
    st->used++;
}

static enum err
stem_compute(struct stem *st, struct arena *a, enum lang lang, struct str word, struct str *out)
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

enum err
stem_word(struct stem *st, struct arena *a, enum lang lang, struct str word, struct str *out)
{
    /* Only words of a stemmable length are remembered: a longer one is
     * rare and comes back normalised anyway. */
    if (word.len > STEM_WORD_MAX)
        return stem_compute(st, a, lang, word, out);
    uint64_t key = cache_key((unsigned)lang, word);
    const struct cached *c = cache_find(st, key);
    /* The hash picks the slot; the word itself decides (two words may share a hash). */
    if (c->key == key && c->word_len == word.len &&
        memcmp(st->text + c->off, word.p, word.len) == 0) {
        *out = (struct str){arena_strndup(a, st->text + c->off + c->word_len, c->len), c->len};
        return ERR_OK;
    }
    enum err e = stem_compute(st, a, lang, word, out);
    if (!e && c->key == 0)
        cache_put(st, key, word, *out);
    return e;
}

/* The stem of word folded across scripts, computed in a. */
static enum err
fold_compute(struct stem *st, struct arena *a, enum lang lang, struct str word, struct str *out)
{
    struct str s;
    enum err e = stem_compute(st, a, lang, word, &s);
    if (e)
        return e;
    if (lang == LANG_ID_KK) { /* stem_kk() works on the folded word */
        *out = s;
        return ERR_OK;
    }
    return translit_fold(a, s, out);
}

enum err
stem_word_folded(struct stem *st, struct arena *a, enum lang lang, struct str word, struct str *out)
{
    if (word.len > STEM_WORD_MAX)
        return fold_compute(st, a, lang, word, out);
    uint64_t key = cache_key(LANG_ID__COUNT + (unsigned)lang, word);
    const struct cached *c = cache_find(st, key);
    if (c->key == key && c->word_len == word.len &&
        memcmp(st->text + c->off, word.p, word.len) == 0) {
        *out = (struct str){st->text + c->off + c->word_len, c->len};
        return ERR_OK;
    }
    enum err e = fold_compute(st, a, lang, word, out);
    if (!e && c->key == 0)
        cache_put(st, key, word, *out);
    return e;
}
