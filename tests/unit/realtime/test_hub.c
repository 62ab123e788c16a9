/*
 * test_hub.c - the live-event hub: the filter rule, id order and duplicates,
 * replay from the ring after a Last-Event-ID, the gap the store must fill
 * (ring evicted, start_id, replay larger than half a queue), a client ahead
 * of the hub, the bounded queue (10 MB to a subscriber that never reads),
 * partial reads, the events of one commit published in one pass
 * (per-event results, filters, order, one wake, a drop inside the batch),
 * exactly one wake per armed wait under 4 publishers, a
 * heartbeat and 1 reader, heartbeats, close_all, unsubscribe waiting for a
 * running wake, hub_free with subscribers left, and reference counting
 * (leaks show under make check). Attached sockets (direct writes): exact
 * chunked and raw bytes over many events, attach refused while bytes are
 * queued, a reader that stops is dropped with its queue bounded, a peer
 * that goes away fails the stream, close_all ends it with one wake, and
 * hub_unsubscribe() takes the socket back without a wake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "realtime/hub.h"
#include "realtime/sse.h"

/* ASan's quarantine and TSan's shadow memory make RSS meaningless. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

/* ---- helpers ---- */

/* Counts wake calls; wait for a count with a deadline. */
struct waker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned count;
};

static void
waker_init(struct waker *w)
{
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->count = 0;
}

static void
waker_fini(struct waker *w)
{
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
}

static void
waker_wake(void *arg)
{
    struct waker *w = arg;
    pthread_mutex_lock(&w->mu);
    w->count++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static unsigned
waker_count(struct waker *w)
{
    pthread_mutex_lock(&w->mu);
    unsigned n = w->count;
    pthread_mutex_unlock(&w->mu);
    return n;
}

/* True once count >= n, false after ms milliseconds. */
static bool
waker_wait(struct waker *w, unsigned n, long ms)
{
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    at.tv_sec += ms / 1000;
    at.tv_nsec += (ms % 1000) * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    int rc = 0;
    while (w->count < n && rc == 0)
        rc = pthread_cond_timedwait(&w->cv, &w->mu, &at);
    bool ok = w->count >= n;
    pthread_mutex_unlock(&w->mu);
    return ok;
}

static enum err
pub(struct hub *h, int64_t id, const char *agency, const char *json)
{
    struct hub_event ev = {.id = id, .kind = "appeal.registered", .agency = agency, .json = json};
    return hub_publish(h, &ev);
}

/* The frame hub_publish() makes for pub(). Caller frees. */
static char *
frame(int64_t id, const char *json)
{
    struct buf b = BUF_INIT(1 << 20);
    assert_int_equal(sse_frame(&b, id, "appeal.registered", json), ERR_OK);
    return buf_detach(&b, NULL);
}

/* Read s until it stops giving data; *st is the state that stopped it.
 * Returns the bytes (caller frees; "" if none). */
static char *
drain(struct hub_sub *s, size_t chunk, enum hub_read_state *st)
{
    struct buf b = BUF_INIT(64 << 20);
    char tmp[4096];
    assert_true(chunk > 0 && chunk <= sizeof(tmp));
    for (;;) {
        size_t n = hub_sub_read(s, tmp, chunk, st);
        if (*st != HUB_DATA) {
            assert_int_equal(n, 0);
            break;
        }
        assert_true(n > 0 && n <= chunk);
        buf_append(&b, tmp, n);
    }
    buf_putc(&b, '\0');
    assert_false(buf_failed(&b));
    return buf_detach(&b, NULL);
}

/* drain() must give exactly want, then stop with state st. */
static void
assert_drain(struct hub_sub *s, const char *want, enum hub_read_state st)
{
    enum hub_read_state got;
    char *bytes = drain(s, 4096, &got);
    assert_string_equal(bytes, want);
    assert_int_equal(got, st);
    free(bytes);
}

/* The frames of ids from..to (inclusive) with json "{}", concatenated. */
static char *
frames_range(int64_t from, int64_t to)
{
    struct buf b = BUF_INIT(1 << 20);
    for (int64_t id = from; id <= to; id++)
        assert_int_equal(sse_frame(&b, id, "appeal.registered", "{}"), ERR_OK);
    buf_putc(&b, '\0');
    return buf_detach(&b, NULL);
}

static void
assert_drain_range(struct hub_sub *s, int64_t from, int64_t to)
{
    char *want = frames_range(from, to);
    assert_drain(s, want, HUB_EMPTY);
    free(want);
}

static void
pub_range(struct hub *h, int64_t from, int64_t to)
{
    for (int64_t id = from; id <= to; id++)
        assert_int_equal(pub(h, id, "roads", "{}"), ERR_OK);
}

static const struct hub_filter public_filter = {.public_only = true};

static struct hub_sub *
sub_public(struct hub *h, int64_t last_id)
{
    return hub_subscribe(h, &public_filter, last_id, NULL, NULL);
}

static void
sub_end(struct hub_sub *s)
{
    hub_unsubscribe(s);
    hub_sub_unref(s, __func__);
}

static size_t
rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, rss = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lu %lu", &size, &rss), 2);
    fclose(f);
    return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- the filter rule ---- */

static void
filter_rule(void **state)
{
    static const struct hub_event roads = {.agency = "roads", .region = "75", .appeal_id = 7},
                                  water = {.agency = "water", .region = "75", .appeal_id = 8},
                                  none = {.agency = NULL, .region = NULL},
                                  secret = {.agency = "roads", .region = "19", .internal = true};
    static const struct {
        struct hub_filter f;
        bool roads, water, none, secret;
    } cases[] = {
        {{.public_only = true}, true, true, true, false},
        /* public_only wins over any staff scope set beside it */
        {{.public_only = true, .all_agencies = true, .agency = "roads"}, true, true, true, false},
        {{.all_agencies = true}, true, true, true, true},
        {{.agency = "roads"}, true, false, false, true},
        {{.agency = "water"}, false, true, false, false},
        {{.agency = "road"}, false, false, false, false},
        {{0}, false, false, false, false}, /* no scope: deny by default */
        {{.agency = NULL, .region = "75"}, false, false, false, false},
        {{.all_agencies = true, .region = "75"}, true, true, false, false},
        {{.agency = "roads", .region = "19"}, false, false, false, true},
        {{.public_only = true, .region = "19"}, false, false, false, false},
        /* one appeal: within the scope, only that appeal's events */
        {{.public_only = true, .appeal_id = 7}, true, false, false, false},
        {{.public_only = true, .appeal_id = 9}, false, false, false, false},
        {{.agency = "water", .appeal_id = 7}, false, false, false, false},
        {{.all_agencies = true, .appeal_id = 8}, false, true, false, false},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        assert_int_equal(hub_filter_match(&cases[i].f, &roads), cases[i].roads);
        assert_int_equal(hub_filter_match(&cases[i].f, &water), cases[i].water);
        assert_int_equal(hub_filter_match(&cases[i].f, &none), cases[i].none);
        assert_int_equal(hub_filter_match(&cases[i].f, &secret), cases[i].secret);
    }
}

/* ---- publish ---- */

static void
order_and_duplicates(void **state)
{
    struct hub *h = hub_new(NULL);
    struct hub_sub *s = sub_public(h, HUB_LIVE);
    size_t subs;
    uint64_t dropped, published;
    (void)state;
    assert_int_equal(pub(h, 1, "roads", "{}"), ERR_OK);
    assert_int_equal(pub(h, 2, "roads", "{}"), ERR_OK);
    assert_int_equal(pub(h, 2, "roads", "{\"again\":1}"), ERR_CONFLICT);
    assert_int_equal(pub(h, 1, "roads", "{}"), ERR_CONFLICT);
    assert_int_equal(pub(h, 5, "roads", "{}"), ERR_OK); /* ids may skip */
    assert_int_equal(pub(h, 4, "roads", "{}"), ERR_CONFLICT);
    char *f1 = frame(1, "{}"), *f2 = frame(2, "{}"), *f5 = frame(5, "{}");
    char want[256];
    snprintf(want, sizeof(want), "%s%s%s", f1, f2, f5);
    assert_drain(s, want, HUB_EMPTY);
    hub_stats(h, &subs, &dropped, &published);
    assert_int_equal(subs, 1);
    assert_int_equal(dropped, 0);
    assert_int_equal(published, 3);
    hub_stats(h, NULL, NULL, NULL);
    free(f1);
    free(f2);
    free(f5);
    sub_end(s);
    hub_free(h);
}

static void
publish_refuses(void **state)
{
    struct hub *h = hub_new(&(struct hub_opts){.queue_max_bytes = 1000});
    struct hub_sub *s = sub_public(h, HUB_LIVE);
    char big[1001];
    uint64_t published;
    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(pub(h, 0, "roads", "{}"), ERR_INVALID);
    assert_int_equal(pub(h, -3, "roads", "{}"), ERR_INVALID);
    assert_int_equal(pub(h, 1, "roads", NULL), ERR_INVALID);
    assert_int_equal(hub_publish(h, &(struct hub_event){.id = 1, .json = "{}"}), ERR_INVALID);
    assert_int_equal(hub_publish(h, &(struct hub_event){.id = 1, .kind = "Appeal", .json = "{}"}),
                     ERR_INVALID);
    assert_int_equal(pub(h, 1, "roads", big), ERR_TOOBIG);
    hub_stats(h, NULL, NULL, &published);
    assert_int_equal(published, 0);
    /* Nothing moved: id 1 is still free, and s saw nothing. */
    assert_int_equal(pub(h, 1, "roads", "{}"), ERR_OK);
    assert_drain_range(s, 1, 1);
    sub_end(s);
    hub_free(h);
}

/* hub_publish_n(): each event as hub_publish() would take it, filtered per
 * subscriber, in id order, with one wake for the whole batch. */
static void
publish_n_batch(void **state)
{
    struct waker w;
    waker_init(&w);
    struct hub *h = hub_new(&(struct hub_opts){.queue_max_bytes = 1000});
    struct hub_sub *roads =
        hub_subscribe(h, &(struct hub_filter){.agency = "roads"}, HUB_LIVE, waker_wake, &w);
    struct hub_sub *pub_s = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &w);
    enum hub_read_state st;
    char tmp[16];
    char big[600];
    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(pub(h, 2, "roads", "{}"), ERR_OK);
    assert_drain_range(roads, 2, 2); /* both armed now */
    assert_drain_range(pub_s, 2, 2);
    const struct hub_event evs[] = {
        {.id = 3, .kind = "appeal.registered", .agency = "roads", .json = "{}"},
        {.id = 2, .kind = "appeal.registered", .agency = "roads", .json = "{}"}, /* repeat */
        {.id = 4, .kind = "appeal.registered", .agency = "water", .json = "{}"},
        {.id = 5, .kind = "Bad", .agency = "roads", .json = "{}"},
        {.id = 6, .kind = "appeal.assigned", .agency = "roads", .json = "{}", .internal = true},
        {.id = 7, .kind = "appeal.registered", .agency = "roads", .json = "{}"},
    };
    enum err errs[ARRAY_LEN(evs)];
    hub_publish_n(h, evs, ARRAY_LEN(evs), errs);
    assert_int_equal(errs[0], ERR_OK);
    assert_int_equal(errs[1], ERR_CONFLICT);
    assert_int_equal(errs[2], ERR_OK);
    assert_int_equal(errs[3], ERR_INVALID);
    assert_int_equal(errs[4], ERR_OK);
    assert_int_equal(errs[5], ERR_OK);
    assert_true(waker_wait(&w, 2, 2000));
    usleep(20000);
    assert_int_equal(waker_count(&w), 2); /* one per waiting subscriber */
    struct buf b = BUF_INIT(1 << 16);
    const int64_t roads_ids[] = {3, 6, 7}, public_ids[] = {3, 4, 7};
    const char *roads_kinds[] = {"appeal.registered", "appeal.assigned", "appeal.registered"};
    for (size_t i = 0; i < ARRAY_LEN(roads_ids); i++)
        assert_int_equal(sse_frame(&b, roads_ids[i], roads_kinds[i], "{}"), ERR_OK);
    buf_putc(&b, '\0');
    assert_drain(roads, b.p, HUB_EMPTY);
    buf_fini(&b);
    b = BUF_INIT(1 << 16);
    for (size_t i = 0; i < ARRAY_LEN(public_ids); i++)
        assert_int_equal(sse_frame(&b, public_ids[i], "appeal.registered", "{}"), ERR_OK);
    buf_putc(&b, '\0');
    assert_drain(pub_s, b.p, HUB_EMPTY); /* the internal event is not public */
    buf_fini(&b);
    uint64_t published, dropped;
    hub_stats(h, NULL, &dropped, &published);
    assert_int_equal(published, 5);
    /* A batch that overfills a queue drops its subscriber inside the batch;
     * the other still has every event. */
    const struct hub_event fat[] = {
        {.id = 8, .kind = "appeal.registered", .agency = "roads", .json = big},
        {.id = 9, .kind = "appeal.registered", .agency = "water", .json = big},
    };
    hub_publish_n(h, fat, ARRAY_LEN(fat), errs);
    assert_int_equal(errs[0], ERR_OK);
    assert_int_equal(errs[1], ERR_OK);
    assert_true(hub_sub_read(pub_s, tmp, sizeof(tmp), &st) == 0 && st == HUB_DROPPED);
    assert_int_equal(hub_sub_queued_len(pub_s), 0);
    hub_stats(h, NULL, &dropped, NULL);
    assert_int_equal(dropped, 1);
    char *want = frame(8, big);
    assert_drain(roads, want, HUB_EMPTY);
    free(want);
    /* Nothing at all is not an error; after close_all every event is
     * ERR_UNAVAILABLE. */
    hub_publish_n(h, evs, 0, errs);
    hub_close_all(h);
    hub_publish_n(h, &evs[5], 1, errs);
    assert_int_equal(errs[0], ERR_UNAVAILABLE);
    sub_end(roads);
    sub_end(pub_s);
    hub_free(h);
    waker_fini(&w);
}

/* Agency subscribers get their agency's events, live and in replay. */
static void
filter_applies(void **state)
{
    struct hub *h = hub_new(NULL);
    struct hub_sub *roads =
        hub_subscribe(h, &(struct hub_filter){.agency = "roads"}, HUB_LIVE, NULL, NULL);
    struct hub_sub *nobody = hub_subscribe(h, &(struct hub_filter){0}, HUB_LIVE, NULL, NULL);
    (void)state;
    assert_int_equal(pub(h, 1, "roads", "{\"n\":1}"), ERR_OK);
    assert_int_equal(pub(h, 2, "water", "{\"n\":2}"), ERR_OK);
    assert_int_equal(pub(h, 3, NULL, "{\"n\":3}"), ERR_OK);
    assert_int_equal(pub(h, 4, "roads", "{\"n\":4}"), ERR_OK);
    char *f1 = frame(1, "{\"n\":1}"), *f4 = frame(4, "{\"n\":4}");
    char want[256];
    snprintf(want, sizeof(want), "%s%s", f1, f4);
    assert_drain(roads, want, HUB_EMPTY);
    assert_drain(nobody, "", HUB_EMPTY);
    /* The filter's strings were copied: a replay with a stack copy works. */
    char agency[] = "roads";
    struct hub_sub *late = hub_subscribe(h, &(struct hub_filter){.agency = agency}, 0, NULL, NULL);
    memset(agency, 'z', 5);
    assert_false(hub_sub_gap(late, NULL, NULL));
    assert_drain(late, want, HUB_EMPTY);
    free(f1);
    free(f4);
    sub_end(roads);
    sub_end(nobody);
    sub_end(late);
    hub_free(h);
}

/* ---- replay and gaps ---- */

static void
replay_after_id(void **state)
{
    struct hub *h = hub_new(&(struct hub_opts){.ring_count = 8});
    int64_t from = -1, to = -1;
    (void)state;
    pub_range(h, 1, 5);
    struct hub_sub *s2 = sub_public(h, 2), *s0 = sub_public(h, 0), *s5 = sub_public(h, 5),
                   *live = sub_public(h, HUB_LIVE);
    assert_false(hub_sub_gap(s2, &from, &to));
    assert_false(hub_sub_gap(s0, &from, &to));
    assert_false(hub_sub_gap(s5, &from, &to));
    assert_false(hub_sub_gap(live, &from, &to));
    assert_int_equal(from, -1); /* untouched without a gap */
    assert_drain_range(s2, 3, 5);
    assert_drain_range(s0, 1, 5);
    assert_drain(s5, "", HUB_EMPTY);
    assert_drain(live, "", HUB_EMPTY);
    /* Each continues live, without a repeat. */
    pub_range(h, 6, 7);
    assert_drain_range(s2, 6, 7);
    assert_drain_range(s0, 6, 7);
    assert_drain_range(s5, 6, 7);
    assert_drain_range(live, 6, 7);
    sub_end(s2);
    sub_end(s0);
    sub_end(s5);
    sub_end(live);
    hub_free(h);
}

static void
gap_when_ring_evicted(void **state)
{
    struct hub *h = hub_new(&(struct hub_opts){.ring_count = 4});
    int64_t from, to;
    (void)state;
    pub_range(h, 1, 10); /* the ring keeps 7..10 */
    struct hub_sub *s3 = sub_public(h, 3), *s6 = sub_public(h, 6), *s0 = sub_public(h, 0);
    assert_true(hub_sub_gap(s3, &from, &to));
    assert_int_equal(from, 4);
    assert_int_equal(to, 6);
    assert_drain_range(s3, 7, 10);
    assert_false(hub_sub_gap(s6, &from, &to));
    assert_drain_range(s6, 7, 10);
    assert_true(hub_sub_gap(s0, &from, &to));
    assert_int_equal(from, 1);
    assert_int_equal(to, 6);
    assert_true(hub_sub_gap(s0, NULL, NULL));
    assert_drain_range(s0, 7, 10);
    sub_end(s3);
    sub_end(s6);
    sub_end(s0);
    hub_free(h);

    /* Events already in the store when the hub starts come from the store. */
    h = hub_new(&(struct hub_opts){.start_id = 50});
    struct hub_sub *s10 = sub_public(h, 10), *s50 = sub_public(h, 50);
    assert_true(hub_sub_gap(s10, &from, &to));
    assert_int_equal(from, 11);
    assert_int_equal(to, 50);
    assert_false(hub_sub_gap(s50, NULL, NULL));
    assert_int_equal(pub(h, 50, "roads", "{}"), ERR_CONFLICT);
    assert_int_equal(pub(h, 51, "roads", "{}"), ERR_OK);
    assert_drain_range(s10, 51, 51);
    assert_drain_range(s50, 51, 51);
    sub_end(s10);
    sub_end(s50);
    hub_free(h);
}

/* A replay bigger than half a queue is cut to the newest that fit; the rest
 * becomes part of the gap, so a reconnecting client is not dropped at once. */
static void
gap_when_replay_too_big(void **state)
{
    struct hub *h = hub_new(&(struct hub_opts){.queue_max_bytes = 1000});
    char *one = frame(10, "{}");
    size_t per = strlen(one), fit = 500 / per;
    int64_t from, to;
    (void)state;
    free(one);
    pub_range(h, 10, 39); /* 30 frames of per bytes, 12 or so fit in 500 */
    struct hub_sub *s = sub_public(h, 0);
    assert_true(hub_sub_gap(s, &from, &to));
    assert_int_equal(from, 1);
    assert_int_equal(to, 39 - (int64_t)fit);
    assert_true(hub_sub_queued_len(s) <= 500);
    assert_drain_range(s, 40 - (int64_t)fit, 39);
    /* An agency's smaller replay fits whole. */
    struct hub_sub *w = hub_subscribe(h, &(struct hub_filter){.agency = "water"}, 0, NULL, NULL);
    assert_false(hub_sub_gap(w, NULL, NULL));
    assert_drain(w, "", HUB_EMPTY);
    sub_end(s);
    sub_end(w);
    hub_free(h);
}

/* A Last-Event-ID above the newest event: nothing up to it is delivered. */
static void
client_ahead(void **state)
{
    struct hub *h = hub_new(NULL);
    (void)state;
    pub_range(h, 1, 5);
    struct hub_sub *s = sub_public(h, 8);
    assert_false(hub_sub_gap(s, NULL, NULL));
    assert_drain(s, "", HUB_EMPTY);
    pub_range(h, 6, 9);
    assert_drain_range(s, 9, 9);
    sub_end(s);
    hub_free(h);
}

/* ---- the bounded queue ---- */

static void
slow_subscriber_dropped(void **state)
{
    enum { JSON_LEN = 1024, EVENTS = 10 * 1024 }; /* 10 MiB of data */
    struct hub *h = hub_new(&(struct hub_opts){.ring_count = 64});
    struct waker wk;
    char *json = malloc(JSON_LEN + 1), tmp[4096];
    size_t subs, frame_len = 0;
    uint64_t dropped;
    enum hub_read_state st;
    (void)state;
    waker_init(&wk);
    memset(json, 'x', JSON_LEN);
    json[0] = '"';
    json[JSON_LEN - 1] = '"';
    json[JSON_LEN] = '\0';
    struct hub_sub *slow = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &wk);
    struct hub_sub *fast = sub_public(h, HUB_LIVE);
    assert_int_equal(hub_sub_read(slow, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_EMPTY);
    size_t rss0 = rss_bytes(), peak = 0;
    for (int64_t id = 1; id <= EVENTS; id++) {
        assert_int_equal(pub(h, id, "roads", json), ERR_OK);
        assert_true(hub_sub_queued_len(slow) <= 256 * 1024);
        if (!frame_len)
            frame_len = hub_sub_queued_len(fast);
        while (hub_sub_read(fast, tmp, sizeof(tmp), &st) > 0)
            continue;
        assert_int_equal(st, HUB_EMPTY);
        if (id % 256 == 0) {
            size_t rss = rss_bytes();
            peak = rss > peak ? rss : peak;
        }
    }
    /* One wake for the first event; the drop found it no longer waiting. */
    assert_int_equal(waker_count(&wk), 1);
    assert_int_equal(hub_sub_read(slow, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_DROPPED);
    assert_int_equal(hub_sub_queued_len(slow), 0);
    hub_stats(h, &subs, &dropped, NULL);
    assert_int_equal(subs, 1);
    assert_int_equal(dropped, 1);
    /* The reader kept up and stays. */
    assert_int_equal(pub(h, EVENTS + 1, "roads", "{}"), ERR_OK);
    assert_drain_range(fast, EVENTS + 1, EVENTS + 1);
    /* Memory: the ring (64 frames) plus one capped queue, not 10 MiB. */
    print_message("frame %zu bytes, rss growth %zu KiB over %d events\n", frame_len,
                  (peak > rss0 ? peak - rss0 : 0) / 1024, EVENTS);
    if (!UNDER_SANITIZER)
        assert_true(peak < rss0 + 2 * 1024 * 1024);
    sub_end(slow);
    sub_end(fast);
    hub_free(h);
    waker_fini(&wk);
    free(json);
}

/* ---- reads ---- */

static void
partial_reads(void **state)
{
    struct hub *h = hub_new(NULL);
    (void)state;
    for (size_t chunk = 1; chunk <= 40; chunk++) {
        struct hub_sub *s = sub_public(h, 0); /* the whole ring so far */
        uint64_t published;
        hub_stats(h, NULL, NULL, &published);
        int64_t last = (int64_t)published;
        pub_range(h, last + 1, last + 3);
        enum hub_read_state st;
        char *got = drain(s, chunk, &st);
        char *want = frames_range(1, last + 3);
        assert_string_equal(got, want);
        assert_int_equal(st, HUB_EMPTY);
        assert_int_equal(hub_sub_queued_len(s), 0);
        free(got);
        free(want);
        sub_end(s);
    }
    hub_free(h);
}

/* ---- wake exactly once, under contention ---- */

enum { PUBLISHERS = 4, PER_PUBLISHER = 20000, TOTAL = PUBLISHERS * PER_PUBLISHER };

struct race {
    struct hub *h;
    struct hub_sub *s;
    atomic_llong next_id;
    atomic_uint accepted;
    atomic_uint bad; /* publish results other than OK and CONFLICT */
    atomic_bool ok[TOTAL + 1];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned wakes;   /* guarded by mu */
    unsigned empties; /* reader's own count */
    bool missed;      /* the reader waited 10 s for a wake that never came */
    struct buf got;   /* reader's bytes */
    enum hub_read_state end;
};

static void
race_wake(void *arg)
{
    struct race *r = arg;
    pthread_mutex_lock(&r->mu);
    r->wakes++;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void *
race_publisher(void *arg)
{
    struct race *r = arg;
    char json[64];
    for (int i = 0; i < PER_PUBLISHER; i++) {
        int64_t id = atomic_fetch_add(&r->next_id, 1) + 1;
        snprintf(json, sizeof(json), "{\"id\":%lld}", (long long)id);
        struct hub_event ev = {.id = id, .kind = "appeal.routed", .agency = "roads", .json = json};
        enum err e = hub_publish(r->h, &ev);
        /* An id that reaches the hub after a higher one lost the race: CONFLICT. */
        if (e != ERR_OK && e != ERR_CONFLICT)
            atomic_fetch_add(&r->bad, 1);
        if (e == ERR_OK) {
            atomic_store(&r->ok[id], true);
            atomic_fetch_add(&r->accepted, 1);
        }
        /* Bursts and pauses, so the reader empties its queue and waits often. */
        if (i % 16 == 15)
            nanosleep(&(struct timespec){0, 50 * 1000}, NULL);
    }
    return NULL;
}

static void *
race_reader(void *arg)
{
    struct race *r = arg;
    char tmp[97]; /* odd, so frames split */
    for (;;) {
        enum hub_read_state st;
        size_t n = hub_sub_read(r->s, tmp, sizeof(tmp), &st);
        if (st == HUB_DATA) {
            buf_append(&r->got, tmp, n);
            continue;
        }
        if (st != HUB_EMPTY) {
            r->end = st;
            return NULL;
        }
        /* Armed: exactly one wake is owed for this wait. */
        r->empties++;
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        at.tv_sec += 10;
        pthread_mutex_lock(&r->mu);
        int rc = 0;
        while (r->wakes < r->empties && rc == 0)
            rc = pthread_cond_timedwait(&r->cv, &r->mu, &at);
        r->missed = r->wakes < r->empties;
        pthread_mutex_unlock(&r->mu);
        if (r->missed)
            return NULL;
    }
}

static void
wake_once_per_wait(void **state)
{
    struct race *r = calloc(1, sizeof(*r));
    pthread_t pubs[PUBLISHERS], reader;
    (void)state;
    r->h = hub_new(&(struct hub_opts){.queue_max_bytes = 64 << 20, .heartbeat_ms = 1});
    r->got = BUF_INIT(256 << 20);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->s = hub_subscribe(r->h, &(struct hub_filter){.agency = "roads"}, HUB_LIVE, race_wake, r);
    assert_int_equal(hub_heartbeat_start(r->h), ERR_OK);
    assert_int_equal(pthread_create(&reader, NULL, race_reader, r), 0);
    for (int i = 0; i < PUBLISHERS; i++)
        assert_int_equal(pthread_create(&pubs[i], NULL, race_publisher, r), 0);
    for (int i = 0; i < PUBLISHERS; i++)
        pthread_join(pubs[i], NULL);
    hub_heartbeat_stop(r->h);
    hub_close_all(r->h);
    pthread_join(reader, NULL);

    assert_int_equal(atomic_load(&r->bad), 0);
    assert_false(r->missed);
    assert_int_equal(r->end, HUB_CLOSED);
    /* Every wait got its wake and no wake came unasked. */
    assert_int_equal(r->wakes, r->empties);
    assert_true(r->empties >= 10); /* the pauses let it catch up, often */

    /* The stream is exactly the accepted events, in id order. */
    buf_putc(&r->got, '\0');
    assert_false(buf_failed(&r->got));
    unsigned events = 0, pings = 0;
    int64_t prev = 0;
    for (const char *p = r->got.p; *p;) {
        if (strncmp(p, ": ping\n\n", 8) == 0) {
            pings++;
            p += 8;
            continue;
        }
        long long id;
        int used = 0;
        assert_int_equal(sscanf(p, "id: %lld\n%n", &id, &used), 1);
        assert_true(id > prev && id <= TOTAL);
        assert_true(atomic_load(&r->ok[id]));
        prev = id;
        events++;
        const char *end = strstr(p, "\n\n");
        assert_non_null(end);
        p = end + 2;
    }
    assert_int_equal(events, atomic_load(&r->accepted));
    print_message("%u of %d events accepted, %u pings, %u waits, %u wakes\n", events, TOTAL, pings,
                  r->empties, r->wakes);
    sub_end(r->s);
    hub_free(r->h);
    buf_fini(&r->got);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* One event at a time: the publisher sends the next only after the reader
 * has it, so an event published between the reader's HUB_EMPTY and its
 * arming would never be woken for, and the exchange would stall. */
enum { PING_PONG = 20000 };

struct pingpong {
    struct hub *h;
    struct hub_sub *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t received; /* guarded by mu: newest id read */
    int64_t wakes;    /* guarded by mu */
    bool stalled;     /* guarded by mu */
};

static void
pp_wake(void *arg)
{
    struct pingpong *p = arg;
    pthread_mutex_lock(&p->mu);
    p->wakes++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Wait on p->cv (mu held) until *v >= n; false after 5 s or a stall. */
static bool
pp_wait(struct pingpong *p, const int64_t *v, int64_t n)
{
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    at.tv_sec += 5;
    int rc = 0;
    while (*v < n && !rc && !p->stalled)
        rc = pthread_cond_timedwait(&p->cv, &p->mu, &at);
    return *v >= n;
}

static void *
pp_reader(void *arg)
{
    struct pingpong *p = arg;
    int64_t waits = 0;
    char tmp[256];
    for (;;) {
        enum hub_read_state st;
        size_t n = hub_sub_read(p->s, tmp, sizeof(tmp), &st);
        if (st == HUB_CLOSED)
            return NULL;
        pthread_mutex_lock(&p->mu);
        if (st == HUB_DATA) {
            /* Each read is one whole frame here: "id: N\n..." */
            long long id = 0;
            assert_true(n < sizeof(tmp));
            tmp[n] = '\0';
            if (sscanf(tmp, "id: %lld", &id) == 1)
                p->received = id;
            pthread_cond_broadcast(&p->cv);
        } else if (st == HUB_EMPTY && !pp_wait(p, &p->wakes, ++waits)) {
            p->stalled = true;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        pthread_mutex_unlock(&p->mu);
    }
}

static void
no_lost_wakeup(void **state)
{
    struct pingpong p = {.h = hub_new(NULL)};
    pthread_t reader;
    (void)state;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    p.s = hub_subscribe(p.h, &public_filter, HUB_LIVE, pp_wake, &p);
    assert_int_equal(pthread_create(&reader, NULL, pp_reader, &p), 0);
    int64_t id;
    for (id = 1; id <= PING_PONG; id++) {
        assert_int_equal(pub(p.h, id, "roads", "{}"), ERR_OK);
        pthread_mutex_lock(&p.mu);
        bool ok = pp_wait(&p, &p.received, id);
        pthread_mutex_unlock(&p.mu);
        if (!ok)
            break;
    }
    hub_close_all(p.h);
    pthread_join(reader, NULL);
    assert_false(p.stalled);
    assert_int_equal(id, PING_PONG + 1);
    print_message("%d events one at a time, %lld wakes\n", PING_PONG, (long long)p.wakes);
    sub_end(p.s);
    hub_free(p.h);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
}

/* ---- heartbeat ---- */

static void
heartbeat(void **state)
{
    struct hub *h = hub_new(&(struct hub_opts){.heartbeat_ms = 10});
    struct waker wk;
    char tmp[64];
    enum hub_read_state st;
    (void)state;
    waker_init(&wk);
    struct hub_sub *waiting = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &wk);
    struct hub_sub *stalled = sub_public(h, HUB_LIVE);
    struct hub_sub *other =
        hub_subscribe(h, &(struct hub_filter){.agency = "water"}, HUB_LIVE, NULL, NULL);
    assert_int_equal(hub_sub_read(waiting, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_EMPTY);

    hub_heartbeat(h);
    assert_int_equal(waker_count(&wk), 1);
    assert_drain(waiting, ": ping\n\n", HUB_EMPTY);
    /* Every subscriber gets it, whatever its filter. */
    assert_drain(other, ": ping\n\n", HUB_EMPTY);
    /* Pings do not pile up behind a reader that is stuck. */
    hub_heartbeat(h);
    hub_heartbeat(h);
    assert_int_equal(hub_sub_queued_len(stalled), 8);
    assert_int_equal(pub(h, 1, "roads", "{}"), ERR_OK);
    hub_heartbeat(h);
    char *f1 = frame(1, "{}"), want[256];
    snprintf(want, sizeof(want), ": ping\n\n%s: ping\n\n", f1);
    assert_drain(stalled, want, HUB_EMPTY);
    /* The reader that waited was woken once, by the first of those pings. */
    assert_int_equal(waker_count(&wk), 2);
    assert_drain(waiting, want, HUB_EMPTY);
    free(f1);

    /* The thread: start, refuse a second start, ping a waiting reader. */
    unsigned before = waker_count(&wk);
    assert_int_equal(hub_heartbeat_start(h), ERR_OK);
    assert_int_equal(hub_heartbeat_start(h), ERR_CONFLICT);
    assert_true(waker_wait(&wk, before + 1, 5000));
    hub_heartbeat_stop(h);
    hub_heartbeat_stop(h); /* no-op */
    assert_int_equal(hub_heartbeat_start(h), ERR_OK);
    hub_heartbeat_stop(h);
    sub_end(waiting);
    sub_end(stalled);
    sub_end(other);
    hub_free(h);
    waker_fini(&wk);
}

/* ---- close_all and hub_free ---- */

static void
close_all(void **state)
{
    struct hub *h = hub_new(NULL);
    struct waker wk;
    char tmp[64];
    enum hub_read_state st;
    size_t subs;
    (void)state;
    waker_init(&wk);
    struct hub_sub *busy = sub_public(h, HUB_LIVE);
    struct hub_sub *idle = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &wk);
    assert_int_equal(hub_sub_read(idle, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_EMPTY);
    pub_range(h, 1, 2);
    assert_int_equal(waker_count(&wk), 1);
    assert_drain_range(idle, 1, 2); /* armed again */

    hub_close_all(h);
    assert_int_equal(waker_count(&wk), 2);
    hub_stats(h, &subs, NULL, NULL);
    assert_int_equal(subs, 0);
    /* Queued bytes first, then CLOSED. */
    char *want = frames_range(1, 2);
    assert_drain(busy, want, HUB_CLOSED);
    free(want);
    assert_drain(idle, "", HUB_CLOSED);
    assert_int_equal(hub_sub_read(busy, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_CLOSED);

    assert_int_equal(pub(h, 3, "roads", "{}"), ERR_UNAVAILABLE);
    struct hub_sub *late = sub_public(h, 0);
    assert_false(hub_sub_gap(late, NULL, NULL));
    assert_drain(late, "", HUB_CLOSED);
    hub_close_all(h); /* idempotent */
    hub_heartbeat(h); /* nobody left */
    sub_end(late);
    sub_end(busy);
    sub_end(idle);
    hub_free(h);
    waker_fini(&wk);
}

/* Subscribers left at hub_free() are closed and woken, and stay usable. */
static void
free_with_subscribers(void **state)
{
    struct hub *h = hub_new(NULL);
    struct waker wk;
    char tmp[64];
    enum hub_read_state st;
    (void)state;
    waker_init(&wk);
    struct hub_sub *a = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &wk);
    struct hub_sub *b = sub_public(h, HUB_LIVE);
    assert_int_equal(hub_sub_read(a, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_EMPTY);
    pub_range(h, 1, 1);
    assert_int_equal(waker_count(&wk), 1);
    assert_drain_range(a, 1, 1); /* and armed again */
    hub_free(h);
    assert_int_equal(waker_count(&wk), 2);
    assert_drain(a, "", HUB_CLOSED);
    char *want = frames_range(1, 1);
    assert_drain(b, want, HUB_CLOSED);
    free(want);
    sub_end(a); /* hub_unsubscribe() after hub_free() does nothing */
    sub_end(b);
    waker_fini(&wk);
}

/* ---- references and unsubscribe ---- */

struct slow_wake {
    atomic_int started, finished;
    struct hub *h;
};

static void
slow_wake(void *arg)
{
    struct slow_wake *w = arg;
    atomic_store(&w->started, 1);
    usleep(200 * 1000);
    atomic_store(&w->finished, 1);
}

static void *
publish_one(void *arg)
{
    struct slow_wake *w = arg;
    assert_int_equal(pub(w->h, 1, "roads", "{}"), ERR_OK);
    return NULL;
}

/* After hub_unsubscribe() returns, no wake is running or will run. */
static void
unsubscribe_waits_for_wake(void **state)
{
    struct slow_wake w = {.h = hub_new(NULL)};
    pthread_t t;
    char tmp[8];
    enum hub_read_state st;
    (void)state;
    struct hub_sub *s = hub_subscribe(w.h, &public_filter, HUB_LIVE, slow_wake, &w);
    assert_int_equal(hub_sub_read(s, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_EMPTY);
    assert_int_equal(pthread_create(&t, NULL, publish_one, &w), 0);
    while (!atomic_load(&w.started))
        usleep(1000);
    hub_unsubscribe(s);
    assert_int_equal(atomic_load(&w.finished), 1);
    hub_unsubscribe(s); /* idempotent */
    /* Gone from the hub: no further event or wake reaches it. */
    pthread_join(t, NULL);
    atomic_store(&w.started, 0);
    assert_drain_range(s, 1, 1);
    assert_int_equal(pub(w.h, 2, "roads", "{}"), ERR_OK);
    assert_drain(s, "", HUB_EMPTY);
    assert_int_equal(atomic_load(&w.started), 0);
    hub_sub_unref(s, __func__);
    hub_free(w.h);
}

static void
references(void **state)
{
    struct hub *h = hub_new(NULL);
    char path[] = "/tmp/test_hub_log.XXXXXX";
    enum log_lvl saved = log_level;
    size_t subs;
    (void)state;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved_err = dup(STDERR_FILENO);
    assert_true(saved_err >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    log_level = LOG_DEBUG;

    struct hub_sub *s = sub_public(h, HUB_LIVE);
    struct hub_sub *extra = hub_sub_ref(s, "test_holder");
    assert_ptr_equal(extra, s);
    hub_unsubscribe(s);
    hub_stats(h, &subs, NULL, NULL);
    assert_int_equal(subs, 0);
    assert_null(hub_sub_unref(s, "test_caller"));
    /* Still held by extra: readable. */
    assert_int_equal(pub(h, 1, "roads", "{}"), ERR_OK);
    assert_drain(extra, "", HUB_EMPTY);
    extra = hub_sub_unref(extra, "test_last");
    assert_null(extra);
    assert_null(hub_sub_unref(NULL, "test_null"));

    log_level = saved;
    fflush(stderr);
    assert_int_equal(dup2(saved_err, STDERR_FILENO), STDERR_FILENO);
    close(saved_err);
    char log[8192];
    ssize_t n = pread(fd, log, sizeof(log) - 1, 0);
    assert_true(n > 0);
    log[n] = '\0';
    close(fd);
    unlink(path);
    /* The caller's reference, the hub's, then test_holder's. */
    assert_non_null(strstr(log, "ref -> 3 by test_holder"));
    assert_non_null(strstr(log, "unref -> 2 by detach_locked"));
    assert_non_null(strstr(log, "unref -> 1 by test_caller"));
    assert_non_null(strstr(log, "unref -> 0 by test_last"));
    assert_non_null(strstr(log, " debug realtime/hub.c:"));
    hub_free(h);
}

/* ---- attached sockets (direct writes) ---- */

/* Read from fd until want_len bytes came or ms passed; caller frees. */
static char *
read_bytes(int fd, size_t want_len, long ms, size_t *got)
{
    char *p = malloc(want_len + 1);
    size_t n = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (n < want_len) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
            break;
        ssize_t r = read(fd, p + n, want_len - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    p[n] = '\0';
    *got = n;
    return p;
}

static void
attached_writes_exact_bytes(void **state)
{
    (void)state;
    struct hub *h = hub_new(&(struct hub_opts){.writer_count = 2}); /* one stream each */
    int ch[2], raw[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, ch), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, raw), 0);
    struct waker w1, w2;
    waker_init(&w1);
    waker_init(&w2);
    struct hub_sub *a = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &w1);
    struct hub_sub *b = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &w2);
    enum hub_read_state st;
    char tmp[16];
    assert_int_equal(hub_sub_read(a, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_EMPTY);
    assert_int_equal(hub_sub_attach(a, ch[0], true), ERR_OK);
    assert_int_equal(hub_sub_attach(a, ch[0], true), ERR_CONFLICT);
    assert_int_equal(hub_sub_attach(b, raw[0], false), ERR_OK);
    struct buf want_ch = BUF_INIT(1 << 20), want_raw = BUF_INIT(1 << 20);
    for (int64_t id = 1; id <= 300; id++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"n\":%lld}", (long long)id);
        assert_int_equal(pub(h, id, "roads", json), ERR_OK);
        char *f = frame(id, json);
        buf_printf(&want_ch, "%zx\r\n%s\r\n", strlen(f), f);
        buf_append(&want_raw, f, strlen(f));
        free(f);
    }
    hub_heartbeat(h);
    buf_printf(&want_ch, "8\r\n: ping\n\n\r\n");
    buf_append(&want_raw, ": ping\n\n", 8);
    size_t got;
    char *bytes = read_bytes(ch[1], want_ch.len, 5000, &got);
    assert_int_equal(got, want_ch.len);
    assert_memory_equal(bytes, want_ch.p, got);
    free(bytes);
    bytes = read_bytes(raw[1], want_raw.len, 5000, &got);
    assert_int_equal(got, want_raw.len);
    assert_memory_equal(bytes, want_raw.p, got);
    free(bytes);
    /* While attached, a read neither copies nor arms. */
    assert_int_equal(hub_sub_read(a, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_EMPTY);
    assert_int_equal(waker_count(&w1), 0);
    hub_close_all(h);
    assert_true(waker_wait(&w1, 1, 5000));
    assert_true(waker_wait(&w2, 1, 5000));
    assert_int_equal(hub_sub_read(a, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_CLOSED);
    assert_int_equal(hub_sub_read(b, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_CLOSED);
    usleep(50000);
    assert_int_equal(waker_count(&w1), 1);
    sub_end(a);
    sub_end(b);
    buf_fini(&want_ch);
    buf_fini(&want_raw);
    hub_free(h);
    waker_fini(&w1);
    waker_fini(&w2);
    for (int i = 0; i < 2; i++) {
        close(ch[i]);
        close(raw[i]);
    }
}

static void
attach_refused_while_queued(void **state)
{
    (void)state;
    struct hub *h = hub_new(NULL);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct hub_sub *s = sub_public(h, HUB_LIVE);
    assert_int_equal(pub(h, 1, "roads", "{}"), ERR_OK);
    assert_int_equal(hub_sub_attach(s, sv[0], true), ERR_CONFLICT);
    assert_drain_range(s, 1, 1); /* it stays with the reader */
    assert_int_equal(hub_sub_attach(s, sv[0], true), ERR_OK);
    sub_end(s); /* takes the socket back */
    hub_free(h);
    close(sv[0]);
    close(sv[1]);
}

static void
attached_stalled_reader_dropped(void **state)
{
    (void)state;
    struct hub *h = hub_new(&(struct hub_opts){.queue_max_bytes = 16 * 1024});
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    int small = 4096;
    assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
    struct waker w;
    waker_init(&w);
    struct hub_sub *s = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &w);
    assert_int_equal(hub_sub_attach(s, sv[0], true), ERR_OK);
    char json[512];
    memset(json, 'x', sizeof(json) - 1);
    json[sizeof(json) - 1] = '\0';
    uint64_t dropped = 0;
    for (int64_t id = 1; id <= 2000 && !dropped; id++) {
        assert_int_equal(pub(h, id, "roads", json), ERR_OK);
        assert_true(hub_sub_queued_len(s) <= 16 * 1024);
        hub_stats(h, NULL, &dropped, NULL);
    }
    assert_int_equal(dropped, 1);
    assert_true(waker_wait(&w, 1, 5000));
    enum hub_read_state st;
    char tmp[16];
    assert_int_equal(hub_sub_read(s, tmp, sizeof(tmp), &st), 0);
    /* dropped between frames: a clean end; inside one: an error */
    assert_true(st == HUB_DROPPED || st == HUB_FAILED);
    assert_int_equal(hub_sub_queued_len(s), 0);
    sub_end(s);
    hub_free(h);
    waker_fini(&w);
    close(sv[0]);
    close(sv[1]);
}

static void
attached_peer_gone_fails(void **state)
{
    (void)state;
    struct hub *h = hub_new(NULL);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct waker w;
    waker_init(&w);
    struct hub_sub *s = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &w);
    assert_int_equal(hub_sub_attach(s, sv[0], false), ERR_OK);
    close(sv[1]);
    assert_int_equal(pub(h, 1, "roads", "{}"), ERR_OK);
    assert_true(waker_wait(&w, 1, 5000));
    enum hub_read_state st;
    char tmp[16];
    assert_int_equal(hub_sub_read(s, tmp, sizeof(tmp), &st), 0);
    assert_int_equal(st, HUB_FAILED);
    sub_end(s);
    hub_free(h);
    waker_fini(&w);
    close(sv[0]);
}

static void
unsubscribe_takes_socket_back(void **state)
{
    (void)state;
    struct hub *h = hub_new(NULL);
    struct waker w;
    waker_init(&w);
    enum { N = 64 };
    int sv[N][2];
    struct hub_sub *s[N];
    for (int i = 0; i < N; i++) {
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
        s[i] = hub_subscribe(h, &public_filter, HUB_LIVE, waker_wake, &w);
        assert_int_equal(hub_sub_attach(s[i], sv[i][0], i % 2), ERR_OK);
    }
    pub_range(h, 1, 20);
    for (int i = 0; i < N; i++) {
        sub_end(s[i]);
        close(sv[i][0]); /* the writer has let go: closing is safe */
    }
    size_t subs;
    hub_stats(h, &subs, NULL, NULL);
    assert_int_equal(subs, 0);
    hub_free(h);
    assert_int_equal(waker_count(&w), 0);
    waker_fini(&w);
    for (int i = 0; i < N; i++)
        close(sv[i][1]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filter_rule),
        cmocka_unit_test(order_and_duplicates),
        cmocka_unit_test(publish_refuses),
        cmocka_unit_test(filter_applies),
        cmocka_unit_test(publish_n_batch),
        cmocka_unit_test(replay_after_id),
        cmocka_unit_test(gap_when_ring_evicted),
        cmocka_unit_test(gap_when_replay_too_big),
        cmocka_unit_test(client_ahead),
        cmocka_unit_test(slow_subscriber_dropped),
        cmocka_unit_test(partial_reads),
        cmocka_unit_test(wake_once_per_wait),
        cmocka_unit_test(no_lost_wakeup),
        cmocka_unit_test(heartbeat),
        cmocka_unit_test(close_all),
        cmocka_unit_test(free_with_subscribers),
        cmocka_unit_test(unsubscribe_waits_for_wake),
        cmocka_unit_test(references),
        cmocka_unit_test(attached_writes_exact_bytes),
        cmocka_unit_test(attach_refused_while_queued),
        cmocka_unit_test(attached_stalled_reader_dropped),
        cmocka_unit_test(attached_peer_gone_fails),
        cmocka_unit_test(unsubscribe_takes_socket_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
