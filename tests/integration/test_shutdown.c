/*
 * test_shutdown.c - SIGTERM while requests are in flight. Twenty submitters
 * run until the server is gone; the server gets SIGTERM mid-way and must
 * exit 0; every 201 a client saw is in the database afterwards; everything
 * else a client saw is a connection error or 503 /problems/unavailable
 * with Retry-After (a request that arrives while the server drains).
 * Also: idle and half-sent connections neither exhaust the server nor keep
 * it from exiting on SIGTERM.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "base/rnd.h"
#include "base/xalloc.h"
#include "integration/srv.h"

enum { N_THREADS = 20, TERM_AFTER = 100, MAX_PER_THREAD = 4000 };

struct run {
    int port;
    char nonce[16];
    atomic_int acked_total;
    atomic_int termed; /* SIGTERM has been sent */
    atomic_int stop;   /* the server has exited: finish */
};

struct submitter {
    pthread_t th;
    int idx;
    struct run *run;
    /* Results, read by main after join. */
    char (*tids)[64]; /* MAX_PER_THREAD */
    int acked;
    int acked_after_term; /* 201s to requests sent after SIGTERM */
    int conn_errors;
    int unavailable;
    int other;
    char first_other[600];
};

static void *
submit_loop(void *arg)
{
    struct submitter *w = arg;
    struct run *run = w->run;
    for (int i = 0; i < MAX_PER_THREAD && !atomic_load(&run->stop); i++) {
        char key_h[128], body[1024];
        snprintf(key_h, sizeof(key_h), "Idempotency-Key: shut-%s-%02d-%05d", run->nonce, w->idx, i);
        snprintf(body, sizeof(body),
                 "{\"kind\":\"complaint\",\"channel\":\"web\",\"language\":\"ru\","
                 "\"region\":\"750000000\",\"topic\":\"roads\",\"text\":\"Обращение %s-%d-%d "
                 "во время остановки сервера.\",\"contact\":{\"name\":\"Ерлан\"},"
                 "\"consent\":true}",
                 run->nonce, w->idx, i);
        const char *h[] = {key_h, NULL};
        int termed = atomic_load(&run->termed);
        struct resp *r =
            http_req(run->port, "POST", "/api/v1/appeals", h, body, strlen(body), 20000);
        const char *tid = r->curl_code == 0 && r->status == 201
                              ? json_string_value(json_object_get(r->json, "tracking_id"))
                              : NULL;
        const char *type = json_string_value(json_object_get(r->json, "type"));
        if (tid) {
            snprintf(w->tids[w->acked++], 64, "%s", tid);
            w->acked_after_term += termed;
            atomic_fetch_add(&run->acked_total, 1);
        } else if (r->curl_code != 0) {
            w->conn_errors++;
        } else if (r->status == 503 && type && strcmp(type, "/problems/unavailable") == 0 &&
                   resp_header(r, "Retry-After")) {
            w->unavailable++;
        } else if (w->other++ == 0) {
            snprintf(w->first_other, sizeof(w->first_other), "%d %.400s", r->status, r->body);
        }
        bool refused = r->curl_code == CURLE_COULDNT_CONNECT;
        resp_free(r);
        if (refused)
            break; /* nobody listens any more */
    }
    return NULL;
}

static void
shutdown_in_flight(void **state)
{
    (void)state;
    struct srv *s = srv_start("--rate-submit=1000000", NULL);
    struct run *run = xcalloc(1, sizeof(*run));
    run->port = srv_port(s);
    rnd_token(run->nonce, 8);
    struct submitter *ws = xcalloc(N_THREADS, sizeof(*ws));
    for (int i = 0; i < N_THREADS; i++) {
        ws[i].idx = i;
        ws[i].run = run;
        ws[i].tids = xcalloc(MAX_PER_THREAD, sizeof(*ws[i].tids));
        assert_int_equal(pthread_create(&ws[i].th, NULL, submit_loop, &ws[i]), 0);
    }
    /* Mid-way: once the submitters are well under way. */
    int64_t until = t_now_ms() + 30000 * srv_slow();
    while (atomic_load(&run->acked_total) < TERM_AFTER && t_now_ms() < until)
        t_sleep_ms(2);
    int before_term = atomic_load(&run->acked_total);
    atomic_store(&run->termed, 1);
    int64_t t_term = t_now_ms();
    int st = srv_term(s, 30000 * srv_slow());
    int64_t t_exit = t_now_ms() - t_term;
    atomic_store(&run->stop, 1);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(ws[i].th, NULL);

    const char *failures = "";
    if (before_term < TERM_AFTER)
        failures = t_printf("%s  only %d appeals acknowledged in 30 s before SIGTERM\n", failures,
                            before_term);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        failures = t_printf("%s  after SIGTERM: %s (want exit 0 within 30 s)\n", failures,
                            st == -1          ? "still running"
                            : WIFSIGNALED(st) ? t_printf("signal %d", WTERMSIG(st))
                                              : t_printf("exit %d", WEXITSTATUS(st)));
    int acked = 0, after = 0, conn = 0, unavail = 0, lost = 0;
    const char *first_lost = NULL;
    for (int i = 0; i < N_THREADS; i++) {
        acked += ws[i].acked;
        after += ws[i].acked_after_term;
        conn += ws[i].conn_errors;
        unavail += ws[i].unavailable;
        if (ws[i].other)
            failures = t_printf("%s  submitter %d: %d answers neither 201 nor 503 unavailable, "
                                "first: %s\n",
                                failures, i, ws[i].other, ws[i].first_other);
        for (int k = 0; k < ws[i].acked; k++) {
            int64_t n =
                srv_db_int(s, "SELECT count(*) FROM appeals WHERE tracking_id = ?1", ws[i].tids[k]);
            if (n != 1 && lost++ == 0)
                first_lost = t_printf("%s (stored %lld times)", ws[i].tids[k], (long long)n);
        }
    }
    if (lost)
        failures = t_printf("%s  %d acknowledged appeals are not in the database, first %s\n",
                            failures, lost, first_lost);
    int64_t stored = srv_db_int(s, "SELECT count(*) FROM appeals", NULL);
    if (stored < acked)
        failures = t_printf("%s  %lld appeals stored < %d acknowledged\n", failures,
                            (long long)stored, acked);
    const char *why = NULL;
    if (!db_integrity_ok(srv_db_path(s), &why))
        failures = t_printf("%s  integrity_check: %s\n", failures, why);
    print_message("shutdown: %d acked (%d before SIGTERM, %d sent after it), %d connection "
                  "errors, %d x 503, %lld stored, exit took %lld ms\n",
                  acked, before_term, after, conn, unavail, (long long)stored, (long long)t_exit);
    for (int i = 0; i < N_THREADS; i++)
        free(ws[i].tids);
    free(ws);
    free(run);
    if (*failures) {
        srv_dump_log(s, 20);
        fail_report("SIGTERM in flight", failures);
    }
    srv_free(s);
}

/* ---- idle and half-sent connections -------------------------------------- */

static int
connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void
shutdown_idle_connections(void **state)
{
    (void)state;
    enum { N_IDLE = 64 };
    struct srv *s = srv_start(NULL);
    int fds[N_IDLE];
    static const char *const starts[] = {
        "",                                     /* connected, silent */
        "GET /healthz HTTP/1.1\r\nHost: x\r\n", /* headers never end */
        ("POST /api/v1/appeals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Content-Length: 400\r\n\r\n{\"kind\":"),  /* body never ends */
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", /* done; kept alive */
    };
    for (int i = 0; i < N_IDLE; i++) {
        fds[i] = connect_port(srv_port(s));
        const char *p = starts[i % 4];
        if (*p)
            assert_int_equal(send(fds[i], p, strlen(p), MSG_NOSIGNAL), (ssize_t)strlen(p));
    }
    /* The server still serves others. */
    for (int i = 0; i < 5; i++) {
        struct resp *r = srv_get(s, "/healthz", NULL);
        expect_status(r, 200);
        resp_free(r);
    }
    struct resp *r = srv_post(s, "/api/v1/appeals", NULL, appeal_json(NULL));
    expect_status(r, 201);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    /* And idle clients do not hold up a graceful exit for long. */
    int64_t t = t_now_ms();
    int st = srv_term(s, 15000 * srv_slow());
    int64_t took = t_now_ms() - t;
    for (int i = 0; i < N_IDLE; i++)
        close(fds[i]);
    print_message("shutdown with %d idle connections took %lld ms\n", N_IDLE, (long long)took);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("with idle connections open, SIGTERM gave %s (want exit 0 within 15 s)",
                 st == -1 ? "no exit" : t_printf("wait status %d", st));
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM appeals WHERE tracking_id = ?1", tid), 1);
    srv_free(s);
}

/* A restart after a clean stop serves the same data. */
static void
shutdown_restart_keeps_data(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct resp *r = srv_post(s, "/api/v1/appeals", NULL, appeal_json(NULL));
    expect_status(r, 201);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    const char *secret = t_printf("%s", resp_str(r, "secret"));
    resp_free(r);
    srv_restart(s); /* SIGTERM, exit 0, start again */
    const char *h[] = {t_printf("X-Tracking-Secret: %s", secret), NULL};
    r = srv_req(s, "GET", t_printf("/api/v1/appeals/%s", tid), h, NULL);
    expect_status(r, 200);
    resp_free(r);
    r = srv_get(s, "/readyz", NULL);
    expect_status(r, 200);
    resp_free(r);
    srv_done(s);
}

int
main(void)
{
    srv_init(240);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(shutdown_in_flight, srv_teardown),
        cmocka_unit_test_teardown(shutdown_idle_connections, srv_teardown),
        cmocka_unit_test_teardown(shutdown_restart_keeps_data, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
