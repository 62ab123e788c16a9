/*
 * prng.h - a seeded, reproducible pseudo-random generator (xoshiro256**
 * seeded through splitmix64) for bootstraps and simulations. Not for
 * secrets: base/rnd.h is. Exports struct prng, prng_seed(), prng_next(),
 * prng_unit(), prng_below(), prng_normal().
 */
#ifndef ANALYTICS_PRNG_H
#define ANALYTICS_PRNG_H

#include <stdint.h>

struct prng {
    uint64_t s[4];
};

/* The same seed gives the same stream on every machine. */
void prng_seed(struct prng *r, uint64_t seed);
uint64_t prng_next(struct prng *r);
/* Uniform in [0, 1), 53 random bits. */
double prng_unit(struct prng *r);
/* Uniform in [0, n); n > 0; unbiased (rejection). */
uint64_t prng_below(struct prng *r, uint64_t n);
/* Standard normal (Box-Muller; uses two draws). */
double prng_normal(struct prng *r);

#endif
