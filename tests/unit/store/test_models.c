/*
 * test_models.c - the router's tables of 004_models in both backends:
 * model versions per kind with their bytes (binary, round trip), the
 * newest version, lists; keyword rules replaced whole and read back in
 * order, with their references checked; what routing decided recorded on an
 * appeal (a later partial record keeps the rest); and officials'
 * corrections as training examples. SQLite in memory and in a file always;
 * PostgreSQL on a fresh database when TEST_PG_DSN is set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "base/arena.h"
#include "base/rnd.h"
#include "store/store.h"

#include "unit/store/store_fx.h"

/* ---- models ---- */

struct model_job {
    struct model_row m;
};

static enum err
model_job(struct store_tx *tx, void *arg)
{
    return store_tx_model_insert(tx, &((struct model_job *)arg)->m);
}

static int64_t
put_model(struct fx *f, const char *kind, const unsigned char *bytes, size_t len)
{
    struct model_job j = {{.kind = kind,
                           .created_at = 1700000000,
                           .source = "test",
                           .metrics = "{\"accuracy\":0.5}",
                           .bytes = bytes,
                           .bytes_len = len}};
    enum err e = store_write(f->s, model_job, &j);
    if (e)
        fail_msg("model insert: %s: %s", err_name(e), store_errmsg(f->s));
    assert_true(j.m.id > 0);
    return j.m.version;
}

static void
models_versions(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    int64_t v = -1;
    assert_int_equal(store_model_latest(f->s, "topic", &v), ERR_OK);
    assert_int_equal(v, 0);
    struct model_row row;
    assert_int_equal(store_model_get(f->s, f->a, "topic", 0, &row), ERR_NOTFOUND);

    /* Bytes with NULs, high bytes and a backslash come back exactly. */
    unsigned char b1[300], b2[5] = {0, 0xff, '\\', 'x', 0};
    for (size_t i = 0; i < sizeof(b1); i++)
        b1[i] = (unsigned char)(i * 7);
    assert_int_equal(put_model(f, "topic", b1, sizeof(b1)), 1);
    assert_int_equal(put_model(f, "topic", b2, sizeof(b2)), 2);
    assert_int_equal(put_model(f, "agency", b2, sizeof(b2)), 1);
    assert_int_equal(store_model_latest(f->s, "topic", &v), ERR_OK);
    assert_int_equal(v, 2);
    assert_int_equal(store_model_latest(f->s, "agency", &v), ERR_OK);
    assert_int_equal(v, 1);

    assert_int_equal(store_model_get(f->s, f->a, "topic", 0, &row), ERR_OK);
    assert_int_equal(row.version, 2);
    assert_int_equal(row.bytes_len, sizeof(b2));
    assert_memory_equal(row.bytes, b2, sizeof(b2));
    assert_string_equal(row.kind, "topic");
    assert_string_equal(row.source, "test");
    assert_string_equal(row.metrics, "{\"accuracy\":0.5}");
    assert_int_equal(row.created_at, 1700000000);
    assert_int_equal(store_model_get(f->s, f->a, "topic", 1, &row), ERR_OK);
    assert_int_equal(row.bytes_len, sizeof(b1));
    assert_memory_equal(row.bytes, b1, sizeof(b1));
    assert_int_equal(store_model_get(f->s, f->a, "agency", 2, &row), ERR_NOTFOUND);

    struct model_row *rows;
    size_t n;
    assert_int_equal(store_model_list(f->s, f->a, &rows, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].kind, "agency");
    assert_string_equal(rows[1].kind, "topic");
    assert_int_equal(rows[1].version, 1);
    assert_int_equal(rows[2].version, 2);
    assert_null(rows[2].bytes);

    /* Bad input. */
    assert_int_equal(store_model_latest(f->s, "region", &v), ERR_INVALID);
    assert_int_equal(store_model_get(f->s, f->a, NULL, 0, &row), ERR_INVALID);
    assert_int_equal(store_model_get(f->s, f->a, "topic", -1, &row), ERR_INVALID);
    struct model_job bad = {{.kind = "topic", .source = "x", .metrics = "{}", .bytes = b1}};
    assert_int_equal(store_write(f->s, model_job, &bad), ERR_INVALID); /* no bytes */
    bad.m.kind = "cluster";
    bad.m.bytes_len = 1;
    assert_int_equal(store_write(f->s, model_job, &bad), ERR_INVALID);
    assert_int_equal(store_model_latest(f->s, "topic", &v), ERR_OK);
    assert_int_equal(v, 2);
}

/* ---- keyword rules ---- */

struct kw_job {
    const struct keyword_rule_row *r;
    size_t n;
};

static enum err
kw_job(struct store_tx *tx, void *arg)
{
    struct kw_job *j = arg;
    return store_tx_keyword_rules_replace(tx, j->r, j->n);
}

static void
keyword_rules(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    struct keyword_rule_row *rows;
    size_t n;
    assert_int_equal(store_keyword_rules(f->s, f->a, &rows, &n), ERR_OK);
    assert_int_equal(n, 0);
    const struct keyword_rule_row three[] = {
        {"шлагбаум", NULL, "roads", NULL, "admin1", 100},
        {"ит", "750000000", "stray-animals", "almaty-city.veterinary", "admin1", 101},
        {"eGov", NULL, "digital", "min-digital", "admin2", 102},
    };
    struct kw_job j = {three, 3};
    assert_int_equal(store_write(f->s, kw_job, &j), ERR_OK);
    assert_int_equal(store_keyword_rules(f->s, f->a, &rows, &n), ERR_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(rows[i].keyword, three[i].keyword);
        assert_string_equal(rows[i].topic, three[i].topic);
        assert_string_equal(rows[i].created_by, three[i].created_by);
        assert_int_equal(rows[i].created_at, three[i].created_at);
    }
    assert_null(rows[0].region);
    assert_null(rows[0].agency);
    assert_string_equal(rows[1].region, "750000000");
    assert_string_equal(rows[1].agency, "almaty-city.veterinary");

    /* Replaced whole: one left, in first place. */
    j = (struct kw_job){three + 2, 1};
    assert_int_equal(store_write(f->s, kw_job, &j), ERR_OK);
    assert_int_equal(store_keyword_rules(f->s, f->a, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].keyword, "eGov");

    /* An unknown topic breaks a reference: nothing changes. */
    const struct keyword_rule_row bad[] = {{"мост", NULL, "bridges", NULL, "admin1", 1}};
    j = (struct kw_job){bad, 1};
    assert_int_not_equal(store_write(f->s, kw_job, &j), ERR_OK);
    const struct keyword_rule_row empty[] = {{"", NULL, "roads", NULL, "admin1", 1}};
    j = (struct kw_job){empty, 1};
    assert_int_equal(store_write(f->s, kw_job, &j), ERR_INVALID);
    j = (struct kw_job){three, STORE_KEYWORD_RULES_MAX + 1};
    assert_int_equal(store_write(f->s, kw_job, &j), ERR_TOOBIG);
    assert_int_equal(store_keyword_rules(f->s, f->a, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].keyword, "eGov");

    j = (struct kw_job){NULL, 0};
    assert_int_equal(store_write(f->s, kw_job, &j), ERR_OK);
    assert_int_equal(store_keyword_rules(f->s, f->a, &rows, &n), ERR_OK);
    assert_int_equal(n, 0);
}

/* ---- routing decisions and corrections ---- */

struct appeal_job {
    struct appeal ap;
    char tracking[32], reg[40];
    unsigned char secret[32];
    struct appeal_routing rt;
    enum appeal_action act; /* ACT_REGISTER: none after registering */
    const char *act_agency;
};

static enum err
appeal_job(struct store_tx *tx, void *arg)
{
    struct appeal_job *j = arg;
    enum err e = store_tx_appeal_insert(tx, &j->ap, j->secret);
    if (!e)
        e = store_tx_appeal_routing(tx, j->ap.id, &j->rt);
    struct appeal_event ev = {.at = 1700000000,
                              .action = ACT_REGISTER,
                              .actor_role = ROLE_CITIZEN,
                              .to = STATUS_REGISTERED,
                              .agency = j->ap.agency};
    if (!e)
        e = store_tx_event_append(tx, j->ap.id, &ev);
    if (!e && j->act != ACT_REGISTER) {
        ev = (struct appeal_event){.at = 1700000100,
                                   .action = j->act,
                                   .actor_role = ROLE_OPERATOR,
                                   .from = STATUS_REGISTERED,
                                   .to = STATUS_REGISTERED,
                                   .agency = j->act_agency};
        e = store_tx_event_append(tx, j->ap.id, &ev);
    }
    return e;
}

static int64_t
add_appeal(struct fx *f, const char *tracking, const char *text, const char *topic,
           const char *agency, const struct appeal_routing *rt, enum appeal_action act)
{
    struct appeal_job j = {.rt = *rt, .act = act, .act_agency = agency};
    snprintf(j.tracking, sizeof(j.tracking), "%s", tracking);
    snprintf(j.reg, sizeof(j.reg), "75-2026-%s", tracking);
    memset(j.secret, 7, sizeof(j.secret));
    j.ap = (struct appeal){.tracking_id = j.tracking,
                           .reg_number = j.reg,
                           .region = "750000000",
                           .topic = topic,
                           .agency = agency,
                           .text = text,
                           .consent = true,
                           .registered_by = "tyndau-intake",
                           .filed_at = 1700000000,
                           .registered_at = 1700000000,
                           .updated_at = 1700000000};
    enum err e = store_write(f->s, appeal_job, &j);
    if (e)
        fail_msg("appeal %s: %s: %s", tracking, err_name(e), store_errmsg(f->s));
    return j.ap.id;
}

struct routing_job {
    int64_t id;
    struct appeal_routing rt;
};

static enum err
routing_job(struct store_tx *tx, void *arg)
{
    struct routing_job *j = arg;
    return store_tx_appeal_routing(tx, j->id, &j->rt);
}

/* The routing columns of appeal id as one text, through the backend's own
 * client. */
static const char *
routing_of(struct fx *f, int64_t id)
{
    static char out[512];
    const char *sql =
        "SELECT coalesce(routed_by,'-') || '|' || coalesce(model_topic,'-') || '|'"
        " || coalesce(model_agency,'-') || '|' || coalesce(CAST(round(topic_confidence"
        " * 100) AS INTEGER),-1) || '|' || coalesce(model_version,0) || '|' ||"
        " coalesce(agency_model_version,0) FROM appeals WHERE id = ";
    char q[600];
    snprintf(q, sizeof(q), "%s%lld", sql, (long long)id);
    if (!f->pg) {
        /* Memory mode has no second connection: the file fixture checks. */
        if (!f->path[0])
            return NULL;
        sqlite3 *db;
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return out;
    }
    PGconn *c = PQconnectdb(f->dsn);
    PGresult *r = PQexec(c, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", q, PQerrorMessage(c));
    snprintf(out, sizeof(out), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return out;
}

static void
routing_and_corrections(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    /* Routed by the model; then an operator never touched it. */
    const struct appeal_routing by_model = {"model", "roads", "almaty-city.roads", 0.8, 1, 3, 0};
    int64_t a = add_appeal(f, "aaaa", "Яма на дороге", "roads", "almaty-city.roads", &by_model,
                           ACT_REGISTER);
    /* In triage, then routed by an operator to water. */
    const struct appeal_routing low = {NULL, "housing", "almaty-city.housing", 0.2, 1, 3, 2};
    int64_t b =
        add_appeal(f, "bbbb", "Нет горячей воды", "water", "almaty-city.energy", &low, ACT_ROUTE);
    /* Forwarded to another agency. */
    int64_t c = add_appeal(f, "cccc", "Бродячие собаки во дворе", "stray-animals",
                           "almaty-city.veterinary", &by_model, ACT_FORWARD);
    const char *r = routing_of(f, a);
    if (r)
        assert_string_equal(r, "model|roads|almaty-city.roads|80|3|0");
    r = routing_of(f, b);
    if (r)
        assert_string_equal(r, "-|housing|almaty-city.housing|20|3|2");
    /* A partial record (triage) keeps the rest. */
    struct routing_job rj = {b, {.routed_by = "operator"}};
    assert_int_equal(store_write(f->s, routing_job, &rj), ERR_OK);
    r = routing_of(f, b);
    if (r)
        assert_string_equal(r, "operator|housing|almaty-city.housing|20|3|2");
    rj = (struct routing_job){999999, {.routed_by = "operator"}};
    assert_int_equal(store_write(f->s, routing_job, &rj), ERR_NOTFOUND);
    rj = (struct routing_job){a, {.routed_by = "robot"}};
    assert_int_not_equal(store_write(f->s, routing_job, &rj), ERR_OK); /* CHECK */

    struct correction_row *rows;
    size_t n;
    assert_int_equal(store_corrections(f->s, f->a, "topic", 100, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].text, "Нет горячей воды");
    assert_string_equal(rows[0].label, "water");
    assert_int_equal(store_corrections(f->s, f->a, "agency", 100, &rows, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].label, "almaty-city.veterinary"); /* newest first */
    assert_string_equal(rows[1].label, "almaty-city.energy");
    assert_int_equal(store_corrections(f->s, f->a, "agency", 1, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_corrections(f->s, f->a, "region", 1, &rows, &n), ERR_INVALID);
    (void)c;
}

int
main(void)
{
    const struct CMUnitTest memory[] = {
        cmocka_unit_test_setup_teardown(models_versions, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(keyword_rules, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(routing_and_corrections, setup_sqlite, teardown),
    };
    const struct CMUnitTest file[] = {
        cmocka_unit_test_setup_teardown(models_versions, setup_file, teardown),
        cmocka_unit_test_setup_teardown(keyword_rules, setup_file, teardown),
        cmocka_unit_test_setup_teardown(routing_and_corrections, setup_file, teardown),
    };
    const struct CMUnitTest pg[] = {
        cmocka_unit_test_setup_teardown(models_versions, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(keyword_rules, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(routing_and_corrections, setup_pg, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite memory", memory, NULL, NULL);
    failed += cmocka_run_group_tests_name("sqlite file", file, NULL, NULL);
    failed += cmocka_run_group_tests_name("postgresql", pg, NULL, NULL);
    return failed;
}
