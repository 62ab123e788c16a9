/*
 * features.c - hashed word and character n-gram features. Exports
 * features_new(), features_free(), features_extract(), features_predict()
 * and features_hash(); everything else is static.
 *
 * Stemming is the dear part (Snowball, the Kazakh fold), and appeals repeat
 * their words, so each extractor keeps a cache from a word (its normal form,
 * script, and whether the text is Kazakh: what its language follows from)
 * to its stem's id and its character grams' ids. The cache is bounded
 * (CACHE_SLOTS / 2 words, POOL_IDS ids) and emptied when full. The counting
 * table is kept too, so a text allocates nothing but its result.
 *
 * A word's share of the scores is fixed for a given classifier (the
 * transform is additive per occurrence: features.h), so beside each cached
 * word the extractor keeps, for up to ROW_CACHES classifiers, the sum of
 * its stem's row and its grams' rows (k classes), in a pool of at most
 * ROW_POOL_MAX 16-bit cells per classifier; a full pool, or a classifier
 * with another classify_stamp(), starts that cache afresh. A cached row is
 * a float scale, the word's gram count, and k 16-bit steps of the scale
 * (the largest magnitude of the row is 32767 steps), half the bytes of k
 * floats: the rows of a text are mostly cache misses, and the error of a
 * class, half a step, is 1/65534 of the row's largest. The word cache's
 * slots hold only what a prediction reads (a key and where the rows are:
 * 16 bytes); the word's stem and gram ids are beside them.
 */
#include "pipeline/features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/xalloc.h"
#include "text/stem.h"
#include "text/translit.h"

enum {
    TAG_STEM = 1,
    TAG_GRAM = 3,          /* + n: 6 for 3-grams, 7 for 4-grams */
    GRAM_MIN = 3,          /* character n-grams, in bytes of the folded word */
    GRAM_MAX = 4,          /*   padded with a space at each end */
    WORD_GRAM_BYTES = 64,  /* a longer folded word gives grams of its first bytes */
    CACHE_SLOTS = 1 << 16, /* up to CACHE_SLOTS / 2 words */
    POOL_IDS = 1 << 20,
    ACC_START = 1 << 12,      /* cells of the scratch table; it doubles up to 2 * FEATURES_MAX */
    ROW_CACHES = 2,           /* classifiers whose rows are cached: a topic and an agency one */
    ROW_POOL_START = 1 << 17, /* cells; the pool doubles up to ROW_POOL_MAX */
    ROW_POOL_MAX = 1 << 23,
    /* A cached row's head, before its k steps: its scale (a float) at cell
     * 0 and its word's gram count (a u32) at cell ROW_COUNT_AT. */
    ROW_COUNT_AT = 2,
    ROW_HEAD = 4,
    ROW_STEPS = 32767,
};

/* A slot of the word cache: what a prediction reads of a word seen
 * before, 16 bytes; its features are in struct word of the same index. */
struct slot {
    uint64_t key; /* 0: empty */
    /* 1 + where the word's row starts in rows[i].vec (its stem's and its
     * grams' rows summed: see the top of the file); 0 while not computed. */
    uint32_t vec[ROW_CACHES];
};

/* A cached word's features. */
struct word {
    uint32_t stem;
    uint32_t off; /* its gram ids: pool[off .. off + count) */
    uint32_t count;
};

/* One feature of the text being counted, and its count. */
struct cell {
    uint32_t id; /* 0: empty */
    uint32_t count;
};

/* A word of the text being scored. */
struct seen {
    uint64_t key;
    uint32_t t;   /* its token */
    uint32_t vec; /* its row in the row cache */
};

/* Rows of one classifier per cached word (see the top of the file). */
struct rows {
    uint64_t stamp; /* classify_stamp() of the classifier; k == 0: none yet */
    size_t k;
    size_t stride; /* cells of a row: ROW_HEAD + k, rounded up to 8 (16 bytes) */
    int16_t *vec;
    size_t used, cap; /* cells */
    uint64_t last;    /* fx->tick when last used */
};

struct features {
    struct stem *st; /* not thread-safe: see features.h */
    struct slot *slot;
    struct word *word; /* CACHE_SLOTS, beside slot */
    size_t used;
    uint32_t *pool;
    size_t pool_used;
    struct rows rows[ROW_CACHES];
    uint64_t tick;
    float row[CLASSIFY_LABELS_MAX]; /* a row being computed */
    /* features_predict()'s scratch: the words of the text being scored */
    struct seen *seen;
    size_t seen_cap;
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

/* The cache key of token t in a text of language text: its normal form
 * (by its hash, which token_split() made), its script and whether the text
 * is Kazakh, which is all its language (word_lang()) depends on, so that a
 * word seen before is not scanned for Kazakh letters again. */
static uint64_t
word_key(const struct token *t, enum lang text)
{
    uint64_t v0 = (uint64_t)t->script << 1 | (text == LANG_ID_KK);
    uint64_t h = (t->hash ^ v0 << 56 ^ 0x9E3779B97F4A7C15ull) * 0xc4ceb9fe1a85ec53ull;
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
    fx->word = xcalloc(CACHE_SLOTS, sizeof(*fx->word));
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
    free(fx->word);
    free(fx->pool);
    for (size_t i = 0; i < ROW_CACHES; i++)
        free(fx->rows[i].vec);
    free(fx->seen);
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
    for (size_t i = 0; i < ROW_CACHES; i++)
        fx->rows[i].used = 0;
}

/* Stem and grams of one word, computed. */
static void
word_compute(struct features *fx, struct arena *a, struct str w, enum lang l, struct word *s)
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

/* The index of the cache slot of token t in a text of language text
 * (key: word_key()), filled if it was not there. */
static size_t
word_slot(struct features *fx, struct arena *a, const struct token *t, enum lang text, uint64_t key)
{
    size_t i = (size_t)key & (CACHE_SLOTS - 1);
    while (fx->slot[i].key != 0) {
        if (fx->slot[i].key == key)
            return i;
        i = (i + 1) & (CACHE_SLOTS - 1);
    }
    /* Room for the worst word: (GRAM_MAX - GRAM_MIN + 1) * (WORD_GRAM_BYTES + 2) ids. */
    if ((fx->used + 1) * 2 > CACHE_SLOTS || fx->pool_used + 4 * WORD_GRAM_BYTES > POOL_IDS) {
        cache_clear(fx);
        i = (size_t)key & (CACHE_SLOTS - 1);
    }
    word_compute(fx, a, t->norm, word_lang(t, text), &fx->word[i]);
    fx->slot[i].key = key;
    fx->used++;
    return i;
}

static const struct word *
word_features(struct features *fx, struct arena *a, const struct token *t, enum lang text)
{
    return &fx->word[word_slot(fx, a, t, text, word_key(t, text))];
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

/* Count id in the scratch table; a new id past FEATURES_MAX is dropped.
 * The table stays at most half full, so a probe always ends. */
static void
acc_add(struct features *fx, uint32_t id)
{
    size_t mask = fx->acc_cap - 1, i = id & mask;
    while (fx->acc[i].id != 0 && fx->acc[i].id != id)
        i = (i + 1) & mask;
    if (fx->acc[i].id == 0) {
        if (fx->acc_used >= FEATURES_MAX)
            return;
        if ((fx->acc_used + 1) * 2 > fx->acc_cap) {
            acc_grow(fx);
            acc_add(fx, id);
            return;
        }
        fx->acc[i] = (struct cell){id, 0};
        fx->acc_order[fx->acc_used++] = (uint32_t)i;
    }
    fx->acc[i].count += 1;
}

/* The scale of a text of n feature occurrences: 1 / sqrt(n), 0 for none. */
static float
text_scale(size_t n)
{
    return n > 0 ? (float)(1.0 / sqrt((double)n)) : 0;
}

void
features_extract(struct features *fx, struct arena *a, const struct token *t, size_t count,
                 enum lang lang, struct feature **out, size_t *out_count)
{
    *out = NULL;
    *out_count = 0;
    size_t total = 0;
    for (size_t k = 0; k < count; k++) {
        if (t[k].kind != TOKEN_WORD)
            continue;
        const struct word *s = word_features(fx, a, &t[k], lang);
        acc_add(fx, s->stem);
        total++;
        const uint32_t *g = fx->pool + s->off;
        for (uint32_t j = 0; j < s->count; j++)
            acc_add(fx, g[j]);
        total += s->count;
    }
    size_t n = fx->acc_used;
    if (n == 0)
        return;
    /* Linear counts scaled by 1 / sqrt(the text's total count): additive
     * per occurrence (features_predict() relies on it). */
    float scale = text_scale(total);
    struct feature *f = ARENA_ARRAY(a, struct feature, n);
    for (size_t k = 0; k < n; k++) {
        struct cell *c = &fx->acc[fx->acc_order[k]];
        f[k] = (struct feature){c->id, (float)c->count * scale};
        *c = (struct cell){0, 0};
    }
    fx->acc_used = 0;
    *out = f;
    *out_count = n;
}

/* Every cached word's row in cache which forgotten. */
static void
rows_forget(struct features *fx, size_t which)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        fx->slot[i].vec[which] = 0;
}

/* The row cache of classifier m (of k classes): the one made for it, else
 * the least recently used one, started afresh. */
static struct rows *
rows_of(struct features *fx, const struct classifier *m, size_t k, size_t *which)
{
    uint64_t stamp = classify_stamp(m);
    size_t pick = 0;
    for (size_t i = 0; i < ROW_CACHES; i++) {
        if (fx->rows[i].k == k && fx->rows[i].stamp == stamp) {
            pick = i;
            goto found;
        }
        if (fx->rows[i].last < fx->rows[pick].last)
            pick = i;
    }
    struct rows *r = &fx->rows[pick];
    r->stamp = stamp;
    r->k = k;
    r->stride = (ROW_HEAD + k + 7) & ~(size_t)7;
    r->used = 0;
    rows_forget(fx, pick);
found:
    fx->rows[pick].last = ++fx->tick;
    *which = pick;
    return &fx->rows[pick];
}

/* Where the row of the word in slot i for m starts in r->vec: its stem's
 * row plus its grams' rows, computed if it was not cached. The caller has
 * made room for it (rows_room()), so the offsets it holds stay good. */
static uint32_t
word_rows(struct features *fx, struct rows *r, size_t which, size_t i, const struct classifier *m)
{
    size_t k = r->k;
    struct slot *s = &fx->slot[i];
    if (s->vec[which] != 0)
        return s->vec[which] - 1;
    const struct word *d = &fx->word[i];
    float *v = fx->row, max = 0;
    memset(v, 0, k * sizeof(*v));
    classify_sum_rows(m, &d->stem, 1, v);
    classify_sum_rows(m, fx->pool + d->off, d->count, v);
    for (size_t c = 0; c < k; c++)
        max = fabsf(v[c]) > max ? fabsf(v[c]) : max;
    float scale = max / ROW_STEPS, inv = max > 0 ? ROW_STEPS / max : 0;
    int16_t *q = r->vec + r->used;
    memcpy(q, &scale, sizeof(scale));
    memcpy(q + ROW_COUNT_AT, &d->count, sizeof(d->count));
    for (size_t c = 0; c < k; c++)
        q[ROW_HEAD + c] = (int16_t)lrintf(v[c] * inv);
    s->vec[which] = (uint32_t)(r->used + 1);
    r->used += r->stride;
    return s->vec[which] - 1;
}

/* Room in r for words more words' rows: the pool grown, or, past
 * ROW_POOL_MAX, every word's rows forgotten. false when even an empty pool
 * is too small. */
static bool
rows_room(struct features *fx, struct rows *r, size_t which, size_t words)
{
    size_t need = words * r->stride;
    if (need > ROW_POOL_MAX)
        return false;
    if (r->used + need > ROW_POOL_MAX) {
        rows_forget(fx, which);
        r->used = 0;
    }
    if (r->used + need > r->cap) {
        size_t cap = r->cap ? r->cap : ROW_POOL_START;
        while (cap < r->used + need)
            cap *= 2;
        r->vec = xrealloc(r->vec, cap * sizeof(*r->vec));
        r->cap = cap;
    }
    return true;
}

typedef float v8f __attribute__((vector_size(32)));
typedef int16_t v8s __attribute__((vector_size(16)));

/* sum[0..k) += the cached row at q (see the top of the file); the word's
 * gram count. */
__attribute__((target_clones("avx2", "default"))) static uint32_t
add_row(float *restrict sum, const int16_t *restrict q, size_t k)
{
    float scale;
    uint32_t count;
    memcpy(&scale, q, sizeof(scale));
    memcpy(&count, q + ROW_COUNT_AT, sizeof(count));
    q += ROW_HEAD;
    size_t c = 0;
    for (; c + 8 <= k; c += 8) {
        v8f x;
        v8s y;
        memcpy(&x, sum + c, sizeof(x));
        memcpy(&y, q + c, sizeof(y));
        x += scale * __builtin_convertvector(y, v8f);
        memcpy(sum + c, &x, sizeof(x));
    }
    for (; c < k; c++)
        sum[c] += scale * (float)q[c];
    return count;
}

size_t
features_predict(struct features *fx, struct arena *a, const struct token *t, size_t count,
                 enum lang lang, const struct classifier *m, double *prob)
{
    size_t k = classify_label_count(m), which, words = 0;
    for (size_t i = 0; i < count; i++)
        words += t[i].kind == TOKEN_WORD;
    struct rows *r = rows_of(fx, m, k, &which);
    /* A text whose words could fill the word cache, or whose features
     * could pass FEATURES_MAX, takes features_extract()'s way. */
    if (words * 2 > CACHE_SLOTS || words * 4 * WORD_GRAM_BYTES > POOL_IDS)
        goto full;
    /* Room for every word up front: the word cache is not emptied midway. */
    if ((fx->used + words) * 2 > CACHE_SLOTS ||
        fx->pool_used + words * 4 * WORD_GRAM_BYTES > POOL_IDS)
        cache_clear(fx);
    if (!rows_room(fx, r, which, words))
        goto full;
    if (words > fx->seen_cap) {
        fx->seen_cap = MAX(words, 2 * fx->seen_cap);
        fx->seen = xrealloc(fx->seen, fx->seen_cap * sizeof(*fx->seen));
    }
    /* Three passes, so that the cache misses of many words overlap: the
     * keys (and a prefetch of their slots), the slots (and of their rows),
     * then the sums (and the count of features, from the rows' heads). */
    struct seen *w = fx->seen;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (t[i].kind != TOKEN_WORD)
            continue;
        uint64_t key = word_key(&t[i], lang);
        __builtin_prefetch(&fx->slot[key & (CACHE_SLOTS - 1)]);
        w[n++] = (struct seen){.key = key, .t = (uint32_t)i};
    }
    for (size_t j = 0; j < n; j++) {
        size_t s = word_slot(fx, a, &t[w[j].t], lang, w[j].key);
        w[j].vec = word_rows(fx, r, which, s, m);
        const int16_t *v = r->vec + w[j].vec;
        for (size_t off = 0; off < r->stride * sizeof(*v); off += 64)
            __builtin_prefetch((const char *)v + off);
        __builtin_prefetch((const char *)v + r->stride * sizeof(*v) - 1);
    }
    /* The count of the text's features: each word's stem and grams. */
    size_t total = n;
    float *sum = ARENA_ARRAY(a, float, k);
    for (size_t j = 0; j < n; j++)
        total += add_row(sum, r->vec + w[j].vec, k);
    if (total > FEATURES_MAX)
        goto full;
    float scale = text_scale(total);
    for (size_t c = 0; c < k; c++)
        sum[c] *= scale;
    return classify_decide(m, sum, prob);
full:;
    /* features_extract() may drop features past the cap: ask it. */
    struct feature *f;
    size_t nf;
    features_extract(fx, a, t, count, lang, &f, &nf);
    return classify_predict(m, f, nf, prob);
}
