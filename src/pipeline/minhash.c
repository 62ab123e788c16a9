/*
 * minhash.c - word shingles of a text and their MinHash signature. Exports
 * minhash_shingles(), minhash_shingles_tokens(), minhash_sign(),
 * minhash_text(), minhash_similarity() and minhash_hash(); everything else
 * is static.
 */
#include "pipeline/minhash.h"

#include <string.h>

#include "text/token.h"
#include "text/translit.h"

/* Fixed so that a signature means the same in every process and release:
 * signatures may be kept (store, benchmarks) and compared later. */
#define MINHASH_SEED 0x74796e6461752d31ULL /* "tyndau-1" */

static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t
minhash_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h ^ n);
}

/* The language a word is stemmed in: its script decides between the two
 * languages the text may be in, as text/lang.h does for whole texts. */
static enum lang
word_lang(const struct lang_guess *g, const struct token *t)
{
    switch (t->script) {
    case TOKEN_SCRIPT_CYRILLIC:
        return g->score[LANG_ID_KK] > g->score[LANG_ID_RU] ? LANG_ID_KK : LANG_ID_RU;
    case TOKEN_SCRIPT_LATIN:
        return g->kk_latin && g->score[LANG_ID_KK] > g->score[LANG_ID_EN] ? LANG_ID_KK : LANG_ID_EN;
    case TOKEN_SCRIPT_MIXED:
        return LANG_ID_KK; /* stem_word(LANG_ID_KK) folds look-alike letters first */
    case TOKEN_SCRIPT_NONE:
    case TOKEN_SCRIPT_OTHER:
        return LANG_ID_UND;
    }
    return LANG_ID_UND;
}

/* The matching form of one token: stemmed, then folded across scripts;
 * lives in a or in st until the next call with st. */
static enum err
token_key(struct stem *st, struct arena *a, const struct lang_guess *g, const struct token *t,
          struct str *out)
{
    if (st == NULL || g == NULL)
        return translit_fold(a, t->norm, out);
    /* A number is not stemmed: the unknown language leaves it normalised. */
    enum lang l = t->kind == TOKEN_NUMBER ? LANG_ID_UND : word_lang(g, t);
    return stem_word_folded(st, a, l, t->norm, out);
}

enum err
minhash_shingles_tokens(struct stem *st, const struct lang_guess *g, struct arena *a,
                        const struct token *tok, size_t tok_count, uint64_t **hashes, size_t *count)
{
    size_t ntok = tok_count > MINHASH_TOKEN_MAX ? MINHASH_TOKEN_MAX : tok_count;
    if (ntok == 0) {
        *hashes = NULL;
        *count = 0;
        return ERR_OK;
    }
    uint64_t *th = ARENA_ARRAY(a, uint64_t, ntok);
    for (size_t i = 0; i < ntok; i++) {
        struct str key;
        enum err e = token_key(st, a, g, &tok[i], &key);
        if (e)
            return e;
        th[i] = minhash_hash(key.p, key.len);
    }
    /* ntok <= MINHASH_TOKEN_MAX, so the product cannot overflow. */
    uint64_t *out = ARENA_ARRAY(a, uint64_t, ntok * MINHASH_NGRAM_MAX);
    size_t n = 0;
    for (size_t i = 0; i < ntok; i++) {
        uint64_t h = 0;
        for (size_t len = 1; len <= MINHASH_NGRAM_MAX && i + len <= ntok; len++) {
            /* Order matters ("road closed" is not "closed road"), and the
             * length enters so that a 1-gram never equals a 2-gram. */
            h = mix64(h * 0x9e3779b97f4a7c15ULL + th[i + len - 1] + len);
            out[n++] = h;
        }
    }
    *hashes = out;
    *count = n;
    return ERR_OK;
}

enum err
minhash_shingles(struct stem *st, const struct lang_model *lm, struct arena *a, struct str text,
                 uint64_t **hashes, size_t *count)
{
    struct token *tok = NULL;
    size_t ntok = 0;
    struct lang_guess g;
    const struct lang_guess *gp = NULL;
    enum err e = token_split(a, text, &tok, &ntok);
    if (e)
        return e;
    if (ntok > 0 && lm != NULL && st != NULL) {
        lang_detect_tokens(lm, tok, ntok, &g);
        gp = &g;
    }
    return minhash_shingles_tokens(st, gp, a, tok, ntok, hashes, count);
}

/* Tries at the pseudo-random order of slots before the plain scan: with one
 * filled slot of MINHASH_K, (1 - 1/128)^4096 < 1e-13 of the empty slots
 * ever get that far. */
enum { DENSIFY_TRIES = 4096 };

static bool
is_filled(const uint64_t filled[2], size_t slot)
{
    return (filled[slot >> 6] >> (slot & 63)) & 1;
}

/* The slot an empty slot copies: the first filled one in its own fixed
 * order (hashes of slot and try), so that two signatures look in the same
 * order and agree in the slot with probability equal to the Jaccard
 * similarity. */
static size_t
densify_from(const uint64_t filled[2], size_t slot)
{
    for (uint64_t t = 1; t <= DENSIFY_TRIES; t++) {
        size_t j = (size_t)(mix64(MINHASH_SEED ^ ((uint64_t)slot << 32) ^ t) >> 57);
        if (is_filled(filled, j))
            return j;
    }
    for (size_t k = 1; k < MINHASH_K; k++) {
        size_t j = (slot + k) % MINHASH_K;
        if (is_filled(filled, j))
            return j;
    }
    return slot;
}

void
minhash_sign(const uint64_t *hashes, size_t count, struct minhash_sig *out)
{
    _Static_assert(MINHASH_K == 128, "the slot is the top 7 bits of a hash");
    uint32_t min[MINHASH_K];
    uint64_t filled[2] = {0, 0};
    for (size_t i = 0; i < MINHASH_K; i++)
        min[i] = UINT32_MAX;
    for (size_t j = 0; j < count; j++) {
        /* Seeded again: callers may pass any 64-bit values. */
        uint64_t x = mix64(hashes[j] ^ MINHASH_SEED);
        size_t slot = (size_t)(x >> 57);
        uint32_t v = (uint32_t)x;
        min[slot] = v < min[slot] ? v : min[slot];
        filled[slot >> 6] |= (uint64_t)1 << (slot & 63);
    }
    out->empty = count == 0;
    if (out->empty) {
        memset(out->v, 0, sizeof(out->v));
        return;
    }
    for (size_t i = 0; i < MINHASH_K; i++) {
        size_t from = is_filled(filled, i) ? i : densify_from(filled, i);
        out->v[i] = (uint16_t)min[from];
    }
}

enum err
minhash_text(struct stem *st, const struct lang_model *lm, struct arena *a, struct str text,
             struct minhash_sig *out)
{
    uint64_t *h = NULL;
    size_t n = 0;
    enum err e = minhash_shingles(st, lm, a, text, &h, &n);
    if (e)
        return e;
    minhash_sign(h, n, out);
    return ERR_OK;
}

double
minhash_similarity(const struct minhash_sig *a, const struct minhash_sig *b)
{
    if (a->empty || b->empty)
        return 0;
    unsigned same = 0;
    for (size_t i = 0; i < MINHASH_K; i++)
        same += a->v[i] == b->v[i];
    /* Slots whose minima differ still agree with probability 2^-16. */
    const double chance = 1.0 / 65536;
    double j = ((double)same / MINHASH_K - chance) / (1 - chance);
    return j < 0 ? 0 : j;
}
