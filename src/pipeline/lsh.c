/*
 * lsh.c - banded LSH over a ring of MinHash signatures, chains linked by
 * sequence number. Exports lsh_new(), lsh_free(), lsh_insert(),
 * lsh_query(), lsh_query_walked(), lsh_get(), lsh_count() and lsh_bytes();
 * everything else is static.
 */
#include "pipeline/lsh.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct lsh {
    unsigned bands, rows;
    size_t capacity, chain_max;
    size_t mask;              /* bucket count - 1 (a power of two >= capacity) */
    uint32_t last;            /* the newest sequence number; 0 before the first insert */
    size_t count;             /* signatures held */
    struct minhash_sig *sigs; /* [capacity], slot = seq % capacity */
    uint32_t *seq;            /* [capacity]: which sequence number each slot holds */
    uint32_t *head;           /* [bands][mask + 1]: newest seq of each bucket, 0 none */
    uint32_t *next;           /* [capacity][bands]: older seq in the same bucket */
};

static size_t
pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

enum err
lsh_new(const struct lsh_opts *o, struct lsh **out)
{
    if (o->bands == 0 || o->rows == 0 || o->rows > 16 || o->bands * o->rows > MINHASH_K ||
        o->chain_max == 0)
        return ERR_INVALID;
    if (o->capacity == 0 || o->capacity > LSH_CAPACITY_MAX)
        return ERR_TOOBIG;
    struct lsh *l = xcalloc(1, sizeof(*l));
    l->bands = o->bands;
    l->rows = o->rows;
    l->capacity = o->capacity;
    l->chain_max = o->chain_max;
    l->mask = pow2_at_least(o->capacity) - 1;
    l->sigs = xcalloc(o->capacity, sizeof(*l->sigs));
    l->seq = xcalloc(o->capacity, sizeof(*l->seq));
    /* bands <= MINHASH_K and capacity <= LSH_CAPACITY_MAX: no overflow. */
    l->head = xcalloc(o->bands * (l->mask + 1), sizeof(*l->head));
    l->next = xcalloc(o->bands * o->capacity, sizeof(*l->next));
    /* Lookups read these at random: huge pages spare most TLB misses. */
    xadvise_huge(l->sigs, o->capacity * sizeof(*l->sigs));
    xadvise_huge(l->head, o->bands * (l->mask + 1) * sizeof(*l->head));
    xadvise_huge(l->next, o->bands * o->capacity * sizeof(*l->next));
    *out = l;
    return ERR_OK;
}

void
lsh_free(struct lsh *l)
{
    if (l == NULL)
        return;
    free(l->sigs);
    free(l->seq);
    free(l->head);
    free(l->next);
    free(l);
}

static size_t
bucket_of(const struct lsh *l, const struct minhash_sig *sig, unsigned band)
{
    const uint16_t *r = sig->v + (size_t)band * l->rows;
    uint64_t h = minhash_hash(r, l->rows * sizeof(*r)) ^ ((uint64_t)band * 0x9e3779b97f4a7c15ULL);
    return (size_t)(h ^ (h >> 32)) & l->mask;
}

static bool
same_band(const struct lsh *l, const struct minhash_sig *a, const struct minhash_sig *b,
          unsigned band)
{
    size_t off = (size_t)band * l->rows;
    return memcmp(a->v + off, b->v + off, l->rows * sizeof(a->v[0])) == 0;
}

/* The slot that holds seq, or SIZE_MAX if seq is 0 or overwritten. */
static size_t
live_slot(const struct lsh *l, uint32_t seq)
{
    if (seq == 0)
        return SIZE_MAX;
    size_t slot = seq % l->capacity;
    return l->seq[slot] == seq ? slot : SIZE_MAX;
}

uint32_t
lsh_insert(struct lsh *l, const struct minhash_sig *sig)
{
    uint32_t s = l->last + 1;
    if (s == 0)
        s = 1;
    l->last = s;
    size_t slot = s % l->capacity;
    if (l->seq[slot] == 0)
        l->count++;
    l->seq[slot] = s;
    l->sigs[slot] = *sig;
    /* A slot's links lie together: one insert writes two cache lines. */
    uint32_t *next = l->next + slot * l->bands;
    for (unsigned b = 0; b < l->bands; b++) {
        if (sig->empty) {
            next[b] = 0;
            continue;
        }
        uint32_t *head = l->head + (size_t)b * (l->mask + 1);
        size_t k = bucket_of(l, sig, b);
        next[b] = head[k];
        head[k] = s;
    }
    return s;
}

/* Put seq into the open-addressing set (size mask + 1, 0 = free); false if
 * it was there already. */
static bool
set_add(uint32_t *set, size_t mask, uint32_t seq)
{
    size_t i = (seq * 0x9e3779b1u) & mask;
    while (set[i] != 0) {
        if (set[i] == seq)
            return false;
        i = (i + 1) & mask;
    }
    set[i] = seq;
    return true;
}

size_t
lsh_query(const struct lsh *l, const struct minhash_sig *sig, uint32_t *seqs, size_t max)
{
    size_t walked;
    return lsh_query_walked(l, sig, seqs, max, &walked);
}

size_t
lsh_query_walked(const struct lsh *l, const struct minhash_sig *sig, uint32_t *seqs, size_t max,
                 size_t *walked)
{
    /* Twice the results keeps the probe sequences short; only that much of
     * the set is cleared, so a small query costs little. */
    uint32_t set[2 * LSH_QUERY_MAX];
    size_t n = 0, looked = 0;
    *walked = 0;
    if (max > LSH_QUERY_MAX)
        max = LSH_QUERY_MAX;
    if (sig->empty || max == 0)
        return 0;
    const size_t set_mask = pow2_at_least(2 * max) - 1;
    memset(set, 0, (set_mask + 1) * sizeof(set[0]));
    for (unsigned b = 0; b < l->bands && n < max; b++) {
        const uint32_t *head = l->head + (size_t)b * (l->mask + 1);
        uint32_t s = head[bucket_of(l, sig, b)];
        for (size_t w = 0; w < l->chain_max && n < max; w++) {
            size_t slot = live_slot(l, s);
            if (slot == SIZE_MAX)
                break; /* the rest of the chain is older still: overwritten too */
            looked++;
            if (same_band(l, sig, &l->sigs[slot], b) && set_add(set, set_mask, s))
                seqs[n++] = s;
            s = l->next[slot * l->bands + b];
        }
    }
    *walked = looked;
    return n;
}

const struct minhash_sig *
lsh_get(const struct lsh *l, uint32_t seq)
{
    size_t slot = live_slot(l, seq);
    return slot == SIZE_MAX ? NULL : &l->sigs[slot];
}

size_t
lsh_count(const struct lsh *l)
{
    return l->count;
}

size_t
lsh_bytes(const struct lsh *l)
{
    return sizeof(*l) + l->capacity * (sizeof(*l->sigs) + sizeof(*l->seq)) +
           l->bands * (l->mask + 1) * sizeof(*l->head) + l->bands * l->capacity * sizeof(*l->next);
}
