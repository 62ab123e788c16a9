/*
 * lsh.h - a locality-sensitive hashing index over MinHash signatures:
 * bands x rows. Exports struct lsh_opts, LSH_CAPACITY_MAX, LSH_QUERY_MAX,
 * lsh_new(), lsh_free(), lsh_insert(), lsh_query(), lsh_query_walked(),
 * lsh_get(), lsh_count() and lsh_bytes().
 *
 * The signature is cut into `bands` runs of `rows` slots; two signatures
 * whose Jaccard similarity is s share at least one band with probability
 * 1 - (1 - s^rows)^bands (32 x 4: 0.5 at s = 0.42, 0.95 at s = 0.6). Each
 * band has a bucket table whose chains run newest first, so a query that
 * walks at most chain_max entries of a chain sees the most recent
 * signatures first.
 *
 * The index is a ring of `capacity` signatures: each insert takes the next
 * sequence number (1, 2, ...; never 0), and once the ring is full it
 * overwrites the oldest. Links hold sequence numbers, and a link whose slot
 * now holds another number is stale, so an overwritten signature drops out
 * of every chain without any unlinking. Sequence numbers are 32-bit; after
 * 2^32 inserts they wrap (skipping 0), far beyond any real index lifetime.
 *
 * Memory: capacity * (sizeof(struct minhash_sig) + 4 + 8 * bands) bytes plus
 * one bucket head per band and slot (lsh_bytes() says exactly).
 *
 * Threads: lsh_query(), lsh_get(), lsh_count() and lsh_bytes() only read,
 * and may run at the same time in several threads; lsh_insert() must be
 * alone (the caller holds a lock).
 */
#ifndef PIPELINE_LSH_H
#define PIPELINE_LSH_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "pipeline/minhash.h"

/* The most signatures an index holds. */
enum { LSH_CAPACITY_MAX = 1 << 26 };
/* The most results one query returns. */
enum { LSH_QUERY_MAX = 4096 };

struct lsh_opts {
    unsigned bands;   /* bands * rows <= MINHASH_K */
    unsigned rows;    /* slots per band, 1..16 */
    size_t capacity;  /* signatures kept, 1..LSH_CAPACITY_MAX */
    size_t chain_max; /* entries walked per band and query, >= 1 */
};

struct lsh; /* opaque */

/* A new empty index into *out (caller owns it: lsh_free()). ERR_INVALID if
 * bands, rows or chain_max is out of range, ERR_TOOBIG if capacity is. */
enum err lsh_new(const struct lsh_opts *o, struct lsh **out);
void lsh_free(struct lsh *l); /* accepts NULL */

/* Add a copy of sig and return its sequence number; when the ring is full
 * the oldest signature is forgotten. An empty signature is kept (lsh_get()
 * finds it) but never matches. */
uint32_t lsh_insert(struct lsh *l, const struct minhash_sig *sig);

/*
 * The sequence numbers of indexed signatures that share at least one band
 * with sig, each once, into seqs (room for max, at most LSH_QUERY_MAX
 * used); returns how many. Within a band the newest come first; at most
 * chain_max entries of each band's chain are looked at.
 */
size_t lsh_query(const struct lsh *l, const struct minhash_sig *sig, uint32_t *seqs, size_t max);

/* lsh_query(), and *walked (not NULL) receives how many chain entries were
 * looked at: at most bands * chain_max, whatever the buckets hold. */
size_t lsh_query_walked(const struct lsh *l, const struct minhash_sig *sig, uint32_t *seqs,
                        size_t max, size_t *walked);

/* The signature inserted as seq, or NULL if it has been overwritten or was
 * never inserted. Borrowed: valid until the next lsh_insert(). */
const struct minhash_sig *lsh_get(const struct lsh *l, uint32_t seq);

/* Signatures held now (at most capacity). */
size_t lsh_count(const struct lsh *l);
/* Bytes allocated by the index. */
size_t lsh_bytes(const struct lsh *l);

#endif
