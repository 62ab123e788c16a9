/*
 * fuzz_minhash.c - pipeline/minhash on any bytes. Invalid UTF-8 is
 * rejected and leaves the outputs alone. For valid input: at most
 * 3 * MINHASH_TOKEN_MAX shingles, an empty signature exactly when there are
 * none, a signature equal to itself (similarity 1) and to the one made
 * again from the same bytes, similarity in [0, 1] against a fixed text
 * and symmetric, and the same shingle count with or without stemming.
 */
#include <string.h>

#include "base/arena.h"
#include "fuzz/fuzz.h"
#include "pipeline/minhash.h"
#include "text/utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One model and stemmer for the whole run: the model takes milliseconds. */
    static struct lang_model *model;
    static struct stem *st;
    if (!model)
        model = lang_model_new();
    if (!st && stem_new(&st) != ERR_OK)
        abort();
    struct arena *a = arena_new();
    struct str s = {(const char *)data, size};
    uint64_t *h = (uint64_t *)&s; /* a sentinel: must stay untouched on error */
    size_t n = 12345;
    enum err e = minhash_shingles(st, model, a, s, &h, &n);
    if (!utf8_valid(s) || size > 1 << 20) {
        FUZZ_CHECK(e == ERR_INVALID || e == ERR_TOOBIG);
        FUZZ_CHECK(h == (uint64_t *)&s && n == 12345);
        arena_free(a);
        return 0;
    }
    FUZZ_CHECK(e == ERR_OK);
    FUZZ_CHECK(n <= 3 * (size_t)MINHASH_TOKEN_MAX);
    FUZZ_CHECK((n == 0) == (h == NULL));
    uint64_t *h2 = NULL;
    size_t n2 = 0;
    FUZZ_CHECK(minhash_shingles(NULL, NULL, a, s, &h2, &n2) == ERR_OK);
    FUZZ_CHECK(n2 == n); /* stemming changes words, never their number */

    struct minhash_sig x, y, z;
    minhash_sign(h, n, &x);
    FUZZ_CHECK(x.empty == (n == 0));
    FUZZ_CHECK(minhash_text(st, model, a, s, &y) == ERR_OK);
    FUZZ_CHECK(x.empty == y.empty && memcmp(x.v, y.v, sizeof(x.v)) == 0);
    FUZZ_CHECK(minhash_similarity(&x, &x) == (x.empty ? 0.0 : 1.0));
    FUZZ_CHECK(minhash_text(st, model, a, STR("су жоқ, нет воды, no water"), &z) == ERR_OK);
    double j = minhash_similarity(&x, &z);
    FUZZ_CHECK(j >= 0 && j <= 1 && j == minhash_similarity(&z, &x));
    arena_free(a);
    return 0;
}
