/*
 * minhash.h - MinHash signatures of appeal texts for near-duplicate search.
 * Exports MINHASH_K, MINHASH_TOKEN_MAX, struct minhash_sig, minhash_shingles(),
 * minhash_shingles_tokens(), minhash_sign(), minhash_text(),
 * minhash_similarity() and minhash_hash().
 *
 * A text becomes a set of word shingles: it is split into words and numbers
 * (text/token.h), each word is stemmed in the language of the text
 * (text/lang.h, text/stem.h) and put through translit_fold(), so that a
 * Kazakh word matches itself in Cyrillic and in Latin letters, and every
 * run of 1, 2 and 3 consecutive tokens is one shingle, hashed to 64 bits.
 *
 * The signature is one-permutation MinHash with optimal densification: one
 * seeded 64-bit mix of each shingle hash, whose top 7 bits pick one of the
 * MINHASH_K slots and whose low 32 bits compete for that slot's minimum.
 * A slot no shingle fell into takes the minimum of the first filled slot
 * in its own fixed pseudo-random order of slots, the same order in every
 * signature. Two signatures then agree in a slot with probability equal
 * to the Jaccard similarity of the two shingle sets, as with MINHASH_K
 * independent hash functions, for one hash per shingle instead of
 * MINHASH_K (tests/unit/pipeline/test_minhash.c checks the error on sets
 * of 1 to 400 shingles). A slot stores the lowest 16 bits of its minimum
 * (b-bit MinHash): two different minima agree by chance with probability
 * 2^-16, which minhash_similarity() corrects for.
 * Signatures are not stored: the store keeps texts and the index signs
 * them again when it is filled (app/cluster.c), so a change of scheme
 * needs no migration.
 *
 * Pure and thread-safe except for the struct stem that the caller passes
 * (text/stem.h: one per thread).
 */
#ifndef PIPELINE_MINHASH_H
#define PIPELINE_MINHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "text/lang.h"
#include "text/stem.h"

/* Hash functions per signature. */
enum { MINHASH_K = 128 };
/* Only the first MINHASH_TOKEN_MAX tokens of a text are shingled: an appeal
 * is far shorter, and a pasted book should not cost seconds. */
enum { MINHASH_TOKEN_MAX = 4096 };
/* Shingles are runs of 1 to MINHASH_NGRAM_MAX tokens. */
enum { MINHASH_NGRAM_MAX = 3 };

struct minhash_sig {
    uint16_t v[MINHASH_K]; /* lowest 16 bits of each minimum */
    bool empty;            /* the text had no words or numbers */
};

/*
 * The shingle hashes of text: *hashes (an array of *count, lives in a; NULL
 * when the text has no tokens). lm (borrowed, may be NULL: no stemming, only
 * normalised and folded words) picks the language for st (borrowed; one per
 * thread). ERR_INVALID if text is not valid UTF-8, ERR_TOOBIG past
 * NORMALISE_MAX; the outputs are untouched on error.
 */
enum err minhash_shingles(struct stem *st, const struct lang_model *lm, struct arena *a,
                          struct str text, uint64_t **hashes, size_t *count);

/*
 * The shingle hashes of a text from the tokens token_split() made of it
 * (tok, borrowed) and the language lang_detect_tokens() guessed from them
 * (g, borrowed; NULL: no stemming, as lm NULL above): the same hashes as
 * minhash_shingles() on the text, without splitting it again. *hashes lives
 * in a (NULL when there are no tokens).
 */
enum err minhash_shingles_tokens(struct stem *st, const struct lang_guess *g, struct arena *a,
                                 const struct token *tok, size_t tok_count, uint64_t **hashes,
                                 size_t *count);

/* The signature of a shingle set (hashes borrowed; duplicates do not matter).
 * count 0 gives an empty signature. */
void minhash_sign(const uint64_t *hashes, size_t count, struct minhash_sig *out);

/* minhash_shingles() then minhash_sign(); scratch memory from a. Errors as
 * minhash_shingles(); *out is untouched on error. */
enum err minhash_text(struct stem *st, const struct lang_model *lm, struct arena *a,
                      struct str text, struct minhash_sig *out);

/* The estimated Jaccard similarity of the two shingle sets, in [0, 1];
 * 0 if either signature is empty. */
double minhash_similarity(const struct minhash_sig *a, const struct minhash_sig *b);

/* A 64-bit hash of n bytes (FNV-1a with a final mix), for shingles and for
 * other keys of the pipeline (addresses). */
uint64_t minhash_hash(const void *p, size_t n);

#endif
