/*
 * burst.h - surges of appeals on one topic in one region: counts in a
 * rolling window against an hour-of-week baseline. Exports struct
 * burst_opts, burst_opts_default(), struct burst_event, burst_new(),
 * burst_free(), burst_observe(), burst_poisson_tail() and the limits
 * BURST_*.
 *
 * Per (topic, region) the detector keeps the counts of the last window in
 * `buckets` equal parts (a rolling window that moves a part at a time) and,
 * for each of the 168 hours of the week (Almaty time), an exponentially
 * weighted mean of the appeals in that hour over past weeks (weight alpha
 * for the newest week); an hour without appeals counts as 0. Until an hour
 * of the week has been seen once, the key's mean over all hours stands in.
 * The expected count of a window is the sum of its parts' baselines.
 *
 * On each observation the window's count n is tested against its expected
 * count mu: a burst when P(X >= n) < p_max for X ~ Poisson(mu), n >=
 * min_count and n >= min_ratio * mu, after warmup_s of history. A key
 * reports one event per surge: it rearms once its window looks ordinary
 * again (P(X >= n) >= 0.01, or n below half of min_count). An hour
 * inside a surge updates the baseline with at most mu + 3 sqrt(mu) + 1
 * appeals, so a surge does not teach the detector that surges are normal.
 *
 * Observations should come in time order per key; one older than the
 * window's oldest part counts only toward nothing, one older than the
 * newest part counts in its part but not in the baseline.
 *
 * Threads: a struct burst may be shared; burst_observe() takes its lock.
 */
#ifndef PIPELINE_BURST_H
#define PIPELINE_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

/* Longest topic or region name kept, bytes (cut at a character boundary). */
enum { BURST_NAME_MAX = 96 };
/* Clusters named in an event, the largest first. */
enum { BURST_CLUSTERS = 5 };
/* Recent observations per key kept to name an event's clusters. */
enum { BURST_RECENT = 64 };
/* Most window parts. */
enum { BURST_BUCKETS_MAX = 120 };
/* Most (topic, region) pairs one detector tracks. */
enum { BURST_KEYS_MAX = 1 << 20 };

struct burst_opts {
    int64_t window_s;   /* 60 .. 7 days; a multiple of buckets */
    unsigned buckets;   /* parts of the window, 1..BURST_BUCKETS_MAX */
    double alpha;       /* weight of the newest week in the baseline, (0, 1] */
    double p_max;       /* Poisson tail to fire, (0, 0.5) */
    unsigned min_count; /* >= 1 */
    double min_ratio;   /* >= 1 */
    int64_t warmup_s;   /* history a key needs before it fires, >= 0 */
    size_t key_max;     /* pairs tracked, 1..BURST_KEYS_MAX */
};

/* One hour in 12 parts of 5 minutes, alpha 0.3, p_max 1e-6, min_count 8,
 * min_ratio 2.5, one week of warm-up, 65536 keys. */
void burst_opts_default(struct burst_opts *o);

struct burst_event {
    char topic[BURST_NAME_MAX + 1]; /* NUL-terminated copies */
    char region[BURST_NAME_MAX + 1];
    int64_t time;    /* the observation that fired it */
    int64_t start;   /* where the excess began: start of the first part of
                      * the window above its own baseline */
    uint32_t count;  /* appeals in the window */
    double expected; /* the baseline for the window */
    double p;        /* the Poisson tail */
    size_t cluster_count;
    int64_t clusters[BURST_CLUSTERS];       /* largest first (0 never listed) */
    uint32_t cluster_sizes[BURST_CLUSTERS]; /* appeals of each in the window */
    char reason[384]; /* "42 appeals on water supply in Almaty in the last hour, usually 3" */
};

struct burst; /* opaque */

/* A new detector into *out (caller owns it: burst_free()). ERR_INVALID if an
 * option is out of range. */
enum err burst_new(const struct burst_opts *o, struct burst **out);
void burst_free(struct burst *b); /* accepts NULL */

/*
 * Count one appeal on topic in region at time (Unix seconds), in cluster
 * cluster_id (0 if none; pipeline/dedupe.h), and test its window. *fired is
 * true and *ev filled when this observation starts a burst. topic and region
 * are borrowed, compared byte for byte, and cut to BURST_NAME_MAX bytes;
 * both must be valid UTF-8 and not empty (ERR_INVALID). ERR_TOOBIG if the
 * pair is new and key_max pairs are tracked already.
 */
enum err burst_observe(struct burst *b, struct str topic, struct str region, int64_t time,
                       int64_t cluster_id, struct burst_event *ev, bool *fired);

/* P(X >= n) for X ~ Poisson(mu), mu >= 0. */
double burst_poisson_tail(unsigned n, double mu);

#endif
