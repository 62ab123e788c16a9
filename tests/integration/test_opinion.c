/*
 * test_opinion.c - GET /api/v1/opinion on the real binary: `tyndau opinion
 * demo-sample` writes a synthetic stance sample into the server's store,
 * and the API answers with the weighted and unweighted shares side by
 * side, n, n_eff, deff, CI, band, population coverage from the channel
 * table, the estimand in words, the calibration table's version, date and
 * per-row sources, the synthetic label, and the note that appeals are not
 * in it; VK alone and one region. Who may call it, and bad
 * input: each gets its status, problem type and a detail that says what.
 * `tyndau calibration load` refuses a table whose parts do not add up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "integration/srv.h"

static json_t *
jget(json_t *o, const char *path)
{
    /* "a.b.c" */
    char key[64];
    const char *p = path;
    while (o && *p) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof(key), "%.*s", (int)n, p);
        o = json_object_get(o, key);
        p += n + (p[n] == '.');
    }
    return o;
}

static double
jnum(json_t *o, const char *path)
{
    json_t *v = jget(o, path);
    if (!json_is_number(v))
        fail_msg("%s is not a number", path);
    return json_number_value(v);
}

static void
demo_sample(struct srv *s, const char *extra)
{
    const char *argv[] = {
        "opinion", "demo-sample", t_printf("--db=%s", srv_db_url(s)), "--count=2500", "--seed=7",
        extra,     NULL};
    char *out = NULL, *err = NULL;
    int st = cli_run(argv, NULL, &out, &err);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("demo-sample: %s", err ? err : "");
    assert_non_null(strstr(out, "SYNTHETIC"));
    free(out);
    free(err);
}

static void
answers_with_every_figure(void **state)
{
    struct srv *s = srv_start(NULL);
    *state = s;
    demo_sample(s, NULL);
    const char *analyst = srv_bearer(s, srv_user(s, "ana", "analyst", NULL));
    struct resp *r = srv_get(s, "/api/v1/opinion?topic=housing", analyst);
    expect_status(r, 200);
    json_t *j = r->json;
    assert_non_null(j);

    double est = jnum(j, "estimate.value"), lo = jnum(j, "estimate.ci_low");
    double hi = jnum(j, "estimate.ci_high"), naive = jnum(j, "unweighted.value");
    assert_true(lo < est && est < hi);
    assert_true(jnum(j, "side_by_side.weighted") == est);
    assert_true(jnum(j, "side_by_side.unweighted") == naive);
    /* the demo public is young and urban, who are less often of stance 1 */
    assert_true(est > naive + 0.01);
    assert_true(jnum(j, "records") == 2500);
    double n = jnum(j, "n"), n_eff = jnum(j, "n_eff");
    assert_true(n > 1000 && n < jnum(j, "n_authors"));
    assert_true(jnum(j, "n_bots") > 0);
    assert_true(n_eff > 30 && n_eff < n);
    assert_true(jnum(j, "deff") > 1);
    assert_true(jnum(j, "population_coverage") == 0.58);
    assert_string_equal(json_string_value(jget(j, "band.coverage_channel")), "any");
    assert_true(jnum(j, "band.low") < lo && jnum(j, "band.high") > hi);
    const char *estimand = json_string_value(jget(j, "estimand"));
    assert_non_null(strstr(estimand, "people who post publicly on"));
    assert_non_null(strstr(estimand, "housing"));
    assert_non_null(strstr(estimand, "weighted to adults of Kazakhstan by region, sex, age and"
                                     " urban/rural"));
    assert_non_null(strstr(json_string_value(jget(j, "band.in_words")), "42.0%"));
    assert_string_equal(json_string_value(jget(j, "calibration.margins.name")), "kz_margins");
    assert_true(jnum(j, "calibration.margins.version") == 1);
    assert_string_equal(json_string_value(jget(j, "calibration.margins.ref_date")), "2025-12-01");
    json_t *rows = jget(j, "calibration.margins.rows");
    assert_int_equal(json_array_size(rows), 20 + 2 + 3 + 2);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        assert_non_null(json_string_value(json_object_get(row, "source")));
        assert_non_null(json_string_value(json_object_get(row, "ref_date")));
    }
    assert_true(json_is_true(jget(j, "synthetic")));
    assert_non_null(strstr(json_string_value(jget(j, "synthetic_note")), "SYNTHETIC"));
    assert_non_null(strstr(json_string_value(jget(j, "appeals")), "separate stream"));
    /* coverage 0.58 and the bot filter: no band reason; bots may dominate */
    json_t *reasons = jget(j, "reasons");
    for (size_t i = 0; i < json_array_size(reasons); i++)
        assert_string_not_equal(json_string_value(json_array_get(reasons, i)), "band");
    resp_free(r);

    /* VK alone: a third of adults, so the band reason is raised */
    r = srv_get(s, "/api/v1/opinion?topic=housing&sources=vk", analyst);
    expect_status(r, 200);
    assert_true(jnum(r->json, "population_coverage") == 0.329);
    assert_non_null(strstr(json_string_value(jget(r->json, "estimand")), "on VK about"));
    assert_true(jnum(r->json, "records") < 2500);
    assert_true(json_is_true(jget(r->json, "low_confidence")));
    resp_free(r);

    /* one region: weighted by sex, age and urban/rural only */
    r = srv_get(s, "/api/v1/opinion?topic=housing&region=750000000", analyst);
    expect_status(r, 200);
    assert_non_null(strstr(json_string_value(jget(r->json, "estimand")), "Almaty"));
    assert_int_equal(json_array_size(jget(r->json, "calibration.margins.rows")), 2 + 3 + 2);
    resp_free(r);

    /* a period with no records */
    r = srv_get(s, "/api/v1/opinion?topic=housing&from=2020-01-01&to=2020-01-31", analyst);
    expect_problem(r, 422, "/problems/invalid-value");
    assert_non_null(strstr(resp_str(r, "detail"), "no stance records"));
    resp_free(r);
    srv_done(s);
    *state = NULL;
}

struct bad {
    const char *query;
    int status;
    const char *type, *field, *detail;
};

static void
bad_input_and_roles(void **state)
{
    struct srv *s = srv_start(NULL);
    *state = s;
    demo_sample(s, "--topic=roads");
    const char *analyst = srv_bearer(s, srv_user(s, "ana", "analyst", NULL));
    static const struct bad bad[] = {
        {"", 400, "/problems/invalid-query", "topic", "give a topic"},
        {"?topic=nope", 400, "/problems/invalid-query", "topic", "unknown topic"},
        {"?topic=roads&from=2026-13-01", 400, "/problems/invalid-query", "from", "YYYY-MM-DD"},
        {"?topic=roads&to=yesterday", 400, "/problems/invalid-query", "to", "YYYY-MM-DD"},
        {"?topic=roads&from=2026-02-01&to=2026-01-01", 400, "/problems/invalid-query", "from",
         "after"},
        {"?topic=roads&from=2024-01-01&to=2026-01-01", 400, "/problems/invalid-query", "from",
         "366"},
        {"?topic=roads&sources=VK", 400, "/problems/invalid-query", "sources", "comma-separated"},
        {"?topic=roads&sources=vk,,ok", 400, "/problems/invalid-query", "sources",
         "comma-separated"},
        {"?topic=roads&sources=a,b,c,d,e,f,g,h,i", 400, "/problems/invalid-query", "sources",
         "up to 8"},
        {"?topic=roads&sources=telegram", 422, "/problems/invalid-value", "sources",
         "no reach figure"},
        {"?topic=roads&region=123", 400, "/problems/invalid-query", "region", "unknown region"},
        {"?topic=housing", 422, "/problems/invalid-value", "topic", "no stance records"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct resp *r = srv_get(s, t_printf("/api/v1/opinion%s", bad[i].query), analyst);
        const char *why = check_problem(r, bad[i].status, bad[i].type);
        if (why)
            fail_msg("%s: %s", bad[i].query, why);
        if (!strstr(resp_str(r, "detail"), bad[i].detail))
            fail_msg("%s: detail \"%s\" lacks \"%s\"", bad[i].query, resp_str(r, "detail"),
                     bad[i].detail);
        assert_string_equal(resp_str(r, "field"), bad[i].field);
        resp_free(r);
    }
    struct resp *r = srv_get(s, "/api/v1/opinion?topic=roads", analyst);
    expect_status(r, 200);
    resp_free(r);
    static const char *const allowed[] = {"supervisor", "admin"};
    for (size_t i = 0; i < 2; i++) {
        const char *who = srv_bearer(
            s, srv_user(s, t_printf("u%zu", i), allowed[i], i == 0 ? "almaty-city.roads" : NULL));
        r = srv_get(s, "/api/v1/opinion?topic=roads", who);
        expect_status(r, 200);
        resp_free(r);
    }
    r = srv_get(s, "/api/v1/opinion?topic=roads", NULL);
    expect_problem(r, 401, "/problems/unauthorized");
    resp_free(r);
    static const char *const refused[] = {"citizen", "operator", "official"};
    for (size_t i = 0; i < 3; i++) {
        const char *who = srv_bearer(
            s, srv_user(s, t_printf("x%zu", i), refused[i], i == 2 ? "almaty-city.roads" : NULL));
        r = srv_get(s, "/api/v1/opinion?topic=roads", who);
        expect_problem(r, 403, "/problems/forbidden");
        resp_free(r);
    }
    srv_done(s);
    *state = NULL;
}

static void
calibration_load_checks_sums(void **state)
{
    struct srv *s = srv_start(NULL);
    *state = s;
    const char *path = t_printf("%s/bad.csv", srv_dir(s));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("variable,category,population,source,ref_date\n"
          "sex,m,480,BNS,2026-01-01\nsex,f,530,BNS,2026-01-01\n_total,_all,1000,BNS,2026-01-01\n",
          f);
    fclose(f);
    const char *argv[] = {"calibration", "load", path, t_printf("--db=%s", srv_db_url(s)), NULL};
    char *out = NULL, *err = NULL;
    int st = cli_run(argv, NULL, &out, &err);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    assert_non_null(strstr(err, "within 0.1%"));
    free(out);
    free(err);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM calibration_tables", NULL), 2);
    srv_done(s);
    *state = NULL;
}

int
main(void)
{
    srv_init(60);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(answers_with_every_figure, srv_teardown),
        cmocka_unit_test_teardown(bad_input_and_roles, srv_teardown),
        cmocka_unit_test_teardown(calibration_load_checks_sums, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
