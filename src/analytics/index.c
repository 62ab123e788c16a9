/*
 * index.c - the label index of the opinion module (opinion_int.h).
 */
#include "analytics/opinion_int.h"

#include <assert.h>
#include <string.h>

static uint64_t
hash(struct str k)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < k.len; i++) {
        h ^= (unsigned char)k.p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

void
op__index_init(struct op__index *ix, struct arena *a, size_t max)
{
    size_t cap = 16;
    while (cap < 2 * max + 2)
        cap *= 2;
    ix->cap = cap;
    ix->slot = ARENA_ARRAY(a, uint32_t, cap);
    memset(ix->slot, 0xff, cap * sizeof(uint32_t));
    ix->key = ARENA_ARRAY(a, struct str, max ? max : 1);
    ix->count = 0;
    ix->max = max;
}

static size_t
probe(const struct op__index *ix, struct str k)
{
    size_t mask = ix->cap - 1, i = (size_t)hash(k) & mask;
    while (ix->slot[i] != OP__NONE && !str_eq(ix->key[ix->slot[i]], k))
        i = (i + 1) & mask;
    return i;
}

uint32_t
op__index_find(const struct op__index *ix, struct str k)
{
    return ix->slot[probe(ix, k)];
}

uint32_t
op__index_put(struct op__index *ix, struct str k, int *added)
{
    size_t i = probe(ix, k);
    *added = 0;
    if (ix->slot[i] != OP__NONE)
        return ix->slot[i];
    assert(ix->count < ix->max);
    ix->slot[i] = (uint32_t)ix->count;
    ix->key[ix->count] = k;
    *added = 1;
    return (uint32_t)ix->count++;
}
