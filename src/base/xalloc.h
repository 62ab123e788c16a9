/*
 * xalloc.h - allocation that aborts on failure with the size in the message.
 * Exports xmalloc(), xcalloc(), xrealloc(), xstrdup(), xstrndup() and
 * xadvise_huge().
 */
#ifndef BASE_XALLOC_H
#define BASE_XALLOC_H

#include <stddef.h>

/* Each returns memory the caller owns (free()); never NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A hint for a large table p of n bytes from xcalloc() that is read at
 * random: back it with huge pages where the kernel can (fewer TLB misses).
 * Pages are still made on first touch. Does nothing for small tables or
 * where huge pages are not available. */
void xadvise_huge(void *p, size_t n);

#endif
