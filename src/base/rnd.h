/*
 * rnd.h - random bytes from the kernel and unbiased small integers.
 * Exports rnd_bytes(), rnd_u64(), rnd_below(), rnd_token().
 */
#ifndef BASE_RND_H
#define BASE_RND_H

#include <stddef.h>
#include <stdint.h>

/* Fill p with n cryptographically random bytes (getrandom); aborts if the
 * kernel cannot supply them. */
void rnd_bytes(void *p, size_t n);
uint64_t rnd_u64(void);
/* Uniform in [0, n); n > 0. */
uint64_t rnd_below(uint64_t n);
/* nbytes random bytes as lowercase base32 (RFC 4648 alphabet, no padding)
 * into out, which must hold (nbytes * 8 + 4) / 5 + 1 bytes. */
void rnd_token(char *out, size_t nbytes);

#endif
