/*
 * sse_bench.c - fan-out benchmark for a Server-Sent Events server: open N
 * subscribers (spread over 127.0.0.x source addresses), then publish E
 * events at R per second through the server's own publishing path and
 * measure, for every delivery, the time from the publish request being sent
 * to the event being read by each subscriber. Also the server's RSS before
 * the subscribers connect and once they are idle. To tell the parts of a
 * latency apart it also prints the publish request's own round trip
 * (pub_ack: sent to response read), each event's spread (first to last of
 * its deliveries: the server's fan-out plus this reader's pass over the
 * sockets), the rate the events were really published at, how late a
 * publish was sent against its schedule, and the CPU this program and the
 * server used while publishing.
 *
 * The publisher is open-loop: the k-th publish is due k-1 gaps (1/R) after
 * the first, and C threads (--pub-conns, 64), each with its own keep-alive
 * connection (a new one when the server closes it), take the next due
 * publish as soon as they are free, so a slow answer does not hold back the
 * next publish unless C of them are outstanding at once (pub_late_* says).
 *
 *   sse_bench --port P --sub-path PATH --pub-path PATH --mode tyndau|nchan|raw
 *             [--subs N] [--rate R] [--events E] [--pid PID] [--per-ip K]
 *             [--warmup W] [--pub-conns C]
 *
 * tyndau: publish = POST an appeal (the event is published after its
 * durable commit, before the 201); the k-th appeal committed carries
 * registration number 75-YYYY-k (a fresh database, this program the only
 * writer), and so does its appeal.registered event; as publishes may
 * overlap, each delivery is timed from the send of the request whose answer
 * named that number (the other events of the stream, such as cluster.grew,
 * are read and not counted). nchan: publish = POST "k" to
 * the publisher location, and the event's data is k. raw (the floor server,
 * bench/realtime/raw_fanout.c) is published and read exactly as nchan is,
 * and only named apart in the output. Subscriptions are HTTP/1.0, so
 * bodies are not chunked; publishes are HTTP/1.1 with a Content-Length.
 * --warmup publishes W events (numbered 0, and tyndau's registration
 * numbers 1..W) before the subscribers connect, so that a server's start-up
 * costs stay out of the measurement. Prints name=value lines. Bounded: it
 * gives up E/R + 20 seconds after publishing starts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct sub {
    int fd;
    int state;       /* 0 connecting/sent, 1 headers read, 2 closed */
    char tail[192];  /* an unfinished line's start, carried to the next read */
    bool registered; /* the event being read is appeal.registered */
    size_t tail_len;
    long long last; /* last event number seen */
};

/* One delivery: event number k read t_us after publishing began. */
struct delivery {
    uint32_t k;
    uint32_t t_us;
};

static int port, subs_n = 10000, rate = 100, events_n = 1000, per_ip = 250, warmup_n;
static int pub_conns = 64;
static const char *sub_path, *pub_path, *mode = "tyndau";
static long pid;
static int64_t t_pub0;            /* ns: publishing began; the first publish is due */
static int64_t *t_send;           /* ns, per event number 1..events_n: its request was sent */
static int64_t *t_req;            /* ns, per publish 1..events_n (send order): sent */
static int64_t *t_ack;            /* ns, per publish: its response was read */
static int64_t *t_first, *t_last; /* ns: first and last delivery of each event */
static atomic_int published;      /* publishes answered */
static atomic_llong next_pub;     /* the next publish a publisher thread takes */
static struct delivery *dl;       /* every delivery, timed after the run */
static size_t lat_n, lat_cap;
static long long dup_or_gap;

/* nchan and raw: the publish body is k and so is the event's data. */
static bool
plain_mode(void)
{
    return strcmp(mode, "nchan") == 0 || strcmp(mode, "raw") == 0;
}

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long
rss_kb(long p)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%ld/status", p);
    FILE *f = fopen(path, "r");
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* CPU seconds (user + system) pid has used, from /proc/pid/stat. */
static double
cpu_s(long p)
{
    char path[64], line[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", p);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';
    char *q = strrchr(line, ')');
    if (!q)
        return 0;
    unsigned long ut = 0, st = 0;
    /* after "pid (comm)": state is field 3; utime and stime are 14 and 15 */
    if (sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds of pid and its children (nginx: master and workers). */
static double
cpu_tree_s(long p)
{
    double total = cpu_s(p);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", p, p);
    FILE *f = fopen(path, "r");
    if (f) {
        long c;
        while (fscanf(f, "%ld", &c) == 1)
            total += cpu_s(c);
        fclose(f);
    }
    return total;
}

/* RSS of pid and its children (nginx: master and workers). */
static long
rss_tree_kb(long p)
{
    long total = rss_kb(p);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", p, p);
    FILE *f = fopen(path, "r");
    if (f) {
        long c;
        while (fscanf(f, "%ld", &c) == 1)
            total += rss_kb(c);
        fclose(f);
    }
    return total;
}

static int
connect_from(int idx)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(idx / per_ip)); /* 127.0.0.2+ */
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
record(struct sub *s, long long k, int64_t t)
{
    if (k < 1 || k > events_n)
        return;
    if (k != s->last + 1)
        dup_or_gap++;
    s->last = k;
    if (lat_n == lat_cap) {
        lat_cap = lat_cap ? lat_cap * 2 : 1 << 20;
        dl = realloc(dl, lat_cap * sizeof(*dl));
    }
    /* The send time of k may not be known yet (its answer comes after the
     * event): latency is worked out once the run is over. */
    dl[lat_n++] = (struct delivery){(uint32_t)k, (uint32_t)((t - t_pub0) / 1000)};
    if (!t_first[k] || t < t_first[k])
        t_first[k] = t;
    if (t > t_last[k])
        t_last[k] = t;
}

/* The event number in tyndau's JSON at l (an appeal.registered event's
 * data, or the answer to a publish): the registration number's sequence,
 * less the warm-up's appeals, which came first. -1 if there is none. */
static long long
reg_number(const char *l, size_t len)
{
    static const char key[] = "\"registration_number\":\"";
    const char *k = memmem(l, len, key, sizeof(key) - 1);
    if (!k)
        return -1;
    const char *q = memchr(k + sizeof(key) - 1, '"', (size_t)(l + len - (k + sizeof(key) - 1)));
    if (!q)
        return -1;
    const char *dash = q;
    while (dash > k && dash[-1] != '-')
        dash--;
    return strtoll(dash, NULL, 10) - warmup_n;
}

/* The event number of one whole line, or -1: nchan's "data: k"; tyndau's
 * registration number in the data of an appeal.registered event. */
static long long
line_number(struct sub *s, const char *l, size_t len)
{
    if (plain_mode())
        return len > 6 && memcmp(l, "data: ", 6) == 0 ? strtoll(l + 6, NULL, 10) : -1;
    if (len > 7 && memcmp(l, "event: ", 7) == 0) {
        s->registered = len - 7 == 17 && memcmp(l + 7, "appeal.registered", 17) == 0;
        return -1;
    }
    if (!s->registered || len < 6 || memcmp(l, "data: ", 6) != 0)
        return -1;
    s->registered = false;
    return reg_number(l, len);
}

/* Scan whole lines for event numbers. */
static void
scan(struct sub *s, const char *p, size_t n, int64_t t)
{
    char line[256];
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\n')
            continue;
        size_t len = i - start;
        const char *l = p + start;
        if (s->tail_len) {
            size_t take =
                len < sizeof(line) - s->tail_len - 1 ? len : sizeof(line) - s->tail_len - 1;
            memcpy(line, s->tail, s->tail_len);
            memcpy(line + s->tail_len, l, take);
            len = s->tail_len + take;
            l = line;
            s->tail_len = 0;
        }
        long long k = line_number(s, l, len);
        if (k > 0)
            record(s, k, t);
        start = i + 1;
    }
    size_t rest = n - start;
    if (rest) {
        if (rest > sizeof(s->tail) - s->tail_len)
            rest = sizeof(s->tail) - s->tail_len; /* a long data line: only its start matters */
        memcpy(s->tail + s->tail_len, p + start, rest);
        s->tail_len += rest;
    }
}

/* ---- the publisher ---- */

/* One publisher connection: kept open between publishes while the server
 * allows it. */
struct pconn {
    int fd; /* -1: none */
};

static int
pub_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/* True once a whole response has been read: resp holds its first got
 * bytes (NUL-terminated) of the total read. *keep says whether the
 * connection may carry another request. */
static bool
response_done(const char *resp, size_t got, size_t total, bool *keep)
{
    const char *end = strstr(resp, "\r\n\r\n");
    if (!end)
        return false;
    size_t head = (size_t)(end + 4 - resp);
    const char *cl = strcasestr(resp, "\r\ncontent-length:");
    bool chunked = strcasestr(resp, "\r\ntransfer-encoding: chunked") != NULL;
    bool close_hdr = strcasestr(resp, "\r\nconnection: close") != NULL;
    bool http10 =
        strncmp(resp, "HTTP/1.0", 8) == 0 && strcasestr(resp, "\r\nconnection: keep-alive") == NULL;
    *keep = !close_hdr && !http10 && (cl || chunked);
    if (cl && cl < end)
        return total >= head + (size_t)strtoul(cl + 17, NULL, 10);
    if (chunked) /* a body too long to keep ends at the close */
        return got == total && got >= head + 5 && memcmp(resp + got - 5, "0\r\n\r\n", 5) == 0;
    return false; /* read to the close */
}

/* Send one publish of k on c and read its answer into resp (cap bytes, the
 * rest of a longer body is read and dropped); *sent is when the request
 * went. A kept connection the server has closed meanwhile is replaced
 * once. Returns the status or -1. */
static int
publish_on(struct pconn *c, long long k, int64_t *sent, char *resp, size_t cap)
{
    char body[1024], req[2048];
    int bl;
    if (plain_mode())
        bl = snprintf(body, sizeof(body), "%lld", k);
    else
        bl = snprintf(body, sizeof(body),
                      "{\"kind\":\"complaint\",\"channel\":\"web\",\"language\":\"ru\","
                      "\"region\":\"750000000\",\"topic\":\"roads\",\"text\":\"Яма на дороге,"
                      " сообщение нагрузочного теста номер %lld.\",\"contact\":{\"name\":"
                      "\"Тест\"},\"consent\":true}",
                      k);
    int rl = snprintf(req, sizeof(req),
                      "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
                      "Content-Length: %d\r\n\r\n%s",
                      pub_path, plain_mode() ? "text/plain" : "application/json", bl, body);
    resp[0] = '\0'; /* nothing of an earlier answer is read as this one's */
    for (int attempt = 0; attempt < 2; attempt++) {
        bool reused = c->fd >= 0;
        if (!reused && (c->fd = pub_connect()) < 0)
            return -1;
        *sent = now_ns();
        size_t got = 0, total = 0; /* bytes kept in resp; bytes read */
        bool keep = false, done = false;
        if (write(c->fd, req, (size_t)rl) == rl) {
            char scratch[4096];
            while (!done) {
                size_t room = cap - 1 - got;
                ssize_t n =
                    room ? read(c->fd, resp + got, room) : read(c->fd, scratch, sizeof(scratch));
                if (n <= 0)
                    break;
                if (room) {
                    got += (size_t)n;
                    resp[got] = '\0';
                }
                total += (size_t)n;
                done = response_done(resp, got, total, &keep);
            }
        }
        if (!done && total == 0 && reused) {
            close(c->fd); /* the server closed the idle connection: once more */
            c->fd = -1;
            continue;
        }
        if (!done || !keep) {
            close(c->fd);
            c->fd = -1;
        }
        int status = 0;
        if (got == 0 || sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
            return -1;
        return status;
    }
    return -1;
}

static void *
publisher(void *arg)
{
    (void)arg;
    struct pconn c = {.fd = -1};
    static _Thread_local char resp[65536];
    int64_t gap = 1000000000LL / rate;
    for (;;) {
        long long k = atomic_fetch_add(&next_pub, 1);
        if (k > events_n)
            break;
        int64_t due = t_pub0 + (k - 1) * gap, w = due - now_ns();
        if (w > 0) {
            struct timespec ts = {w / 1000000000, w % 1000000000};
            nanosleep(&ts, NULL);
        }
        int64_t sent = 0;
        int st = publish_on(&c, k, &sent, resp, sizeof(resp));
        t_req[k] = sent;
        t_ack[k] = now_ns();
        long long num = k;
        if (st < 200 || st >= 300) {
            fprintf(stderr, "sse_bench: publish %lld: status %d\n", k, st);
            num = -1; /* no event: its deliveries, if any, stay untimed */
        } else if (!plain_mode()) {
            num = reg_number(resp, strlen(resp));
            if (num < 1 || num > events_n)
                fprintf(stderr, "sse_bench: publish %lld: no event number in the answer\n", k);
        }
        if (num >= 1 && num <= events_n)
            t_send[num] = sent;
        atomic_fetch_add(&published, 1);
    }
    if (c.fd >= 0)
        close(c.fd);
    return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--port"))
            port = atoi(v);
        else if (!strcmp(k, "--sub-path"))
            sub_path = v;
        else if (!strcmp(k, "--pub-path"))
            pub_path = v;
        else if (!strcmp(k, "--mode"))
            mode = v;
        else if (!strcmp(k, "--subs"))
            subs_n = atoi(v);
        else if (!strcmp(k, "--rate"))
            rate = atoi(v);
        else if (!strcmp(k, "--events"))
            events_n = atoi(v);
        else if (!strcmp(k, "--pid"))
            pid = atol(v);
        else if (!strcmp(k, "--per-ip"))
            per_ip = atoi(v);
        else if (!strcmp(k, "--warmup"))
            warmup_n = atoi(v);
        else if (!strcmp(k, "--pub-conns"))
            pub_conns = atoi(v);
        else {
            fprintf(stderr, "sse_bench: unknown option %s\n", k);
            return 2;
        }
    }
    if (!port || !sub_path || !pub_path || subs_n < 1 || rate < 1 || events_n < 1 || warmup_n < 0 ||
        pub_conns < 1 || pub_conns > 256) {
        fprintf(stderr, "usage: sse_bench --port P --sub-path PATH --pub-path PATH"
                        " --mode tyndau|nchan|raw [--subs N] [--rate R] [--events E] [--pid PID]"
                        " [--per-ip K] [--warmup W] [--pub-conns C]\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    t_send = calloc((size_t)events_n + 1, sizeof(*t_send));
    t_req = calloc((size_t)events_n + 1, sizeof(*t_req));
    t_ack = calloc((size_t)events_n + 1, sizeof(*t_ack));
    t_first = calloc((size_t)events_n + 1, sizeof(*t_first));
    t_last = calloc((size_t)events_n + 1, sizeof(*t_last));
    struct sub *subs = calloc((size_t)subs_n, sizeof(*subs));
    /* Steady state, not start-up: the server's first publishes (lazy
     * allocations, caches) go before any subscriber connects. */
    struct pconn wc = {.fd = -1};
    static char wresp[65536];
    for (int i = 0; i < warmup_n; i++) {
        int64_t sent;
        int st = publish_on(&wc, 0, &sent, wresp, sizeof(wresp));
        if (st < 200 || st >= 300)
            fprintf(stderr, "sse_bench: warm-up publish %d: status %d\n", i + 1, st);
    }
    if (wc.fd >= 0)
        close(wc.fd);
    long rss0 = pid ? rss_tree_kb(pid) : -1;
    int ep = epoll_create1(0);
    char req[512];
    int req_len = snprintf(
        req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
        sub_path);
    int64_t tc = now_ns();
    int connected = 0, failed = 0;
    for (int i = 0; i < subs_n; i++) {
        subs[i].fd = connect_from(i);
        if (subs[i].fd < 0) {
            failed++;
            subs[i].state = 2;
            continue;
        }
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
    }
    /* Send each request once writable; wait for every response head. */
    struct epoll_event evs[512];
    char buf[65536];
    int heads = 0;
    int64_t until = now_ns() + 60LL * 1000000000;
    while (heads + failed < subs_n && now_ns() < until) {
        int n = epoll_wait(ep, evs, 512, 200);
        for (int j = 0; j < n; j++) {
            struct sub *s = &subs[evs[j].data.u32];
            if (s->state == 2)
                continue;
            if ((evs[j].events & EPOLLOUT) && s->state == 0 && !s->tail_len) {
                if (write(s->fd, req, (size_t)req_len) != req_len) {
                    s->state = 2;
                    failed++;
                    continue;
                }
                s->tail_len = 1; /* request sent */
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[j].data.u32};
                epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
                connected++;
            }
            if (evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = read(s->fd, buf, sizeof(buf) - 1);
                if (r <= 0) {
                    s->state = 2;
                    failed++;
                    close(s->fd);
                    continue;
                }
                buf[r] = '\0';
                if (s->state == 0 && strstr(buf, "\r\n\r\n")) {
                    if (strncmp(buf + 9, "200", 3) != 0) {
                        s->state = 2;
                        failed++;
                        close(s->fd);
                        continue;
                    }
                    s->state = 1;
                    s->tail_len = 0;
                    heads++;
                }
            }
        }
    }
    double connect_s = (double)(now_ns() - tc) / 1e9;
    struct timespec settle = {2, 0};
    nanosleep(&settle, NULL);
    long rss_idle = pid ? rss_tree_kb(pid) : -1;

    pthread_t *th = calloc((size_t)pub_conns, sizeof(*th));
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    double srv_cpu0 = pid ? cpu_tree_s(pid) : 0;
    int64_t tp = now_ns();
    t_pub0 = tp;
    atomic_store(&next_pub, 1);
    for (int i = 0; i < pub_conns; i++)
        pthread_create(&th[i], NULL, publisher, NULL);
    long long expected = (long long)heads * events_n;
    int64_t stop = tp + ((int64_t)events_n / rate + 20) * 1000000000LL;
    int64_t last_delivery = tp;
    while ((long long)lat_n < expected && now_ns() < stop) {
        int n = epoll_wait(ep, evs, 512, 100);
        int64_t t = now_ns();
        for (int j = 0; j < n; j++) {
            struct sub *s = &subs[evs[j].data.u32];
            if (s->state != 1)
                continue;
            ssize_t r = read(s->fd, buf, sizeof(buf));
            if (r <= 0) {
                s->state = 2;
                close(s->fd);
                continue;
            }
            scan(s, buf, (size_t)r, t);
            last_delivery = t;
        }
        if (atomic_load(&published) == events_n && t - last_delivery > 5000000000LL)
            break; /* nothing more is coming */
    }
    for (int i = 0; i < pub_conns; i++)
        pthread_join(th[i], NULL);
    free(th);
    getrusage(RUSAGE_SELF, &ru1);
    double srv_cpu = pid ? cpu_tree_s(pid) - srv_cpu0 : 0;
    double wall = (double)(now_ns() - tp) / 1e9;
    double my_cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                    (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                    (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
                    (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    double span = (double)(last_delivery - tp) / 1e9;
    /* Every send time is known now: each delivery's latency. */
    uint32_t *lat_us = calloc(lat_n ? lat_n : 1, sizeof(*lat_us));
    size_t untimed = 0;
    for (size_t i = 0; i < lat_n; i++) {
        int64_t sent = t_send[dl[i].k];
        if (!sent) {
            untimed++;
            continue;
        }
        int64_t d = (int64_t)dl[i].t_us - (sent - tp) / 1000;
        lat_us[i - untimed] = d < 0 ? 0 : (uint32_t)d;
    }
    size_t timed = lat_n - untimed;
    qsort(lat_us, timed, sizeof(*lat_us), cmp_u32);
    uint32_t p50 = timed ? lat_us[timed / 2] : 0, p99 = timed ? lat_us[timed * 99 / 100] : 0,
             p999 = timed ? lat_us[timed * 999 / 1000] : 0, mx = timed ? lat_us[timed - 1] : 0;
    int open_at_end = 0;
    for (int i = 0; i < subs_n; i++)
        open_at_end += subs[i].state == 1;
    printf("warmup=%d\n", warmup_n);
    printf("mode=%s\nsubs=%d\nsubs_ok=%d\nsubs_failed=%d\nconnect_seconds=%.2f\n", mode, subs_n,
           heads, failed, connect_s);
    printf("rss_before_kb=%ld\nrss_idle_kb=%ld\n", rss0, rss_idle);
    if (rss0 > 0 && heads > 0)
        printf("rss_per_sub_bytes=%.0f\n", (double)(rss_idle - rss0) * 1024.0 / heads);
    printf("events=%d\nrate=%d\nexpected=%lld\ndelivered=%zu\nout_of_order=%lld\n", events_n, rate,
           expected, lat_n, dup_or_gap);
    printf("delivered_per_s=%.0f\n", span > 0 ? (double)lat_n / span : 0);
    /* Open-loop: below the rate only if every publisher connection was
     * waiting for an answer when a publish fell due (pub_late_*). */
    int64_t first_req = 0, last_req = 0;
    uint32_t *late = calloc((size_t)events_n, sizeof(*late));
    size_t late_n = 0;
    for (int k = 1; k <= events_n; k++) {
        if (!t_req[k])
            continue;
        if (!first_req || t_req[k] < first_req)
            first_req = t_req[k];
        if (t_req[k] > last_req)
            last_req = t_req[k];
        int64_t l = t_req[k] - (tp + (int64_t)(k - 1) * (1000000000LL / rate));
        late[late_n++] = l < 0 ? 0 : (uint32_t)(l / 1000);
    }
    qsort(late, late_n, sizeof(*late), cmp_u32);
    double pub_span = (double)(last_req - first_req) / 1e9;
    printf("published_per_s=%.1f\n",
           events_n > 1 && pub_span > 0 ? (double)(events_n - 1) / pub_span : (double)rate);
    printf("pub_late_p99_ms=%.2f\npub_late_max_ms=%.2f\n",
           late_n ? late[late_n * 99 / 100] / 1000.0 : 0, late_n ? late[late_n - 1] / 1000.0 : 0);
    printf("untimed=%zu\n", untimed);
    free(late);
    printf("lat_p50_ms=%.2f\nlat_p99_ms=%.2f\nlat_p999_ms=%.2f\nlat_max_ms=%.2f\n", p50 / 1000.0,
           p99 / 1000.0, p999 / 1000.0, mx / 1000.0);
    printf("open_at_end=%d\n", open_at_end);
    uint32_t *ack = calloc((size_t)events_n, sizeof(*ack)),
             *spread = calloc((size_t)events_n, sizeof(*spread));
    size_t ack_n = 0, spread_n = 0;
    for (int k = 1; k <= events_n; k++) {
        if (t_ack[k] > t_req[k] && t_req[k])
            ack[ack_n++] = (uint32_t)((t_ack[k] - t_req[k]) / 1000);
        if (t_first[k])
            spread[spread_n++] = (uint32_t)((t_last[k] - t_first[k]) / 1000);
    }
    qsort(ack, ack_n, sizeof(*ack), cmp_u32);
    qsort(spread, spread_n, sizeof(*spread), cmp_u32);
    printf("pub_ack_p50_ms=%.2f\npub_ack_p99_ms=%.2f\n", ack_n ? ack[ack_n / 2] / 1000.0 : 0,
           ack_n ? ack[ack_n * 99 / 100] / 1000.0 : 0);
    printf("spread_p50_ms=%.2f\nspread_max_ms=%.2f\n", spread_n ? spread[spread_n / 2] / 1000.0 : 0,
           spread_n ? spread[spread_n - 1] / 1000.0 : 0);
    printf("client_cpu_pct=%.0f\nserver_cpu_pct=%.0f\n", wall > 0 ? 100 * my_cpu / wall : 0,
           wall > 0 ? 100 * srv_cpu / wall : 0);
    free(ack);
    free(spread);
    (void)connected;
    for (int i = 0; i < subs_n; i++)
        if (subs[i].state == 1)
            close(subs[i].fd);
    free(subs);
    free(t_send);
    free(t_req);
    free(t_ack);
    free(t_first);
    free(t_last);
    free(lat_us);
    free(dl);
    return lat_n == (size_t)expected ? 0 : 1;
}
