/*
 * burst.c - rolling-window counts per (topic, region) against an
 * hour-of-week baseline, with a Poisson test. Exports burst_opts_default(),
 * burst_new(), burst_free(), burst_observe() and burst_poisson_tail();
 * everything else is static.
 */
#include "pipeline/burst.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tm.h"
#include "base/xalloc.h"
#include "pipeline/minhash.h"
#include "text/utf8.h"

enum { HOURS_PER_WEEK = 168, HOUR = 3600 };
/* Hours of silence replayed into the baseline at most (eight weeks): after
 * that long every hour's mean has decayed to a small share anyway. */
enum { CATCH_UP_MAX = 8 * HOURS_PER_WEEK };
/* Weight of the newest hour in a key's mean over all hours (about a day). */
#define MEAN_ALPHA (1.0 / 24)
/* A window at least this ordinary rearms a key after a burst. */
#define REARM_P 0.01

struct key {
    char topic[BURST_NAME_MAX + 1], region[BURST_NAME_MAX + 1];
    size_t topic_len, region_len;
    uint64_t hash;
    int64_t first_time;
    int64_t cur_part; /* newest part: floor(time / part length) */
    int64_t cur_hour; /* hours since the epoch, Almaty time */
    uint32_t hour_count;
    uint32_t parts[BURST_BUCKETS_MAX]; /* ring: part p at p % buckets */
    float base[HOURS_PER_WEEK];        /* mean appeals in each hour of the week */
    bool seen[HOURS_PER_WEEK];
    double mean; /* mean appeals per hour, any hour */
    bool mean_set;
    bool in_burst;
    size_t recent_head; /* next place in the ring below */
    int64_t recent_time[BURST_RECENT];
    int64_t recent_cluster[BURST_RECENT];
};

struct burst {
    struct burst_opts o;
    int64_t part_s;
    pthread_mutex_t mu;
    struct key **keys; /* guarded by mu; [key_count] */
    size_t key_count;  /* guarded by mu */
    uint32_t *table;   /* guarded by mu; key index + 1, 0 = free; [table_mask + 1] */
    size_t table_mask; /* guarded by mu */
};

void
burst_opts_default(struct burst_opts *o)
{
    *o = (struct burst_opts){
        .window_s = 3600,
        .buckets = 12,
        .alpha = 0.3,
        .p_max = 1e-6,
        .min_count = 8,
        .min_ratio = 2.5,
        .warmup_s = 7 * 86400,
        .key_max = 65536,
    };
}

enum err
burst_new(const struct burst_opts *o, struct burst **out)
{
    if (o->buckets < 1 || o->buckets > BURST_BUCKETS_MAX || o->window_s < 60 ||
        o->window_s > 7 * 86400 || o->window_s % o->buckets != 0 || !(o->alpha > 0) ||
        o->alpha > 1 || !(o->p_max > 0) || !(o->p_max < 0.5) || o->min_count < 1 ||
        !(o->min_ratio >= 1) || o->warmup_s < 0 || o->key_max < 1 || o->key_max > BURST_KEYS_MAX)
        return ERR_INVALID;
    struct burst *b = xcalloc(1, sizeof(*b));
    b->o = *o;
    b->part_s = o->window_s / o->buckets;
    b->table_mask = 63;
    b->table = xcalloc(b->table_mask + 1, sizeof(*b->table));
    (void)pthread_mutex_init(&b->mu, NULL);
    *out = b;
    return ERR_OK;
}

void
burst_free(struct burst *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->key_count; i++)
        free(b->keys[i]);
    free(b->keys);
    free(b->table);
    (void)pthread_mutex_destroy(&b->mu);
    free(b);
}

double
burst_poisson_tail(unsigned n, double mu)
{
    if (n == 0)
        return 1;
    if (!(mu > 0))
        return 0;
    /* Sum the terms from k = n up; past the mode they shrink geometrically. */
    double term = exp(-mu + n * log(mu) - lgamma((double)n + 1));
    double sum = 0;
    for (unsigned k = n; k < n + 100000; k++) {
        sum += term;
        term *= mu / (k + 1);
        if (term < sum * 1e-12 && (double)k > mu)
            break;
    }
    return sum > 1 ? 1 : sum;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Where part p sits in a key's ring of parts. */
static size_t
ring(const struct burst *b, int64_t part)
{
    int64_t r = part % (int64_t)b->o.buckets;
    return (size_t)(r < 0 ? r + (int64_t)b->o.buckets : r);
}

/* Hours since the epoch in Almaty time. */
static int64_t
local_hour(int64_t t)
{
    return floor_div(t + tm_almaty_offset(t), HOUR);
}

/* 0 = Monday 00:00 ... 167 = Sunday 23:00 (the epoch was a Thursday). */
static size_t
hour_of_week(int64_t hour)
{
    int64_t h = (hour + 3 * 24) % HOURS_PER_WEEK;
    return (size_t)(h < 0 ? h + HOURS_PER_WEEK : h);
}

static double
hour_rate(const struct key *k, int64_t hour)
{
    size_t how = hour_of_week(hour);
    if (k->seen[how])
        return k->base[how];
    return k->mean_set ? k->mean : 0;
}

/* The baseline of [from, from + len) seconds: the hours it overlaps,
 * each by its share. */
static double
span_rate(const struct key *k, int64_t from, int64_t len)
{
    double sum = 0;
    int64_t end = from + len;
    int64_t off = tm_almaty_offset(from);
    for (int64_t h = floor_div(from + off, HOUR); h * HOUR - off < end; h++) {
        int64_t a = h * HOUR - off, z = a + HOUR;
        int64_t lo = a > from ? a : from, hi = z < end ? z : end;
        if (hi > lo)
            sum += hour_rate(k, h) * (double)(hi - lo) / HOUR;
    }
    return sum;
}

static void
close_hour(const struct burst *b, struct key *k, int64_t hour, uint32_t count)
{
    size_t how = hour_of_week(hour);
    double mu = hour_rate(k, hour);
    double c = count;
    if (k->seen[how] || k->mean_set) {
        double cap = mu + 3 * sqrt(mu) + 1;
        c = c < cap ? c : cap;
    }
    if (k->seen[how]) {
        k->base[how] = (float)((1 - b->o.alpha) * k->base[how] + b->o.alpha * c);
    } else {
        k->base[how] = (float)c;
        k->seen[how] = true;
    }
    k->mean = k->mean_set ? (1 - MEAN_ALPHA) * k->mean + MEAN_ALPHA * c : c;
    k->mean_set = true;
}

/* Move k's clock to time: close the hours and parts that have passed. */
static void
advance(const struct burst *b, struct key *k, int64_t time)
{
    int64_t hour = local_hour(time);
    if (hour > k->cur_hour) {
        if (hour - k->cur_hour > CATCH_UP_MAX) {
            close_hour(b, k, k->cur_hour, k->hour_count);
            k->hour_count = 0;
            k->cur_hour = hour - CATCH_UP_MAX;
        }
        while (k->cur_hour < hour) {
            close_hour(b, k, k->cur_hour, k->hour_count);
            k->hour_count = 0;
            k->cur_hour++;
        }
    }
    int64_t part = floor_div(time, b->part_s);
    if (part > k->cur_part) {
        int64_t clear = part - k->cur_part;
        if (clear > (int64_t)b->o.buckets)
            clear = b->o.buckets;
        for (int64_t i = 0; i < clear; i++)
            k->parts[ring(b, part - i)] = 0;
        k->cur_part = part;
    }
}

static void
copy_name(char *dst, struct str s)
{
    memcpy(dst, s.p, s.len);
    dst[s.len] = '\0';
}

static struct str
cut_name(struct str s)
{
    if (s.len <= BURST_NAME_MAX)
        return s;
    size_t n = BURST_NAME_MAX;
    while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
        n--;
    return (struct str){s.p, n};
}

static uint64_t
key_hash(struct str topic, struct str region)
{
    return minhash_hash(topic.p, topic.len) * 31 + minhash_hash(region.p, region.len);
}

static void
table_put(uint32_t *table, size_t mask, uint64_t hash, uint32_t value)
{
    size_t i = (size_t)hash & mask;
    while (table[i] != 0)
        i = (i + 1) & mask;
    table[i] = value;
}

static enum err
find_key(struct burst *b, struct str topic, struct str region, int64_t time, struct key **out)
{
    uint64_t h = key_hash(topic, region);
    size_t i = (size_t)h & b->table_mask;
    while (b->table[i] != 0) {
        struct key *k = b->keys[b->table[i] - 1];
        if (k->hash == h && k->topic_len == topic.len && k->region_len == region.len &&
            memcmp(k->topic, topic.p, topic.len) == 0 &&
            memcmp(k->region, region.p, region.len) == 0) {
            *out = k;
            return ERR_OK;
        }
        i = (i + 1) & b->table_mask;
    }
    if (b->key_count == b->o.key_max)
        return ERR_TOOBIG;
    if (2 * (b->key_count + 1) > b->table_mask + 1) {
        size_t mask = 2 * (b->table_mask + 1) - 1;
        uint32_t *t = xcalloc(mask + 1, sizeof(*t));
        for (size_t j = 0; j < b->key_count; j++)
            table_put(t, mask, b->keys[j]->hash, (uint32_t)j + 1);
        free(b->table);
        b->table = t;
        b->table_mask = mask;
    }
    struct key *k = xcalloc(1, sizeof(*k));
    copy_name(k->topic, topic);
    copy_name(k->region, region);
    k->topic_len = topic.len;
    k->region_len = region.len;
    k->hash = h;
    k->first_time = time;
    k->cur_part = floor_div(time, b->part_s);
    k->cur_hour = local_hour(time);
    b->keys = xrealloc(b->keys, (b->key_count + 1) * sizeof(*b->keys));
    b->keys[b->key_count] = k;
    b->key_count++;
    table_put(b->table, b->table_mask, h, (uint32_t)b->key_count);
    *out = k;
    return ERR_OK;
}

/* The window's expected count at time (its newest part prorated to time). */
static double
window_expected(const struct burst *b, const struct key *k, int64_t time)
{
    double mu = 0;
    for (unsigned i = 0; i < b->o.buckets; i++) {
        int64_t part = k->cur_part - i;
        int64_t from = part * b->part_s;
        int64_t len = i == 0 ? time - from + 1 : b->part_s;
        mu += span_rate(k, from, len);
    }
    return mu;
}

static uint32_t
window_count(const struct burst *b, const struct key *k)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < b->o.buckets; i++)
        n += k->parts[i];
    return n;
}

/* Where the run of parts above their baseline that ends now began. */
static int64_t
surge_start(const struct burst *b, const struct key *k, int64_t time)
{
    int64_t start = k->cur_part * b->part_s;
    for (unsigned i = 0; i < b->o.buckets; i++) {
        int64_t part = k->cur_part - i;
        int64_t from = part * b->part_s;
        int64_t len = i == 0 ? time - from + 1 : b->part_s;
        double e = span_rate(k, from, len);
        uint32_t c = k->parts[ring(b, part)];
        bool excess = c > e + 2 * sqrt(e) + 1;
        if (excess)
            start = from;
        else if (i > 0) /* the newest part may have only just begun */
            break;
    }
    return start;
}

static void
name_clusters(const struct burst *b, const struct key *k, int64_t time, struct burst_event *ev)
{
    int64_t ids[BURST_RECENT];
    uint32_t counts[BURST_RECENT];
    size_t n = 0;
    for (size_t i = 0; i < BURST_RECENT; i++) {
        int64_t c = k->recent_cluster[i];
        if (c == 0 || k->recent_time[i] <= time - b->o.window_s)
            continue;
        size_t j = 0;
        while (j < n && ids[j] != c)
            j++;
        if (j == n) {
            ids[n] = c;
            counts[n++] = 0;
        }
        counts[j]++;
    }
    ev->cluster_count = 0;
    for (size_t r = 0; r < BURST_CLUSTERS && r < n; r++) {
        size_t best = r;
        for (size_t j = r + 1; j < n; j++)
            if (counts[j] > counts[best] || (counts[j] == counts[best] && ids[j] < ids[best]))
                best = j;
        int64_t ti = ids[r];
        uint32_t tc = counts[r];
        ids[r] = ids[best];
        counts[r] = counts[best];
        ids[best] = ti;
        counts[best] = tc;
        ev->clusters[r] = ids[r];
        ev->cluster_sizes[r] = counts[r];
        ev->cluster_count++;
    }
}

static void
describe(const struct burst *b, struct burst_event *ev)
{
    char span[48], usual[48];
    int64_t w = b->o.window_s;
    if (w == HOUR)
        (void)snprintf(span, sizeof(span), "the last hour");
    else if (w % 86400 == 0)
        (void)snprintf(span, sizeof(span), w == 86400 ? "the last day" : "the last %d days",
                       (int)(w / 86400));
    else if (w % HOUR == 0)
        (void)snprintf(span, sizeof(span), "the last %d hours", (int)(w / HOUR));
    else
        (void)snprintf(span, sizeof(span), "the last %d minutes", (int)(w / 60));
    if (ev->expected < 0.5)
        (void)snprintf(usual, sizeof(usual), "usually none");
    else
        (void)snprintf(usual, sizeof(usual), "usually %.0f", ev->expected);
    (void)snprintf(ev->reason, sizeof(ev->reason), "%u appeal%s on %s in %s in %s, %s", ev->count,
                   ev->count == 1 ? "" : "s", ev->topic, ev->region, span, usual);
}

enum err
burst_observe(struct burst *b, struct str topic, struct str region, int64_t time,
              int64_t cluster_id, struct burst_event *ev, bool *fired)
{
    *fired = false;
    if (topic.len == 0 || region.len == 0 || !utf8_valid(topic) || !utf8_valid(region))
        return ERR_INVALID;
    topic = cut_name(topic);
    region = cut_name(region);
    struct key *k = NULL;
    (void)pthread_mutex_lock(&b->mu);
    enum err e = find_key(b, topic, region, time, &k);
    if (e)
        goto out;
    advance(b, k, time);
    int64_t part = floor_div(time, b->part_s);
    if (part > k->cur_part - (int64_t)b->o.buckets)
        k->parts[ring(b, part)]++;
    if (local_hour(time) == k->cur_hour)
        k->hour_count++;
    k->recent_time[k->recent_head] = time;
    k->recent_cluster[k->recent_head] = cluster_id;
    k->recent_head = (k->recent_head + 1) % BURST_RECENT;

    uint32_t n = window_count(b, k);
    double mu = window_expected(b, k, time);
    double p = burst_poisson_tail(n, mu);
    if (k->in_burst) {
        if (p >= REARM_P || 2 * n < b->o.min_count)
            k->in_burst = false;
        goto out;
    }
    if (time - k->first_time < b->o.warmup_s || n < b->o.min_count || n < b->o.min_ratio * mu ||
        p >= b->o.p_max)
        goto out;
    k->in_burst = true;
    *ev = (struct burst_event){.time = time, .count = n, .expected = mu, .p = p};
    copy_name(ev->topic, topic);
    copy_name(ev->region, region);
    ev->start = surge_start(b, k, time);
    name_clusters(b, k, time, ev);
    describe(b, ev);
    *fired = true;
out:
    (void)pthread_mutex_unlock(&b->mu);
    return e;
}
