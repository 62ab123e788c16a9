/*
 * test_crash.c - crash safety on a file database. A client thread submits
 * 2,000 appeals, each with its own Idempotency-Key, retrying each until it
 * gets a 201; meanwhile the main thread SIGKILLs the server at random moments
 * and restarts it on the same file (the client learns the new port through a
 * mutex-guarded variable). After every kill the file passes PRAGMA
 * integrity_check; at the end every key was acknowledged exactly once, every
 * acknowledged tracking id is stored exactly once, there are exactly 2,000
 * appeals, and every key replays its tracking id.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/rnd.h"
#include "base/xalloc.h"
#include "integration/srv.h"

enum {
    N_APPEALS = 2000,
    MIN_KILLS = 8,
    MAX_KILLS = 40, /* then let the client finish: restarts are slow under ASan */
    KILL_MIN_MS = 150,
    KILL_MAX_MS = 600,
    DEADLINE_MS = 200000, /* client and killer stop by themselves; replay after */
    MAX_UNEXPECTED = 20,
};

struct shared {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int port;                    /* guarded by mu; 0 while the server is down */
    int kills;                   /* guarded by mu */
    int acked;                   /* guarded by mu */
    bool done;                   /* guarded by mu: the client has finished or given up */
    int unexpected;              /* client only until joined */
    char first_unexpected[1024]; /* client only until joined */
    long attempts;               /* client only until joined */
    long conn_errors;            /* client only until joined */
    long replayed;               /* client only: retried keys answered from the store */
    int64_t deadline;            /* guarded by mu; t_now_ms() */
    char *keys[N_APPEALS];       /* made by main before the client starts */
    char *bodies[N_APPEALS];     /* same */
    char tids[N_APPEALS][64];    /* written by the client, read after join */
};

static void
note_unexpected(struct shared *sh, const struct resp *r)
{
    if (sh->unexpected++ == 0)
        snprintf(sh->first_unexpected, sizeof(sh->first_unexpected), "%s %s -> %d: %.400s",
                 r->method, r->path, r->status, r->body);
}

static void *
client(void *arg)
{
    struct shared *sh = arg;
    for (int i = 0; i < N_APPEALS; i++) {
        char key_h[160];
        snprintf(key_h, sizeof(key_h), "Idempotency-Key: %s", sh->keys[i]);
        const char *h[] = {key_h, NULL};
        for (;;) {
            pthread_mutex_lock(&sh->mu);
            int port = sh->port, kills = sh->kills, acked = sh->acked;
            int64_t deadline = sh->deadline;
            pthread_mutex_unlock(&sh->mu);
            if (t_now_ms() > deadline || sh->unexpected > MAX_UNEXPECTED)
                goto out;
            if (port == 0) {
                t_sleep_ms(2);
                continue;
            }
            /* Keep enough work for MIN_KILLS kills even on a fast machine:
             * ahead of schedule, the client slows down (it never stops, so
             * kills still land on requests in flight). */
            if (kills < MIN_KILLS && acked >= (kills + 1) * (N_APPEALS / (MIN_KILLS + 2)))
                t_sleep_ms(5);
            sh->attempts++;
            struct resp *r = http_req(port, "POST", "/api/v1/appeals", h, sh->bodies[i],
                                      strlen(sh->bodies[i]), 10000);
            const char *tid = r->curl_code == 0 && r->status == 201 && r->json
                                  ? json_string_value(json_object_get(r->json, "tracking_id"))
                                  : NULL;
            if (tid && strlen(tid) < sizeof(sh->tids[i])) {
                snprintf(sh->tids[i], sizeof(sh->tids[i]), "%s", tid);
                /* Committed before a kill, answer lost, replayed now. */
                const char *rep = resp_header(r, "Idempotent-Replayed");
                sh->replayed += rep && strcmp(rep, "true") == 0;
                resp_free(r);
                pthread_mutex_lock(&sh->mu);
                sh->acked++;
                pthread_mutex_unlock(&sh->mu);
                break;
            }
            if (r->curl_code != 0 || r->status == 503)
                sh->conn_errors++; /* the server is gone or going: retry */
            else
                note_unexpected(sh, r);
            resp_free(r);
            t_sleep_ms(1);
        }
    }
out:
    pthread_mutex_lock(&sh->mu);
    sh->done = true;
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

/* Wait up to ms for the client to finish; true if it has. */
static bool
wait_done(struct shared *sh, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&sh->mu);
    while (!sh->done && pthread_cond_timedwait(&sh->cv, &sh->mu, &ts) == 0)
        ;
    bool done = sh->done;
    pthread_mutex_unlock(&sh->mu);
    return done;
}

static void
crash_kill_restart(void **state)
{
    (void)state;
    int64_t t0 = t_now_ms();
    struct shared *sh = xcalloc(1, sizeof(*sh));
    pthread_mutex_init(&sh->mu, NULL);
    pthread_cond_init(&sh->cv, NULL);
    sh->deadline = t0 + (int64_t)DEADLINE_MS * srv_slow();
    char nonce[16];
    rnd_token(nonce, 8);
    for (int i = 0; i < N_APPEALS; i++) {
        sh->keys[i] = xstrdup(t_printf("crash-%s-%04d", nonce, i));
        sh->bodies[i] = xstrdup(appeal_json(
            t_printf("{\"text\":\"Обращение номер %d для проверки устойчивости к сбоям (%s).\"}", i,
                     nonce)));
    }
    struct srv *s = srv_start("--rate-submit=1000000", NULL);
    sh->port = srv_port(s);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, client, sh), 0);

    const char *bad_integrity = NULL;
    int kills = 0;
    while (!wait_done(sh, KILL_MIN_MS + (int)rnd_below(KILL_MAX_MS - KILL_MIN_MS + 1))) {
        if (t_now_ms() > t0 + (int64_t)DEADLINE_MS * srv_slow())
            break;
        if (kills == MAX_KILLS)
            continue;
        srv_kill(s);
        pthread_mutex_lock(&sh->mu);
        sh->port = 0;
        sh->kills = ++kills;
        pthread_mutex_unlock(&sh->mu);
        const char *why = NULL;
        if (!db_integrity_ok(srv_db_path(s), &why) && !bad_integrity)
            bad_integrity = t_printf("after kill %d: %s", kills, why);
        srv_restart(s); /* fails the test if the server cannot come back */
        pthread_mutex_lock(&sh->mu);
        sh->port = srv_port(s);
        pthread_mutex_unlock(&sh->mu);
    }
    pthread_mutex_lock(&sh->mu);
    sh->deadline = 0; /* if the killer gave up first, the client stops too */
    pthread_mutex_unlock(&sh->mu);
    pthread_join(th, NULL);
    int64_t t_submit = t_now_ms() - t0;

    /* Every key replays the tracking id it was acknowledged with. */
    int replay_bad = 0;
    const char *first_replay_bad = NULL;
    for (int i = 0; i < N_APPEALS; i++) {
        if (!sh->tids[i][0])
            continue;
        const char *h[] = {t_printf("Idempotency-Key: %s", sh->keys[i]), NULL};
        struct resp *r = srv_req(s, "POST", "/api/v1/appeals", h, sh->bodies[i]);
        const char *tid = resp_str(r, "tracking_id");
        const char *rep = resp_header(r, "Idempotent-Replayed");
        if (r->status != 201 || !tid || strcmp(tid, sh->tids[i]) != 0 || !rep ||
            strcmp(rep, "true") != 0) {
            if (replay_bad++ == 0)
                first_replay_bad =
                    t_printf("key %s acked %s, replay %d %s (replayed: %s)", sh->keys[i],
                             sh->tids[i], r->status, r->body, rep ? rep : "-");
        }
        resp_free(r);
    }
    srv_stop(s);

    const char *why = NULL;
    if (!db_integrity_ok(srv_db_path(s), &why) && !bad_integrity)
        bad_integrity = t_printf("at the end: %s", why);
    int acked = 0, missing = 0, distinct_bad = 0;
    const char *first_missing = NULL;
    for (int i = 0; i < N_APPEALS; i++) {
        if (!sh->tids[i][0])
            continue;
        acked++;
        int64_t n =
            srv_db_int(s, "SELECT count(*) FROM appeals WHERE tracking_id = ?1", sh->tids[i]);
        if (n != 1 && missing++ == 0)
            first_missing = t_printf("%s stored %lld times", sh->tids[i], (long long)n);
    }
    int64_t total = srv_db_int(s, "SELECT count(*) FROM appeals", NULL);
    int64_t distinct = srv_db_int(s, "SELECT count(DISTINCT tracking_id) FROM appeals", NULL);
    if (distinct != total)
        distinct_bad = 1;

    print_message("crash: %d kills, %d/%d acked in %lld ms, %ld attempts, %ld connection "
                  "errors/503, %ld keys first acknowledged by a replay, %lld appeals stored\n",
                  kills, acked, N_APPEALS, (long long)t_submit, sh->attempts, sh->conn_errors,
                  sh->replayed, (long long)total);
    const char *failures = "";
    if (bad_integrity)
        failures = t_printf("%s  integrity_check %s\n", failures, bad_integrity);
    if (kills < MIN_KILLS)
        failures = t_printf("%s  only %d kills (want >= %d)\n", failures, kills, MIN_KILLS);
    if (acked != N_APPEALS)
        failures = t_printf("%s  %d of %d keys acknowledged before the deadline\n", failures, acked,
                            N_APPEALS);
    if (sh->unexpected)
        failures = t_printf("%s  %d unexpected answers, first: %s\n", failures, sh->unexpected,
                            sh->first_unexpected);
    if (missing)
        failures = t_printf("%s  %d acknowledged appeals not stored exactly once, first: %s\n",
                            failures, missing, first_missing);
    if (total != N_APPEALS)
        failures = t_printf("%s  %lld appeals stored, want %d (a retried key made a second "
                            "appeal, or an acknowledged one was lost)\n",
                            failures, (long long)total, N_APPEALS);
    if (distinct_bad)
        failures = t_printf("%s  duplicate tracking ids in the database\n", failures);
    if (replay_bad)
        failures = t_printf("%s  %d keys did not replay their tracking id, first: %s\n", failures,
                            replay_bad, first_replay_bad);
    for (int i = 0; i < N_APPEALS; i++) {
        free(sh->keys[i]);
        free(sh->bodies[i]);
    }
    pthread_mutex_destroy(&sh->mu);
    pthread_cond_destroy(&sh->cv);
    free(sh);
    if (*failures) {
        srv_dump_log(s, 20);
        fail_report("crash safety", failures);
    }
    srv_free(s);
}

int
main(void)
{
    srv_init(240);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(crash_kill_restart, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
