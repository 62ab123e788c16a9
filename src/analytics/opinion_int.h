/*
 * opinion_int.h - what the files of the opinion module share: a string
 * index (open addressing, FNV-1a) from labels to their positions.
 */
#ifndef ANALYTICS_OPINION_INT_H
#define ANALYTICS_OPINION_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"

#define OP__NONE UINT32_MAX

struct op__index {
    size_t cap;      /* a power of two, at least twice the keys */
    uint32_t *slot;  /* OP__NONE or a key's position; lives in the arena */
    struct str *key; /* key of each position; lives in the arena */
    size_t count;
    size_t max;
};

/* An empty index for up to max keys, living in a. */
void op__index_init(struct op__index *ix, struct arena *a, size_t max);
/* Position of k, or OP__NONE. */
uint32_t op__index_find(const struct op__index *ix, struct str k);
/* Position of k, adding it (borrowed: k must outlive ix) if new; *added
 * says which. The caller keeps count within max. */
uint32_t op__index_put(struct op__index *ix, struct str k, int *added);

#endif
