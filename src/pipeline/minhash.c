/*
 * minhash.c - word shingles of a text and their MinHash signature. Exports
 * minhash_shingles(), minhash_sign(), minhash_text(), minhash_similarity()
 * and minhash_hash(); everything else is static.
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

/* The matching form of one token: stemmed, then folded across scripts. */
static enum err
token_key(struct stem *st, struct arena *a, const struct lang_guess *g, const struct token *t,
          struct str *out)
{
    if (t->kind == TOKEN_NUMBER || st == NULL || g == NULL) {
        return translit_fold(a, t->norm, out);
    }
    enum lang l = word_lang(g, t);
    struct str stemmed;
    enum err e = stem_word(st, a, l, t->norm, &stemmed);
    if (e)
        return e;
    if (l == LANG_ID_KK) { /* already folded by stem_word() */
        *out = stemmed;
        return ERR_OK;
    }
    return translit_fold(a, stemmed, out);
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
    if (ntok > MINHASH_TOKEN_MAX)
        ntok = MINHASH_TOKEN_MAX;
    if (ntok == 0) {
        *hashes = NULL;
        *count = 0;
        return ERR_OK;
    }
    if (lm != NULL && st != NULL) {
        e = lang_detect(lm, a, text, &g);
        if (e)
            return e;
        gp = &g;
    }
    uint64_t *th = ARENA_ARRAY(a, uint64_t, ntok);
    for (size_t i = 0; i < ntok; i++) {
        struct str key;
        e = token_key(st, a, gp, &tok[i], &key);
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

void
minhash_sign(const uint64_t *hashes, size_t count, struct minhash_sig *out)
{
    uint64_t mul[MINHASH_K], add[MINHASH_K];
    uint32_t min[MINHASH_K];
    uint64_t s = MINHASH_SEED;
    for (size_t i = 0; i < MINHASH_K; i++) {
        s += 0x9e3779b97f4a7c15ULL;
        mul[i] = mix64(s) | 1;
        s += 0x9e3779b97f4a7c15ULL;
        add[i] = mix64(s);
        min[i] = UINT32_MAX;
    }
    for (size_t j = 0; j < count; j++) {
        uint64_t x = hashes[j];
        for (size_t i = 0; i < MINHASH_K; i++) {
            uint32_t v = (uint32_t)((mul[i] * x + add[i]) >> 32);
            min[i] = v < min[i] ? v : min[i];
        }
    }
    for (size_t i = 0; i < MINHASH_K; i++)
        out->v[i] = (uint16_t)min[i];
    out->empty = count == 0;
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
