/*
 * rnd.c - kernel randomness (getrandom) and base32 tokens.
 */
#include "base/rnd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

void
rnd_bytes(void *p, size_t n)
{
    unsigned char *q = p;
    while (n > 0) {
        ssize_t got = getrandom(q, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "tyndau: getrandom failed\n");
            abort();
        }
        q += got;
        n -= (size_t)got;
    }
}

uint64_t
rnd_u64(void)
{
    uint64_t v;
    rnd_bytes(&v, sizeof(v));
    return v;
}

uint64_t
rnd_below(uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = rnd_u64();
    while (v >= limit);
    return v % n;
}

void
rnd_token(char *out, size_t nbytes)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char raw[64];
    if (nbytes > sizeof(raw))
        abort();
    rnd_bytes(raw, nbytes);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < nbytes; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = alphabet[(acc << (5 - bits)) & 31];
    out[o] = '\0';
}
