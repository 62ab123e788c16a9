/*
 * features.c - hashed word and character n-gram features. Exports
 * features_new(), features_free(), features_extract() and features_hash();
 * everything else is static.
 *
 * Stemming is the dear part (Snowball, the Kazakh fold), and appeals repeat
 * their words, so each extractor keeps a cache from a word and its language
 * to its stem's id and its character grams' ids. The cache is bounded
 * (CACHE_SLOTS / 2 words, POOL_IDS ids) and emptied when full. The counting
 * table is kept too, so a text allocates nothing but its result.
 */
#include "pipeline/features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "text/stem.h"
#include "text/translit.h"

enum {
    TAG_STEM = 1,
    TAG_BIGRAM = 2,
    TAG_GRAM = 3,          /* + n: 6 for 3-grams, 7 for 4-grams */
    GRAM_MIN = 3,          /* character n-grams, in bytes of the folded word */
    GRAM_MAX = 4,          /*   padded with a space at each end */
    WORD_GRAM_BYTES = 64,  /* a longer folded word gives grams of its first bytes */
    CACHE_SLOTS = 1 << 16, /* up to CACHE_SLOTS / 2 words */
    POOL_IDS = 1 << 20,
    ACC_START = 1 << 12, /* cells of the scratch table; it doubles up to 2 * FEATURES_MAX */
};

struct slot {
    uint64_t key; /* 0: empty */
    uint32_t stem;
    uint32_t off; /* the word's gram ids: pool[off .. off + count) */
    uint32_t count;
};

/* One feature of the text being counted: count holds the tf in its low bits
 * and GROUP_CHAR for a character gram. */
struct cell {
    uint32_t id; /* 0: empty */
    uint32_t count;
};

#define GROUP_CHAR 0x80000000u

struct features {
    struct stem *st; /* not thread-safe: see features.h */
    struct slot *slot;
    size_t used;
    uint32_t *pool;
    size_t pool_used;
    /* The scratch table of one text, kept between texts so that counting
     * allocates nothing: acc_cap cells (a power of two), all empty between
     * calls; acc_order lists the used ones in the order they came. */
    struct cell *acc;
    uint32_t *acc_order;
    size_t acc_cap, acc_used;
};

static uint32_t
fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

uint32_t
features_hash(unsigned tag, const void *p, size_t len)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u ^ (tag & 0xFFu) * 16777619u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 16777619u;
    h = fmix32(h ^ (uint32_t)len);
    return h ? h : 1;
}

static uint64_t
word_key(struct str w, enum lang l)
{
    uint64_t h = 14695981039346656037ull ^ (uint64_t)l;
    for (size_t i = 0; i < w.len; i++)
        h = (h ^ (unsigned char)w.p[i]) * 1099511628211ull;
    h ^= h >> 29;
    return h ? h : 1;
}

enum err
features_new(struct features **out)
{
    struct features *fx = xcalloc(1, sizeof(*fx));
    enum err e = stem_new(&fx->st);
    if (e) {
        free(fx);
        return e;
    }
    fx->slot = xcalloc(CACHE_SLOTS, sizeof(*fx->slot));
    fx->pool = xcalloc(POOL_IDS, sizeof(*fx->pool));
    fx->acc_cap = ACC_START;
    fx->acc = xcalloc(fx->acc_cap, sizeof(*fx->acc));
    fx->acc_order = xcalloc(fx->acc_cap / 2, sizeof(*fx->acc_order));
    *out = fx;
    return ERR_OK;
}

void
features_free(struct features *fx)
{
    if (!fx)
        return;
    stem_free(fx->st);
    free(fx->slot);
    free(fx->pool);
    free(fx->acc);
    free(fx->acc_order);
    free(fx);
}

static bool
has_kazakh_letter(struct str w)
{
    /* ә ғ қ ң ө ұ ү һ і in UTF-8: D3 99, D2 93, D2 9B, D2 A3, D3 A9, D2 B1, D2 AF, D2 BB, D1 96 */
    for (size_t i = 0; i + 1 < w.len; i++) {
        unsigned char b = (unsigned char)w.p[i], c = (unsigned char)w.p[i + 1];
        if ((b == 0xD3 && (c == 0x99 || c == 0xA9)) ||
            (b == 0xD2 &&
             (c == 0x93 || c == 0x9B || c == 0xA3 || c == 0xB1 || c == 0xAF || c == 0xBB)) ||
            (b == 0xD1 && c == 0x96))
            return true;
    }
    return false;
}

/* ä ğ ñ ö ū ü ş ı: C3 A4, C4 9F, C3 B1, C3 B6, C5 AB, C3 BC, C5 9F, C4 B1. */
static bool
has_2021_letter(struct str w)
{
    for (size_t i = 0; i + 1 < w.len; i++) {
        unsigned char b = (unsigned char)w.p[i], c = (unsigned char)w.p[i + 1];
        if ((b == 0xC3 && (c == 0xA4 || c == 0xB1 || c == 0xB6 || c == 0xBC)) ||
            (b == 0xC4 && (c == 0x9F || c == 0xB1)) || (b == 0xC5 && (c == 0xAB || c == 0x9F)))
            return true;
    }
    return false;
}

static enum lang
word_lang(const struct token *t, enum lang text)
{
    switch (t->script) {
    case TOKEN_SCRIPT_CYRILLIC:
        if (text == LANG_ID_KK || has_kazakh_letter(t->norm))
            return LANG_ID_KK;
        return LANG_ID_RU;
    case TOKEN_SCRIPT_LATIN:
        if (text == LANG_ID_KK || has_2021_letter(t->norm))
            return LANG_ID_KK;
        return LANG_ID_EN;
    case TOKEN_SCRIPT_NONE:
    case TOKEN_SCRIPT_MIXED:
    case TOKEN_SCRIPT_OTHER:
        break;
    }
    return LANG_ID_UND;
}

static void
cache_clear(struct features *fx)
{
    memset(fx->slot, 0, CACHE_SLOTS * sizeof(*fx->slot));
    fx->used = 0;
    fx->pool_used = 0;
}

/* Stem and grams of one word, computed. */
static void
word_compute(struct features *fx, struct arena *a, struct str w, enum lang l, struct slot *s)
{
    struct str stem = w, fold = w;
    if (stem_word(fx->st, a, l, w, &stem))
        stem = w;
    if (translit_fold(a, w, &fold))
        fold = w;
    s->stem = features_hash(TAG_STEM, stem.p, stem.len);
    char pad[WORD_GRAM_BYTES + 2];
    size_t n = fold.len < WORD_GRAM_BYTES ? fold.len : WORD_GRAM_BYTES;
    pad[0] = ' ';
    memcpy(pad + 1, fold.p, n);
    pad[n + 1] = ' ';
    n += 2;
    s->off = (uint32_t)fx->pool_used;
    s->count = 0;
    for (size_t g = GRAM_MIN; g <= GRAM_MAX; g++)
        for (size_t i = 0; i + g <= n; i++)
            fx->pool[fx->pool_used + s->count++] =
                features_hash(TAG_GRAM + (unsigned)g, pad + i, g);
    fx->pool_used += s->count;
}

/* The cache slot of word w in language l, filled if it was not there. */
static const struct slot *
word_features(struct features *fx, struct arena *a, struct str w, enum lang l)
{
    uint64_t key = word_key(w, l);
    size_t i = (size_t)key & (CACHE_SLOTS - 1);
    while (fx->slot[i].key != 0) {
        if (fx->slot[i].key == key)
            return &fx->slot[i];
        i = (i + 1) & (CACHE_SLOTS - 1);
    }
    /* Room for the worst word: (GRAM_MAX - GRAM_MIN + 1) * (WORD_GRAM_BYTES + 2) ids. */
    if ((fx->used + 1) * 2 > CACHE_SLOTS || fx->pool_used + 4 * WORD_GRAM_BYTES > POOL_IDS) {
        cache_clear(fx);
        i = (size_t)key & (CACHE_SLOTS - 1);
    }
    struct slot *s = &fx->slot[i];
    word_compute(fx, a, w, l, s);
    s->key = key;
    fx->used++;
    return s;
}

/* Twice the cells, the used ones moved over. */
static void
acc_grow(struct features *fx)
{
    size_t cap = fx->acc_cap * 2, mask = cap - 1;
    struct cell *acc = xcalloc(cap, sizeof(*acc));
    uint32_t *order = xmalloc(cap / 2 * sizeof(*order));
    for (size_t k = 0; k < fx->acc_used; k++) {
        struct cell c = fx->acc[fx->acc_order[k]];
        size_t i = c.id & mask;
        while (acc[i].id != 0)
            i = (i + 1) & mask;
        acc[i] = c;
        order[k] = (uint32_t)i;
    }
    free(fx->acc);
    free(fx->acc_order);
    fx->acc = acc;
    fx->acc_order = order;
    fx->acc_cap = cap;
}

/* Count id in the scratch table; a new id past FEATURES_MAX is dropped. The
 * table stays at most half full, so a probe always ends. */
static void
acc_add(struct features *fx, uint32_t id, uint32_t group)
{
    size_t mask = fx->acc_cap - 1, i = id & mask;
    while (fx->acc[i].id != 0 && fx->acc[i].id != id)
        i = (i + 1) & mask;
    if (fx->acc[i].id == 0) {
        if (fx->acc_used >= FEATURES_MAX)
            return;
        if ((fx->acc_used + 1) * 2 > fx->acc_cap) {
            acc_grow(fx);
            acc_add(fx, id, group);
            return;
        }
        fx->acc[i] = (struct cell){id, group};
        fx->acc_order[fx->acc_used++] = (uint32_t)i;
    }
    fx->acc[i].count += 1;
}

void
features_extract(struct features *fx, struct arena *a, const struct token *t, size_t count,
                 enum lang lang, struct feature **out, size_t *out_count)
{
    *out = NULL;
    *out_count = 0;
    uint32_t prev = 0;
    for (size_t k = 0; k < count; k++) {
        if (t[k].kind != TOKEN_WORD)
            continue;
        const struct slot *s = word_features(fx, a, t[k].norm, word_lang(&t[k], lang));
        acc_add(fx, s->stem, 0);
        if (prev) {
            uint32_t pair[2] = {prev, s->stem};
            acc_add(fx, features_hash(TAG_BIGRAM, pair, sizeof(pair)), 0);
        }
        prev = s->stem;
        const uint32_t *g = fx->pool + s->off;
        for (uint32_t j = 0; j < s->count; j++)
            acc_add(fx, g[j], GROUP_CHAR);
    }
    size_t n = fx->acc_used;
    if (n == 0)
        return;
    /* Sublinear counts: 1 + ln tf, which is 1 for the many features seen once. */
    struct feature *f = ARENA_ARRAY(a, struct feature, n);
    double norm[2] = {0, 0};
    for (size_t k = 0; k < n; k++) {
        struct cell *c = &fx->acc[fx->acc_order[k]];
        uint32_t tf = c->count & ~GROUP_CHAR, group = c->count >> 31;
        float v = tf == 1 ? 1.0f : 1.0f + logf((float)tf);
        f[k] = (struct feature){c->id, v};
        norm[group] += (double)v * v;
        c->count = group; /* the group, for the scaling below */
    }
    float scale[2];
    for (int g = 0; g < 2; g++)
        scale[g] = norm[g] > 0 ? (float)(1.0 / sqrt(2.0 * norm[g])) : 0;
    for (size_t k = 0; k < n; k++) {
        struct cell *c = &fx->acc[fx->acc_order[k]];
        f[k].value *= scale[c->count];
        *c = (struct cell){0, 0};
    }
    fx->acc_used = 0;
    *out = f;
    *out_count = n;
}
