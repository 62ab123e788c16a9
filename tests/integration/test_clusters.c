/*
 * test_clusters.c - near-duplicate clusters and bursts through the real
 * binary: three citizens report one pothole at one address in Kazakh,
 * Russian and English and land in one cluster (id and count in the 201, the
 * appeal record and its first event), a pothole across town starts its own;
 * the cluster list and view with their filters and access; an official
 * answers the cluster once and every appeal of it gets its own answer,
 * events and legal record while the other stays open, and a later
 * duplicate starts a new cluster; and forty appeals on one topic in one
 * region within minutes raise burst.detected with a plain-language reason.
 * Runs on SQLite, and on PostgreSQL with TYNDAU_TEST_DB_KIND=postgres.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "integration/srv.h"

static const char *const same_place =
    "\"address\":\"Алматы, ул. Байзакова, 120\",\"lat\":43.2401,\"lon\":76.9102";

struct sub {
    const char *tid, *secret;
    long long cluster, count;
};

static struct sub
submit(struct srv *s, const char *patch)
{
    struct resp *r = srv_post(s, "/api/v1/appeals", NULL, appeal_json(patch));
    expect_status(r, 201);
    struct sub out = {t_printf("%s", resp_str(r, "tracking_id")),
                      t_printf("%s", resp_str(r, "secret")), 0, 0};
    json_t *c = json_object_get(r->json, "cluster");
    if (!json_is_object(c))
        fail_msg("the 201 has no cluster: %s", r->body);
    out.cluster = (long long)json_integer_value(json_object_get(c, "id"));
    out.count = (long long)json_integer_value(json_object_get(c, "count"));
    assert_true(out.cluster > 0 && out.count > 0);
    resp_free(r);
    return out;
}

static json_t *
get_json(struct srv *s, const char *path, const char *auth, int status)
{
    struct resp *r = srv_get(s, path, auth);
    expect_status(r, status);
    json_t *j = json_incref(r->json);
    resp_free(r);
    return j;
}

static void
near_duplicates_share_a_cluster_answered_once(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *agency = srv_db_text(
        s, "SELECT agency FROM routing_rules WHERE topic = 'roads' AND region = ?1", "750000000");
    const char *off = srv_bearer(s, srv_user(s, "off.roads", "official", agency));
    const char *other = srv_bearer(s, srv_user(s, "off.health", "official", "astana.health"));
    const char *analyst = srv_bearer(s, srv_user(s, "an", "analyst", NULL));

    struct sub kk = submit(s, t_printf("{\"language\":\"kk\",\"text\":\"Байзақов көшесі 120 үйдің "
                                       "алдында жолда үлкен шұңқыр бар, көліктер бұзылып жатыр. "
                                       "Жөндеуді сұраймын.\",%s}",
                                       same_place));
    struct sub ru = submit(s, t_printf("{\"language\":\"ru\",\"text\":\"Огромная яма на проезжей "
                                       "части у дома 120 по Байзакова, машины бьют колёса, "
                                       "звоните +7 701 555 12 34\",%s}",
                                       same_place));
    struct sub en = submit(s, t_printf("{\"language\":\"en\",\"text\":\"Deep pothole in front of "
                                       "120 Baizakov street, cars are getting damaged, please "
                                       "repair it\",%s}",
                                       same_place));
    struct sub far = submit(s, "{\"text\":\"Разбит тротуар в микрорайоне Алгабас, 5, нет "
                               "освещения\",\"address\":\"Алматы, мкр. Алгабас, 5\","
                               "\"lat\":43.3601,\"lon\":76.7705}");
    /* One cluster, named by its first appeal; the count grows. */
    assert_int_equal(kk.count, 1);
    assert_int_equal(ru.cluster, kk.cluster);
    assert_int_equal(ru.count, 2);
    assert_int_equal(en.cluster, kk.cluster);
    assert_int_equal(en.count, 3);
    assert_true(far.cluster != kk.cluster);
    assert_int_equal(far.count, 1);
    assert_int_equal(kk.cluster,
                     srv_db_int(s, "SELECT id FROM appeals WHERE tracking_id = ?1", kk.tid));

    /* In the appeal record and in its first event. */
    json_t *j = get_json(s, t_printf("/api/v1/appeals/%s", ru.tid), off, 200);
    json_t *c = json_object_get(appeal_obj(j), "cluster");
    assert_int_equal(json_integer_value(json_object_get(c, "id")), kk.cluster);
    assert_int_equal(json_integer_value(json_object_get(c, "count")), 3);
    json_decref(j);
    assert_int_equal(srv_db_int(s, "SELECT cluster_id FROM appeals WHERE tracking_id = ?1", en.tid),
                     kk.cluster);
    const char *first = srv_db_text(s,
                                    "SELECT data FROM events WHERE kind = 'appeal.registered'"
                                    " AND appeal_id = (SELECT id FROM appeals WHERE tracking_id"
                                    " = ?1)",
                                    en.tid);
    assert_non_null(strstr(first, t_printf("\"cluster\":{\"id\":%lld,\"count\":3}", kk.cluster)));
    /* cluster.grew: once per appeal, redacted, no contacts. */
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM events WHERE kind = ?1", "cluster.grew"),
                     4);
    const char *grew = srv_db_text(s,
                                   "SELECT data FROM events WHERE kind = 'cluster.grew' AND "
                                   "appeal_id = (SELECT id FROM appeals WHERE tracking_id = ?1)",
                                   en.tid);
    assert_non_null(strstr(grew, "\"count\":3"));
    assert_non_null(strstr(grew, "\"new\":false"));
    assert_null(strstr(grew, "555 12 34"));
    assert_null(strstr(grew, "Айгуль"));
    assert_null(strstr(grew, "aigul@"));

    /* The view and the list, with their access. */
    const char *cpath = t_printf("/api/v1/clusters/%lld", kk.cluster);
    j = get_json(s, cpath, off, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
    assert_true(json_is_true(json_object_get(j, "open")));
    const char *rep = json_string_value(json_object_get(j, "representative_text"));
    assert_non_null(rep);
    assert_null(strstr(rep, "555 12 34"));
    json_decref(j);
    j = get_json(s, cpath, analyst, 200);
    json_decref(j);
    struct resp *r = srv_get(s, cpath, other); /* another agency's: as a missing one */
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = srv_get(s, "/api/v1/clusters/999999", off);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = srv_get(s, "/api/v1/clusters/abc", off);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = srv_get(s, cpath, NULL);
    expect_problem(r, 401, "/problems/unauthorized");
    resp_free(r);
    j = get_json(s, "/api/v1/clusters?region=750000000&topic=roads&open=1", off, 200);
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")),
                     kk.cluster); /* last seen first: the far one came last */
    json_decref(j);
    j = get_json(s, "/api/v1/clusters?limit=1", analyst, 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    const char *cursor = t_printf("%s", json_string_value(json_object_get(j, "next_cursor")));
    json_decref(j);
    j = get_json(s, t_printf("/api/v1/clusters?limit=1&cursor=%s", cursor), analyst, 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id")),
        kk.cluster);
    assert_true(json_is_null(json_object_get(j, "next_cursor")));
    json_decref(j);
    j = get_json(s, "/api/v1/clusters", other, 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
    json_decref(j);
    static const char *const bad_queries[] = {"open=2",  "region=1",  "topic=nope",
                                              "limit=0", "limit=201", "cursor=x"};
    for (size_t i = 0; i < sizeof(bad_queries) / sizeof(bad_queries[0]); i++) {
        r = srv_get(s, t_printf("/api/v1/clusters?%s", bad_queries[i]), off);
        expect_problem(r, 400, "/problems/invalid-query");
        resp_free(r);
    }

    /* Answer the cluster once. Bad bodies and callers first. */
    const char *answer = "{\"text\":\"Яма будет заделана до конца недели.\",\"language\":\"ru\"}";
    const char *apath = t_printf("/api/v1/clusters/%lld/answer", kk.cluster);
    r = srv_post(s, apath, other, answer);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = srv_post(s, apath, analyst, answer);
    expect_problem(r, 403, "/problems/forbidden");
    resp_free(r);
    r = srv_post(s, apath, off, "{\"text\":\"\"}");
    assert_int_equal(r->status, 422);
    resp_free(r);
    r = srv_post(s, apath, off, "{\"language\":\"ru\"}");
    assert_true(r->status == 400 || r->status == 422);
    resp_free(r);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM answers", NULL), 0);

    r = srv_post(s, apath, off, answer);
    expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "answered")), 3);
    assert_int_equal(json_array_size(json_object_get(r->json, "skipped")), 0);
    assert_true(json_is_true(json_object_get(r->json, "closed")));
    json_t *after = json_object_get(r->json, "cluster");
    assert_true(json_is_false(json_object_get(after, "open")));
    assert_int_equal(json_integer_value(json_object_get(after, "answered_count")), 3);
    resp_free(r);
    /* Each appeal: its own answer, its own events (taken, answered), its own deadline. */
    const struct sub *members[] = {&kk, &ru, &en};
    for (size_t i = 0; i < 3; i++) {
        j = get_json(s, t_printf("/api/v1/appeals/%s", members[i]->tid), off, 200);
        json_t *ap = appeal_obj(j);
        assert_string_equal(json_string_value(json_object_get(ap, "status")), "answered");
        assert_int_equal(json_array_size(json_object_get(j, "answers")), 1);
        assert_true(timeline_has(j, "taken"));
        assert_true(timeline_has(j, "answered"));
        assert_false(json_is_null(json_object_get(ap, "due_at")));
        json_decref(j);
        assert_int_equal(srv_db_int(s,
                                    "SELECT count(*) FROM appeal_events e JOIN appeals a ON"
                                    " a.id = e.appeal_id WHERE a.tracking_id = ?1",
                                    members[i]->tid),
                         3);
    }
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM answers", NULL), 3);
    assert_int_equal(
        srv_db_int(s, "SELECT count(*) FROM events WHERE kind = ?1", "appeal.answered"), 3);
    assert_int_equal(
        srv_db_int(s, "SELECT count(*) FROM events WHERE kind = ?1", "cluster.answered"), 1);
    /* The far one was not touched. */
    j = get_json(s, t_printf("/api/v1/appeals/%s", far.tid), off, 200);
    assert_string_equal(json_string_value(json_object_get(appeal_obj(j), "status")), "registered");
    json_decref(j);
    /* Once: nothing is left to answer. */
    r = srv_post(s, apath, off, answer);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    /* A duplicate after the answer starts a new cluster. */
    struct sub again =
        submit(s, t_printf("{\"text\":\"Снова яма у дома 120 по Байзакова\",%s}", same_place));
    assert_true(again.cluster != kk.cluster);
    assert_int_equal(again.count, 1);

    /* A restart refills the index from the store: a near-duplicate of the
     * open cluster joins it, none joins the closed one. */
    srv_restart(s);
    struct sub after_restart =
        submit(s, t_printf("{\"text\":\"Яма у дома 120 по Байзакова всё ещё не заделана\",%s}",
                           same_place));
    assert_int_equal(after_restart.cluster, again.cluster);
    assert_int_equal(after_restart.count, 2);
    srv_done(s);
}

static void
burst_of_forty_is_detected(void **state)
{
    (void)state;
    /* A fresh database has no history: no warm-up, so a surge counts at once. */
    struct srv *s = srv_start("--burst-warmup=0", "--rate-submit=1000000", NULL);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM events WHERE kind = ?1", "burst.detected"),
                     0);
    for (int i = 0; i < 40; i++) {
        /* Forty places across the city: many clusters, one topic, one region. */
        const char *patch = t_printf("{\"text\":\"Нет света на улице, дом %d, квартал %d\","
                                     "\"address\":\"Алматы, квартал %d\",\"lat\":%.4f,"
                                     "\"lon\":%.4f}",
                                     i, i * 7, i, 43.20 + 0.01 * (i % 8), 76.85 + 0.01 * (i / 8));
        (void)submit(s, patch);
    }
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM events WHERE kind = ?1", "burst.detected"),
                     1); /* once per surge */
    const char *data = srv_db_text(s, "SELECT data FROM events WHERE kind = ?1", "burst.detected");
    assert_non_null(strstr(data, "\"topic\":\"roads\""));
    assert_non_null(strstr(data, "\"region\":\"750000000\""));
    assert_non_null(strstr(data, "appeals on"));
    assert_non_null(strstr(data, "in the last hour"));
    assert_non_null(strstr(data, "\"clusters\":[{"));
    assert_null(strstr(data, "Айгуль"));
    srv_done(s);
}

int
main(void)
{
    srv_init(300);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(near_duplicates_share_a_cluster_answered_once, srv_teardown),
        cmocka_unit_test_teardown(burst_of_forty_is_detected, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
