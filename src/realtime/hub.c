/*
 * hub.c - fan-out of live events to SSE subscribers: a ring of the newest
 * frames for replay, one bounded queue of shared frames per subscriber, and
 * the wake-up of waiting readers. Exports the functions of hub.h; the rest
 * is static.
 *
 * Locks: hub.mu guards the ring and the subscriber list; each sub.mu guards
 * that subscriber's queue and flags. Order: hub.mu, then a sub.mu. Nothing
 * here touches a socket, and wake callbacks run after both are released:
 * while a lock is held, the subscribers to wake are collected (each with a
 * reference and a count in sub.waking), then woken, then released.
 */
#include "realtime/hub.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "base/xalloc.h"
#include "realtime/sse.h"

#define QUEUE_MAX_DEFAULT ((size_t)256 * 1024)
#define RING_COUNT_DEFAULT 4096
#define HEARTBEAT_MS_DEFAULT 15000
#define QUEUE_CAP_MIN 8 /* slots of a queue's first array; a drained larger one is freed */

/* One SSE frame (an event or the ping), shared read-only by the ring and the
 * queues; freed when the last holder lets go. */
struct frame {
    atomic_size_t refs;
    int64_t id; /* 0 for the ping */
    int64_t appeal_id;
    bool internal;
    const char *agency; /* in text[] after the frame, or NULL */
    const char *region; /* likewise */
    size_t len;         /* frame bytes at text */
    char text[];
};

struct hub_sub {
    pthread_mutex_t mu;
    pthread_cond_t idle; /* with mu: waking fell to 0 */
    atomic_size_t refs;
    struct hub *hub; /* written holding hub->mu and mu; read holding either */
    size_t index;    /* slot in hub->subs while hub is set; guarded by hub->mu */

    /* Set by hub_subscribe() before s is shared, then read-only. */
    struct hub_filter filter; /* agency and region point at owned copies */
    int64_t after;            /* deliver only ids above it */
    int64_t gap_from, gap_to; /* ids the store must supply; none if from > to */
    void (*wake)(void *arg);
    void *arg;

    struct frame **q;  /* guarded by mu: ring buffer of q_cap slots */
    size_t q_cap;      /* guarded by mu */
    size_t q_head;     /* guarded by mu: slot of the oldest frame */
    size_t q_count;    /* guarded by mu */
    size_t off;        /* guarded by mu: bytes of the oldest frame read */
    size_t queued_len; /* guarded by mu: unread bytes, <= queue_max */
    bool waiting;      /* guarded by mu: HUB_EMPTY armed, wake owed */
    bool dropped;      /* guarded by mu */
    bool closed;       /* guarded by mu */
    unsigned waking;   /* guarded by mu: wake calls collected, not done */
};

struct hub {
    pthread_mutex_t mu;
    size_t queue_max;      /* read-only after hub_new() */
    size_t ring_count;     /* read-only */
    unsigned heartbeat_ms; /* read-only */
    struct frame *ping;    /* read-only: the shared ": ping" frame */

    struct frame **ring;      /* guarded by mu: ring_count slots */
    size_t ring_head;         /* guarded by mu: slot of the oldest event */
    size_t ring_len;          /* guarded by mu */
    int64_t last_id;          /* guarded by mu: newest id published, or start_id */
    int64_t floor_id;         /* guarded by mu: every published id above it is in the ring */
    struct hub_sub **subs;    /* guarded by mu */
    size_t sub_count;         /* guarded by mu */
    size_t sub_cap;           /* guarded by mu */
    uint64_t dropped_count;   /* guarded by mu */
    uint64_t published_count; /* guarded by mu */
    bool closed;              /* guarded by mu */

    pthread_mutex_t hb_mu;
    pthread_cond_t hb_cv; /* with hb_mu; CLOCK_MONOTONIC */
    pthread_t hb_thread;  /* guarded by hb_mu, valid while hb_running */
    bool hb_running;      /* guarded by hb_mu */
    bool hb_stop;         /* guarded by hb_mu: a stop is under way */
};

/* Subscribers to wake once the locks are released. */
struct wakes {
    struct hub_sub **v;
    size_t count, cap;
};

enum enqueued { ENQ_SKIPPED, ENQ_QUEUED, ENQ_DROPPED };

bool
hub_filter_match(const struct hub_filter *f, const struct hub_event *ev)
{
    bool scope;
    if (f->public_only)
        scope = !ev->internal;
    else if (f->all_agencies)
        scope = true;
    else if (f->agency)
        scope = ev->agency && strcmp(ev->agency, f->agency) == 0;
    else
        scope = false;
    if (!scope)
        return false;
    if (f->region && !(ev->region && strcmp(ev->region, f->region) == 0))
        return false;
    return !f->appeal_id || ev->appeal_id == f->appeal_id;
}

/* ---- frames ---- */

/* The frame of ev, with one reference for the caller. ERR_TOOBIG if it is
 * longer than max; ERR_INVALID as sse_frame(). */
static enum err
frame_new(const struct hub_event *ev, size_t max, struct frame **out)
{
    struct buf b = BUF_INIT(max);
    enum err e = sse_frame(&b, ev->id, ev->kind, ev->json);
    if (e) {
        buf_fini(&b);
        return e;
    }
    size_t agency_len = ev->agency ? strlen(ev->agency) + 1 : 0;
    size_t region_len = ev->region ? strlen(ev->region) + 1 : 0;
    struct frame *f = xmalloc(sizeof(*f) + b.len + agency_len + region_len);
    atomic_init(&f->refs, 1);
    f->id = ev->id;
    f->appeal_id = ev->appeal_id;
    f->internal = ev->internal;
    f->len = b.len;
    memcpy(f->text, b.p, b.len);
    char *extra = f->text + b.len;
    f->agency = NULL;
    f->region = NULL;
    if (ev->agency) {
        memcpy(extra, ev->agency, agency_len);
        f->agency = extra;
        extra += agency_len;
    }
    if (ev->region) {
        memcpy(extra, ev->region, region_len);
        f->region = extra;
    }
    buf_fini(&b);
    *out = f;
    return ERR_OK;
}

static struct frame *
ping_new(void)
{
    static const char text[] = ": ping\n\n";
    struct frame *f = xmalloc(sizeof(*f) + sizeof(text));
    atomic_init(&f->refs, 1);
    f->id = 0;
    f->appeal_id = 0;
    f->internal = false;
    f->agency = NULL;
    f->region = NULL;
    f->len = sizeof(text) - 1;
    memcpy(f->text, text, sizeof(text));
    return f;
}

static void
frame_ref_n(struct frame *f, size_t n)
{
    if (n)
        atomic_fetch_add_explicit(&f->refs, n, memory_order_relaxed);
}

static void
frame_unref_n(struct frame *f, size_t n)
{
    if (n && atomic_fetch_sub_explicit(&f->refs, n, memory_order_acq_rel) == n)
        free(f);
}

/* The fields the filter reads, as an event. */
static struct hub_event
frame_event(const struct frame *f)
{
    return (struct hub_event){.id = f->id,
                              .agency = f->agency,
                              .region = f->region,
                              .appeal_id = f->appeal_id,
                              .internal = f->internal};
}

/* ---- a subscriber's queue (sub mu held, or s not yet shared) ---- */

/* Append f, whose reference the caller hands over. */
static void
queue_push(struct hub_sub *s, struct frame *f)
{
    if (s->q_count == s->q_cap) {
        size_t cap = s->q_cap ? s->q_cap * 2 : QUEUE_CAP_MIN;
        struct frame **q = xmalloc(cap * sizeof(*q));
        for (size_t i = 0; i < s->q_count; i++)
            q[i] = s->q[(s->q_head + i) % s->q_cap];
        free(s->q);
        s->q = q;
        s->q_cap = cap;
        s->q_head = 0;
    }
    s->q[(s->q_head + s->q_count) % s->q_cap] = f;
    s->q_count++;
    s->queued_len += f->len;
}

static struct frame *
queue_tail(const struct hub_sub *s)
{
    return s->q_count ? s->q[(s->q_head + s->q_count - 1) % s->q_cap] : NULL;
}

static void
queue_clear(struct hub_sub *s)
{
    for (size_t i = 0; i < s->q_count; i++)
        frame_unref_n(s->q[(s->q_head + i) % s->q_cap], 1);
    free(s->q);
    s->q = NULL;
    s->q_cap = s->q_head = s->q_count = s->off = s->queued_len = 0;
}

/* ---- references and wake-ups ---- */

struct hub_sub *
hub_sub_ref(struct hub_sub *s, const char *who)
{
    size_t n = atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed) + 1;
    log_debug("hub: sub %p ref -> %zu by %s", (void *)s, n, who);
    return s;
}

struct hub_sub *
hub_sub_unref(struct hub_sub *s, const char *who)
{
    if (!s)
        return NULL;
    size_t n = atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) - 1;
    log_debug("hub: sub %p unref -> %zu by %s", (void *)s, n, who);
    if (n)
        return NULL;
    assert(!s->hub && !s->waking);
    queue_clear(s);
    free((char *)s->filter.agency);
    free((char *)s->filter.region);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return NULL;
}

/* s owes a wake (sub mu held, s in its hub): collect it for wakes_run(). */
static void
wake_collect(struct wakes *w, struct hub_sub *s)
{
    if (!s->waiting)
        return;
    s->waiting = false;
    if (!s->wake)
        return;
    if (w->count == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
    }
    s->waking++;
    w->v[w->count++] = hub_sub_ref(s, __func__);
}

/* Call the collected wakes; no hub lock may be held. */
static void
wakes_run(struct wakes *w)
{
    for (size_t i = 0; i < w->count; i++) {
        struct hub_sub *s = w->v[i];
        s->wake(s->arg);
        pthread_mutex_lock(&s->mu);
        if (--s->waking == 0)
            pthread_cond_broadcast(&s->idle);
        pthread_mutex_unlock(&s->mu);
        hub_sub_unref(s, __func__);
    }
    free(w->v);
    *w = (struct wakes){0};
}

/* ---- the subscriber list (hub mu held) ---- */

/* Take the subscriber in slot i out of h and drop the hub's reference. */
static void
detach_locked(struct hub *h, size_t i)
{
    struct hub_sub *s = h->subs[i];
    pthread_mutex_lock(&s->mu);
    s->hub = NULL;
    pthread_mutex_unlock(&s->mu);
    h->subs[i] = h->subs[--h->sub_count];
    h->subs[i]->index = i;
    hub_sub_unref(s, __func__);
}

/* Queue f (a reference the caller already holds for it) to s, or drop s if
 * its queue would pass queue_max. A ping is not queued behind another. */
static enum enqueued
enqueue(struct hub *h, struct hub_sub *s, struct frame *f, struct wakes *w)
{
    enum enqueued r = ENQ_QUEUED;
    pthread_mutex_lock(&s->mu);
    if (f == h->ping && queue_tail(s) == h->ping) {
        r = ENQ_SKIPPED;
    } else if (f->len > h->queue_max - s->queued_len) {
        queue_clear(s);
        s->dropped = true;
        r = ENQ_DROPPED;
        log_debug("hub: sub %p dropped at event %lld", (void *)s, (long long)f->id);
    } else {
        queue_push(s, f);
    }
    if (r != ENQ_SKIPPED)
        wake_collect(w, s);
    pthread_mutex_unlock(&s->mu);
    return r;
}

/* Queue f to every subscriber that wants it (all of them for the ping):
 * one reference per queued copy, dropped subscribers detached. */
static void
fan_out(struct hub *h, struct frame *f, struct wakes *w)
{
    struct hub_event ev = frame_event(f);
    size_t refs = h->sub_count, used = 0;
    /* One atomic add up front instead of one per subscriber; the caller's
     * own reference keeps f alive while the surplus is given back. */
    frame_ref_n(f, refs);
    for (size_t i = 0; i < h->sub_count;) {
        struct hub_sub *s = h->subs[i];
        if (f != h->ping && (ev.id <= s->after || !hub_filter_match(&s->filter, &ev))) {
            i++;
            continue;
        }
        enum enqueued r = enqueue(h, s, f, w);
        if (r == ENQ_DROPPED) {
            h->dropped_count++;
            detach_locked(h, i); /* slot i now holds a subscriber not yet seen */
            continue;
        }
        used += r == ENQ_QUEUED;
        i++;
    }
    frame_unref_n(f, refs - used);
}

/* ---- lifecycle ---- */

struct hub *
hub_new(const struct hub_opts *o)
{
    struct hub_opts d = o ? *o : (struct hub_opts){0};
    struct hub *h = xcalloc(1, sizeof(*h));
    h->queue_max = d.queue_max_bytes ? d.queue_max_bytes : QUEUE_MAX_DEFAULT;
    h->ring_count = d.ring_count ? d.ring_count : RING_COUNT_DEFAULT;
    h->heartbeat_ms = d.heartbeat_ms ? d.heartbeat_ms : HEARTBEAT_MS_DEFAULT;
    h->last_id = h->floor_id = d.start_id > 0 ? d.start_id : 0;
    h->ring = xcalloc(h->ring_count, sizeof(*h->ring));
    h->ping = ping_new();
    pthread_mutex_init(&h->mu, NULL);
    pthread_mutex_init(&h->hb_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->hb_cv, &ca);
    pthread_condattr_destroy(&ca);
    return h;
}

void
hub_free(struct hub *h)
{
    if (!h)
        return;
    hub_heartbeat_stop(h);
    hub_close_all(h);
    for (size_t i = 0; i < h->ring_len; i++)
        frame_unref_n(h->ring[(h->ring_head + i) % h->ring_count], 1);
    free(h->ring);
    frame_unref_n(h->ping, 1);
    free(h->subs);
    pthread_cond_destroy(&h->hb_cv);
    pthread_mutex_destroy(&h->hb_mu);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* ---- publish ---- */

/* Keep f (the caller's reference is copied) as the newest ring entry. */
static void
ring_push(struct hub *h, struct frame *f)
{
    frame_ref_n(f, 1);
    if (h->ring_len < h->ring_count) {
        h->ring[(h->ring_head + h->ring_len++) % h->ring_count] = f;
        return;
    }
    struct frame *old = h->ring[h->ring_head];
    h->floor_id = old->id;
    frame_unref_n(old, 1);
    h->ring[h->ring_head] = f;
    h->ring_head = (h->ring_head + 1) % h->ring_count;
}

enum err
hub_publish(struct hub *h, const struct hub_event *ev)
{
    struct frame *f = NULL;
    struct wakes w = {0};
    enum err e;
    if (ev->id <= 0 || !ev->json || !sse_event_name_valid(ev->kind))
        return ERR_INVALID;
    e = frame_new(ev, h->queue_max, &f);
    if (e)
        return e;
    pthread_mutex_lock(&h->mu);
    if (h->closed) {
        e = ERR_UNAVAILABLE;
    } else if (ev->id <= h->last_id) {
        e = ERR_CONFLICT;
    } else {
        h->last_id = ev->id;
        h->published_count++;
        ring_push(h, f);
        fan_out(h, f, &w);
    }
    pthread_mutex_unlock(&h->mu);
    wakes_run(&w);
    frame_unref_n(f, 1);
    return e;
}

/* ---- subscribe ---- */

/* Fill the queue of s (not yet shared) from the ring and set its gap. The
 * replay takes at most half the queue, newest first, so live events still
 * fit; what does not fit joins the gap. */
static void
seed_locked(struct hub *h, struct hub_sub *s, bool replay)
{
    size_t budget = h->queue_max / 2, used = 0, start = h->ring_len;
    if (!replay)
        return;
    if (s->after < h->floor_id) {
        s->gap_from = s->after + 1;
        s->gap_to = h->floor_id;
    }
    while (start > 0) {
        struct frame *f = h->ring[(h->ring_head + start - 1) % h->ring_count];
        struct hub_event ev = frame_event(f);
        if (f->id <= s->after)
            break;
        if (hub_filter_match(&s->filter, &ev)) {
            if (f->len > budget - used) {
                s->gap_from = s->after + 1;
                s->gap_to = f->id;
                break;
            }
            used += f->len;
        }
        start--;
    }
    for (size_t i = start; i < h->ring_len; i++) {
        struct frame *f = h->ring[(h->ring_head + i) % h->ring_count];
        struct hub_event ev = frame_event(f);
        if (hub_filter_match(&s->filter, &ev)) {
            frame_ref_n(f, 1);
            queue_push(s, f);
        }
    }
}

struct hub_sub *
hub_subscribe(struct hub *h, const struct hub_filter *f, int64_t last_event_id,
              void (*wake)(void *arg), void *arg)
{
    struct hub_sub *s = xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->idle, NULL);
    atomic_init(&s->refs, 1);
    s->filter = *f;
    s->filter.agency = f->agency ? xstrdup(f->agency) : NULL;
    s->filter.region = f->region ? xstrdup(f->region) : NULL;
    s->gap_from = 1;
    s->gap_to = 0;
    s->wake = wake;
    s->arg = arg;
    log_debug("hub: sub %p new, last id %lld", (void *)s, (long long)last_event_id);

    pthread_mutex_lock(&h->mu);
    if (h->closed) {
        s->closed = true;
        pthread_mutex_unlock(&h->mu);
        return s;
    }
    s->after = last_event_id < 0 ? h->last_id : last_event_id;
    seed_locked(h, s, last_event_id >= 0);
    if (h->sub_count == h->sub_cap) {
        h->sub_cap = h->sub_cap ? h->sub_cap * 2 : 64;
        h->subs = xrealloc(h->subs, h->sub_cap * sizeof(*h->subs));
    }
    s->index = h->sub_count;
    h->subs[h->sub_count++] = hub_sub_ref(s, __func__);
    s->hub = h;
    pthread_mutex_unlock(&h->mu);
    return s;
}

void
hub_unsubscribe(struct hub_sub *s)
{
    pthread_mutex_lock(&s->mu);
    struct hub *h = s->hub;
    pthread_mutex_unlock(&s->mu);
    /* h cannot be freed meanwhile: hub_free() runs alone. */
    if (h) {
        pthread_mutex_lock(&h->mu);
        if (s->hub == h)
            detach_locked(h, s->index);
        pthread_mutex_unlock(&h->mu);
    }
    /* Out of the list, s collects no new wakes; wait for those under way. */
    pthread_mutex_lock(&s->mu);
    while (s->waking)
        pthread_cond_wait(&s->idle, &s->mu);
    pthread_mutex_unlock(&s->mu);
}

bool
hub_sub_gap(const struct hub_sub *s, int64_t *from, int64_t *to)
{
    if (s->gap_from > s->gap_to)
        return false;
    if (from)
        *from = s->gap_from;
    if (to)
        *to = s->gap_to;
    return true;
}

/* ---- read ---- */

/* Copy up to max queued bytes (sub mu held), freeing what was read. */
static size_t
queue_read(struct hub_sub *s, char *out, size_t max)
{
    size_t n = 0;
    while (n < max && s->q_count) {
        struct frame *f = s->q[s->q_head];
        size_t take = MIN(f->len - s->off, max - n);
        memcpy(out + n, f->text + s->off, take);
        n += take;
        s->off += take;
        if (s->off == f->len) {
            s->q_head = (s->q_head + 1) % s->q_cap;
            s->q_count--;
            s->off = 0;
            frame_unref_n(f, 1);
        }
    }
    s->queued_len -= n;
    if (!s->q_count && s->q_cap > QUEUE_CAP_MIN) {
        /* A burst grew the array: give it back once drained. */
        free(s->q);
        s->q = NULL;
        s->q_cap = s->q_head = 0;
    }
    return n;
}

size_t
hub_sub_read(struct hub_sub *s, char *out, size_t max, enum hub_read_state *st)
{
    size_t n = 0;
    assert(max > 0);
    pthread_mutex_lock(&s->mu);
    if (s->dropped) {
        *st = HUB_DROPPED;
    } else if (s->q_count) {
        n = queue_read(s, out, max);
        *st = HUB_DATA;
    } else if (s->closed) {
        *st = HUB_CLOSED;
    } else {
        s->waiting = true;
        *st = HUB_EMPTY;
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

size_t
hub_sub_queued_len(struct hub_sub *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->queued_len;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- heartbeat, close, stats ---- */

void
hub_heartbeat(struct hub *h)
{
    struct wakes w = {0};
    pthread_mutex_lock(&h->mu);
    fan_out(h, h->ping, &w);
    pthread_mutex_unlock(&h->mu);
    wakes_run(&w);
}

static void *
heartbeat_main(void *arg)
{
    struct hub *h = arg;
    pthread_mutex_lock(&h->hb_mu);
    while (!h->hb_stop) {
        struct timespec at;
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_sec += h->heartbeat_ms / 1000;
        at.tv_nsec += (long)(h->heartbeat_ms % 1000) * 1000000L;
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        int rc = 0;
        while (!h->hb_stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&h->hb_cv, &h->hb_mu, &at);
        if (h->hb_stop)
            break;
        pthread_mutex_unlock(&h->hb_mu);
        hub_heartbeat(h);
        pthread_mutex_lock(&h->hb_mu);
    }
    pthread_mutex_unlock(&h->hb_mu);
    return NULL;
}

enum err
hub_heartbeat_start(struct hub *h)
{
    enum err e = ERR_OK;
    pthread_mutex_lock(&h->hb_mu);
    if (h->hb_running || h->hb_stop)
        e = ERR_CONFLICT;
    else if (pthread_create(&h->hb_thread, NULL, heartbeat_main, h) != 0)
        e = ERR_UNAVAILABLE;
    else
        h->hb_running = true;
    pthread_mutex_unlock(&h->hb_mu);
    return e;
}

void
hub_heartbeat_stop(struct hub *h)
{
    pthread_mutex_lock(&h->hb_mu);
    if (!h->hb_running) {
        pthread_mutex_unlock(&h->hb_mu);
        return;
    }
    /* This caller alone joins: a concurrent stop sees hb_running false. */
    h->hb_running = false;
    h->hb_stop = true;
    pthread_t t = h->hb_thread;
    pthread_cond_broadcast(&h->hb_cv);
    pthread_mutex_unlock(&h->hb_mu);
    pthread_join(t, NULL);
    pthread_mutex_lock(&h->hb_mu);
    h->hb_stop = false;
    pthread_mutex_unlock(&h->hb_mu);
}

void
hub_close_all(struct hub *h)
{
    struct wakes w = {0};
    pthread_mutex_lock(&h->mu);
    h->closed = true;
    while (h->sub_count) {
        struct hub_sub *s = h->subs[h->sub_count - 1];
        pthread_mutex_lock(&s->mu);
        s->closed = true;
        wake_collect(&w, s);
        pthread_mutex_unlock(&s->mu);
        detach_locked(h, h->sub_count - 1);
    }
    pthread_mutex_unlock(&h->mu);
    wakes_run(&w);
}

void
hub_stats(struct hub *h, size_t *subs, uint64_t *dropped, uint64_t *published)
{
    pthread_mutex_lock(&h->mu);
    if (subs)
        *subs = h->sub_count;
    if (dropped)
        *dropped = h->dropped_count;
    if (published)
        *published = h->published_count;
    pthread_mutex_unlock(&h->mu);
}
