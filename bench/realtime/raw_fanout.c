/*
 * raw_fanout.c - the machine's floor for the live stream's fan-out, measured
 * by bench/realtime/run.sh beside tyndau and nchan with the same client
 * (sse_bench --mode raw). It is the least work any SSE server can do per
 * event, not a competitor: no store, no fsync, no filtering, no framing
 * beyond one shared frame, no HTTP beyond what sse_bench sends.
 *
 *   raw_fanout --port P [--writers 1|2] [--frame-bytes N] [--subs-max N]
 *              [--sync-file PATH]
 *
 * Listens on 127.0.0.1:P. A GET is a subscriber: it is answered with an
 * HTTP/1.0 text/event-stream head and its socket handed to a writer thread
 * (subscriber i belongs to writer i % W). A POST is a publish: its body is
 * the event number k; it is answered 200 at once, then the frame
 * "id: k\ndata: k\n\n" (padded with a comment line to N bytes when N is
 * larger) goes into a ring and the writers are woken. Each writer sends
 * every frame it has not sent yet to each of its sockets in one
 * non-blocking send per socket, one pass over the sockets for all of them
 * (a writer that falls behind sends the frames together). A socket that
 * cannot take the whole send keeps the rest and gets it first next time;
 * one that errs or holds more than PENDING_MAX is closed. --sync-file
 * makes each publish durable first, as tyndau's is: its body is appended to
 * PATH and fdatasync'd before the answer and the fan-out (the floor for a
 * server that must not lose an acknowledged event). Stops on SIGTERM
 * or SIGINT and prints name=value counts on stderr.
 *
 * Exports nothing; a tool, not part of tyndau.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define WRITERS_MAX 2
#define RING 1024          /* frames a writer may fall behind before it skips */
#define FRAME_MAX 2048     /* bytes of one frame, padding included */
#define HEAD_MAX 4096      /* bytes of one request, head and body */
#define PENDING_MAX 262144 /* bytes a socket may owe before it is closed */

struct frame {
    size_t len;
    char p[FRAME_MAX];
};

struct sub {
    int fd;        /* -1 once closed */
    char *pending; /* bytes the socket has not taken yet; owned by its writer */
    size_t pending_len;
};

struct conn {
    int fd;
    size_t len;
    char buf[HEAD_MAX];
};

struct writer {
    pthread_t th;
    unsigned idx;
    uint64_t done;       /* last frame sent; only this writer */
    size_t pending_subs; /* its sockets with pending bytes */
    char *batch;         /* RING * FRAME_MAX bytes */
    uint64_t sends, short_sends, closed, skipped;
};

static struct frame ring[RING];
static struct sub *subs;
static size_t subs_max = 65536;
static _Atomic size_t subs_count; /* main thread appends, then publishes the count */
static unsigned writers_n = 1;
static size_t frame_bytes;
static int sync_fd = -1; /* --sync-file: only the main thread */
static struct writer writers[WRITERS_MAX];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static uint64_t pub_seq; /* guarded by mu: frames put in the ring */
static bool stopping;    /* guarded by mu */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
}

/* Parse the decimal digits at p (at most len of them); false if none or too many. */
static bool
parse_u64(const char *p, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *out = v;
    return i > 0;
}

static void
frame_build(struct frame *f, uint64_t k)
{
    int n = snprintf(f->p, sizeof(f->p), "id: %" PRIu64 "\n", k);
    size_t len = (size_t)n;
    char data[32];
    int dn = snprintf(data, sizeof(data), "data: %" PRIu64 "\n\n", k);
    size_t need = len + (size_t)dn;
    if (frame_bytes > need + 3) { /* ": " + padding + "\n" */
        size_t pad = frame_bytes - need - 3;
        f->p[len++] = ':';
        f->p[len++] = ' ';
        memset(f->p + len, 'x', pad);
        len += pad;
        f->p[len++] = '\n';
    }
    memcpy(f->p + len, data, (size_t)dn);
    f->len = len + (size_t)dn;
}

static void
sub_close(struct writer *w, struct sub *s)
{
    close(s->fd);
    s->fd = -1;
    if (s->pending_len)
        w->pending_subs--;
    free(s->pending);
    s->pending = NULL;
    s->pending_len = 0;
    w->closed++;
}

/* Keep the bytes of iov[0..n) from offset sent on as s's pending bytes. */
static void
sub_keep(struct writer *w, struct sub *s, const struct iovec *iov, int n, size_t sent)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    size_t rest = total - sent;
    if (rest > PENDING_MAX) {
        sub_close(w, s);
        return;
    }
    char *p = malloc(rest);
    if (!p) {
        sub_close(w, s);
        return;
    }
    size_t at = 0, skip = sent;
    for (int i = 0; i < n; i++) {
        size_t l = iov[i].iov_len;
        if (skip >= l) {
            skip -= l;
            continue;
        }
        memcpy(p + at, (const char *)iov[i].iov_base + skip, l - skip);
        at += l - skip;
        skip = 0;
    }
    if (!s->pending_len)
        w->pending_subs++;
    free(s->pending);
    s->pending = p;
    s->pending_len = rest;
}

/* One non-blocking send of s's pending bytes and then len bytes of p. */
static void
sub_send(struct writer *w, struct sub *s, const char *p, size_t len)
{
    struct iovec iov[2];
    int n = 0;
    if (s->pending_len)
        iov[n++] = (struct iovec){s->pending, s->pending_len};
    if (len)
        iov[n++] = (struct iovec){(void *)p, len};
    if (!n)
        return;
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t r = sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
    w->sends++;
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        sub_close(w, s);
        return;
    }
    size_t sent = r < 0 ? 0 : (size_t)r;
    size_t total = s->pending_len + len;
    if (sent == total) {
        if (s->pending_len) {
            free(s->pending);
            s->pending = NULL;
            s->pending_len = 0;
            w->pending_subs--;
        }
        return;
    }
    w->short_sends++;
    sub_keep(w, s, iov, n, sent);
}

static void *
writer_run(void *arg)
{
    struct writer *w = arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (!stopping && w->done == pub_seq) {
            if (!w->pending_subs) {
                pthread_cond_wait(&cv, &mu);
                continue;
            }
            /* sockets owe bytes: retry them every 5 ms while no frame comes */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 5000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
                break;
        }
        uint64_t upto = pub_seq;
        bool stop = stopping;
        pthread_mutex_unlock(&mu);
        if (stop)
            return NULL;
        if (upto - w->done > RING - 1) { /* the ring has moved on: lose the oldest */
            w->skipped += upto - w->done - (RING - 1);
            w->done = upto - (RING - 1);
        }
        size_t len = 0;
        for (uint64_t q = w->done + 1; q <= upto; q++) {
            const struct frame *f = &ring[q % RING];
            memcpy(w->batch + len, f->p, f->len);
            len += f->len;
        }
        w->done = upto;
        size_t n = atomic_load_explicit(&subs_count, memory_order_acquire);
        for (size_t i = w->idx; i < n; i += writers_n) {
            struct sub *s = &subs[i];
            if (s->fd >= 0 && (len || s->pending_len))
                sub_send(w, s, w->batch, len);
        }
    }
}

static void
publish(uint64_t k)
{
    pthread_mutex_lock(&mu);
    uint64_t q = pub_seq + 1;
    pthread_mutex_unlock(&mu);
    /* Only this thread publishes, and no writer reads slot q before pub_seq reaches it. */
    frame_build(&ring[q % RING], k);
    pthread_mutex_lock(&mu);
    pub_seq = q;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void
reply(int fd, const char *s)
{
    (void)send(fd, s, strlen(s), MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* The value of header name (lowercase, with its colon) in head, or NULL. */
static const char *
header(const char *head, size_t len, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl <= len; i++) {
        if ((i == 0 || head[i - 1] == '\n') && strncasecmp(head + i, name, nl) == 0) {
            const char *v = head + i + nl;
            while (v < head + len && *v == ' ')
                v++;
            return v;
        }
    }
    return NULL;
}

/* Handle c's bytes so far: true when c is finished (handed on or to be closed). */
static bool
conn_step(int ep, struct conn *c)
{
    const char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end) {
        if (c->len < sizeof(c->buf))
            return false;
        reply(c->fd, "HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n");
        close(c->fd);
        return true;
    }
    size_t head_len = (size_t)(end - c->buf) + 4;
    if (c->len >= 4 && memcmp(c->buf, "GET ", 4) == 0) {
        size_t i = atomic_load_explicit(&subs_count, memory_order_relaxed);
        if (i == subs_max) {
            reply(c->fd, "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
            close(c->fd);
            return true;
        }
        (void)epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        reply(c->fd, "HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n"
                     "Cache-Control: no-cache\r\n\r\n");
        subs[i] = (struct sub){.fd = c->fd};
        atomic_store_explicit(&subs_count, i + 1, memory_order_release);
        return true;
    }
    if (c->len >= 5 && memcmp(c->buf, "POST ", 5) == 0) {
        const char *cl = header(c->buf, head_len, "content-length:");
        uint64_t body_len = 0;
        if (!cl || !parse_u64(cl, (size_t)(c->buf + head_len - cl), &body_len) ||
            body_len > sizeof(c->buf) - head_len) {
            reply(c->fd, "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            close(c->fd);
            return true;
        }
        if (c->len < head_len + body_len)
            return false;
        uint64_t k = 0;
        if (!parse_u64(c->buf + head_len, (size_t)body_len, &k)) {
            reply(c->fd, "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            close(c->fd);
            return true;
        }
        if (sync_fd >= 0 &&
            (write(sync_fd, c->buf + head_len, (size_t)body_len) != (ssize_t)body_len ||
             fdatasync(sync_fd) != 0)) {
            reply(c->fd, "HTTP/1.0 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
            close(c->fd);
            return true;
        }
        reply(c->fd, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        close(c->fd);
        publish(k);
        return true;
    }
    reply(c->fd, "HTTP/1.0 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
    close(c->fd);
    return true;
}

static int
listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 65535) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
accept_all(int ep, int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0)
            return;
        struct conn *c = calloc(1, sizeof(*c));
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
        }
    }
}

static void
conn_read(int ep, struct conn *c)
{
    ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (r <= 0) {
        close(c->fd);
        free(c);
        return;
    }
    c->len += (size_t)r;
    if (conn_step(ep, c))
        free(c);
}

static bool
parse_opt(const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return parse_u64(v, strlen(v), out) && v[strspn(v, "0123456789")] == '\0' && *out >= lo &&
           *out <= hi;
}

int
main(int argc, char **argv)
{
    uint64_t port = 0, v;
    const char *sync_path = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *val = argv[i + 1];
        if (!strcmp(k, "--port") && parse_opt(val, 1, 65535, &v))
            port = v;
        else if (!strcmp(k, "--writers") && parse_opt(val, 1, WRITERS_MAX, &v))
            writers_n = (unsigned)v;
        else if (!strcmp(k, "--frame-bytes") && parse_opt(val, 0, FRAME_MAX, &v))
            frame_bytes = (size_t)v;
        else if (!strcmp(k, "--subs-max") && parse_opt(val, 1, 1000000, &v))
            subs_max = (size_t)v;
        else if (!strcmp(k, "--sync-file"))
            sync_path = val;
        else {
            fprintf(stderr, "raw_fanout: bad option %s %s\n", k, val);
            return 2;
        }
    }
    if (!port || argc % 2 == 0) {
        fprintf(stderr, "usage: raw_fanout --port P [--writers 1|2] [--frame-bytes N]"
                        " [--subs-max N] [--sync-file PATH]\n");
        return 2;
    }
    if (sync_path) {
        sync_fd = open(sync_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (sync_fd < 0) {
            fprintf(stderr, "raw_fanout: cannot open %s: %s\n", sync_path, strerror(errno));
            return 1;
        }
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    subs = calloc(subs_max, sizeof(*subs));
    int lfd = listen_on((int)port);
    int ep = epoll_create1(0);
    if (!subs || lfd < 0 || ep < 0) {
        fprintf(stderr, "raw_fanout: cannot listen on 127.0.0.1:%" PRIu64 ": %s\n", port,
                strerror(errno));
        return 1;
    }
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    for (unsigned w = 0; w < writers_n; w++) {
        writers[w].idx = w;
        writers[w].batch = malloc((size_t)RING * FRAME_MAX);
        if (!writers[w].batch || pthread_create(&writers[w].th, NULL, writer_run, &writers[w])) {
            fprintf(stderr, "raw_fanout: cannot start writer %u\n", w);
            return 1;
        }
    }
    struct epoll_event evs[256];
    while (!got_signal) {
        int n = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), 200);
        for (int j = 0; j < n; j++) {
            if (!evs[j].data.ptr)
                accept_all(ep, lfd);
            else
                conn_read(ep, evs[j].data.ptr);
        }
    }
    pthread_mutex_lock(&mu);
    stopping = true;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    uint64_t sends = 0, short_sends = 0, closed = 0, skipped = 0;
    for (unsigned w = 0; w < writers_n; w++) {
        pthread_join(writers[w].th, NULL);
        sends += writers[w].sends;
        short_sends += writers[w].short_sends;
        closed += writers[w].closed;
        skipped += writers[w].skipped;
        free(writers[w].batch);
    }
    fprintf(stderr,
            "subs=%zu\npublished=%" PRIu64 "\nsends=%" PRIu64 "\nshort_sends=%" PRIu64
            "\nclosed=%" PRIu64 "\nskipped_frames=%" PRIu64 "\n",
            atomic_load(&subs_count), pub_seq, sends, short_sends, closed, skipped);
    size_t n = atomic_load(&subs_count);
    for (size_t i = 0; i < n; i++) {
        if (subs[i].fd >= 0)
            close(subs[i].fd);
        free(subs[i].pending);
    }
    free(subs);
    if (sync_fd >= 0)
        close(sync_fd);
    close(ep);
    close(lfd);
    return 0;
}
