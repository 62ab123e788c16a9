/*
 * hub_bench.c - the realtime hub alone (no sockets, no libmicrohttpd):
 * memory per idle subscriber, the cost of one hub_publish() fanned out to
 * many subscribers, and a paced run (100 events/s of about 300 bytes by
 * default) with reader threads that drain each subscriber when its wake
 * arrives, as SSE handler threads would, measuring publish-to-read latency
 * and CPU. Prints a Markdown report.
 *
 *   make build/libtyndau.a
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Isrc \
 *       -o build/bench/hub_bench bench/realtime/hub_bench.c build/libtyndau.a -lpthread
 *   build/bench/hub_bench [--subs N] [--rate EV_PER_S] [--seconds S] [--bytes B] [--readers R]
 *
 * Defaults: 10000 subscribers, 100 events/s, 10 s, 300-byte JSON, 2 readers.
 */
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/str.h"
#include "realtime/hub.h"

#define AGENCIES 20
#define LAT_BUCKETS 200000 /* 1 us buckets up to 200 ms; the last holds the rest */

static int64_t
now_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static size_t
heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

static size_t
rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, rss = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lu %lu", &size, &rss) != 2)
        rss = 0;
    fclose(f);
    return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

static double
cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* ---- the wake side: a work list that reader threads drain ---- */

struct bench;

struct client {
    struct bench *b;
    struct hub_sub *s;
};

struct bench {
    struct hub *h;
    struct client *clients;
    size_t client_count;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct client **work; /* guarded by mu: ring of client_count slots */
    size_t work_head, work_len;
    bool stop;                     /* guarded by mu */
    _Atomic int64_t *published_at; /* by event id, CLOCK_MONOTONIC ns */
    int64_t max_id;
    atomic_uint_fast64_t wakes, delivered;
};

static void
client_wake(void *arg)
{
    struct client *c = arg;
    struct bench *b = c->b;
    atomic_fetch_add_explicit(&b->wakes, 1, memory_order_relaxed);
    pthread_mutex_lock(&b->mu);
    /* At most one wake is owed per client, so the ring cannot overflow. */
    b->work[(b->work_head + b->work_len++) % b->client_count] = c;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

struct reader {
    struct bench *b;
    pthread_t t;
    uint32_t *lat; /* LAT_BUCKETS */
};

/* Where a drain stands in the byte stream: frames start at the beginning
 * and after each blank line. */
struct scan {
    bool at_start, prev_nl;
};

/* Count the latency of every event frame that starts in p[0..n). */
static void
note_frames(struct reader *r, const char *p, size_t n, struct scan *sc, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        if (sc->at_start && n - i > 4 && memcmp(p + i, "id: ", 4) == 0) {
            size_t j = i + 4;
            while (j < n && p[j] >= '0' && p[j] <= '9')
                j++;
            int64_t id;
            if (str_to_i64((struct str){p + i + 4, j - i - 4}, 1, r->b->max_id, &id) == ERR_OK) {
                int64_t us = (now - atomic_load(&r->b->published_at[id])) / 1000;
                r->lat[us < 0 ? 0 : us >= LAT_BUCKETS ? LAT_BUCKETS - 1 : us]++;
                atomic_fetch_add_explicit(&r->b->delivered, 1, memory_order_relaxed);
            }
        }
        sc->at_start = p[i] == '\n' && sc->prev_nl;
        sc->prev_nl = p[i] == '\n';
    }
}

static void *
reader_main(void *arg)
{
    struct reader *r = arg;
    struct bench *b = r->b;
    static _Thread_local char out[16384];
    for (;;) {
        pthread_mutex_lock(&b->mu);
        while (!b->work_len && !b->stop)
            pthread_cond_wait(&b->cv, &b->mu);
        if (!b->work_len) {
            pthread_mutex_unlock(&b->mu);
            return NULL;
        }
        struct client *c = b->work[b->work_head];
        b->work_head = (b->work_head + 1) % b->client_count;
        b->work_len--;
        pthread_mutex_unlock(&b->mu);
        /* A drain starts on a frame: the one before ended with HUB_EMPTY. */
        struct scan sc = {.at_start = true};
        enum hub_read_state st;
        size_t n;
        while ((n = hub_sub_read(c->s, out, sizeof(out), &st)) > 0)
            note_frames(r, out, n, &sc, now_ns(CLOCK_MONOTONIC));
    }
}

/* ---- set-up ---- */

static const char *agency_names[AGENCIES] = {
    "agency-00", "agency-01", "agency-02", "agency-03", "agency-04", "agency-05", "agency-06",
    "agency-07", "agency-08", "agency-09", "agency-10", "agency-11", "agency-12", "agency-13",
    "agency-14", "agency-15", "agency-16", "agency-17", "agency-18", "agency-19"};

enum mix { MIX_PUBLIC, MIX_AGENCIES };

static const char *const mix_names[] = {"all public (every event to every subscriber)",
                                        "one agency each, 20 agencies (1 in 20 match)"};

static void
subscribe_all(struct bench *b, enum mix m, bool with_wake)
{
    for (size_t i = 0; i < b->client_count; i++) {
        struct hub_filter f = {0};
        if (m == MIX_PUBLIC)
            f.public_only = true;
        else
            f.agency = agency_names[i % AGENCIES];
        b->clients[i].b = b;
        b->clients[i].s =
            hub_subscribe(b->h, &f, HUB_LIVE, with_wake ? client_wake : NULL, &b->clients[i]);
    }
}

/* Read every client once: empty queues arm their wait. */
static void
arm_all(struct bench *b)
{
    char out[16384];
    for (size_t i = 0; i < b->client_count; i++) {
        enum hub_read_state st;
        while (hub_sub_read(b->clients[i].s, out, sizeof(out), &st) > 0)
            continue;
    }
}

static void
unsubscribe_all(struct bench *b)
{
    for (size_t i = 0; i < b->client_count; i++) {
        hub_unsubscribe(b->clients[i].s);
        b->clients[i].s = hub_sub_unref(b->clients[i].s, __func__);
    }
}

static char *
make_json(size_t bytes)
{
    char *j = malloc(bytes + 1);
    int n = snprintf(j, bytes + 1,
                     "{\"id\":\"A-2026-000123\",\"kind\":\"complaint\",\"status\":\"registered\","
                     "\"region\":\"750000000\",\"topic\":\"roads\",\"text\":\"");
    size_t at = n > 0 ? (size_t)n : 0;
    for (; at + 2 < bytes; at++)
        j[at] = "pothole on the main road near school no. 5 "[at % 43];
    j[at++] = '"';
    j[at++] = '}';
    j[at] = '\0';
    return j;
}

static void
publish_event(struct bench *b, int64_t id, const char *json)
{
    struct hub_event ev = {.id = id,
                           .kind = "appeal.registered",
                           .agency = agency_names[id % AGENCIES],
                           .region = "750000000",
                           .json = json};
    atomic_store(&b->published_at[id], now_ns(CLOCK_MONOTONIC));
    if (hub_publish(b->h, &ev) != ERR_OK) {
        fprintf(stderr, "hub_bench: publish %" PRId64 " failed\n", id);
        exit(1);
    }
}

/* ---- the measurements ---- */

static void
idle_memory(size_t subs)
{
    struct bench b = {.client_count = subs};
    b.clients = calloc(subs, sizeof(*b.clients));
    b.h = hub_new(NULL);
    size_t heap0 = heap_in_use(), rss0 = rss_bytes();
    subscribe_all(&b, MIX_PUBLIC, false);
    size_t heap1 = heap_in_use(), rss1 = rss_bytes();
    /* A subscriber that has read events keeps its small queue array. */
    b.max_id = 0;
    char *json = make_json(300);
    for (int64_t id = 1; id <= 4; id++) {
        struct hub_event ev = {.id = id, .kind = "appeal.registered", .json = json};
        (void)hub_publish(b.h, &ev);
    }
    arm_all(&b);
    size_t heap2 = heap_in_use(), rss2 = rss_bytes();
    printf("## Memory per idle subscriber (%zu subscribers)\n\n", subs);
    printf("| state | heap B/sub | RSS B/sub |\n|---|---:|---:|\n");
    printf("| just subscribed | %.0f | %.0f |\n", (double)(heap1 - heap0) / subs,
           (double)(rss1 - rss0) / subs);
    printf("| after reading (queue array kept) | %.0f | %.0f |\n\n", (double)(heap2 - heap0) / subs,
           (double)(rss2 - rss0) / subs);
    unsubscribe_all(&b);
    hub_free(b.h);
    free(b.clients);
    free(json);
}

/* hub_publish() cost as fast as it goes: every subscriber armed before each
 * event, drained between events (not timed). with_wake: each match calls a
 * wake callback that queues it for a reader (as a resume would); without,
 * the cost is the hub's alone (filter, lock, enqueue). */
static void
publish_cost(size_t subs, size_t bytes, enum mix m, bool with_wake)
{
    enum { EVENTS = 300 };
    struct bench b = {.client_count = subs, .max_id = EVENTS};
    b.clients = calloc(subs, sizeof(*b.clients));
    b.work = calloc(subs, sizeof(*b.work));
    b.published_at = calloc(EVENTS + 1, sizeof(*b.published_at));
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    b.h = hub_new(NULL);
    subscribe_all(&b, m, with_wake);
    char *json = make_json(bytes);
    int64_t total = 0, worst = 0;
    for (int64_t id = 1; id <= EVENTS; id++) {
        arm_all(&b);
        b.work_len = b.work_head = 0;
        int64_t t0 = now_ns(CLOCK_MONOTONIC);
        publish_event(&b, id, json);
        int64_t dt = now_ns(CLOCK_MONOTONIC) - t0;
        total += dt;
        worst = dt > worst ? dt : worst;
    }
    size_t matched = m == MIX_PUBLIC ? subs : subs / AGENCIES;
    printf("| %s | %s | %zu | %.1f | %.1f | %.0f |\n", mix_names[m], with_wake ? "yes" : "no",
           matched, (double)total / EVENTS / 1000, (double)worst / 1000,
           (double)total / EVENTS / (double)matched);
    unsubscribe_all(&b);
    hub_free(b.h);
    pthread_cond_destroy(&b.cv);
    pthread_mutex_destroy(&b.mu);
    free(b.clients);
    free(b.work);
    free((void *)b.published_at);
    free(json);
}

static double
percentile(const uint64_t *hist, uint64_t count, double p)
{
    uint64_t want = (uint64_t)(p * (double)count), seen = 0;
    for (size_t i = 0; i < LAT_BUCKETS; i++) {
        seen += hist[i];
        if (seen > want)
            return (double)i / 1000;
    }
    return (double)LAT_BUCKETS / 1000;
}

static void
paced(size_t subs, size_t bytes, unsigned rate, unsigned seconds, unsigned readers, enum mix m)
{
    int64_t events = (int64_t)rate * seconds;
    struct bench b = {.client_count = subs, .max_id = events};
    struct reader *rs = calloc(readers, sizeof(*rs));
    b.clients = calloc(subs, sizeof(*b.clients));
    b.work = calloc(subs, sizeof(*b.work));
    b.published_at = calloc((size_t)events + 1, sizeof(*b.published_at));
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    b.h = hub_new(NULL);
    subscribe_all(&b, m, true);
    arm_all(&b);
    for (unsigned i = 0; i < readers; i++) {
        rs[i].b = &b;
        rs[i].lat = calloc(LAT_BUCKETS, sizeof(*rs[i].lat));
        pthread_create(&rs[i].t, NULL, reader_main, &rs[i]);
    }
    char *json = make_json(bytes);
    double cpu0 = cpu_seconds();
    int64_t wall0 = now_ns(CLOCK_MONOTONIC), pub_cpu = 0, pub_wall = 0;
    for (int64_t id = 1; id <= events; id++) {
        int64_t due = wall0 + (id - 1) * 1000000000LL / rate;
        int64_t wait = due - now_ns(CLOCK_MONOTONIC);
        if (wait > 0)
            nanosleep(&(struct timespec){wait / 1000000000, wait % 1000000000}, NULL);
        int64_t c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
        publish_event(&b, id, json);
        pub_cpu += now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
        pub_wall += now_ns(CLOCK_MONOTONIC) - w0;
    }
    /* Let the readers finish the last event. */
    uint64_t want = (uint64_t)events * (m == MIX_PUBLIC ? subs : subs / AGENCIES);
    for (int i = 0; i < 5000 && atomic_load(&b.delivered) < want; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    double wall = (double)(now_ns(CLOCK_MONOTONIC) - wall0) / 1e9;
    double cpu = cpu_seconds() - cpu0;
    size_t rss = rss_bytes();
    pthread_mutex_lock(&b.mu);
    b.stop = true;
    pthread_cond_broadcast(&b.cv);
    pthread_mutex_unlock(&b.mu);
    uint64_t *hist = calloc(LAT_BUCKETS, sizeof(*hist)), count = 0;
    for (unsigned i = 0; i < readers; i++) {
        pthread_join(rs[i].t, NULL);
        for (size_t k = 0; k < LAT_BUCKETS; k++) {
            hist[k] += rs[i].lat[k];
            count += rs[i].lat[k];
        }
        free(rs[i].lat);
    }
    printf("| %s | %" PRId64 " | %" PRIu64 " / %" PRIu64 " | %.3f | %.3f | %.3f | %.1f | %.1f | "
           "%.0f%% | %.0f |\n",
           mix_names[m], events, (uint64_t)atomic_load(&b.delivered), want,
           percentile(hist, count, 0.50), percentile(hist, count, 0.99),
           percentile(hist, count, 0.999), (double)pub_wall / (double)events / 1000,
           (double)pub_cpu / (double)events / 1000, 100 * cpu / wall, (double)rss / (1 << 20));
    unsubscribe_all(&b);
    hub_free(b.h);
    pthread_cond_destroy(&b.cv);
    pthread_mutex_destroy(&b.mu);
    free(hist);
    free(rs);
    free(b.clients);
    free(b.work);
    free((void *)b.published_at);
    free(json);
}

static unsigned long
arg_num(int argc, char **argv, const char *name, unsigned long def)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            uint64_t v;
            if (str_to_u64(str_from_cstr(argv[i + 1]), 100000000, &v) != ERR_OK || v == 0) {
                fprintf(stderr, "hub_bench: bad %s\n", name);
                exit(2);
            }
            return (unsigned long)v;
        }
    }
    return def;
}

int
main(int argc, char **argv)
{
    size_t subs = arg_num(argc, argv, "--subs", 10000);
    unsigned rate = (unsigned)arg_num(argc, argv, "--rate", 100);
    unsigned seconds = (unsigned)arg_num(argc, argv, "--seconds", 10);
    size_t bytes = arg_num(argc, argv, "--bytes", 300);
    unsigned readers = (unsigned)arg_num(argc, argv, "--readers", 2);

    printf("# realtime hub bench: %zu subscribers, %zu-byte JSON, %ld CPUs\n\n", subs, bytes,
           sysconf(_SC_NPROCESSORS_ONLN));
    idle_memory(subs);

    printf("## hub_publish() cost, every matching subscriber waiting\n\n");
    printf("| subscribers | wake callback | matched | us/event mean | us/event max | "
           "ns per matched sub |\n");
    printf("|---|---|---:|---:|---:|---:|\n");
    publish_cost(subs, bytes, MIX_PUBLIC, false);
    publish_cost(subs, bytes, MIX_PUBLIC, true);
    publish_cost(subs, bytes, MIX_AGENCIES, false);
    publish_cost(subs, bytes, MIX_AGENCIES, true);

    printf("\n## Paced: %u events/s for %u s, %u reader threads draining on wake\n\n", rate,
           seconds, readers);
    printf("| subscribers | events | delivered / expected | p50 ms | p99 ms | p99.9 ms | "
           "publish us (wall) | publish us (CPU) | process CPU | RSS MiB |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    paced(subs, bytes, rate, seconds, readers, MIX_PUBLIC);
    paced(subs, bytes, rate, seconds, readers, MIX_AGENCIES);
    printf("\nLatency is publish start to the reader's copy of the frame (hub_sub_read), "
           "through a wake callback that queues the subscriber for a reader thread: the hub's "
           "part of an SSE delivery, without sockets.\n");
    return 0;
}
