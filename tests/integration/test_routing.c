/*
 * test_routing.c - the router in the intake path, against the real binary:
 * appeals without a topic in Kazakh (Cyrillic and Latin), Russian and
 * English get the topic the model picks and the agency the routing table
 * gives for it in their region; a citizen's topic stands while the model's
 * opinion is recorded; a keyword rule an administrator adds overrides the
 * model at once; text the model cannot place goes to the operators' triage
 * queue; `tyndau train --seed` stores a new model version that the
 * running server takes up without a restart; and a store whose model is of
 * a format this build does not read (features changed) still starts, with
 * a new default model and the old one named in the log. Every decision is
 * checked in the 201, the appeal record and its first event.
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
#include <sqlite3.h>

#include "integration/srv.h"

static const char *
routed_agency(struct srv *s, const char *topic, const char *region)
{
    return srv_db_text(
        s, t_printf("SELECT agency FROM routing_rules WHERE topic = ?1 AND region = '%s'", region),
        topic);
}

/* POST an appeal with text (and topic, NULL: none) from region; the 201's JSON. */
static struct resp *
submit(struct srv *s, const char *text, const char *topic, const char *region)
{
    json_t *patch = json_pack("{s:s, s:s}", "text", text, "region", region);
    json_object_set_new(patch, "topic", topic ? json_string(topic) : json_null());
    char *p = json_dumps(patch, JSON_COMPACT);
    json_decref(patch);
    struct resp *r = srv_post(s, "/api/v1/appeals", NULL, appeal_json(p));
    free(p);
    expect_status(r, 201);
    return r;
}

static json_t *
routing(const struct resp *r)
{
    json_t *rt = json_object_get(r->json, "routing");
    if (!json_is_object(rt)) {
        resp_print(r);
        fail_msg("the 201 has no routing object");
    }
    return rt;
}

static const char *
rt_str(const struct resp *r, const char *key)
{
    return json_string_value(json_object_get(routing(r), key));
}

/* The stored routing columns and the first event's reason of the appeal. */
static const char *
stored(struct srv *s, const char *tid)
{
    return srv_db_text(s,
                       "SELECT coalesce(routed_by, '-') || '|' || coalesce(topic, '-') || '|' ||"
                       " coalesce(agency, '-') || '|' || coalesce(model_topic, '-') || '|' ||"
                       " coalesce(model_version, 0) FROM appeals WHERE tracking_id = ?1",
                       tid);
}

static const char *
first_reason(struct srv *s, const char *tid)
{
    return srv_db_text(s,
                       "SELECT reason FROM appeal_events WHERE seq = 1 AND appeal_id ="
                       " (SELECT id FROM appeals WHERE tracking_id = ?1)",
                       tid);
}

static const struct {
    const char *lang, *text, *topic;
} cases[] = {
    {"kk", "Сәлеметсіз бе! Біздің көшеде асфальт түгел бұзылып, терең шұңқырлар пайда болды.",
     "roads"},
    {"kk-latn", "Üide üş kün boiy ystyq su joq, batareialar suyq. Kömektesuıñızdı ötınemın.",
     "water"},
    {"ru", "Во дворе стая бродячих собак, вчера собака укусила ребёнка. Примите меры.",
     "stray-animals"},
    {"en", "The district clinic will not give me an appointment with a doctor for a month.",
     "health"},
};

static void
routing_by_model_in_every_language(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *region = "750000000";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct resp *r = submit(s, cases[i].text, NULL, region);
        const char *want_agency = routed_agency(s, cases[i].topic, region);
        assert_non_null(want_agency);
        const char *topic = resp_str(r, "topic"), *agency = resp_str(r, "agency");
        if (!topic || strcmp(topic, cases[i].topic) != 0 || !agency ||
            strcmp(agency, want_agency) != 0) {
            resp_print(r);
            fail_msg("%s: want %s -> %s", cases[i].lang, cases[i].topic, want_agency);
        }
        assert_string_equal(rt_str(r, "routed_by"), "model");
        assert_string_equal(rt_str(r, "model_topic"), cases[i].topic);
        double conf = json_number_value(json_object_get(routing(r), "topic_confidence"));
        assert_true(conf >= 0.4 && conf <= 1);
        assert_int_equal(json_integer_value(json_object_get(routing(r), "model_version")), 1);
        const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
        assert_string_equal(stored(s, tid), t_printf("model|%s|%s|%s|1", cases[i].topic,
                                                     want_agency, cases[i].topic));
        const char *why = first_reason(s, tid);
        assert_non_null(why);
        assert_non_null(strstr(why, "\"routed_by\":\"model\""));
        assert_non_null(strstr(why, t_printf("\"model_topic\":\"%s\"", cases[i].topic)));
        resp_free(r);
    }
    /* The citizen's topic stands; the model's opinion is kept beside it. */
    struct resp *r = submit(s, cases[2].text, "housing", region);
    assert_string_equal(resp_str(r, "topic"), "housing");
    assert_string_equal(resp_str(r, "agency"), routed_agency(s, "housing", region));
    assert_string_equal(rt_str(r, "routed_by"), "citizen");
    assert_string_equal(rt_str(r, "model_topic"), "stray-animals");
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    assert_string_equal(stored(s, tid), t_printf("citizen|housing|%s|stray-animals|1",
                                                 routed_agency(s, "housing", region)));
    resp_free(r);
    srv_done(s);
}

static void
routing_keyword_rule_overrides_model(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *admin = srv_bearer(s, srv_user(s, "admin", "admin", NULL));
    const char *h[] = {admin, NULL};
    const char *text = "Возле школы бегают бродячие собаки, дети боятся ходить на уроки.";
    struct resp *r = submit(s, text, NULL, "750000000");
    assert_string_equal(resp_str(r, "topic"), "stray-animals");
    resp_free(r);

    /* Bad rules are refused whole, naming the item. */
    r = srv_req(s, "PUT", "/api/v1/admin/keyword-rules", h,
                "{\"items\":[{\"keyword\":\"школа\",\"topic\":\"education\"},"
                "{\"keyword\":\"собаки\",\"topic\":\"weather\"}]}");
    expect_problem(r, 422, "/problems/invalid-value");
    assert_non_null(strstr(r->body, "items[1]"));
    resp_free(r);
    r = srv_req(s, "PUT", "/api/v1/admin/keyword-rules", h,
                "{\"items\":[{\"keyword\":\" -- \",\"topic\":\"education\"}]}");
    expect_problem(r, 422, "/problems/invalid-value");
    resp_free(r);
    r = srv_req(s, "PUT", "/api/v1/admin/keyword-rules", h,
                "{\"items\":[{\"keyword\":\"школа\",\"topic\":\"education\",\"x\":1}]}");
    expect_problem(r, 422, "/problems/unknown-field");
    resp_free(r);
    r = srv_req(s, "PUT", "/api/v1/admin/keyword-rules", h, "{\"items\":{}}");
    expect_problem(r, 422, "/problems/wrong-type");
    resp_free(r);
    r = srv_get(s, "/api/v1/admin/keyword-rules", admin);
    expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    resp_free(r);

    /* "школ" matches школы (a word's beginning), in Almaty only. */
    r = srv_req(s, "PUT", "/api/v1/admin/keyword-rules", h,
                "{\"items\":[{\"keyword\":\"школ\",\"region\":\"750000000\","
                "\"topic\":\"education\",\"agency\":null}]}");
    expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    assert_non_null(strstr(r->body, "\"created_by\":\"admin\""));
    resp_free(r);
    r = submit(s, text, NULL, "750000000");
    assert_string_equal(resp_str(r, "topic"), "education");
    assert_string_equal(resp_str(r, "agency"), routed_agency(s, "education", "750000000"));
    assert_string_equal(rt_str(r, "routed_by"), "rule");
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    assert_non_null(strstr(first_reason(s, tid), "\"router\":\"keyword\""));
    resp_free(r);
    /* Another region: the rule does not apply. */
    r = submit(s, text, NULL, "710000000");
    assert_string_equal(resp_str(r, "topic"), "stray-animals");
    assert_string_equal(rt_str(r, "routed_by"), "model");
    resp_free(r);
    srv_done(s);
}

static void
routing_gibberish_goes_to_triage(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *op = srv_bearer(s, srv_user(s, "op", "operator", NULL));
    struct resp *r = submit(s, "qwzx vbnm plkj hgfd zzkk wqpt", NULL, "750000000");
    assert_true(json_is_null(json_object_get(r->json, "topic")));
    assert_true(json_is_null(json_object_get(r->json, "agency")));
    assert_true(json_is_null(json_object_get(routing(r), "routed_by")));
    double conf = json_number_value(json_object_get(routing(r), "topic_confidence"));
    assert_true(conf < 0.4);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    assert_string_equal(srv_db_text(s,
                                    "SELECT coalesce(routed_by, '-') || '|' ||"
                                    " coalesce(agency, '-') FROM appeals WHERE tracking_id = ?1",
                                    tid),
                        "-|-");
    const char *why = first_reason(s, tid);
    assert_non_null(strstr(why, "\"router\":\"low\""));
    assert_non_null(strstr(why, "\"triage\":true"));
    r = srv_get(s, "/api/v1/queue", op);
    expect_status(r, 200);
    assert_non_null(strstr(r->body, tid));
    resp_free(r);
    srv_done(s);
}

static void
routing_new_model_without_restart(void **state)
{
    (void)state;
    struct srv *s = srv_start("--model-check-ms=200", NULL);
    struct resp *r = submit(s, cases[0].text, NULL, "750000000");
    assert_int_equal(json_integer_value(json_object_get(routing(r), "model_version")), 1);
    resp_free(r);
    pid_t pid = srv_pid(s);
    char *out = NULL, *err = NULL;
    /* a bad --min-count is refused before anything is stored */
    int rc = cli_run((const char *const[]){"train", "--seed", "--min-count=0",
                                           t_printf("--db=%s", srv_db_url(s)), NULL},
                     NULL, &out, &err);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
    assert_non_null(strstr(err, "--min-count must be a whole number from 1 to 1000"));
    free(out);
    free(err);
    out = err = NULL;
    rc = cli_run((const char *const[]){"train", "--seed", "--folds=3", "--seed-per=12",
                                       t_printf("--db=%s", srv_db_url(s)), NULL},
                 NULL, &out, &err);
    if (rc != 0)
        fail_msg("tyndau train --seed: exit %d: %s", rc, err ? err : "");
    assert_non_null(strstr(out, "topic model version 2"));
    assert_non_null(strstr(out, "3-fold cross-validation: accuracy"));
    free(out);
    free(err);
    int64_t version = 0;
    for (int i = 0; i < 100 && version != 2; i++) {
        t_sleep_ms(100);
        r = submit(s, cases[3].text, NULL, "750000000");
        version = json_integer_value(json_object_get(routing(r), "model_version"));
        resp_free(r);
    }
    assert_int_equal(version, 2);
    assert_int_equal(srv_pid(s), pid); /* the same process */
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM models WHERE kind = ?1", "topic"), 2);
    const char *metrics =
        srv_db_text(s, "SELECT metrics FROM models WHERE kind = ?1 AND version = 2", "topic");
    assert_non_null(strstr(metrics, "\"folds\":3"));
    assert_non_null(strstr(metrics, "\"classes\":20"));
    assert_non_null(strstr(metrics, "\"features\":"));
    assert_null(strstr(metrics, "\"features\":0,"));
    srv_done(s);
}

/* Rewrite the format version of the stored topic model of version 1 to
 * format (the server stopped). */
static void
model_set_format(const char *db_path, unsigned char format)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT bytes FROM models WHERE kind = 'topic'"
                                        " AND version = 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    assert_true(len > 8);
    unsigned char *b = malloc(len);
    memcpy(b, sqlite3_column_blob(st, 0), len);
    sqlite3_finalize(st);
    assert_memory_equal(b, "TYCL", 4);
    b[4] = format;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE models SET bytes = ?1 WHERE kind = 'topic'"
                                        " AND version = 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_blob(st, 1, b, (int)len, SQLITE_TRANSIENT), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(b);
}

static void
routing_model_of_another_format_is_replaced(void **state)
{
    (void)state;
    const char *kind = getenv("TYNDAU_TEST_DB_KIND");
    if (kind && *kind && strcmp(kind, "sqlite") != 0)
        skip();
    struct srv *s = srv_start(NULL);
    struct resp *r = submit(s, cases[2].text, NULL, "750000000");
    assert_int_equal(json_integer_value(json_object_get(routing(r), "model_version")), 1);
    resp_free(r);
    srv_stop(s);
    model_set_format(srv_db_path(s), 1); /* 1 + ln tf, before CLASSIFY_VERSION 2 */
    srv_restart(s);
    /* It starts, and routes by a new default model stored on top. */
    r = submit(s, cases[2].text, NULL, "750000000");
    assert_string_equal(rt_str(r, "routed_by"), "model");
    assert_string_equal(rt_str(r, "model_topic"), cases[2].topic);
    assert_int_equal(json_integer_value(json_object_get(routing(r), "model_version")), 2);
    resp_free(r);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM models WHERE kind = ?1", "topic"), 2);
    FILE *f = fopen(t_printf("%s/stderr.log", srv_dir(s)), "r");
    assert_non_null(f);
    char line[1024];
    bool named = false;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, " warn ") && strstr(line, "topic model v1 not used: its format is 1"))
            named = true;
    fclose(f);
    assert_true(named);
    /* Restarted again, it keeps the new one and trains nothing more. */
    srv_restart(s);
    r = submit(s, cases[2].text, NULL, "750000000");
    assert_int_equal(json_integer_value(json_object_get(routing(r), "model_version")), 2);
    resp_free(r);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM models WHERE kind = ?1", "topic"), 2);
    srv_done(s);
}

int
main(void)
{
    srv_init(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(routing_by_model_in_every_language, srv_teardown),
        cmocka_unit_test_teardown(routing_keyword_rule_overrides_model, srv_teardown),
        cmocka_unit_test_teardown(routing_gibberish_goes_to_triage, srv_teardown),
        cmocka_unit_test_teardown(routing_new_model_without_restart, srv_teardown),
        cmocka_unit_test_teardown(routing_model_of_another_format_is_replaced, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
