/*
 * dedupe.c - the near-duplicate index: MinHash + LSH for the text, a grid of
 * cells and an address table for the place, all over one ring of appeals
 * linked by sequence number (as in lsh.c), and clusters kept in the slot of
 * their first appeal. Exports dedupe_opts_default(), dedupe_new(),
 * dedupe_free(), dedupe_sign(), dedupe_add(), dedupe_add_signed(),
 * dedupe_candidates(), dedupe_candidates_signed(), dedupe_candidates_probe(),
 * dedupe_restore(),
 * dedupe_cluster_get(), dedupe_cluster_close(), dedupe_count() and
 * dedupe_bytes(); everything else
 * is static.
 */
#include "pipeline/dedupe.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/xalloc.h"
#include "pipeline/lsh.h"
#include "pipeline/minhash.h"
#include "text/lang.h"
#include "text/stem.h"
#include "text/token.h"
#include "text/translit.h"

#define EARTH_RADIUS_M 6371008.8
#define METRES_PER_DEGREE 111320.0

/* One appeal in the ring; slot = seq % capacity, as in the LSH index. */
struct slot {
    int64_t id;
    int64_t time;
    uint32_t seq;                          /* 0: never used */
    uint32_t root;                         /* seq of the cluster's first appeal */
    uint32_t geo_next, addr_next, id_next; /* older seq in the same bucket */
    float lat, lon;
    uint32_t addr;  /* address key, 0 = none */
    uint32_t topic; /* topic key, 0 = none */
    bool has_place;
    /* The cluster, when root == seq. */
    bool open;
    uint32_t count;
    uint32_t rep; /* seq of the representative */
    int64_t last_time;
    uint32_t sample_count;
    uint32_t sample[DEDUPE_SAMPLE];
};

struct dedupe {
    struct dedupe_opts o;
    struct lang_model *own_lang; /* made by dedupe_new() when o.lang was NULL */
    double cell_deg;             /* grid cell height in degrees of latitude */

    pthread_mutex_t text_mu;
    struct stem *stem; /* guarded by text_mu (libstemmer keeps state) */

    pthread_rwlock_t lock;
    struct lsh *lsh;     /* guarded by lock */
    struct slot *slots;  /* guarded by lock; [capacity] */
    size_t mask;         /* bucket count - 1 */
    uint32_t *geo_head;  /* guarded by lock; [mask + 1] */
    uint32_t *addr_head; /* guarded by lock; [mask + 1] */
    uint32_t *id_head;   /* guarded by lock; [mask + 1] */
};

/* One appeal's keys, computed before the lock is taken. */
struct query {
    const struct dedupe_appeal *ap;
    struct minhash_sig sig;
    uint32_t addr, topic;
    int32_t row, col; /* its grid cell */
};

void
dedupe_opts_default(struct dedupe_opts *o)
{
    *o = (struct dedupe_opts){
        .capacity = 1 << 20,
        .bands = 32,
        .rows = 4,
        .band_chain_max = 16,
        .chain_max = 64,
        .scored_max = 1024,
        .threshold = 0.40,
        .w_text = 0.3,
        .w_place = 0.5,
        .w_time = 0.1,
        .w_topic = 0.1,
        .place_scale_m = 50,
        .place_radius_m = 100,
        .place_far_m = 2000,
        .time_scale_s = 7 * 86400.0,
        .horizon_s = 90 * 86400,
        .lang = NULL,
    };
}

static bool
opts_valid(const struct dedupe_opts *o)
{
    double w = o->w_text + o->w_place + o->w_time + o->w_topic;
    return o->w_text >= 0 && o->w_place >= 0 && o->w_time >= 0 && o->w_topic >= 0 &&
           fabs(w - 1) < 1e-6 && o->threshold >= 0 && o->threshold <= 1 && o->place_scale_m > 0 &&
           o->place_radius_m >= 1 && o->place_radius_m <= 10000 &&
           o->place_far_m >= o->place_radius_m && o->time_scale_s > 0 && o->horizon_s > 0 &&
           o->chain_max >= 1 && o->chain_max <= 65536 && o->band_chain_max >= 1 &&
           o->band_chain_max <= 65536 && o->scored_max >= 1 && o->scored_max <= DEDUPE_SCORED_MAX;
}

static size_t
pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

enum err
dedupe_new(const struct dedupe_opts *o, struct dedupe **out)
{
    struct dedupe *d = NULL;
    struct lsh *l = NULL;
    struct stem *st = NULL;
    enum err e = ERR_INVALID;
    if (!opts_valid(o))
        goto out;
    struct lsh_opts lo = {
        .bands = o->bands,
        .rows = o->rows,
        .capacity = o->capacity,
        .chain_max = o->band_chain_max,
    };
    e = lsh_new(&lo, &l);
    if (e)
        goto out;
    e = stem_new(&st);
    if (e)
        goto out;
    d = xcalloc(1, sizeof(*d));
    d->o = *o;
    if (o->lang == NULL) {
        d->own_lang = lang_model_new();
        d->o.lang = d->own_lang;
    }
    d->cell_deg = o->place_radius_m / METRES_PER_DEGREE;
    d->stem = st;
    d->lsh = l;
    st = NULL;
    l = NULL;
    d->slots = xcalloc(o->capacity, sizeof(*d->slots));
    xadvise_huge(d->slots, o->capacity * sizeof(*d->slots)); /* read at random by lookups */
    d->mask = pow2_at_least(o->capacity) - 1;
    d->geo_head = xcalloc(d->mask + 1, sizeof(*d->geo_head));
    d->addr_head = xcalloc(d->mask + 1, sizeof(*d->addr_head));
    d->id_head = xcalloc(d->mask + 1, sizeof(*d->id_head));
    (void)pthread_mutex_init(&d->text_mu, NULL);
    (void)pthread_rwlock_init(&d->lock, NULL);
    *out = d;
    e = ERR_OK;
out:
    lsh_free(l);
    stem_free(st);
    return e;
}

void
dedupe_free(struct dedupe *d)
{
    if (d == NULL)
        return;
    (void)pthread_mutex_destroy(&d->text_mu);
    (void)pthread_rwlock_destroy(&d->lock);
    stem_free(d->stem);
    lsh_free(d->lsh);
    lang_model_free(d->own_lang);
    free(d->slots);
    free(d->geo_head);
    free(d->addr_head);
    free(d->id_head);
    free(d);
}

static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* A key that is never 0 (0 means "none"). */
static uint32_t
key32(uint64_t h)
{
    uint32_t k = (uint32_t)(h ^ (h >> 32));
    return k == 0 ? 1 : k;
}

/* s cut to at most DEDUPE_KEY_MAX bytes, at a character boundary. */
static struct str
cut_key(struct str s)
{
    if (s.len <= DEDUPE_KEY_MAX)
        return s;
    size_t n = DEDUPE_KEY_MAX;
    while (n > 0 && ((unsigned char)s.p[n] & 0xC0) == 0x80)
        n--;
    return (struct str){s.p, n};
}

/* The address as a key: its words and numbers folded (case, script,
 * spacing and punctuation do not matter); 0 for an address without any. */
static enum err
address_key(struct arena *a, struct str addr, uint32_t *out)
{
    struct token *tok = NULL;
    size_t n = 0;
    enum err e = token_split(a, cut_key(addr), &tok, &n);
    if (e)
        return e;
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++) {
        struct str f;
        e = translit_fold(a, tok[i].norm, &f);
        if (e)
            return e;
        h = mix64(h * 31 + minhash_hash(f.p, f.len));
    }
    *out = n == 0 ? 0 : key32(h);
    return ERR_OK;
}

static void
cell_of(const struct dedupe *d, double lat, double lon, int32_t *row, int32_t *col)
{
    *row = (int32_t)floor(lat / d->cell_deg);
    double mid = ((double)*row + 0.5) * d->cell_deg;
    double c = cos(mid * M_PI / 180);
    double w = d->cell_deg / (c < 0.05 ? 0.05 : c);
    *col = (int32_t)floor(lon / w);
}

static size_t
cell_bucket(const struct dedupe *d, int32_t row, int32_t col)
{
    uint64_t h = mix64(((uint64_t)(uint32_t)row << 32) | (uint32_t)col);
    return (size_t)h & d->mask;
}

static size_t
key_bucket(const struct dedupe *d, uint64_t key)
{
    return (size_t)mix64(key ^ 0x5bd1e995ULL) & d->mask;
}

static bool
coords_valid(const struct dedupe_appeal *ap)
{
    return !ap->has_place || (isfinite(ap->lat) && isfinite(ap->lon) && ap->lat >= -90 &&
                              ap->lat <= 90 && ap->lon >= -180 && ap->lon <= 180);
}

enum err
dedupe_sign(struct dedupe *d, struct str text, struct minhash_sig *out)
{
    struct arena *a = arena_new();
    (void)pthread_mutex_lock(&d->text_mu);
    enum err e = minhash_text(d->stem, d->o.lang, a, text, out);
    (void)pthread_mutex_unlock(&d->text_mu);
    arena_free(a);
    return e;
}

/* Everything about ap that needs no lock: the signature (sig if not NULL,
 * else made from the text), the address and topic keys and the grid cell. */
static enum err
prepare(struct dedupe *d, const struct dedupe_appeal *ap, const struct minhash_sig *sig,
        struct query *q)
{
    struct arena *a = NULL;
    enum err e = ERR_INVALID;
    if (!coords_valid(ap))
        goto out;
    e = ERR_OK;
    if (sig != NULL)
        q->sig = *sig;
    else
        e = dedupe_sign(d, ap->text, &q->sig);
    if (e)
        goto out;
    q->addr = 0;
    if (ap->address.len > 0) { /* no address, no arena */
        a = arena_new();
        e = address_key(a, ap->address, &q->addr);
        if (e)
            goto out;
    }
    struct str topic = cut_key(ap->topic);
    q->topic = topic.len == 0 ? 0 : key32(minhash_hash(topic.p, topic.len));
    q->row = q->col = 0;
    if (ap->has_place)
        cell_of(d, ap->lat, ap->lon, &q->row, &q->col);
    q->ap = ap;
out:
    arena_free(a);
    return e;
}

/* The slot that holds seq, or NULL if seq is 0 or has been overwritten. */
static struct slot *
live(const struct dedupe *d, uint32_t seq)
{
    if (seq == 0)
        return NULL;
    struct slot *s = &d->slots[seq % d->o.capacity];
    return s->seq == seq ? s : NULL;
}

static struct slot *
find_id(const struct dedupe *d, int64_t id)
{
    uint32_t s = d->id_head[key_bucket(d, (uint64_t)id)];
    while (true) {
        struct slot *sl = live(d, s);
        if (sl == NULL)
            return NULL;
        if (sl->id == id)
            return sl;
        s = sl->id_next;
    }
}

static double
haversine_m(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = M_PI / 180;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_M * asin(sqrt(h < 1 ? h : 1));
}

/* The candidates' sequence numbers, each once, at most max (scored_max). */
struct cands {
    uint32_t seq[DEDUPE_SCORED_MAX];
    size_t count, max;
    uint32_t set[2 * DEDUPE_SCORED_MAX]; /* open addressing, 0 = free */
};

static void
cands_add(struct cands *c, uint32_t seq)
{
    const size_t mask = 2 * DEDUPE_SCORED_MAX - 1;
    if (c->count == c->max)
        return;
    size_t i = (seq * 0x9e3779b1u) & mask;
    while (c->set[i] != 0) {
        if (c->set[i] == seq)
            return;
        i = (i + 1) & mask;
    }
    c->set[i] = seq;
    c->seq[c->count++] = seq;
}

static bool
too_old(const struct dedupe *d, const struct slot *s, int64_t now)
{
    return s->time < now - d->o.horizon_s;
}

/* Walks at most 9 cells of chain_max entries; returns how many it looked at. */
static size_t
gather_place(const struct dedupe *d, const struct query *q, struct cands *c)
{
    const struct dedupe_appeal *ap = q->ap;
    size_t looked = 0;
    for (int32_t dr = -1; dr <= 1; dr++) {
        int32_t row = q->row + dr;
        double mid = ((double)row + 0.5) * d->cell_deg;
        double cs = cos(mid * M_PI / 180);
        double w = d->cell_deg / (cs < 0.05 ? 0.05 : cs);
        int32_t c0 = (int32_t)floor((ap->lon - w) / w), c1 = (int32_t)floor((ap->lon + w) / w);
        for (int32_t col = c0; col <= c1; col++) {
            uint32_t s = d->geo_head[cell_bucket(d, row, col)];
            for (size_t walked = 0; walked < d->o.chain_max; walked++) {
                const struct slot *sl = live(d, s);
                if (sl == NULL || too_old(d, sl, ap->time))
                    break;
                looked++;
                /* cell_of(), with the row's width w already known: no
                 * cosine per entry */
                int32_t r2 = (int32_t)floor((double)sl->lat / d->cell_deg);
                if (r2 == row && (int32_t)floor((double)sl->lon / w) == col)
                    cands_add(c, s);
                s = sl->geo_next;
            }
        }
    }
    return looked;
}

/* Walks at most chain_max entries; returns how many it looked at. */
static size_t
gather_address(const struct dedupe *d, const struct query *q, struct cands *c)
{
    uint32_t s = d->addr_head[key_bucket(d, q->addr)];
    size_t walked = 0;
    for (; walked < d->o.chain_max; walked++) {
        const struct slot *sl = live(d, s);
        if (sl == NULL || too_old(d, sl, q->ap->time))
            break;
        if (sl->addr == q->addr)
            cands_add(c, s);
        s = sl->addr_next;
    }
    return walked;
}

/* The parts of a candidate's score that need no signature. */
struct parts {
    double p, metres;  /* P, and the distance (-1 when either has no place) */
    double seconds, t; /* time apart, and its part */
    double topic;      /* 1 for the same topic */
};

static void
parts_of(const struct dedupe *d, const struct query *q, const struct slot *sl, struct parts *pt)
{
    const struct dedupe_appeal *ap = q->ap;
    pt->p = 0;
    pt->metres = -1;
    if (ap->has_place && sl->has_place) {
        pt->metres = haversine_m(ap->lat, ap->lon, sl->lat, sl->lon);
        pt->p = exp(-pt->metres / d->o.place_scale_m);
    }
    if (q->addr != 0 && sl->addr == q->addr)
        pt->p = 1;
    pt->seconds = fabs((double)ap->time - (double)sl->time);
    pt->t = exp(-pt->seconds / d->o.time_scale_s);
    pt->topic = q->topic != 0 && sl->topic == q->topic;
}

/* The score with the text similarity j. With j = 1 it is the most the
 * score can be, so a candidate can be judged before its signature is read. */
static double
score_of(const struct dedupe *d, const struct parts *pt, double j)
{
    double score =
        d->o.w_text * j + d->o.w_place * pt->p + d->o.w_time * pt->t + d->o.w_topic * pt->topic;
    return pt->metres > d->o.place_far_m ? 0 : score;
}

/* Insert cand into top (sorted, best first, *n of at most max). */
static void
top_insert(struct dedupe_candidate *top, size_t *n, size_t max, const struct dedupe_candidate *cand)
{
    if (max == 0 || (*n == max && cand->score <= top[*n - 1].score))
        return;
    size_t i = *n < max ? (*n)++ : max - 1;
    while (i > 0 && top[i - 1].score < cand->score) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = *cand;
}

/*
 * Score the earlier appeals for q under the lock (read or write): the best
 * max into top (*n), and the best one whose cluster is open into *best_open
 * (its score -1 if none). At most scored_max candidates are gathered, LSH
 * first, then by address and by place; the walks are bounded by
 * band_chain_max and chain_max, so a lookup costs at most a fixed number of
 * reads whatever the index holds. A candidate whose score could not enter
 * top or beat *best_open even with J = 1 is dropped before its signature
 * is read: the result is the same as scoring all. Nothing is allocated.
 */
static void
score_all(const struct dedupe *d, const struct query *q, struct dedupe_candidate *top, size_t max,
          size_t *n, struct dedupe_candidate *best_open, struct dedupe_probe *pr)
{
    struct cands c;
    uint32_t seqs[DEDUPE_SCORED_MAX];
    size_t walked = 0;
    c.count = 0;
    c.max = d->o.scored_max;
    memset(c.set, 0, sizeof(c.set));
    size_t k = lsh_query_walked(d->lsh, &q->sig, seqs, c.max, &walked);
    for (size_t i = 0; i < k; i++)
        cands_add(&c, seqs[i]);
    if (q->addr != 0)
        walked += gather_address(d, q, &c);
    if (q->ap->has_place)
        walked += gather_place(d, q, &c);
    *n = 0;
    best_open->score = -1;
    size_t compared = 0;
    for (size_t i = 0; i < c.count; i++) {
        const struct slot *sl = live(d, c.seq[i]);
        if (sl == NULL || too_old(d, sl, q->ap->time))
            continue;
        struct parts pt;
        parts_of(d, q, sl, &pt);
        double most = score_of(d, &pt, 1);
        bool misses_top = max == 0 || (*n == max && most <= top[max - 1].score);
        if (misses_top && most <= best_open->score)
            continue;
        const struct minhash_sig *sig = lsh_get(d->lsh, sl->seq);
        double j = sig == NULL ? 0 : minhash_similarity(&q->sig, sig);
        compared++;
        const struct slot *root = live(d, sl->root);
        struct dedupe_candidate cand = {
            .id = sl->id,
            .cluster_id = root == NULL ? 0 : root->id,
            .open = root != NULL && root->open,
            .score = score_of(d, &pt, j),
            .text = j,
            .place = pt.p,
            .metres = pt.metres,
            .seconds = pt.seconds,
        };
        top_insert(top, n, max, &cand);
        if (cand.open && cand.score > best_open->score)
            *best_open = cand;
    }
    if (pr != NULL)
        *pr = (struct dedupe_probe){.walked = walked, .gathered = c.count, .compared = compared};
}

/* The member of the cluster's sample most like the others. */
static uint32_t
medoid(const struct dedupe *d, const struct slot *root)
{
    uint32_t best = root->seq;
    double best_sum = -1;
    for (uint32_t i = 0; i < root->sample_count; i++) {
        const struct minhash_sig *si = lsh_get(d->lsh, root->sample[i]);
        if (si == NULL)
            continue;
        double sum = 0;
        for (uint32_t j = 0; j < root->sample_count; j++) {
            const struct minhash_sig *sj = lsh_get(d->lsh, root->sample[j]);
            if (j != i && sj != NULL)
                sum += minhash_similarity(si, sj);
        }
        if (sum > best_sum) {
            best_sum = sum;
            best = root->sample[i];
        }
    }
    return best;
}

static void
link_slot(struct dedupe *d, const struct query *q, struct slot *sl)
{
    uint32_t s = sl->seq;
    size_t b = key_bucket(d, (uint64_t)sl->id);
    sl->id_next = d->id_head[b];
    d->id_head[b] = s;
    if (sl->has_place) {
        int32_t row, col;
        cell_of(d, sl->lat, sl->lon, &row, &col); /* from the stored floats, as lookups do */
        b = cell_bucket(d, row, col);
        sl->geo_next = d->geo_head[b];
        d->geo_head[b] = s;
    }
    if (q->addr != 0) {
        b = key_bucket(d, q->addr);
        sl->addr_next = d->addr_head[b];
        d->addr_head[b] = s;
    }
}

/* The root slot of the cluster named id, or NULL. */
static struct slot *
find_cluster(const struct dedupe *d, int64_t id)
{
    struct slot *sl = find_id(d, id);
    return sl != NULL && sl->root == sl->seq ? sl : NULL;
}

/* Insert q's appeal (under the write lock): into root's cluster, or, with
 * root NULL, as the first of a new cluster, open or not. Returns the
 * cluster's id. */
static int64_t
place(struct dedupe *d, const struct query *q, struct slot *root, bool open)
{
    const struct dedupe_appeal *ap = q->ap;
    uint32_t s = lsh_insert(d->lsh, &q->sig);
    struct slot *sl = &d->slots[s % d->o.capacity];
    *sl = (struct slot){
        .id = ap->id,
        .time = ap->time,
        .seq = s,
        .lat = (float)ap->lat,
        .lon = (float)ap->lon,
        .addr = q->addr,
        .topic = q->topic,
        .has_place = ap->has_place,
    };
    link_slot(d, q, sl);
    if (root != NULL) {
        sl->root = root->seq;
        root->count++;
        root->last_time = ap->time > root->last_time ? ap->time : root->last_time;
        if (root->sample_count < DEDUPE_SAMPLE) {
            root->sample[root->sample_count++] = s;
            root->rep = medoid(d, root);
        }
        return root->id;
    }
    sl->root = s;
    sl->open = open;
    sl->count = 1;
    sl->rep = s;
    sl->last_time = ap->time;
    sl->sample[0] = s;
    sl->sample_count = 1;
    return ap->id;
}

enum err
dedupe_add(struct dedupe *d, const struct dedupe_appeal *ap, struct dedupe_result *res)
{
    return dedupe_add_signed(d, ap, NULL, res);
}

enum err
dedupe_add_signed(struct dedupe *d, const struct dedupe_appeal *ap, const struct minhash_sig *sig,
                  struct dedupe_result *res)
{
    struct query q;
    enum err e = prepare(d, ap, sig, &q);
    if (e)
        return e;
    (void)pthread_rwlock_wrlock(&d->lock);
    if (find_id(d, ap->id) != NULL) {
        e = ERR_CONFLICT;
        goto out;
    }
    struct dedupe_candidate best;
    score_all(d, &q, res->top, DEDUPE_TOP_MAX, &res->candidate_count, &best, NULL);
    struct slot *root = NULL;
    if (best.score >= d->o.threshold) {
        struct slot *cand = find_id(d, best.id);
        root = cand == NULL ? NULL : live(d, cand->root);
    }
    res->score = res->candidate_count > 0 ? res->top[0].score : 0;
    res->cluster_id = place(d, &q, root, true);
    res->joined = root != NULL;
out:
    (void)pthread_rwlock_unlock(&d->lock);
    return e;
}

enum err
dedupe_restore(struct dedupe *d, const struct dedupe_appeal *ap, const struct minhash_sig *sig,
               int64_t cluster_id, bool open)
{
    struct query q;
    enum err e = prepare(d, ap, sig, &q);
    if (e)
        return e;
    (void)pthread_rwlock_wrlock(&d->lock);
    struct slot *root = NULL;
    if (find_id(d, ap->id) != NULL) {
        e = ERR_CONFLICT;
        goto out;
    }
    if (cluster_id != ap->id) {
        root = find_cluster(d, cluster_id);
        if (root == NULL) {
            e = ERR_NOTFOUND;
            goto out;
        }
    }
    (void)place(d, &q, root, open);
out:
    (void)pthread_rwlock_unlock(&d->lock);
    return e;
}

enum err
dedupe_candidates(struct dedupe *d, const struct dedupe_appeal *ap, struct dedupe_candidate *out,
                  size_t max, size_t *count)
{
    return dedupe_candidates_signed(d, ap, NULL, out, max, count);
}

enum err
dedupe_candidates_signed(struct dedupe *d, const struct dedupe_appeal *ap,
                         const struct minhash_sig *sig, struct dedupe_candidate *out, size_t max,
                         size_t *count)
{
    return dedupe_candidates_probe(d, ap, sig, out, max, count, NULL);
}

enum err
dedupe_candidates_probe(struct dedupe *d, const struct dedupe_appeal *ap,
                        const struct minhash_sig *sig, struct dedupe_candidate *out, size_t max,
                        size_t *count, struct dedupe_probe *probe)
{
    struct query q;
    enum err e = prepare(d, ap, sig, &q);
    if (e)
        return e;
    if (max > DEDUPE_TOP_MAX)
        max = DEDUPE_TOP_MAX;
    struct dedupe_candidate best;
    (void)pthread_rwlock_rdlock(&d->lock);
    score_all(d, &q, out, max, count, &best, probe);
    (void)pthread_rwlock_unlock(&d->lock);
    return ERR_OK;
}

enum err
dedupe_cluster_get(struct dedupe *d, int64_t id, struct dedupe_cluster *out)
{
    enum err e = ERR_NOTFOUND;
    (void)pthread_rwlock_rdlock(&d->lock);
    const struct slot *root = find_cluster(d, id);
    if (root == NULL)
        goto out;
    const struct slot *rep = live(d, root->rep);
    *out = (struct dedupe_cluster){
        .id = root->id,
        .count = root->count,
        .representative = rep == NULL ? root->id : rep->id,
        .first_time = root->time,
        .last_time = root->last_time,
        .open = root->open,
    };
    e = ERR_OK;
out:
    (void)pthread_rwlock_unlock(&d->lock);
    return e;
}

enum err
dedupe_cluster_close(struct dedupe *d, int64_t id)
{
    enum err e = ERR_NOTFOUND;
    (void)pthread_rwlock_wrlock(&d->lock);
    struct slot *root = find_cluster(d, id);
    if (root != NULL) {
        root->open = false;
        e = ERR_OK;
    }
    (void)pthread_rwlock_unlock(&d->lock);
    return e;
}

size_t
dedupe_count(struct dedupe *d)
{
    (void)pthread_rwlock_rdlock(&d->lock);
    size_t n = lsh_count(d->lsh);
    (void)pthread_rwlock_unlock(&d->lock);
    return n;
}

size_t
dedupe_bytes(struct dedupe *d)
{
    (void)pthread_rwlock_rdlock(&d->lock);
    size_t n = sizeof(*d) + lsh_bytes(d->lsh) + d->o.capacity * sizeof(*d->slots) +
               3 * (d->mask + 1) * sizeof(uint32_t);
    (void)pthread_rwlock_unlock(&d->lock);
    return n;
}
