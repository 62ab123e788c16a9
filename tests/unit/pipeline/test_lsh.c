/*
 * test_lsh.c - the banded index on seeded random shingle sets: near copies
 * are found and strangers are not, at the rates 1 - (1 - s^r)^b predicts;
 * chains newest first and bounded, and the entries walked too; the ring forgets the oldest; empty
 * signatures never match; options out of range are refused.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/lsh.h"

static uint64_t
next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Two signatures of sets with Jaccard similarity common / (common + 2 own). */
static void
pair(uint64_t *seed, size_t common, size_t own, struct minhash_sig *x, struct minhash_sig *y)
{
    uint64_t a[512], b[512];
    size_t n = 0;
    for (size_t i = 0; i < common; i++)
        a[n] = b[n] = next(seed), n++;
    for (size_t i = 0; i < own; i++)
        a[n] = next(seed), b[n] = next(seed), n++;
    minhash_sign(a, n, x);
    minhash_sign(b, n, y);
}

static bool
contains(const uint32_t *s, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == v)
            return true;
    return false;
}

static struct lsh *
make(unsigned bands, unsigned rows, size_t capacity, size_t chain_max)
{
    struct lsh *l = NULL;
    struct lsh_opts o = {bands, rows, capacity, chain_max};
    assert_int_equal(lsh_new(&o, &l), ERR_OK);
    return l;
}

/* Share of pairs at similarity s whose second signature finds the first,
 * each against an index of `noise` unrelated signatures too. */
static double
found_rate(double s, int trials)
{
    uint64_t seed = 777 + (uint64_t)(s * 1000);
    struct lsh *l = make(32, 4, 4096, 64);
    size_t own = 20, common = (size_t)lround(2 * own * s / (1 - s));
    int found = 0;
    uint32_t out[LSH_QUERY_MAX];
    for (int t = 0; t < trials; t++) {
        struct minhash_sig x, y;
        pair(&seed, common, own, &x, &y);
        uint32_t id = lsh_insert(l, &x);
        size_t n = lsh_query(l, &y, out, LSH_QUERY_MAX);
        found += contains(out, n, id);
    }
    lsh_free(l);
    return (double)found / trials;
}

static void
rates_follow_the_s_curve(void **state)
{
    (void)state;
    /* 32 bands of 4 rows: P(found) = 1 - (1 - s^4)^32 */
    const double s[] = {0.1, 0.3, 0.5, 0.7, 0.9};
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        double want = 1 - pow(1 - pow(s[i], 4), 32);
        double got = found_rate(s[i], 300);
        /* 300 trials: a binomial standard error of at most 0.03, plus the
         * rounding of the set sizes */
        assert_true(fabs(got - want) < 0.15);
    }
    assert_true(found_rate(0.9, 200) == 1.0);
    assert_true(found_rate(0.05, 200) < 0.05);
}

static void
identical_found_strangers_not(void **state)
{
    (void)state;
    uint64_t seed = 42;
    struct lsh *l = make(32, 4, 1000, 64);
    struct minhash_sig sigs[1000];
    for (int i = 0; i < 1000; i++) {
        uint64_t h[30];
        for (int k = 0; k < 30; k++)
            h[k] = next(&seed);
        minhash_sign(h, 30, &sigs[i]);
        assert_int_equal(lsh_insert(l, &sigs[i]), (uint32_t)i + 1);
    }
    assert_int_equal(lsh_count(l), 1000);
    uint32_t out[64];
    size_t strangers = 0;
    for (int i = 0; i < 1000; i++) {
        size_t n = lsh_query(l, &sigs[i], out, 64);
        assert_true(contains(out, n, (uint32_t)i + 1));
        strangers += n - 1;
        const struct minhash_sig *g = lsh_get(l, (uint32_t)i + 1);
        assert_non_null(g);
        assert_memory_equal(g->v, sigs[i].v, sizeof(g->v));
    }
    /* independent sets of 30 shingles: Jaccard about 0, a band match by
     * chance is 2^-64 per pair */
    assert_true(strangers == 0);
    assert_null(lsh_get(l, 0));
    assert_null(lsh_get(l, 1001));
    assert_true(lsh_bytes(l) > 1000 * sizeof(struct minhash_sig));
    lsh_free(l);
}

static void
chains_newest_first_and_bounded(void **state)
{
    (void)state;
    struct lsh *l = make(4, 4, 100, 3);
    uint64_t h[] = {1, 2, 3, 4, 5};
    struct minhash_sig s;
    minhash_sign(h, 5, &s);
    for (int i = 0; i < 10; i++)
        lsh_insert(l, &s);
    uint32_t out[16];
    /* every band's chain holds 10..1; 3 walked in each: the same 3 newest */
    size_t n = lsh_query(l, &s, out, 16);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], 10);
    assert_int_equal(out[1], 9);
    assert_int_equal(out[2], 8);
    /* max bounds the result */
    assert_int_equal(lsh_query(l, &s, out, 2), 2);
    assert_int_equal(lsh_query(l, &s, out, 0), 0);
    lsh_free(l);
}

static void
walked_is_bounded(void **state)
{
    (void)state;
    struct lsh *l = make(4, 4, 100, 3);
    uint64_t h[] = {1, 2, 3, 4, 5};
    struct minhash_sig s;
    minhash_sign(h, 5, &s);
    for (int i = 0; i < 10; i++)
        lsh_insert(l, &s);
    uint32_t out[16];
    size_t walked = 0;
    /* 4 bands, 3 entries each, whatever the chains hold */
    assert_int_equal(lsh_query_walked(l, &s, out, 16, &walked), 3);
    assert_int_equal(walked, 4 * 3);
    lsh_free(l);
    l = make(4, 4, 100, 64);
    for (int i = 0; i < 10; i++)
        lsh_insert(l, &s);
    /* chains shorter than the bound: all 10 found in the first band, and
     * each band walks its whole chain of 10 */
    assert_int_equal(lsh_query_walked(l, &s, out, 16, &walked), 10);
    assert_int_equal(walked, 4 * 10);
    /* an empty index walks nothing */
    lsh_free(l);
    l = make(4, 4, 100, 64);
    assert_int_equal(lsh_query_walked(l, &s, out, 16, &walked), 0);
    assert_int_equal(walked, 0);
    lsh_free(l);
}

static void
ring_forgets_oldest(void **state)
{
    (void)state;
    uint64_t seed = 9;
    struct lsh *l = make(16, 8, 4, 64);
    struct minhash_sig sigs[6];
    for (int i = 0; i < 6; i++) {
        uint64_t h[10];
        for (int k = 0; k < 10; k++)
            h[k] = next(&seed);
        minhash_sign(h, 10, &sigs[i]);
        lsh_insert(l, &sigs[i]);
    }
    assert_int_equal(lsh_count(l), 4);
    uint32_t out[8];
    for (int i = 0; i < 6; i++) {
        size_t n = lsh_query(l, &sigs[i], out, 8);
        if (i < 2) { /* seqs 1 and 2 were overwritten by 5 and 6 */
            assert_null(lsh_get(l, (uint32_t)i + 1));
            assert_int_equal(n, 0);
        } else {
            assert_non_null(lsh_get(l, (uint32_t)i + 1));
            assert_int_equal(n, 1);
            assert_int_equal(out[0], (uint32_t)i + 1);
        }
    }
    lsh_free(l);
}

static void
empty_never_matches(void **state)
{
    (void)state;
    struct lsh *l = make(32, 4, 10, 8);
    struct minhash_sig e;
    minhash_sign(NULL, 0, &e);
    assert_true(e.empty);
    uint32_t id = lsh_insert(l, &e);
    lsh_insert(l, &e);
    uint32_t out[4];
    assert_int_equal(lsh_query(l, &e, out, 4), 0);
    assert_non_null(lsh_get(l, id));
    lsh_free(l);
}

static void
bad_options(void **state)
{
    (void)state;
    struct lsh *l = NULL;
    const struct {
        struct lsh_opts o;
        enum err e;
    } cases[] = {
        {{0, 4, 10, 8}, ERR_INVALID},  {{32, 0, 10, 8}, ERR_INVALID},
        {{33, 4, 10, 8}, ERR_INVALID}, /* 132 > MINHASH_K */
        {{4, 17, 10, 8}, ERR_INVALID}, {{32, 4, 10, 0}, ERR_INVALID},
        {{32, 4, 0, 8}, ERR_TOOBIG},   {{32, 4, (size_t)LSH_CAPACITY_MAX + 1, 8}, ERR_TOOBIG},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(lsh_new(&cases[i].o, &l), cases[i].e);
        assert_null(l);
    }
    lsh_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_follow_the_s_curve),
        cmocka_unit_test(identical_found_strangers_not),
        cmocka_unit_test(chains_newest_first_and_bounded),
        cmocka_unit_test(walked_is_bounded),
        cmocka_unit_test(ring_forgets_oldest),
        cmocka_unit_test(empty_never_matches),
        cmocka_unit_test(bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
