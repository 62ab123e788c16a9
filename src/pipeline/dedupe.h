/*
 * dedupe.h - near-duplicate appeals grouped into clusters: the same
 * complaint, filed again by the same or another citizen, in other words
 * or at the same place. Exports struct dedupe_opts, dedupe_opts_default(),
 * struct dedupe_appeal, struct dedupe_candidate, struct dedupe_result,
 * struct dedupe_cluster, dedupe_new(), dedupe_free(), dedupe_add(),
 * dedupe_sign(), dedupe_add_signed(), dedupe_candidates(),
 * dedupe_candidates_signed(), struct dedupe_probe, dedupe_candidates_probe(),
 * dedupe_restore(), dedupe_cluster_get(),
 * dedupe_cluster_close(),
 * dedupe_count(), dedupe_bytes() and the limits DEDUPE_*.
 *
 * How a candidate is scored: an earlier appeal is a candidate if its text
 * shares an LSH band with the new one (pipeline/lsh.h), or it lies within
 * place_radius_m of it (a grid of cells over latitude and longitude), or
 * it has the same address; candidates older than horizon_s are not looked
 * at. The score of each is
 *     score = w_text  * J                          (MinHash Jaccard estimate)
 *           + w_place * P                          (1 for the same address,
 *                                                   else exp(-metres / place_scale_m))
 *           + w_time  * exp(-seconds apart / time_scale_s)
 *           + w_topic * [same topic]
 * with the weights summing to 1, so the score is in [0, 1]; but when both
 * places are known and more than place_far_m apart the score is 0: the
 * same words in two towns are two problems. Many duplicates
 * share a place but not their wording, so place and time can carry a
 * candidate over the threshold without much text in common.
 *
 * A lookup costs at most a fixed amount of work whatever the index holds:
 * it walks at most band_chain_max entries of each LSH band and chain_max
 * of the address chain and of each of the 9 grid cells around the place,
 * gathers at most scored_max candidates (LSH first, then address, then
 * place), and reads the signature only of a candidate whose score could
 * still enter the results; it allocates nothing.
 *
 * Clusters: dedupe_add() puts the new appeal into the cluster of its best
 * candidate if that score reaches the threshold and the cluster is open;
 * otherwise the appeal starts a cluster of its own. A cluster is named by
 * the id of its first appeal. It keeps a count and a representative: of its
 * first DEDUPE_SAMPLE appeals, the one whose text is most like the others'
 * (the medoid by MinHash similarity); the texts themselves stay with the
 * caller (the store), the index keeps only signatures. An official who
 * answers a cluster closes it (dedupe_cluster_close()): later appeals start
 * a new cluster, and each appeal of the old one keeps its own record and
 * deadline in the store.
 *
 * The index holds the newest `capacity` appeals; past that the oldest is
 * forgotten, and a cluster is forgotten with its first appeal.
 *
 * Threads: a struct dedupe may be shared. dedupe_add() and
 * dedupe_cluster_close() take its lock for writing, the other calls for
 * reading; the text is shingled before the lock is taken. The time is always
 * passed in (the appeal's registration time).
 */
#ifndef PIPELINE_DEDUPE_H
#define PIPELINE_DEDUPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"
#include "pipeline/minhash.h"
#include "text/lang.h"

/* Appeals of a cluster considered for its representative. */
enum { DEDUPE_SAMPLE = 8 };
/* The most candidates dedupe_add() reports and dedupe_candidates() returns. */
enum { DEDUPE_TOP_MAX = 16 };
/* The largest scored_max: the most candidates scored per appeal (text,
 * place and address together). */
enum { DEDUPE_SCORED_MAX = 2048 };
/* Longest topic or address that is compared, bytes; longer ones are cut. */
enum { DEDUPE_KEY_MAX = 512 };

struct dedupe_opts {
    size_t capacity;                         /* appeals kept, 1..LSH_CAPACITY_MAX */
    unsigned bands, rows;                    /* LSH: bands * rows <= MINHASH_K */
    size_t band_chain_max;                   /* entries walked per LSH band, 1..65536 */
    size_t chain_max;                        /* entries walked per grid cell or address, 1..65536 */
    size_t scored_max;                       /* candidates per lookup, 1..DEDUPE_SCORED_MAX */
    double threshold;                        /* score to join a cluster, [0, 1] */
    double w_text, w_place, w_time, w_topic; /* >= 0, sum 1 */
    double place_scale_m;                    /* > 0 */
    double place_radius_m;                   /* candidates by place within this, 1..10000 m */
    double place_far_m;            /* both places known and farther apart: score 0, >= radius */
    double time_scale_s;           /* > 0 */
    int64_t horizon_s;             /* > 0: older appeals are not candidates */
    const struct lang_model *lang; /* borrowed; NULL: dedupe_new() makes its own */
};

/* The defaults: the weights and threshold chosen on the tuning half of the
 * Boston Open311 duplicates (docs/dedupe.md). */
void dedupe_opts_default(struct dedupe_opts *o);

/* One appeal; everything borrowed for the call. */
struct dedupe_appeal {
    int64_t id;         /* unique among the appeals added */
    struct str text;    /* valid UTF-8, at most NORMALISE_MAX bytes */
    bool has_place;     /* lat and lon are set */
    double lat, lon;    /* degrees, WGS 84 */
    struct str address; /* may be empty */
    struct str topic;   /* may be empty: then never "the same topic" */
    int64_t time;       /* Unix seconds */
};

struct dedupe_candidate {
    int64_t id;         /* the earlier appeal */
    int64_t cluster_id; /* its cluster; 0 if the cluster is forgotten */
    bool open;          /* its cluster takes new appeals */
    double score;       /* the combined score */
    double text;        /* J */
    double place;       /* P, 0 when either has no place */
    double metres;      /* distance, -1 when either has no place */
    double seconds;     /* time apart, >= 0 */
};

struct dedupe_result {
    int64_t cluster_id; /* the cluster the appeal is in now */
    bool joined;        /* it joined an earlier cluster (else started one) */
    double score;       /* the best candidate's score; 0 without candidates */
    size_t candidate_count;
    struct dedupe_candidate top[DEDUPE_TOP_MAX]; /* best first */
};

struct dedupe_cluster {
    int64_t id;             /* the id of its first appeal */
    size_t count;           /* appeals in it */
    int64_t representative; /* id of the representative appeal */
    int64_t first_time, last_time;
    bool open;
};

struct dedupe; /* opaque */

/* A new empty index into *out (caller owns it: dedupe_free()). ERR_INVALID
 * if an option is out of range, ERR_TOOBIG if capacity is,
 * ERR_UNAVAILABLE if the stemmers cannot be made. */
enum err dedupe_new(const struct dedupe_opts *o, struct dedupe **out);
void dedupe_free(struct dedupe *d); /* accepts NULL */

/*
 * Score ap against the earlier appeals, then add it: to the best open
 * cluster if the score reaches the threshold, else to a new cluster. *res
 * receives the cluster and the best candidates (scored before ap was added).
 * ERR_INVALID if the text is not valid UTF-8 or a coordinate is out of
 * range, ERR_TOOBIG if the text is too long, ERR_CONFLICT if ap->id is
 * already in the index; nothing is added on error.
 */
enum err dedupe_add(struct dedupe *d, const struct dedupe_appeal *ap, struct dedupe_result *res);

/* The MinHash signature of text as dedupe_add() makes it, into *out (which
 * a caller may keep, in the store, to refill an index without the text
 * pipeline). ERR_INVALID if text is not valid UTF-8, ERR_TOOBIG if it is too
 * long. */
enum err dedupe_sign(struct dedupe *d, struct str text, struct minhash_sig *out);

/* dedupe_add() with the signature given (borrowed) instead of made from
 * ap->text, which is not read then; sig NULL is dedupe_add(). Errors as
 * dedupe_add(). */
enum err dedupe_add_signed(struct dedupe *d, const struct dedupe_appeal *ap,
                           const struct minhash_sig *sig, struct dedupe_result *res);

/* The best (at most max, at most DEDUPE_TOP_MAX) earlier appeals for ap,
 * best first, into out; *count how many. Adds nothing. Errors as
 * dedupe_add() except ERR_CONFLICT. */
enum err dedupe_candidates(struct dedupe *d, const struct dedupe_appeal *ap,
                           struct dedupe_candidate *out, size_t max, size_t *count);

/* dedupe_candidates() with the signature given (borrowed; NULL: made from
 * ap->text). */
enum err dedupe_candidates_signed(struct dedupe *d, const struct dedupe_appeal *ap,
                                  const struct minhash_sig *sig, struct dedupe_candidate *out,
                                  size_t max, size_t *count);

/* What one lookup did, counted by dedupe_candidates_probe(). */
struct dedupe_probe {
    size_t walked;   /* chain entries looked at: LSH bands, grid cells and address */
    size_t gathered; /* distinct candidates found, at most scored_max */
    size_t compared; /* of those, how many had their signature compared */
};

/* dedupe_candidates_signed(), and *probe (not NULL) receives what the
 * lookup did. */
enum err dedupe_candidates_probe(struct dedupe *d, const struct dedupe_appeal *ap,
                                 const struct minhash_sig *sig, struct dedupe_candidate *out,
                                 size_t max, size_t *count, struct dedupe_probe *probe);

/* Put ap back into the cluster the store says it is in, oldest appeal
 * first (to refill an index at start-up): cluster_id == ap->id starts that
 * cluster, open or closed as given (open is ignored otherwise); another id
 * joins that cluster, which must be in the index already (ERR_NOTFOUND if
 * not). Nothing is scored: a refilled index has exactly the store's
 * clusters. sig as dedupe_add_signed(). Other errors as dedupe_add();
 * nothing is added on error. */
enum err dedupe_restore(struct dedupe *d, const struct dedupe_appeal *ap,
                        const struct minhash_sig *sig, int64_t cluster_id, bool open);

/* The cluster named id into *out. ERR_NOTFOUND if there is none (or it has
 * been forgotten). */
enum err dedupe_cluster_get(struct dedupe *d, int64_t id, struct dedupe_cluster *out);
/* Close the cluster named id: it takes no more appeals. ERR_NOTFOUND as
 * dedupe_cluster_get(). */
enum err dedupe_cluster_close(struct dedupe *d, int64_t id);

/* Appeals in the index now. */
size_t dedupe_count(struct dedupe *d);
/* Bytes allocated by the index (signatures, links, bucket tables). */
size_t dedupe_bytes(struct dedupe *d);

#endif
