/*
 * test_stats.c - GET /api/v1/stats on the real binary: the figures for a
 * known set of appeals (received today, open, overdue, answered on time,
 * median time to answer, the day series, top topics, all 20 regions) for an
 * analyst (every agency, one agency, one region) and for a supervisor (their
 * agency alone); the same appeals seen a month later (--clock_offset), when
 * the open ones are overdue; who may call it; and bad parameters, each a 400
 * or 403 problem that names what is wrong. The cache: figures say when they
 * were read and for how long they stay (generated_at, max_age,
 * Cache-Control), a new appeal shows within that time, one agency's cached
 * figures never answer another's supervisor, and callers racing for a cold
 * scope cause one read.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/str.h"
#include "integration/srv.h"

static int64_t
jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

static json_t *
region_row(json_t *stats, const char *kato)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(stats, "regions"), i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "kato")), kato) == 0)
            return g;
    }
    fail_msg("region %s missing", kato);
    return NULL;
}

static int64_t
days_sum(json_t *stats)
{
    int64_t sum = 0;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(stats, "days"), i, d) sum += jint(d, "count");
    return sum;
}

struct fx {
    struct srv *s;
    const char *agency_a, *analyst, *sup_a, *sup_b, *admin, *official, *operator, * citizen;
};

/* Three appeals: two on roads in Almaty (agency A), one on health in
 * Astana; one of A's is answered at once. */
static void
fx_setup(struct fx *f)
{
    memset(f, 0, sizeof(*f));
    f->s = srv_start(NULL);
    struct srv *s = f->s;
    f->agency_a = srv_db_text(
        s, "SELECT agency FROM routing_rules WHERE topic = 'roads' AND region = ?1", "750000000");
    f->analyst = srv_bearer(s, srv_user(s, "ana", "analyst", NULL));
    f->admin = srv_bearer(s, srv_user(s, "adm", "admin", NULL));
    f->sup_a = srv_bearer(s, srv_user(s, "sup-a", "supervisor", f->agency_a));
    f->sup_b = srv_bearer(s, srv_user(s, "sup-b", "supervisor", "astana.health"));
    f->official = srv_bearer(s, srv_user(s, "off-a", "official", f->agency_a));
    f->operator= srv_bearer(s, srv_user(s, "op", "operator", NULL));
    f->citizen = srv_bearer(s, srv_user(s, "cit", "citizen", NULL));
    const char *tids[3];
    const char *patches[3] = {NULL, NULL, "{\"topic\":\"health\",\"region\":\"710000000\"}"};
    for (int i = 0; i < 3; i++) {
        struct resp *r = srv_post(s, "/api/v1/appeals", NULL, appeal_json(patches[i]));
        expect_status(r, 201);
        tids[i] = t_printf("%s", resp_str(r, "tracking_id"));
        resp_free(r);
    }
    struct resp *r = srv_post(s, t_printf("/api/v1/appeals/%s/take", tids[0]), f->official, "{}");
    expect_status(r, 200);
    resp_free(r);
    r = srv_post(s, t_printf("/api/v1/appeals/%s/answer", tids[0]), f->official,
                 "{\"text\":\"Яма заделана, спасибо за обращение.\",\"language\":\"ru\"}");
    expect_status(r, 200);
    resp_free(r);
}

static void
stats_figures(void **state)
{
    struct fx f;
    fx_setup(&f);
    *state = f.s;
    struct resp *r = srv_get(f.s, "/api/v1/stats", f.analyst);
    expect_status(r, 200);
    json_t *j = r->json;
    assert_true(json_is_null(json_object_get(json_object_get(j, "scope"), "agency")));
    assert_int_equal(jint(j, "received_today"), 3);
    assert_int_equal(jint(j, "open"), 2);
    assert_int_equal(jint(j, "overdue"), 0);
    assert_int_equal(jint(j, "answered"), 1);
    assert_int_equal(jint(j, "answered_on_time"), 1);
    assert_float_equal(json_real_value(json_object_get(j, "on_time_share")), 1.0, 1e-9);
    json_t *med = json_object_get(j, "median_hours_to_answer");
    assert_true(json_is_real(med));
    assert_true(json_real_value(med) >= 0 && json_real_value(med) < 0.5);
    json_t *days = json_object_get(j, "days");
    assert_int_equal(json_array_size(days), 30);
    assert_int_equal(jint(json_array_get(days, 29), "count"), 3);
    assert_int_equal(days_sum(j), 3);
    json_t *topics = json_object_get(j, "topics");
    assert_int_equal(json_array_size(topics), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(topics, 0), "code")),
                        "roads");
    assert_int_equal(jint(json_array_get(topics, 0), "count"), 2);
    assert_int_equal(json_array_size(json_object_get(j, "regions")), 20);
    json_t *alm = region_row(j, "750000000"), *ast = region_row(j, "710000000");
    assert_int_equal(jint(alm, "received"), 2);
    assert_int_equal(jint(alm, "open"), 1);
    assert_int_equal(jint(ast, "received"), 1);
    assert_int_equal(jint(ast, "open"), 1);
    assert_float_equal(json_real_value(json_object_get(alm, "overdue_share")), 0.0, 1e-9);
    assert_true(json_is_null(json_object_get(region_row(j, "100000000"), "overdue_share")));
    resp_free(r);

    /* One region; one agency, by an analyst and by its supervisor alike. */
    r = srv_get(f.s, "/api/v1/stats?region=710000000", f.analyst);
    expect_status(r, 200);
    assert_int_equal(jint(r->json, "received_today"), 1);
    assert_int_equal(jint(r->json, "answered"), 0);
    assert_true(json_is_null(json_object_get(r->json, "on_time_share")));
    resp_free(r);
    const char *by_a[] = {t_printf("/api/v1/stats?agency=%s", f.agency_a), "/api/v1/stats"};
    const char *who_a[] = {f.analyst, f.sup_a};
    for (int i = 0; i < 2; i++) {
        r = srv_get(f.s, by_a[i], who_a[i]);
        expect_status(r, 200);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(r->json, "scope"), "agency")),
            f.agency_a);
        assert_int_equal(jint(r->json, "received_today"), 2);
        assert_int_equal(jint(r->json, "open"), 1);
        assert_int_equal(jint(r->json, "answered"), 1);
        resp_free(r);
    }
    r = srv_get(f.s, "/api/v1/stats", f.sup_b);
    expect_status(r, 200);
    assert_int_equal(jint(r->json, "received_today"), 1);
    assert_int_equal(jint(r->json, "answered"), 0);
    resp_free(r);

    /* A month later the two open appeals are overdue; nothing came today. */
    int64_t now = srv_db_int(f.s, "SELECT max(filed_at) FROM appeals", NULL);
    int64_t due =
        srv_db_int(f.s, "SELECT max(due_at) FROM appeals WHERE status = ?1", "registered");
    int64_t ahead = due - now + 86400;
    assert_true(ahead > 0 && ahead < 28 * 86400);
    srv_set_args(f.s, t_printf("--clock_offset=%lld", (long long)ahead), NULL);
    srv_restart(f.s);
    r = srv_get(f.s, "/api/v1/stats", f.analyst);
    expect_status(r, 200);
    assert_int_equal(jint(r->json, "received_today"), 0);
    assert_int_equal(jint(r->json, "open"), 2);
    assert_int_equal(jint(r->json, "overdue"), 2);
    assert_int_equal(days_sum(r->json), 3);
    assert_float_equal(
        json_real_value(json_object_get(region_row(r->json, "710000000"), "overdue_share")), 1.0,
        1e-9);
    resp_free(r);
    srv_done(f.s);
    *state = NULL;
}

static void
stats_access_and_bad_input(void **state)
{
    struct fx f;
    fx_setup(&f);
    *state = f.s;
    struct resp *r = srv_get(f.s, "/api/v1/stats", NULL);
    expect_problem(r, 401, "/problems/unauthorized");
    resp_free(r);
    const char *refused[] = {f.official, f.operator, f.citizen };
    for (int i = 0; i < 3; i++) {
        r = srv_get(f.s, "/api/v1/stats", refused[i]);
        expect_problem(r, 403, "/problems/forbidden");
        resp_free(r);
    }
    r = srv_get(f.s, "/api/v1/stats", f.admin);
    expect_status(r, 200);
    resp_free(r);
    /* A supervisor sees their own agency, never another's. */
    r = srv_get(f.s, "/api/v1/stats?agency=astana.health", f.sup_a);
    expect_problem(r, 403, "/problems/forbidden");
    assert_non_null(strstr(resp_str(r, "detail"), "own agency"));
    resp_free(r);
    r = srv_get(f.s, t_printf("/api/v1/stats?agency=%s", f.agency_a), f.sup_a);
    expect_status(r, 200);
    resp_free(r);
    struct {
        const char *query, *field, *detail;
    } bad[] = {
        {"?region=123", "region", "no such region"},
        {"?region=", "region", "no such region"},
        {"?region=750000000%27%20OR%201=1", "region", "no such region"},
        {"?agency=nope", "agency", "no such agency"},
        {"?agency=", "agency", "no such agency"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = srv_get(f.s, t_printf("/api/v1/stats%s", bad[i].query), f.analyst);
        expect_problem(r, 400, "/problems/invalid-query");
        if (!resp_str(r, "detail") || !strstr(resp_str(r, "detail"), bad[i].detail))
            fail_msg("%s: detail %s", bad[i].query, resp_str(r, "detail"));
        const char *field = json_string_value(json_object_get(r->json, "field"));
        if (!field || strcmp(field, bad[i].field) != 0)
            fail_msg("%s: field %s, want %s", bad[i].query, field ? field : "(none)", bad[i].field);
        resp_free(r);
    }
    srv_done(f.s);
    *state = NULL;
}

static int64_t
metric(struct srv *s, const char *name)
{
    struct resp *r = srv_get(s, "/metrics", NULL);
    expect_status(r, 200);
    const char *line = strstr(r->body, t_printf("\n%s ", name));
    assert_non_null(line);
    int64_t v = 0;
    assert_int_equal(
        str_to_i64(str_from_cstr(t_printf("%.*s", (int)strcspn(line + strlen(name) + 2, "\n"),
                                          line + strlen(name) + 2)),
                   0, INT64_MAX, &v),
        ERR_OK);
    resp_free(r);
    return v;
}

struct racer {
    struct srv *s;
    const char *auth;
    int status;
    int64_t received;
};

static void *
race(void *arg)
{
    struct racer *x = arg;
    struct resp *r = srv_get(x->s, "/api/v1/stats?region=710000000", x->auth);
    x->status = (int)r->status;
    x->received = r->json ? json_integer_value(json_object_get(r->json, "received_today")) : -1;
    resp_free(r);
    return NULL;
}

static void
stats_cache(void **state)
{
    struct fx f;
    fx_setup(&f);
    *state = f.s;
    struct srv *s = f.s;
    struct resp *r = srv_get(s, "/api/v1/stats", f.analyst);
    expect_status(r, 200);
    assert_int_equal(jint(r->json, "received_today"), 3);
    int64_t max_age = jint(r->json, "max_age");
    assert_true(max_age >= 1 && max_age <= 5);
    assert_string_equal(resp_header(r, "Cache-Control"),
                        t_printf("private, max-age=%lld", (long long)max_age));
    assert_non_null(resp_str(r, "generated_at"));
    resp_free(r);

    /* A new appeal shows within max_age (plus a second for the round trips). */
    int64_t t0 = t_now_ms();
    r = srv_post(s, "/api/v1/appeals", NULL, appeal_json(NULL));
    expect_status(r, 201);
    resp_free(r);
    int64_t seen = 0;
    while (t_now_ms() - t0 < (max_age + 1) * 1000 + 1000) {
        r = srv_get(s, "/api/v1/stats", f.analyst);
        seen = jint(r->json, "received_today");
        resp_free(r);
        if (seen == 4)
            break;
        t_sleep_ms(200);
    }
    assert_int_equal(seen, 4);

    /* Supervisors of two agencies, one right after the other: each their own. */
    r = srv_get(s, "/api/v1/stats", f.sup_a);
    expect_status(r, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r->json, "scope"), "agency")),
        f.agency_a);
    int64_t a_received = jint(r->json, "received_today");
    resp_free(r);
    r = srv_get(s, "/api/v1/stats", f.sup_b);
    expect_status(r, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r->json, "scope"), "agency")),
        "astana.health");
    assert_int_equal(jint(r->json, "received_today"), 1);
    assert_true(a_received >= 3);
    resp_free(r);
    /* B's cached figures answer nobody who asks for A, and the other way round. */
    r = srv_get(s, t_printf("/api/v1/stats?agency=%s", f.agency_a), f.sup_b);
    expect_status(r, 403);
    resp_free(r);
    r = srv_get(s, "/api/v1/stats?agency=astana.health", f.analyst);
    assert_int_equal(jint(r->json, "received_today"), 1);
    resp_free(r);

    /* Eight callers racing for a cold scope: one read from the store. */
    int64_t reads = metric(s, "tyndau_stats_reads_total");
    struct racer x[8];
    pthread_t th[8];
    for (int i = 0; i < 8; i++) {
        x[i] = (struct racer){.s = s, .auth = f.analyst};
        assert_int_equal(pthread_create(&th[i], NULL, race, &x[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(x[i].status, 200);
        assert_int_equal(x[i].received, 1);
    }
    assert_int_equal(metric(s, "tyndau_stats_reads_total") - reads, 1);
}

int
main(void)
{
    srv_init(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(stats_figures, srv_teardown),
        cmocka_unit_test_teardown(stats_access_and_bad_input, srv_teardown),
        cmocka_unit_test_teardown(stats_cache, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
