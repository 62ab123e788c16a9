/*
 * hub.c - fan-out of live events to SSE subscribers: a ring of the newest
 * frames for replay, one bounded queue of shared frames per subscriber, and
 * the wake-up of waiting readers, or, for a socket handed over with
 * hub_sub_attach(), the writer threads that send to it directly. Exports
 * the functions of hub.h; the rest is static.
 *
 * Locks: hub.mu guards the ring and the subscriber list; each sub.mu guards
 * that subscriber's queue and flags; writer.mu guards a writer's ready list.
 * Order: hub.mu, then a sub.mu; writer.mu is taken alone. No socket is
 * touched under hub.mu: a writer sends (MSG_DONTWAIT) holding only that
 * subscriber's sub.mu. Wake callbacks run after every lock is released:
 * while a lock is held, the subscribers to wake, or to hand to a writer,
 * are collected (each with a reference, and a count in sub.waking for a
 * wake), then woken or handed over, then released.
 */
#include "realtime/hub.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "base/xalloc.h"
#include "realtime/sse.h"

#define QUEUE_MAX_DEFAULT ((size_t)256 * 1024)
#define RING_COUNT_DEFAULT 4096
#define HEARTBEAT_MS_DEFAULT 15000
#define QUEUE_CAP_MIN 8 /* slots of a queue's first array */
/* A drained queue keeps an array of up to this many slots (512 bytes) for
 * the next burst; a larger one is freed. Measured (BENCHMARKS.md, section
 * 6): at 100 events/s a writer's pass takes tens of frames per subscriber,
 * and freeing the array after each pass cost a malloc and a free per
 * subscriber per pass. */
#define QUEUE_CAP_KEEP 64
#define FAN_BATCH 16 /* frames one fan-out pass takes at most */
/* Measured (BENCHMARKS.md, section 6): on 2 cores shared with the client a
 * second writer slows the fan-out down. */
#define WRITERS_DEFAULT 1
#define IOV_BATCH 64 /* frames one send takes at most */

/* One SSE frame (an event or the ping), shared read-only by the ring and the
 * queues; freed when the last holder lets go. It is built once in both
 * wire forms: the raw frame (an HTTP/1.0 body) sits inside the HTTP/1.1
 * chunk "<hex len>\r\n<frame>\r\n", so a direct write of either is one
 * iovec and no subscriber copies or frames anything. */
struct frame {
    atomic_size_t refs;
    int64_t id; /* 0 for the ping */
    int64_t appeal_id;
    bool internal;
    const char *agency; /* in mem[] after the chunk, or NULL */
    const char *region; /* likewise */
    const char *text;   /* the raw frame, inside chunk */
    size_t len;         /* frame bytes at text */
    size_t chunk_len;   /* chunk bytes at mem */
    char mem[];         /* the chunk, then agency and region */
};

/* A direct-write thread: the sockets handed over by hub_sub_attach() are in
 * its epoll (edge-triggered EPOLLOUT, so a blocked socket reports once when
 * it drains), and publishers put the subscribers with something new to send
 * on its ready list. Only this thread sends on, or ends, its sockets. */
struct writer {
    struct hub *hub; /* read-only */
    size_t index;    /* read-only: in hub->writers */
    pthread_t thread;
    int ep;   /* epoll: the attached sockets (data.ptr: the sub) and evfd (NULL) */
    int evfd; /* eventfd: the ready list grew, or stop */
    pthread_mutex_t mu;
    struct hub_sub **ready; /* guarded by mu: each holds a reference */
    size_t ready_count;     /* guarded by mu */
    size_t ready_cap;       /* guarded by mu */
    bool stop;              /* guarded by mu */
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
    bool failed;       /* guarded by mu: a direct write failed or a frame was cut */
    unsigned waking;   /* guarded by mu: wake calls collected, not done */

    /* Direct writes (hub_sub_attach()); off then counts wire bytes. */
    int fd;           /* guarded by mu: the attached socket; -1: none */
    bool chunked;     /* guarded by mu: HTTP/1.1 chunks, else raw frames */
    struct writer *w; /* guarded by mu: its writer, once attached */
    bool scheduled;   /* guarded by mu: on w's ready list */
    bool blocked;     /* guarded by mu: a send hit EAGAIN; EPOLLOUT resumes */
    bool detaching;   /* guarded by mu: hub_unsubscribe() waits for fd -1 */
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

    struct writer *writers; /* read-only: writer_count of them */
    size_t writer_count;    /* read-only */
    atomic_size_t next_writer;
};

/* Subscribers to wake, or to schedule on a writer, once the locks are
 * released; each entry holds a reference. */
struct wakes {
    struct hub_sub **v;
    size_t count, cap;
};

/* What one publish (heartbeat, close) collected: wakes for readers that
 * MHD drives, and per writer the attached subscribers to flush. */
struct due {
    struct wakes wake;
    struct wakes sched[HUB_WRITERS_MAX];
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

/* A frame of the len bytes at text, with extra_len more bytes after the
 * chunk (returned in *extra) and one reference for the caller. */
static struct frame *
frame_alloc(const char *text, size_t len, size_t extra_len, char **extra)
{
    char hdr[24];
    int hdr_len = snprintf(hdr, sizeof(hdr), "%zx\r\n", len);
    assert(hdr_len > 0 && (size_t)hdr_len < sizeof(hdr));
    size_t chunk_len = (size_t)hdr_len + len + 2;
    struct frame *f = xmalloc(sizeof(*f) + chunk_len + extra_len);
    atomic_init(&f->refs, 1);
    f->id = 0;
    f->appeal_id = 0;
    f->internal = false;
    f->agency = NULL;
    f->region = NULL;
    memcpy(f->mem, hdr, (size_t)hdr_len);
    memcpy(f->mem + hdr_len, text, len);
    memcpy(f->mem + hdr_len + len, "\r\n", 2);
    f->text = f->mem + hdr_len;
    f->len = len;
    f->chunk_len = chunk_len;
    *extra = f->mem + chunk_len;
    return f;
}

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
    char *extra;
    struct frame *f = frame_alloc(b.p, b.len, agency_len + region_len, &extra);
    f->id = ev->id;
    f->appeal_id = ev->appeal_id;
    f->internal = ev->internal;
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
    char *extra;
    return frame_alloc(text, sizeof(text) - 1, 0, &extra);
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

/* Append s to l with a reference for the entry. */
static void
wakes_push(struct wakes *l, struct hub_sub *s)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->count++] = hub_sub_ref(s, __func__);
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
    s->waking++;
    wakes_push(w, s);
}

/* s (sub mu held) has news for its writer: a frame, a drop, a close or a
 * detach. Put it on the writer's list unless it is there already, or is
 * blocked and only has more frames (EPOLLOUT resumes it then). */
static void
sched_collect(struct due *d, struct hub_sub *s)
{
    if (s->fd < 0 || s->scheduled)
        return;
    if (s->blocked && !s->dropped && !s->closed && !s->detaching)
        return;
    s->scheduled = true;
    wakes_push(&d->sched[s->w->index], s);
}

/* Collect what s owes (sub mu held): a wake, or its writer's attention. */
static void
due_collect(struct due *d, struct hub_sub *s)
{
    if (s->fd >= 0)
        sched_collect(d, s);
    else
        wake_collect(&d->wake, s);
}

/* Call the collected wakes; no hub lock may be held. */
static void
wakes_run(struct wakes *w)
{
    if (!w->count)
        return;
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

/* Hand each writer its collected subscribers, one lock and one eventfd
 * write per writer: the publisher never waits for a send. */
static void
due_run(struct hub *h, struct due *d)
{
    wakes_run(&d->wake);
    for (size_t i = 0; i < h->writer_count; i++) {
        struct wakes *l = &d->sched[i];
        if (!l->count)
            continue;
        struct writer *w = &h->writers[i];
        pthread_mutex_lock(&w->mu);
        if (w->ready_cap - w->ready_count < l->count) {
            w->ready_cap = MAX(w->ready_cap * 2, w->ready_count + l->count);
            w->ready = xrealloc(w->ready, w->ready_cap * sizeof(*w->ready));
        }
        memcpy(w->ready + w->ready_count, l->v, l->count * sizeof(*l->v));
        w->ready_count += l->count;
        pthread_mutex_unlock(&w->mu);
        uint64_t one = 1;
        (void)!write(w->evfd, &one, sizeof(one));
        free(l->v);
        *l = (struct wakes){0};
    }
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

/* Queue the m frames fs (their references are the caller's to count) to
 * s, in order, or drop s at the first that would pass queue_max; a ping is
 * not queued behind another. Sets queued[j] for each frame whose reference
 * was taken (queued, or queued and then freed by the drop). One lock and
 * one wake (or writer hand-over) for all of them. */
static enum enqueued
enqueue(struct hub *h, struct hub_sub *s, struct frame *const *fs, size_t m, bool *queued,
        struct due *d)
{
    enum enqueued r = ENQ_SKIPPED;
    pthread_mutex_lock(&s->mu);
    for (size_t j = 0; j < m; j++) {
        struct frame *f = fs[j];
        if (f == h->ping && queue_tail(s) == h->ping)
            continue;
        if (f->len > h->queue_max - s->queued_len) {
            /* A writer that stopped inside a frame leaves the stream torn:
             * it must end without the chunked terminator. */
            if (s->fd >= 0 && s->off)
                s->failed = true;
            queue_clear(s); /* this pass's frames too: their references were taken */
            s->dropped = true;
            r = ENQ_DROPPED;
            log_debug("hub: sub %p dropped at event %lld", (void *)s, (long long)f->id);
            break;
        }
        queue_push(s, f);
        queued[j] = true;
        r = ENQ_QUEUED;
    }
    if (r != ENQ_SKIPPED)
        due_collect(d, s);
    pthread_mutex_unlock(&s->mu);
    return r;
}

/* Queue the m (at most FAN_BATCH) frames fs, in order, to every subscriber
 * that wants them (all of them for the ping), in one pass: one reference
 * per queued copy, dropped subscribers detached. */
static void
fan_out(struct hub *h, struct frame *const *fs, size_t m, struct due *d)
{
    struct hub_event evs[FAN_BATCH];
    size_t used[FAN_BATCH] = {0}, refs = h->sub_count;
    assert(m <= FAN_BATCH);
    /* One atomic add per frame up front instead of one per subscriber; the
     * caller's own reference keeps each alive while the surplus is given
     * back. */
    for (size_t j = 0; j < m; j++) {
        evs[j] = frame_event(fs[j]);
        frame_ref_n(fs[j], refs);
    }
    for (size_t i = 0; i < h->sub_count;) {
        struct hub_sub *s = h->subs[i];
        struct frame *mine[FAN_BATCH];
        size_t idx[FAN_BATCH], k = 0;
        bool queued[FAN_BATCH] = {0};
        for (size_t j = 0; j < m; j++) {
            if (fs[j] != h->ping &&
                (evs[j].id <= s->after || !hub_filter_match(&s->filter, &evs[j])))
                continue;
            mine[k] = fs[j];
            idx[k++] = j;
        }
        if (!k) {
            i++;
            continue;
        }
        enum enqueued r = enqueue(h, s, mine, k, queued, d);
        for (size_t j = 0; j < k; j++)
            used[idx[j]] += queued[j];
        if (r == ENQ_DROPPED) {
            h->dropped_count++;
            detach_locked(h, i); /* slot i now holds a subscriber not yet seen */
            continue;
        }
        i++;
    }
    for (size_t j = 0; j < m; j++)
        frame_unref_n(fs[j], refs - used[j]);
}

/* ---- direct writes (writer threads) ---- */

/* The wire bytes of f for s (sub mu held). */
static struct iovec
frame_wire(const struct hub_sub *s, const struct frame *f)
{
    if (s->chunked)
        return (struct iovec){.iov_base = (void *)f->mem, .iov_len = f->chunk_len};
    return (struct iovec){.iov_base = (void *)f->text, .iov_len = f->len};
}

/* Forget n sent bytes of the queue of s (sub mu held). */
static void
queue_sent(struct hub_sub *s, size_t n)
{
    while (n) {
        struct frame *f = s->q[s->q_head];
        size_t left = frame_wire(s, f).iov_len - s->off;
        if (n < left) {
            s->off += n;
            return;
        }
        n -= left;
        s->off = 0;
        s->q_head = (s->q_head + 1) % s->q_cap;
        s->q_count--;
        s->queued_len -= f->len;
        frame_unref_n(f, 1);
    }
    if (!s->q_count && s->q_cap > QUEUE_CAP_KEEP) {
        free(s->q);
        s->q = NULL;
        s->q_cap = s->q_head = 0;
    }
}

/* Send what s has queued, in one sendmsg per IOV_BATCH frames, until it is
 * sent or the socket is full (sub mu held; never blocks). A send error
 * other than EAGAIN marks s failed. */
static void
flush_locked(struct hub_sub *s)
{
    while (s->q_count && !s->blocked && !s->failed) {
        struct iovec iov[IOV_BATCH];
        size_t n = MIN(s->q_count, (size_t)IOV_BATCH);
        for (size_t i = 0; i < n; i++)
            iov[i] = frame_wire(s, s->q[(s->q_head + i) % s->q_cap]);
        iov[0].iov_base = (char *)iov[0].iov_base + s->off;
        iov[0].iov_len -= s->off;
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n};
        ssize_t sent = sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent >= 0) {
            queue_sent(s, (size_t)sent);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            s->blocked = true;
        } else if (errno != EINTR) {
            log_debug("hub: sub %p send failed: %s", (void *)s, strerror(errno));
            s->failed = true;
        }
    }
}

/* Bring s up to date on its writer's thread: send, and end the direct
 * stream when it is over. Ending takes fd out of the epoll before anything
 * else, so neither the epoll nor this thread reports or touches it again;
 * then the reader is woken (unless hub_unsubscribe() is waiting instead) and
 * the writer's reference goes. */
static void
writer_serve(struct writer *w, struct hub_sub *s, uint32_t events)
{
    bool end = false, wake = false;
    pthread_mutex_lock(&s->mu);
    s->scheduled = false;
    if (s->fd < 0) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    if (events & (EPOLLERR | EPOLLHUP))
        s->failed = true;
    if (events & EPOLLOUT)
        s->blocked = false;
    if (!s->dropped && !s->detaching)
        flush_locked(s);
    if (s->closed && s->q_count && !s->failed) {
        /* Shutdown does not wait for a stalled peer: cut it, cleanly if no
         * frame was begun. */
        s->failed = s->off != 0;
        queue_clear(s);
    }
    end = s->failed || s->dropped || s->detaching || (s->closed && !s->q_count);
    if (end) {
        (void)epoll_ctl(w->ep, EPOLL_CTL_DEL, s->fd, NULL);
        s->fd = -1;
        if (s->failed)
            queue_clear(s);
        wake = !s->detaching && s->wake;
        if (wake)
            s->waking++;
        pthread_cond_broadcast(&s->idle);
        log_debug("hub: sub %p direct stream ends%s", (void *)s, s->failed ? ", failed" : "");
    }
    pthread_mutex_unlock(&s->mu);
    if (!end)
        return;
    if (wake) {
        s->wake(s->arg);
        pthread_mutex_lock(&s->mu);
        if (--s->waking == 0)
            pthread_cond_broadcast(&s->idle);
        pthread_mutex_unlock(&s->mu);
    }
    hub_sub_unref(s, __func__); /* the reference hub_sub_attach() took */
}

static void *
writer_main(void *arg)
{
    struct writer *w = arg;
    struct hub_sub **todo = NULL;
    size_t todo_cap = 0;
    bool stop = false;
    for (;;) {
        struct epoll_event evs[256];
        /* Once stopping, nothing may block: the stop's eventfd write may
         * already have been consumed. */
        int n = epoll_wait(w->ep, evs, (int)ARRAY_LEN(evs), stop ? 0 : -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr) {
                writer_serve(w, evs[i].data.ptr, evs[i].events);
            } else {
                uint64_t v;
                (void)!read(w->evfd, &v, sizeof(v));
            }
        }
        /* Swap the ready list out, so publishers append to an empty one
         * while this thread sends. */
        pthread_mutex_lock(&w->mu);
        struct hub_sub **ready = w->ready;
        size_t count = w->ready_count, cap = w->ready_cap;
        stop = w->stop;
        w->ready = todo;
        w->ready_cap = todo_cap;
        w->ready_count = 0;
        pthread_mutex_unlock(&w->mu);
        for (size_t i = 0; i < count; i++) {
            writer_serve(w, ready[i], 0);
            hub_sub_unref(ready[i], __func__);
        }
        todo = ready;
        todo_cap = cap;
        if (stop && !count)
            break;
    }
    free(todo);
    return NULL;
}

static void
writer_start(struct writer *w)
{
    pthread_mutex_init(&w->mu, NULL);
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    w->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->ep < 0 || w->evfd < 0) {
        log_error("hub: cannot make a writer's epoll: %s", strerror(errno));
        abort();
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->evfd, &ev) != 0 ||
        pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        log_error("hub: cannot start a writer: %s", strerror(errno));
        abort();
    }
}

/* Stop w once its ready list is empty, and join it. */
static void
writer_stop(struct writer *w)
{
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_mutex_unlock(&w->mu);
    uint64_t one = 1;
    (void)!write(w->evfd, &one, sizeof(one));
    pthread_join(w->thread, NULL);
    for (size_t i = 0; i < w->ready_count; i++)
        hub_sub_unref(w->ready[i], __func__);
    free(w->ready);
    close(w->evfd);
    close(w->ep);
    pthread_mutex_destroy(&w->mu);
}

enum err
hub_sub_attach(struct hub_sub *s, int fd, bool chunked)
{
    enum err e = ERR_OK;
    pthread_mutex_lock(&s->mu);
    struct hub *h = s->hub;
    if (!h || s->q_count || s->dropped || s->closed || s->failed || s->fd >= 0) {
        e = ERR_CONFLICT;
        goto out;
    }
    s->w = &h->writers[atomic_fetch_add_explicit(&h->next_writer, 1, memory_order_relaxed) %
                       h->writer_count];
    s->fd = fd;
    s->chunked = chunked;
    s->off = 0;
    /* Edge-triggered: the first report is the socket being writable, then
     * one each time a full socket drains; no epoll_ctl per delivery. */
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLET, .data.ptr = s};
    hub_sub_ref(s, __func__); /* the writer's, until the direct stream ends */
    if (epoll_ctl(s->w->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        log_debug("hub: sub %p cannot attach: %s", (void *)s, strerror(errno));
        s->fd = -1;
        s->w = NULL;
        hub_sub_unref(s, __func__); /* never the last: the caller holds one */
        e = ERR_UNAVAILABLE;
        goto out;
    }
    s->waiting = false; /* from now on the only wake is the end */
out:
    pthread_mutex_unlock(&s->mu);
    return e;
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
    h->writer_count =
        d.writer_count ? MIN(d.writer_count, (unsigned)HUB_WRITERS_MAX) : WRITERS_DEFAULT;
    h->writers = xcalloc(h->writer_count, sizeof(*h->writers));
    for (size_t i = 0; i < h->writer_count; i++) {
        h->writers[i].hub = h;
        h->writers[i].index = i;
        writer_start(&h->writers[i]);
    }
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
    /* Every attached subscriber is on a ready list now (closed) and ends
     * there before its writer stops. */
    for (size_t i = 0; i < h->writer_count; i++)
        writer_stop(&h->writers[i]);
    free(h->writers);
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

void
hub_publish_n(struct hub *h, const struct hub_event *evs, size_t n, enum err *errs)
{
    for (size_t at = 0; at < n; at += FAN_BATCH) {
        size_t m = MIN(n - at, (size_t)FAN_BATCH), kept = 0;
        struct frame *fs[FAN_BATCH] = {0}, *keep[FAN_BATCH];
        struct due d = {0};
        for (size_t j = 0; j < m; j++) {
            const struct hub_event *ev = &evs[at + j];
            if (ev->id <= 0 || !ev->json || !sse_event_name_valid(ev->kind))
                errs[at + j] = ERR_INVALID;
            else
                errs[at + j] = frame_new(ev, h->queue_max, &fs[j]);
        }
        pthread_mutex_lock(&h->mu);
        for (size_t j = 0; j < m; j++) {
            if (!fs[j])
                continue;
            if (h->closed) {
                errs[at + j] = ERR_UNAVAILABLE;
            } else if (fs[j]->id <= h->last_id) {
                errs[at + j] = ERR_CONFLICT;
            } else {
                h->last_id = fs[j]->id;
                h->published_count++;
                ring_push(h, fs[j]);
                keep[kept++] = fs[j];
            }
        }
        if (kept)
            fan_out(h, keep, kept, &d);
        pthread_mutex_unlock(&h->mu);
        due_run(h, &d);
        for (size_t j = 0; j < m; j++)
            if (fs[j])
                frame_unref_n(fs[j], 1);
    }
}

enum err
hub_publish(struct hub *h, const struct hub_event *ev)
{
    enum err e;
    hub_publish_n(h, ev, 1, &e);
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
    s->fd = -1;
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
    if (s->fd >= 0) {
        /* Still attached (the connection ended under it): have the writer
         * let go of the socket before its owner closes it. */
        struct hub *wh = s->w->hub;
        struct due d = {0};
        s->detaching = true;
        sched_collect(&d, s);
        pthread_mutex_unlock(&s->mu);
        due_run(wh, &d);
        pthread_mutex_lock(&s->mu);
        while (s->fd >= 0)
            pthread_cond_wait(&s->idle, &s->mu);
    }
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
    if (!s->q_count && s->q_cap > QUEUE_CAP_KEEP) {
        /* A large burst grew the array: give it back once drained. */
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
    if (s->failed) {
        *st = HUB_FAILED;
    } else if (s->dropped) {
        *st = HUB_DROPPED;
    } else if (s->fd >= 0) {
        *st = HUB_EMPTY; /* the writer sends; the end wakes the reader */
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
    struct due d = {0};
    pthread_mutex_lock(&h->mu);
    fan_out(h, &h->ping, 1, &d);
    pthread_mutex_unlock(&h->mu);
    due_run(h, &d);
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
    struct due d = {0};
    pthread_mutex_lock(&h->mu);
    h->closed = true;
    while (h->sub_count) {
        struct hub_sub *s = h->subs[h->sub_count - 1];
        pthread_mutex_lock(&s->mu);
        s->closed = true;
        due_collect(&d, s);
        pthread_mutex_unlock(&s->mu);
        detach_locked(h, h->sub_count - 1);
    }
    pthread_mutex_unlock(&h->mu);
    due_run(h, &d);
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
