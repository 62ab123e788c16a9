/*
 * arena.h - a region allocator: many allocations, one free. Exports
 * arena_new(), arena_new_sized(), arena_free(), arena_alloc(), arena_alloc_raw(),
 * arena_strndup(), arena_strdup(), arena_printf(), ARENA_NEW().
 */
#ifndef BASE_ARENA_H
#define BASE_ARENA_H

#include <stddef.h>

#include "base/str.h"

struct arena;

/* Caller owns the arena; arena_free() releases it and everything in it. */
struct arena *arena_new(void);
/* The same with a first chunk of first bytes (later chunks are the usual
 * size): for arenas that many live objects hold, such as open streams. */
struct arena *arena_new_sized(size_t first);
void arena_free(struct arena *a); /* accepts NULL */
/* Zeroed memory that lives in a; aborts on overflow or out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* The same, not cleared: for memory the caller fills before reading. */
void *arena_alloc_raw(struct arena *a, size_t n);
#define ARENA_NEW(a, type) ((type *)arena_alloc((a), sizeof(type)))
#define ARENA_ARRAY(a, type, n) ((type *)arena_array((a), sizeof(type), (n)))
void *arena_array(struct arena *a, size_t size, size_t count);
/* NUL-terminated copies living in a. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_str(struct arena *a, struct str s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
