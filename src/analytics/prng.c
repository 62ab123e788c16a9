/*
 * prng.c - xoshiro256** (Blackman and Vigna, public domain algorithm) with
 * splitmix64 seeding, written from the published description.
 */
#include "analytics/prng.h"

#include <assert.h>
#include <math.h>

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void
prng_seed(struct prng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t
prng_next(struct prng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double
prng_unit(struct prng *r)
{
    return (double)(prng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
prng_below(struct prng *r, uint64_t n)
{
    assert(n > 0);
    /* Reject the top partial block so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = prng_next(r);
    while (x >= limit);
    return x % n;
}

double
prng_normal(struct prng *r)
{
    double u = prng_unit(r), v = prng_unit(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}
