/*
 * test_events.c - GET /api/v1/events, the live stream, on the real binary.
 * A small SSE reader of its own (HTTP/1.0, so the body is the raw event
 * stream, or HTTP/1.1, whose chunks it decodes strictly) checks: events
 * arrive after their commit with increasing ids; the
 * public stream and each agency's stream carry what they may; a reconnect
 * with Last-Event-ID is replayed with no gap and no duplicate, from the ring
 * and, after a restart, from the store; following one appeal needs its
 * secret; the heartbeat comes and dead clients are reaped; a consumer that
 * stops reading is dropped while the server stays small; SIGTERM ends every
 * stream and the server exits 0 (also with 1,000 streams open, half of them
 * chunked); a peer that resets is reaped at once; bad parameters are
 * 400/404 problems.
 * (The browser's EventSource and npm eventsource read it in tests/e2e.)
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/util.h"
#include "integration/srv.h"

#define AGENCY_ROADS "almaty-city.roads"
#define AGENCY_HEALTH "almaty-city.health"

enum { MAX_EVENTS = 4096 };

struct sse_event {
    long long id; /* -1: none */
    char kind[64];
    char *data;
};

struct sse {
    int fd;
    bool http11; /* the request was HTTP/1.1: the body is chunked */
    char *raw;   /* bytes received and not yet decoded */
    size_t raw_len, raw_cap;
    size_t chunk_left; /* bytes of the current chunk still to come */
    bool in_chunk;     /* its data, then its CRLF, are next */
    bool last_chunk;   /* "0\r\n\r\n" came: the body ended cleanly */
    size_t chunks;
    char *buf; /* body bytes not yet parsed */
    size_t len, cap;
    bool headers_done, eof;
    int status;
    char ctype[128];
    struct sse_event ev[MAX_EVENTS];
    size_t n;
    int pings;
};

static struct sse *
sse_open_version(struct srv *s, const char *path, const char *extra_headers, int rcvbuf,
                 bool http11)
{
    struct sse *c = calloc(1, sizeof(*c));
    c->http11 = http11;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(c->fd >= 0);
    if (rcvbuf > 0)
        assert_int_equal(setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)srv_port(s))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    char req[2048];
    int n = snprintf(req, sizeof(req),
                     "GET %s HTTP/1.%d\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n%s\r\n",
                     path, http11 ? 1 : 0, extra_headers ? extra_headers : "");
    assert_true(n > 0 && (size_t)n < sizeof(req));
    assert_int_equal(write(c->fd, req, (size_t)n), n);
    return c;
}

static struct sse *
sse_open(struct srv *s, const char *path, const char *extra_headers, int rcvbuf)
{
    return sse_open_version(s, path, extra_headers, rcvbuf, false);
}

static void
sse_close(struct sse *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    for (size_t i = 0; i < c->n; i++)
        free(c->ev[i].data);
    free(c->buf);
    free(c->raw);
    free(c);
}

static void
body_append(struct sse *c, const char *p, size_t n)
{
    if (c->cap - c->len < n + 1) {
        c->cap = c->cap * 2 + n + 131072;
        c->buf = realloc(c->buf, c->cap + 1);
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

/* The response head, once: status, content type, and the framing that
 * matches the request's version. */
static void
head_parse(struct sse *c)
{
    char *end = c->raw_len ? memmem(c->raw, c->raw_len, "\r\n\r\n", 4) : NULL;
    if (!end)
        return;
    *end = '\0';
    assert_int_equal(sscanf(c->raw, "HTTP/1.%*d %d", &c->status), 1);
    const char *ct = strcasestr(c->raw, "\r\ncontent-type:");
    if (ct)
        sscanf(ct + 15, " %127[^\r]", c->ctype);
    bool chunked = strcasestr(c->raw, "\r\ntransfer-encoding: chunked") != NULL;
    if (c->status == 200 && chunked != c->http11)
        fail_msg("HTTP/1.%d stream, chunked %d: %s", c->http11, chunked, c->raw);
    c->http11 = chunked;
    size_t head = (size_t)(end + 4 - c->raw);
    memmove(c->raw, c->raw + head, c->raw_len - head);
    c->raw_len -= head;
    c->headers_done = true;
}

/* Move the body out of raw: as is (HTTP/1.0), or decoded from chunks that
 * must be exactly "<hex>\r\n<data>\r\n" (no extensions; we send none). */
static void
body_decode(struct sse *c)
{
    size_t used = 0;
    if (!c->http11) {
        body_append(c, c->raw, c->raw_len);
        c->raw_len = 0;
        return;
    }
    while (used < c->raw_len && !c->last_chunk) {
        const char *p = c->raw + used;
        size_t left = c->raw_len - used;
        if (c->in_chunk && c->chunk_left) {
            size_t take = MIN(left, c->chunk_left);
            body_append(c, p, take);
            c->chunk_left -= take;
            used += take;
            continue;
        }
        if (c->in_chunk) {
            if (left < 2)
                break;
            if (p[0] != '\r' || p[1] != '\n')
                fail_msg("chunk %zu: no CRLF after its data", c->chunks);
            c->in_chunk = false;
            used += 2;
            continue;
        }
        const char *eol = memmem(p, left, "\r\n", 2);
        if (!eol) {
            if (left > 16)
                fail_msg("chunk %zu: no size line", c->chunks);
            break;
        }
        size_t size = 0, digits = (size_t)(eol - p);
        if (digits == 0 || digits > 8)
            fail_msg("chunk %zu: size line of %zu bytes", c->chunks, digits);
        for (size_t i = 0; i < digits; i++) {
            int d = p[i] >= '0' && p[i] <= '9'   ? p[i] - '0'
                    : p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10
                    : p[i] >= 'A' && p[i] <= 'F' ? p[i] - 'A' + 10
                                                 : -1;
            if (d < 0)
                fail_msg("chunk %zu: size %.*s is not hex", c->chunks, (int)digits, p);
            size = size * 16 + (size_t)d;
        }
        if (size == 0) {
            if (left < digits + 4)
                break;
            if (memcmp(eol, "\r\n\r\n", 4) != 0)
                fail_msg("the last chunk has no empty trailer");
            c->last_chunk = true;
            used += digits + 4;
            break;
        }
        c->chunks++;
        c->chunk_left = size;
        c->in_chunk = true;
        used += digits + 2;
    }
    memmove(c->raw, c->raw + used, c->raw_len - used);
    c->raw_len -= used;
    if (c->last_chunk && c->raw_len)
        fail_msg("%zu bytes after the last chunk", c->raw_len);
}

/* Parse what is buffered: the response head once, then whole events. */
static void
sse_parse(struct sse *c)
{
    if (!c->headers_done)
        head_parse(c);
    if (!c->headers_done)
        return;
    body_decode(c);
    for (;;) {
        char *end = c->len ? memmem(c->buf, c->len, "\n\n", 2) : NULL;
        if (!end)
            return;
        *end = '\0';
        struct sse_event ev = {.id = -1};
        bool any = false;
        for (char *line = c->buf, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            if (line[0] == ':') {
                c->pings += strcmp(line, ": ping") == 0;
            } else if (strncmp(line, "id: ", 4) == 0) {
                ev.id = atoll(line + 4);
                any = true;
            } else if (strncmp(line, "event: ", 7) == 0) {
                snprintf(ev.kind, sizeof(ev.kind), "%s", line + 7);
                any = true;
            } else if (strncmp(line, "data: ", 6) == 0) {
                assert_null(ev.data); /* our data is one line */
                ev.data = strdup(line + 6);
                any = true;
            }
        }
        /* Every submission also grows a cluster: those events have their own
         * test (test_clusters.c); these count the appeals' own. */
        bool cluster = strncmp(ev.kind, "cluster.", 8) == 0 || strncmp(ev.kind, "burst.", 6) == 0;
        if (any && ev.data && !cluster) {
            assert_true(c->n < MAX_EVENTS);
            c->ev[c->n++] = ev;
        } else {
            free(ev.data);
        }
        size_t used = (size_t)(end + 2 - c->buf);
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
    }
}

/* Read for up to ms, or until want events are parsed (want 0: only time),
 * or the body ends. */
static void
sse_pump(struct sse *c, size_t want, int ms)
{
    int64_t end = t_now_ms() + (int64_t)ms * srv_slow();
    while (!c->eof && !c->last_chunk && (want == 0 || c->n < want)) {
        int left = (int)(end - t_now_ms());
        if (left <= 0)
            break;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, left) <= 0)
            continue;
        if (c->raw_cap - c->raw_len < 65536) {
            c->raw_cap = c->raw_cap ? c->raw_cap * 2 : 131072;
            c->raw = realloc(c->raw, c->raw_cap + 1);
        }
        ssize_t n = read(c->fd, c->raw + c->raw_len, c->raw_cap - c->raw_len);
        if (n <= 0) {
            c->eof = true;
            break;
        }
        c->raw_len += (size_t)n;
        c->raw[c->raw_len] = '\0';
        sse_parse(c);
    }
}

static const char *
submit(struct srv *s, const char *topic, char secret[64])
{
    struct resp *r =
        srv_post(s, "/api/v1/appeals", NULL, appeal_json(t_printf("{\"topic\":\"%s\"}", topic)));
    expect_status(r, 201);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    if (secret)
        snprintf(secret, 64, "%s", resp_str(r, "secret"));
    resp_free(r);
    return tid;
}

static long long
metric(struct srv *s, const char *name)
{
    struct resp *r = srv_get(s, "/metrics", NULL);
    expect_status(r, 200);
    const char *line = strstr(r->body, t_printf("\n%s ", name));
    assert_non_null(line);
    long long v = atoll(line + strlen(name) + 2);
    resp_free(r);
    return v;
}

static void
expect_increasing(const struct sse *c)
{
    for (size_t i = 1; i < c->n; i++)
        if (c->ev[i].id <= c->ev[i - 1].id)
            fail_msg("event %zu has id %lld after %lld", i, c->ev[i].id, c->ev[i - 1].id);
}

/* ---- tests ---- */

static void
events_reach_who_may_see_them(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *roads = srv_bearer(s, srv_user(s, "off.roads", "official", AGENCY_ROADS));
    const char *health = srv_bearer(s, srv_user(s, "off.health", "official", AGENCY_HEALTH));
    const char *analyst = srv_bearer(s, srv_user(s, "an.one", "analyst", NULL));
    struct sse *pub = sse_open(s, "/api/v1/events", NULL, 0);
    struct sse *road = sse_open(s, "/api/v1/events", t_printf("%s\r\n", roads), 0);
    struct sse *heal = sse_open(s, "/api/v1/events", t_printf("%s\r\n", health), 0);
    struct sse *all = sse_open(s, "/api/v1/events", t_printf("%s\r\n", analyst), 0);
    struct sse *other = sse_open(s, "/api/v1/events?region=710000000", NULL, 0);
    sse_pump(pub, 0, 300); /* the streams are open before anything happens */
    assert_int_equal(pub->status, 200);
    assert_string_equal(pub->ctype, "text/event-stream; charset=utf-8");
    const char *tids[5];
    for (int i = 0; i < 4; i++)
        tids[i] = submit(s, "roads", NULL);
    tids[4] = submit(s, "health", NULL);

    sse_pump(pub, 5, 5000);
    sse_pump(road, 4, 5000);
    sse_pump(heal, 1, 5000);
    sse_pump(all, 5, 5000);
    sse_pump(road, 5, 300); /* a fifth would be a leak */
    sse_pump(heal, 2, 300);
    sse_pump(other, 1, 300);
    assert_int_equal(pub->n, 5);
    assert_int_equal(all->n, 5);
    assert_int_equal(road->n, 4);
    assert_int_equal(heal->n, 1);
    assert_int_equal(other->n, 0); /* Astana's stream: nothing from Almaty */
    expect_increasing(pub);
    for (size_t i = 0; i < pub->n; i++) {
        assert_string_equal(pub->ev[i].kind, "appeal.registered");
        assert_non_null(strstr(pub->ev[i].data, tids[i]));
        assert_int_equal(pub->ev[i].id, all->ev[i].id);
        /* redacted: the stream never carries the text or the contacts */
        assert_null(strstr(pub->ev[i].data, "\"text\""));
        assert_null(strstr(pub->ev[i].data, "contact"));
        assert_null(strstr(pub->ev[i].data, "@"));
        /* committed before it was published */
        assert_int_equal(srv_db_int(s, "SELECT count(*) FROM events WHERE id = ?1",
                                    t_printf("%lld", pub->ev[i].id)),
                         1);
    }
    assert_non_null(strstr(heal->ev[0].data, tids[4]));
    assert_non_null(strstr(heal->ev[0].data, AGENCY_HEALTH));
    for (size_t i = 0; i < road->n; i++)
        assert_non_null(strstr(road->ev[i].data, AGENCY_ROADS));
    assert_int_equal(metric(s, "tyndau_live_subscribers"), 5);
    sse_close(pub);
    sse_close(road);
    sse_close(heal);
    sse_close(all);
    sse_close(other);
    srv_done(s);
}

static void
reconnect_has_no_gap_and_no_duplicate(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct sse *a = sse_open(s, "/api/v1/events", NULL, 0);
    sse_pump(a, 0, 200);
    for (int i = 0; i < 3; i++)
        submit(s, "roads", NULL);
    sse_pump(a, 3, 5000);
    assert_int_equal(a->n, 3);
    long long seen = a->ev[2].id;
    sse_close(a);
    for (int i = 0; i < 4; i++) /* while the client is away */
        submit(s, "roads", NULL);
    /* from the hub's ring */
    struct sse *b = sse_open(s, "/api/v1/events", t_printf("Last-Event-ID: %lld\r\n", seen), 0);
    sse_pump(b, 4, 5000);
    submit(s, "roads", NULL); /* and straight on into live events */
    sse_pump(b, 5, 5000);
    sse_pump(b, 6, 300);
    assert_int_equal(b->n, 5);
    expect_increasing(b);
    assert_true(b->ev[0].id > seen);
    long long after =
        srv_db_int(s, "SELECT count(*) FROM events WHERE id > ?1 AND kind LIKE 'appeal.%'",
                   t_printf("%lld", seen));
    assert_int_equal(after, 5);
    long long last = b->ev[4].id, before[5];
    for (size_t i = 0; i < 5; i++)
        before[i] = b->ev[i].id;
    sse_close(b);

    /* After a restart the ring is empty: the store fills the gap. */
    srv_restart(s);
    struct sse *c = sse_open(s, "/api/v1/events", t_printf("Last-Event-ID: %lld\r\n", seen), 0);
    sse_pump(c, 5, 5000);
    submit(s, "roads", NULL);
    sse_pump(c, 6, 5000);
    sse_pump(c, 7, 300);
    assert_int_equal(c->n, 6);
    expect_increasing(c);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(c->ev[i].id, before[i]); /* the same events, from the store */
    assert_int_equal(c->ev[4].id, last);
    assert_true(c->ev[5].id > last);
    /* ?last_event_id= does the same for clients that cannot set headers */
    struct sse *d = sse_open(s, t_printf("/api/v1/events?last_event_id=%lld", last), NULL, 0);
    sse_pump(d, 1, 5000);
    sse_pump(d, 2, 300);
    assert_int_equal(d->n, 1);
    assert_int_equal(d->ev[0].id, c->ev[5].id);
    /* an id from the future: nothing up to it is sent */
    struct sse *e = sse_open(s, "/api/v1/events", "Last-Event-ID: 999999999\r\n", 0);
    submit(s, "roads", NULL);
    sse_pump(e, 1, 500);
    assert_int_equal(e->n, 0);
    sse_close(c);
    sse_close(d);
    sse_close(e);
    srv_done(s);
}

static void
following_one_appeal_needs_its_secret(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *roads = srv_bearer(s, srv_user(s, "off.roads", "official", AGENCY_ROADS));
    char sa[64], sb[64];
    const char *a = submit(s, "roads", sa);
    const char *b = submit(s, "roads", sb);
    struct resp *r = srv_get(s, t_printf("/api/v1/events?tracking=%s", a), NULL);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = srv_get(s, t_printf("/api/v1/events?tracking=%s&secret=%s", a, sb), NULL);
    expect_problem(r, 404, "/problems/not-found"); /* another appeal's secret */
    resp_free(r);
    struct sse *f = sse_open(
        s, t_printf("/api/v1/events?tracking=%s&secret=%s&last_event_id=0", a, sa), NULL, 0);
    sse_pump(f, 1, 5000);
    assert_int_equal(f->n, 1);
    assert_string_equal(f->ev[0].kind, "appeal.registered");
    assert_non_null(strstr(f->ev[0].data, a));
    r = srv_post(s, t_printf("/api/v1/appeals/%s/take", b), roads, "{}");
    expect_status(r, 200);
    resp_free(r);
    r = srv_post(s, t_printf("/api/v1/appeals/%s/take", a), roads, "{}");
    expect_status(r, 200);
    resp_free(r);
    sse_pump(f, 2, 5000);
    sse_pump(f, 3, 300);
    assert_int_equal(f->n, 2);
    assert_string_equal(f->ev[1].kind, "appeal.taken");
    assert_non_null(strstr(f->ev[1].data, a));
    assert_null(strstr(f->ev[1].data, b));
    sse_close(f);
    srv_done(s);
}

static void
heartbeat_and_dead_clients(void **state)
{
    (void)state;
    struct srv *s = srv_start("--live-heartbeat-ms=200", NULL);
    struct sse *live = sse_open(s, "/api/v1/events", NULL, 0);
    struct sse *gone[40];
    for (size_t i = 0; i < 40; i++)
        gone[i] = sse_open(s, "/api/v1/events", NULL, 0);
    sse_pump(live, 0, 700);
    assert_true(live->pings >= 2);
    assert_int_equal(metric(s, "tyndau_live_subscribers"), 41);
    for (size_t i = 0; i < 40; i++) {
        /* vanish without a FIN being read: reset the connection */
        struct linger lg = {1, 0};
        setsockopt(gone[i]->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        sse_close(gone[i]);
    }
    int64_t end = t_now_ms() + 5000 * srv_slow();
    long long subs = 41;
    while (subs != 1 && t_now_ms() < end) {
        t_sleep_ms(100);
        subs = metric(s, "tyndau_live_subscribers");
    }
    assert_int_equal(subs, 1);
    submit(s, "roads", NULL);
    sse_pump(live, 1, 5000);
    assert_int_equal(live->n, 1);
    sse_close(live);
    srv_done(s);
}

static void
slow_consumer_is_dropped(void **state)
{
    (void)state;
    struct srv *s = srv_start("--live-queue-kb=16", "--rate-submit=1000000", NULL);
    /* HTTP/1.1: a drop must not leave a torn chunk the decoder accepts */
    struct sse *slow = sse_open_version(s, "/api/v1/events", NULL, 2048, true);
    struct sse *fast = sse_open(s, "/api/v1/events", NULL, 0);
    sse_pump(slow, 0, 200);
    enum { N = 1500 };
    for (int i = 0; i < N && metric(s, "tyndau_live_dropped_total") == 0; i++) {
        for (int k = 0; k < 10; k++, i++)
            submit(s, "roads", NULL);
        sse_pump(fast, 0, 1); /* keep up */
    }
    assert_true(metric(s, "tyndau_live_dropped_total") >= 1);
    /* The fast reader was not held back nor dropped. */
    int64_t total = srv_db_int(s, "SELECT count(*) FROM events WHERE kind LIKE 'appeal.%'", NULL);
    sse_pump(fast, (size_t)total, 10000);
    assert_int_equal((long long)fast->n, (long long)total);
    expect_increasing(fast);
    /* The slow one reads what was in flight, then its stream ends. */
    sse_pump(slow, 0, 10000);
    assert_true(slow->eof || slow->last_chunk); /* HTTP/1.1 may keep the connection */
    assert_true(slow->n < (size_t)total);
    expect_increasing(slow);
    assert_int_equal(metric(s, "tyndau_live_subscribers"), 1);
    /* It reconnects where it stopped and misses nothing. */
    long long last = slow->n ? slow->ev[slow->n - 1].id : 0;
    struct sse *back = sse_open(s, "/api/v1/events", t_printf("Last-Event-ID: %lld\r\n", last), 0);
    sse_pump(back, (size_t)(total - (int64_t)slow->n), 10000);
    assert_int_equal((long long)(back->n + slow->n), (long long)total);
    sse_close(back);
    sse_close(slow);
    sse_close(fast);
    srv_done(s);
}

static void
sigterm_ends_every_stream(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct sse *c[20];
    for (size_t i = 0; i < 20; i++)
        c[i] = sse_open(s, "/api/v1/events", NULL, 0);
    submit(s, "roads", NULL);
    for (size_t i = 0; i < 20; i++) {
        sse_pump(c[i], 1, 5000);
        assert_int_equal(c[i]->n, 1);
    }
    int64_t t0 = t_now_ms();
    srv_stop(s); /* asserts a clean exit 0 */
    assert_true(t_now_ms() - t0 < 10000 * srv_slow());
    for (size_t i = 0; i < 20; i++) {
        sse_pump(c[i], 0, 3000);
        assert_true(c[i]->eof);
        sse_close(c[i]);
    }
    srv_free(s);
}

/* Both framings carry the same events, chunk after chunk, and SIGTERM ends
 * the chunked body with its last chunk; the streams are spread over three
 * writer threads. */
static void
chunked_and_raw_streams_agree(void **state)
{
    (void)state;
    struct srv *s = srv_start("--rate-submit=1000000", "--live-writers=3", NULL);
    struct sse *raw = sse_open(s, "/api/v1/events", NULL, 0);
    struct sse *ch = sse_open_version(s, "/api/v1/events", NULL, 0, true);
    const char *sup = srv_bearer(s, srv_user(s, "ch.an", "analyst", NULL));
    struct sse *staff = sse_open_version(s, "/api/v1/events", t_printf("%s\r\n", sup), 0, true);
    sse_pump(ch, 0, 300);
    enum { N = 80 };
    for (int i = 0; i < N; i++) {
        submit(s, i % 2 ? "roads" : "health", NULL);
        if (i % 10 == 0)
            sse_pump(ch, 0, 1); /* sometimes caught up, sometimes behind */
    }
    int64_t total = srv_db_int(s, "SELECT count(*) FROM events WHERE kind LIKE 'appeal.%'", NULL);
    sse_pump(raw, (size_t)total, 10000);
    sse_pump(ch, (size_t)total, 10000);
    sse_pump(staff, (size_t)total, 10000);
    assert_int_equal((long long)raw->n, (long long)total);
    assert_int_equal((long long)ch->n, (long long)total);
    assert_true(ch->chunks >= 2);
    expect_increasing(ch);
    for (size_t i = 0; i < ch->n; i++) {
        assert_int_equal(ch->ev[i].id, raw->ev[i].id);
        assert_string_equal(ch->ev[i].kind, raw->ev[i].kind);
        assert_string_equal(ch->ev[i].data, raw->ev[i].data);
    }
    assert_true(staff->n >= (size_t)total);
    srv_stop(s);
    sse_pump(raw, 0, 3000);
    sse_pump(ch, 0, 3000);
    sse_pump(staff, 0, 3000);
    assert_true(raw->eof);
    assert_true(ch->last_chunk); /* a clean end: the last chunk, not just EOF */
    assert_true(staff->last_chunk);
    sse_close(raw);
    sse_close(ch);
    sse_close(staff);
    srv_free(s);
}

/* A reset is noticed by the stream's writer at once, not at the next
 * heartbeat (15 s by default). */
static void
reset_peer_is_reaped_at_once(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct sse *live = sse_open_version(s, "/api/v1/events", NULL, 0, true);
    struct sse *gone[30];
    for (size_t i = 0; i < 30; i++)
        gone[i] = sse_open_version(s, "/api/v1/events", NULL, 0, i % 2);
    for (size_t i = 0; i < 30; i++)
        sse_pump(gone[i], 0, 50);
    assert_int_equal(metric(s, "tyndau_live_subscribers"), 31);
    for (size_t i = 0; i < 30; i++) {
        struct linger lg = {1, 0};
        setsockopt(gone[i]->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        sse_close(gone[i]);
    }
    int64_t end = t_now_ms() + 3000 * srv_slow();
    long long subs = 31;
    while (subs != 1 && t_now_ms() < end) {
        t_sleep_ms(50);
        subs = metric(s, "tyndau_live_subscribers");
    }
    assert_int_equal(subs, 1);
    submit(s, "roads", NULL);
    sse_pump(live, 1, 5000);
    assert_int_equal(live->n, 1);
    sse_close(live);
    srv_done(s);
}

/* SIGTERM with 1,000 streams open, half raw and half chunked: each reads
 * what was published, then a clean end, and the server exits 0. */
static void
sigterm_ends_a_thousand_streams(void **state)
{
    (void)state;
    enum { N = 1000 };
    struct srv *s = srv_start("--per-ip-max=2000", "--conn-max=3000", NULL);
    struct sse **c = calloc(N, sizeof(*c));
    for (size_t i = 0; i < N; i++)
        c[i] = sse_open_version(s, "/api/v1/events", NULL, 0, i % 2);
    int64_t end = t_now_ms() + 20000 * srv_slow();
    while (metric(s, "tyndau_live_subscribers") < N && t_now_ms() < end)
        t_sleep_ms(100);
    assert_int_equal(metric(s, "tyndau_live_subscribers"), N);
    submit(s, "roads", NULL);
    for (size_t i = 0; i < N; i++) {
        sse_pump(c[i], 1, 5000);
        assert_int_equal(c[i]->n, 1);
    }
    int64_t t0 = t_now_ms();
    srv_stop(s); /* asserts a clean exit 0 */
    assert_true(t_now_ms() - t0 < 10000 * srv_slow());
    for (size_t i = 0; i < N; i++) {
        sse_pump(c[i], 0, 3000);
        assert_true(i % 2 ? c[i]->last_chunk : c[i]->eof);
        sse_close(c[i]);
    }
    free(c);
    srv_free(s);
}

static void
bad_parameters_are_problems(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    static const struct {
        const char *path, *header;
        int status;
        const char *type;
    } cases[] = {
        {"/api/v1/events", "Last-Event-ID: abc", 400, "/problems/bad-request"},
        {"/api/v1/events", "Last-Event-ID: -1", 400, "/problems/bad-request"},
        {"/api/v1/events", "Last-Event-ID: 99999999999999999999", 400, "/problems/bad-request"},
        {"/api/v1/events", "Last-Event-ID: 1 2", 400, "/problems/bad-request"},
        {"/api/v1/events?last_event_id=0x10", NULL, 400, "/problems/bad-request"},
        {"/api/v1/events?region=999999999", NULL, 400, "/problems/bad-request"},
        {"/api/v1/events?region=", NULL, 400, "/problems/bad-request"},
        {"/api/v1/events?region=%3Cscript%3E", NULL, 400, "/problems/bad-request"},
        {"/api/v1/events?tracking=nosuchappealatall", NULL, 404, "/problems/not-found"},
        {"/api/v1/events?tracking=" /* 65 bytes */
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         NULL, 400, "/problems/bad-request"},
    };
    char report[8192] = "";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *h[] = {cases[i].header, NULL};
        struct resp *r = srv_req(s, "GET", cases[i].path, cases[i].header ? h : NULL, NULL);
        const char *why = check_problem(r, cases[i].status, cases[i].type);
        if (!why)
            why = check_security(r);
        if (why)
            snprintf(report + strlen(report), sizeof(report) - strlen(report), "%s [%s]: %s\n",
                     cases[i].path, cases[i].header ? cases[i].header : "", why);
        resp_free(r);
    }
    fail_report("bad stream requests", report);
    struct resp *r = srv_req(s, "POST", "/api/v1/events", NULL, "{}");
    expect_problem(r, 405, "/problems/method-not-allowed");
    resp_free(r);
    /* A request head over the per-connection pool (8 KiB: ~4 KiB of
     * headers, what keeps an idle stream small) is refused with 431. */
    char big[6000];
    memset(big, 'a', sizeof(big));
    memcpy(big, "Cookie: x=", 10);
    big[sizeof(big) - 1] = '\0';
    const char *hb[] = {big, NULL};
    r = srv_req(s, "GET", "/api/v1/events", hb, NULL);
    assert_int_equal(r->status, 431);
    resp_free(r);
    big[3000] = '\0'; /* a large but ordinary head still works */
    r = srv_req(s, "GET", "/healthz", hb, NULL);
    expect_status(r, 200);
    resp_free(r);
    r = srv_get(s, "/healthz", NULL); /* and the server is still there */
    expect_status(r, 200);
    resp_free(r);
    srv_done(s);
}

int
main(void)
{
    srv_init(600);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(events_reach_who_may_see_them, srv_teardown),
        cmocka_unit_test_teardown(reconnect_has_no_gap_and_no_duplicate, srv_teardown),
        cmocka_unit_test_teardown(following_one_appeal_needs_its_secret, srv_teardown),
        cmocka_unit_test_teardown(heartbeat_and_dead_clients, srv_teardown),
        cmocka_unit_test_teardown(slow_consumer_is_dropped, srv_teardown),
        cmocka_unit_test_teardown(sigterm_ends_every_stream, srv_teardown),
        cmocka_unit_test_teardown(chunked_and_raw_streams_agree, srv_teardown),
        cmocka_unit_test_teardown(reset_peer_is_reaped_at_once, srv_teardown),
        cmocka_unit_test_teardown(sigterm_ends_a_thousand_streams, srv_teardown),
        cmocka_unit_test_teardown(bad_parameters_are_problems, srv_teardown),
    };
    return cmocka_run_group_tests_name("live events", tests, NULL, NULL);
}
