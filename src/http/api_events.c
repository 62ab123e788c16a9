/*
 * api_events.c - GET /api/v1/events: the live stream as Server-Sent Events.
 * One stream per tab carries every kind of event the caller may see
 * (app_live_filter() decides); ?region= narrows it to a region and
 * ?tracking= (with the appeal's secret, or as its agency's staff) to one
 * appeal. A reconnect's Last-Event-ID (or ?last_event_id=) is replayed from
 * the hub's ring and, for what the ring no longer holds, from the store, so
 * the client sees no gap and no event twice. Exports h_events().
 *
 * The body is pulled by MHD through reader(). With nothing to send it
 * suspends the connection (never a busy loop); the hub's wake resumes it on
 * the next event, heartbeat (every 15 s: it also finds dead clients), drop
 * (a subscriber too far behind is ended and reconnects) or close (SIGTERM).
 * A flag pair under the stream's lock orders wake against suspend: see
 * realtime/hub.h.
 *
 * MHD sends the head, the preamble and any replay. Once the stream has
 * caught up (no gap, nothing of its own buffered, and MHD calls the reader
 * only after sending all it queued before), the reader hands the socket to
 * the hub's writers (hub_sub_attach()) and suspends for good: each event is
 * then one shared, ready-framed chunk (HTTP/1.1) or raw frame (HTTP/1.0,
 * close-delimited) and one non-blocking send per stream, instead of a
 * resume, a pass of MHD's state machine and a suspend. The hub resumes the
 * connection only to end the stream, after its writer has let go of the
 * socket; MHD then ends and frees it as before.
 */
#include "http/http_int.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/log.h"
#include "base/str.h"
#include "base/xalloc.h"
#include "realtime/sse.h"

enum {
    REPLAY_CHUNK = 256,        /* store rows read per step of a replay */
    REPLAY_MAX = 100000,       /* events a reconnect may be behind; further: reset */
    REPLAY_BUF = 1024 * 1024,  /* bytes framed per step at most */
    RETRY_MS = 3000,           /* the client's reconnect delay */
    PARAM_MAX = 64,            /* longest tracking id or region code */
    STREAM_SNDBUF = 32 * 1024, /* a stream's kernel send buffer: fixed, no autotuning */
};

struct stream {
    struct app *app;
    struct MHD_Connection *conn;
    struct hub_sub *sub;
    struct hub_filter filter; /* its strings are the copies below */
    char *agency, *region;
    int64_t gap_after, gap_to; /* store ids still to replay: (after, to] */
    bool in_gap;
    struct buf out; /* framed bytes not yet sent (the preamble, a replay step) */
    size_t out_off;
    int fd;        /* the connection's socket; -1: unknown (MHD writes all) */
    bool chunked;  /* HTTP/1.1: MHD frames the body as chunks */
    bool attached; /* the hub's writers own the writing */
    pthread_mutex_t mu;
    bool suspended, pending; /* guarded by mu */
};

static void
wake(void *arg)
{
    struct stream *st = arg;
    pthread_mutex_lock(&st->mu);
    if (st->suspended) {
        st->suspended = false;
        MHD_resume_connection(st->conn);
    } else {
        st->pending = true;
    }
    pthread_mutex_unlock(&st->mu);
}

static void
stream_free(void *cls)
{
    struct stream *st = cls;
    if (st->sub) {
        hub_unsubscribe(st->sub); /* after it returns wake never runs again */
        st->sub = hub_sub_unref(st->sub, __func__);
    }
    buf_fini(&st->out);
    pthread_mutex_destroy(&st->mu);
    free(st->agency);
    free(st->region);
    free(st);
}

/* Frame the next step of the replay into st->out. */
static enum err
replay_step(struct stream *st)
{
    struct arena *a = arena_new();
    int64_t last;
    buf_reset(&st->out);
    st->out_off = 0;
    enum err e = app_live_replay(st->app, a, &st->filter, st->gap_after, st->gap_to, REPLAY_CHUNK,
                                 &st->out, &last);
    arena_free(a);
    if (e)
        return e;
    st->gap_after = last;
    if (last >= st->gap_to)
        st->in_gap = false;
    return ERR_OK;
}

static ssize_t
reader(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream *st = cls;
    (void)pos;
    for (;;) {
        if (st->out_off < st->out.len) {
            size_t n = st->out.len - st->out_off;
            if (n > max)
                n = max;
            memcpy(out, st->out.p + st->out_off, n);
            st->out_off += n;
            if (st->out_off == st->out.len && !st->in_gap) {
                buf_fini(&st->out); /* an idle stream keeps no buffer */
                st->out = BUF_INIT(REPLAY_BUF);
                st->out_off = 0;
            }
            return (ssize_t)n;
        }
        if (st->in_gap) {
            if (replay_step(st)) {
                log_warn("live: replay from the store failed; ending the stream");
                return MHD_CONTENT_READER_END_WITH_ERROR;
            }
            continue;
        }
        enum hub_read_state rs;
        size_t n = hub_sub_read(st->sub, out, max, &rs);
        switch (rs) {
        case HUB_DATA:
            return (ssize_t)n;
        case HUB_DROPPED:
        case HUB_CLOSED:
            return MHD_CONTENT_READER_END_OF_STREAM;
        case HUB_FAILED:
            return MHD_CONTENT_READER_END_WITH_ERROR;
        case HUB_EMPTY:
            break;
        }
        if (!st->attached && st->fd >= 0 && hub_sub_attach(st->sub, st->fd, st->chunked) == ERR_OK)
            st->attached = true;
        pthread_mutex_lock(&st->mu);
        if (st->pending) {
            st->pending = false;
            pthread_mutex_unlock(&st->mu);
            continue; /* woken before we could wait: read again */
        }
        st->suspended = true;
        MHD_suspend_connection(st->conn);
        pthread_mutex_unlock(&st->mu);
        return 0;
    }
}

/* A query parameter of at most PARAM_MAX bytes of [A-Za-z0-9_.-], or NULL. */
static bool
param(struct req *r, const char *name, const char **out)
{
    const char *v = http_query(r, name);
    *out = NULL;
    if (!v)
        return true;
    size_t n = strlen(v);
    bool ok = n > 0 && n <= PARAM_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = v[i];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-';
    }
    if (!ok) {
        http_problem(r, 400, "bad-request", "a query parameter is malformed", name);
        return false;
    }
    *out = v;
    return true;
}

enum handled
h_events(struct req *r)
{
    const char *tracking, *region;
    if (!param(r, "tracking", &tracking) || !param(r, "region", &region))
        return HANDLED_DONE;
    int64_t last_id = HUB_LIVE;
    const char *lei = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Last-Event-ID");
    const char *lei_field = "Last-Event-ID";
    if (!lei) {
        lei = http_query(r, "last_event_id");
        lei_field = "last_event_id";
    }
    if (lei && sse_parse_last_event_id(str_from_cstr(lei), &last_id))
        return http_problem(r, 400, "bad-request", "Last-Event-ID must be an event id (digits)",
                            lei_field);
    struct hub_filter f;
    const char *why;
    enum err e = app_live_filter(r->app, r->arena, &r->caller, tracking, region, &f, &why);
    if (e == ERR_INVALID)
        return http_problem(r, 400, "bad-request", why, "region");
    if (e == ERR_NOTFOUND)
        return http_problem(r, 404, "not-found", why, "tracking");
    if (e)
        return http_problem_err(r, e, "cannot open the stream");

    struct stream *st = xcalloc(1, sizeof(*st));
    st->app = r->app;
    st->conn = r->conn;
    st->agency = f.agency ? xstrdup(f.agency) : NULL;
    st->region = f.region ? xstrdup(f.region) : NULL;
    st->filter = f;
    st->filter.agency = st->agency;
    st->filter.region = st->region;
    pthread_mutex_init(&st->mu, NULL);
    st->out = BUF_INIT(REPLAY_BUF);
    buf_printf(&st->out, "retry: %d\n\n", RETRY_MS);
    st->sub = hub_subscribe(app_live_hub(r->app), &st->filter, last_id, wake, st);
    int64_t from, to;
    if (hub_sub_gap(st->sub, &from, &to)) {
        if (to - from + 1 > REPLAY_MAX) {
            /* Too far behind to replay: say so, and go on from here. */
            (void)sse_frame(&st->out, to, "stream.reset",
                            "{\"reason\":\"too far behind to replay; reload the page\"}");
        } else {
            st->gap_after = from - 1;
            st->gap_to = to;
            st->in_gap = true;
        }
    }
    /* A reader that stops must fall behind in our queue, where it is
     * dropped, not in a kernel buffer that grows to megabytes. */
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int sndbuf = STREAM_SNDBUF, on = 1, off = 0;
    st->fd = -1;
    st->chunked = !r->http_1_0;
    if (ci) {
        st->fd = ci->connect_fd;
        (void)setsockopt(st->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
        /* Each direct send is whole frames: no Nagle delay behind an
         * unacknowledged one, and no cork left from the head. */
        (void)setsockopt(st->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        (void)setsockopt(st->fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
    }
    http_add_header(r, "X-Accel-Buffering", "no");
    return http_reply_stream(r, 200, "text/event-stream; charset=utf-8", reader, st, stream_free);
}
