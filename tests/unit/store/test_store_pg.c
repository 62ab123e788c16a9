/*
 * test_store_pg.c - the PostgreSQL backend (store_pg.c) against a real server.
 * Each test creates its own database tyndau_t_<random> on the server that
 * TEST_PG_DSN names (scripts/pg-test.sh starts a throwaway one), opens the
 * store on it through a postgresql:// URI, and drops it afterwards (WITH
 * FORCE). Without TEST_PG_DSN the tests skip with a message.
 *
 * Every store_ops function is exercised: migrations (twice, and two stores
 * at once), appeal insert/get/update with every column, the hash chain and
 * its verification (the same hashes as SQLite for the same jobs; the
 * append-only triggers; tampering found), idempotency, rate limits
 * (a refused hit is never counted), counters, 1000 async jobs from several
 * threads, a group where failing jobs are rolled back alone, the queue's
 * order with and without due dates and its cursor pagination, the due scan,
 * users, sessions and tokens, reference data equal to SQLite's, the events
 * table and its NOTIFY, and readers and the writer coming back after the
 * server dropped their connections. One check needs no server: the .pg.sql
 * migrations pair up with the SQLite ones.
 */
#include <poll.h>
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
#include <libpq-fe.h>

#include "base/arena.h"
#include "base/rnd.h"
#include "base/tm.h"
#include "base/util.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store/store_int.h"

enum { NOW = 1767934800 }; /* 2026-01-09T10:00:00+05:00 */

#define REGION "750000000" /* Almaty city */
#define AGENCY "almaty-city.roads"
#define AGENCY2 "almaty-city.housing"

struct fx {
    char db[32];    /* tyndau_t_<hex> */
    char dsn[1024]; /* TEST_PG_DSN with the path set to db */
    struct store *s;
    struct arena *a;
    PGconn *raw; /* our own connection to db, for checks */
    int applied;
};

static const struct store_opts opts = {.busy_timeout_ms = 5000, .group_max = 100, .readers = 4};

/* ---- the server ---- */

static const char *
admin_dsn(void)
{
    const char *v = getenv("TEST_PG_DSN");
    return v && *v ? v : NULL;
}

/* TEST_PG_DSN (a postgresql:// or postgres:// URI) with its database set to
 * db, into out. */
static void
dsn_for(const char *db, char *out, size_t cap)
{
    const char *base = admin_dsn();
    const char *auth = strstr(base, "://");
    if (!auth)
        fail_msg("TEST_PG_DSN must be a postgresql:// URI, not \"%s\"", base);
    auth += 3;
    size_t host_len = strcspn(auth, "/?");
    const char *rest = auth + host_len;
    if (*rest == '/')
        rest += strcspn(rest, "?"); /* skip the old database name */
    int n = snprintf(out, cap, "%.*s/%s%s", (int)(auth + host_len - base), base, db, rest);
    assert_true(n > 0 && (size_t)n < cap);
}

static PGconn *
raw_connect(const char *dsn)
{
    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect %s: %s", dsn, PQerrorMessage(c));
    return c;
}

/* Run sql (our own text; params $1.. as text) and fail unless it succeeds. */
static PGresult *
raw_q(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    return r;
}

static void
raw_exec(PGconn *c, const char *sql)
{
    PQclear(raw_q(c, sql, 0, NULL));
}

static int64_t
raw_int(PGconn *c, const char *sql, const char *param)
{
    const char *p[1] = {param};
    PGresult *r = raw_q(c, sql, param ? 1 : 0, p);
    assert_int_equal(PQntuples(r), 1);
    int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* sql must fail; returns the SQLSTATE. */
static const char *
raw_fails(PGconn *c, const char *sql)
{
    static char state[8];
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        fail_msg("%s: should have failed", sql);
    snprintf(state, sizeof(state), "%s", PQresultErrorField(r, PG_DIAG_SQLSTATE));
    PQclear(r);
    return state;
}

static void
db_create(char name[32])
{
    unsigned char b[6];
    rnd_bytes(b, sizeof(b));
    snprintf(name, 32, "tyndau_t_%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    PGconn *c = raw_connect(admin_dsn());
    char *id = PQescapeIdentifier(c, name, strlen(name));
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", id);
    PQfreemem(id);
    raw_exec(c, sql);
    PQfinish(c);
}

static void
db_drop(const char *name)
{
    PGconn *c = PQconnectdb(admin_dsn());
    if (PQstatus(c) == CONNECTION_OK) {
        char *id = PQescapeIdentifier(c, name, strlen(name));
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", id);
        PQfreemem(id);
        PQclear(PQexec(c, sql));
    }
    PQfinish(c);
}

/* ---- fixtures ---- */

static int
setup_bare(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    *state = f;
    f->a = arena_new();
    if (!admin_dsn())
        return 0;
    db_create(f->db);
    dsn_for(f->db, f->dsn, sizeof(f->dsn));
    f->raw = raw_connect(f->dsn);
    return 0;
}

static int
setup(void **state)
{
    setup_bare(state);
    struct fx *f = *state;
    if (!admin_dsn())
        return 0;
    enum err e = store_open(f->dsn, &opts, &f->s);
    if (e) {
        print_error("store_open(%s): %s\n", f->dsn, err_name(e));
        return -1;
    }
    e = store_migrate(f->s, &f->applied);
    if (e) {
        print_error("store_migrate: %s: %s\n", err_name(e), store_errmsg(f->s));
        return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    if (!f)
        return 0;
    store_close(f->s);
    PQfinish(f->raw);
    if (f->db[0])
        db_drop(f->db);
    arena_free(f->a);
    free(f);
    return 0;
}

static struct fx *
need(void **state)
{
    if (!admin_dsn())
        skip(); /* main() said why */
    return *state;
}

/* ---- jobs ---- */

struct appeal_job {
    struct appeal ap;
    unsigned char secret[32];
    char tracking[48];
    char reg[48];
    enum err fail_with; /* returned after a successful insert */
};

static void
fill_appeal(struct appeal_job *j, const char *tracking, const char *agency, int64_t due)
{
    memset(j, 0, sizeof(*j));
    snprintf(j->tracking, sizeof(j->tracking), "%s", tracking);
    snprintf(j->reg, sizeof(j->reg), "REG-%s", tracking);
    for (int i = 0; i < 32; i++)
        j->secret[i] = (unsigned char)(tracking[i % strlen(tracking)] * 7 + i);
    struct appeal *ap = &j->ap;
    ap->tracking_id = j->tracking;
    ap->reg_number = j->reg;
    ap->kind = KIND_COMPLAINT;
    ap->channel = CHANNEL_WEB;
    ap->language = LANG_RU;
    ap->region = REGION;
    ap->topic = agency ? "roads" : NULL;
    ap->agency = agency;
    ap->status = STATUS_REGISTERED;
    ap->text = "Яма на дороге по улице Абая, глубина 20 см";
    ap->contact_name = "Айгуль";
    ap->consent = true;
    ap->registered_by = agency ? agency : "tyndau-intake";
    ap->filed_at = NOW;
    ap->registered_at = NOW;
    ap->due_at = due;
    ap->forward_due_at = due ? due - 10 * TM_DAY : 0;
    ap->updated_at = NOW;
}

static enum err
insert_job(struct store_tx *tx, void *arg)
{
    struct appeal_job *j = arg;
    enum err e = store_tx_appeal_insert(tx, &j->ap, j->secret);
    return e ? e : j->fail_with;
}

static int64_t
insert(struct fx *f, struct appeal_job *j)
{
    enum err e = store_write(f->s, insert_job, j);
    if (e)
        fail_msg("insert %s: %s: %s", j->tracking, err_name(e), store_errmsg(f->s));
    assert_true(j->ap.id > 0);
    return j->ap.id;
}

static enum err
update_job(struct store_tx *tx, void *arg)
{
    return store_tx_appeal_update(tx, arg);
}

struct get_job {
    struct arena *a;
    const char *tracking;
    struct appeal ap;
};

static enum err
get_job(struct store_tx *tx, void *arg)
{
    struct get_job *j = arg;
    return store_tx_appeal_get(tx, j->a, j->tracking, &j->ap);
}

struct audit_job {
    const char *action;
    enum err fail_with;
};

static enum err
audit_job(struct store_tx *tx, void *arg)
{
    struct audit_job *j = arg;
    enum err e = store_tx_audit(tx, NOW, 0, j->action, "obj", NULL);
    return e ? e : j->fail_with;
}

static int64_t
audit_count(struct fx *f, const char *action)
{
    return raw_int(f->raw, "SELECT count(*) FROM audit_log WHERE action = $1", action);
}

static void
assert_str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

static void
assert_same_appeal(const struct appeal *got, const struct appeal *want)
{
    assert_int_equal(got->id, want->id);
    assert_string_equal(got->tracking_id, want->tracking_id);
    assert_string_equal(got->reg_number, want->reg_number);
    assert_int_equal(got->kind, want->kind);
    assert_int_equal(got->channel, want->channel);
    assert_int_equal(got->language, want->language);
    assert_string_equal(got->region, want->region);
    assert_str_or_null(got->topic, want->topic);
    assert_str_or_null(got->agency, want->agency);
    assert_int_equal(got->status, want->status);
    assert_string_equal(got->text, want->text);
    assert_str_or_null(got->address, want->address);
    assert_int_equal(got->has_location, want->has_location);
    if (want->has_location) {
        assert_true(got->lat == want->lat); /* exactly: doubles round-trip */
        assert_true(got->lon == want->lon);
    }
    assert_str_or_null(got->contact_name, want->contact_name);
    assert_str_or_null(got->contact_email, want->contact_email);
    assert_str_or_null(got->contact_phone, want->contact_phone);
    assert_str_or_null(got->contact_iin, want->contact_iin);
    assert_int_equal(got->anonymous, want->anonymous);
    assert_int_equal(got->consent, want->consent);
    assert_int_equal(got->owner_user, want->owner_user);
    assert_string_equal(got->registered_by, want->registered_by);
    assert_int_equal(got->filed_at, want->filed_at);
    assert_int_equal(got->registered_at, want->registered_at);
    assert_int_equal(got->due_at, want->due_at);
    assert_int_equal(got->forward_due_at, want->forward_due_at);
    assert_int_equal(got->assignee, want->assignee);
    assert_int_equal(got->rating, want->rating);
    assert_int_equal(got->warned, want->warned);
    assert_int_equal(got->overdue, want->overdue);
    assert_int_equal(got->extended, want->extended);
    assert_int_equal(got->updated_at, want->updated_at);
    assert_int_equal(got->closed_at, want->closed_at);
}

struct user_job {
    struct user u;
    const char *pwhash;
    int64_t id;
};

static enum err
user_job(struct store_tx *tx, void *arg)
{
    struct user_job *j = arg;
    return store_tx_user_insert(tx, &j->u, j->pwhash, NOW, &j->id);
}

static int64_t
add_user(struct fx *f, const char *login, enum role role, const char *agency)
{
    struct user_job j = {{0, login, role, agency, "Test User", false}, "$argon2id$fake", 0};
    enum err e = store_write(f->s, user_job, &j);
    if (e)
        fail_msg("user %s: %s: %s", login, err_name(e), store_errmsg(f->s));
    assert_true(j.id > 0);
    return j.id;
}

/* ---- migrations ---- */

static int
pg_migration_count(void)
{
    int n = 0;
    for (unsigned long i = 0; i < migrations_count; i++) {
        n += store__migration_applies(migrations[i].name, "pg");
    }
    return n;
}

static void
migrations_apply_once(void **state)
{
    struct fx *f = need(state);
    int n = -1;
    assert_true(pg_migration_count() >= 3);
    assert_int_equal(f->applied, pg_migration_count());
    assert_int_equal(store_ping(f->s), ERR_OK);
    assert_int_equal(store_migrate(f->s, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM schema_migrations", NULL), f->applied);
    /* Reopened: still nothing to do. */
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->dsn, &opts, &f->s), ERR_OK);
    assert_int_equal(store_migrate(f->s, &n), ERR_OK);
    assert_int_equal(n, 0);
}

struct migrate_thread {
    struct store *s;
    enum err e;
    int applied;
};

static void *
migrate_thread(void *arg)
{
    struct migrate_thread *m = arg;
    m->e = store_migrate(m->s, &m->applied);
    return NULL;
}

/* Two nodes starting at once on an empty database: one applies everything,
 * the other waits for it and applies nothing. */
static void
migrations_race(void **state)
{
    struct fx *f = need(state);
    struct migrate_thread m[2] = {{0}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(store_open(f->dsn, &opts, &m[i].s), ERR_OK);
    assert_int_not_equal(store_ping(m[0].s), ERR_OK); /* no schema yet */
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &m[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2; i++) {
        if (m[i].e)
            fail_msg("migrate %d: %s: %s", i, err_name(m[i].e), store_errmsg(m[i].s));
        store_close(m[i].s);
    }
    assert_int_equal(m[0].applied + m[1].applied, pg_migration_count());
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM regions", NULL), 20);
}

/* Each NNN_name.TAG.sql has a twin for the other backend; NNN_name.sql (the
 * reference data: plain INSERTs) serves both. Both backends get the same
 * numbered steps. No server needed. */
static void
migrations_pair_up(void **state)
{
    (void)state;
    int sqlite = 0, pg = 0;
    for (unsigned long i = 0; i < migrations_count; i++) {
        const char *name = migrations[i].name;
        bool for_pg = store__migration_applies(name, "pg");
        bool for_sqlite = store__migration_applies(name, "sqlite");
        assert_true(for_pg || for_sqlite);
        if (for_pg != for_sqlite) {
            bool twin = false;
            for (unsigned long k = 0; k < migrations_count; k++)
                twin |= k != i && strncmp(migrations[k].name, name, 4) == 0 &&
                        store__migration_applies(migrations[k].name, for_pg ? "sqlite" : "pg");
            if (!twin)
                fail_msg("%s has no twin for the other backend", name);
        }
        sqlite += for_sqlite;
        pg += for_pg;
    }
    assert_int_equal(sqlite, pg);
}

static void
bad_dsn(void **state)
{
    (void)need(state);
    struct store *s = NULL;
    /* Nothing listens on port 1. */
    assert_int_equal(store_open("postgresql://postgres@127.0.0.1:1/x?connect_timeout=2", &opts, &s),
                     ERR_UNAVAILABLE);
    assert_null(s);
    /* libpq's reason, for the caller to log. */
    if (!strstr(store_errmsg(NULL), "127.0.0.1"))
        fail_msg("store_errmsg(NULL) after a failed open: \"%s\"", store_errmsg(NULL));
}

/* "postgres://" works as well as "postgresql://". */
static void
postgres_scheme(void **state)
{
    struct fx *f = need(state);
    char dsn[1100];
    assert_int_equal(strncmp(f->dsn, "postgresql://", 13), 0);
    snprintf(dsn, sizeof(dsn), "postgres://%s", f->dsn + 13);
    struct store *s = NULL;
    assert_int_equal(store_open(dsn, &opts, &s), ERR_OK);
    assert_int_equal(store_ping(s), ERR_OK);
    store_close(s);
}

/* ---- appeals ---- */

static void
appeal_roundtrip(void **state)
{
    struct fx *f = need(state);
    int64_t official = add_user(f, "off1", ROLE_OFFICIAL, AGENCY);
    int64_t citizen = add_user(f, "cit1", ROLE_CITIZEN, NULL);
    struct appeal_job j;
    fill_appeal(&j, "T-0001", AGENCY, NOW + 15 * TM_DAY);
    struct appeal *ap = &j.ap;
    ap->kind = KIND_PROPOSAL;
    ap->channel = CHANNEL_PHONE;
    ap->language = LANG_KK;
    ap->text = "Көшеде жарық жоқ; \"quotes\", 'apostrophes', back\\slash, $1, ; DROP TABLE x; --";
    ap->address = "Алматы, ул. Абая, 10";
    ap->has_location = true;
    ap->lat = 43.238949;
    ap->lon = 0.1 + 0.2; /* not a short decimal */
    ap->contact_email = "a@example.kz";
    ap->contact_phone = "+7 701 123 45 67";
    ap->contact_iin = "900101300007";
    ap->anonymous = false;
    ap->owner_user = citizen;
    ap->registered_by = AGENCY "/operator:op1";
    insert(f, &j);

    struct appeal got;
    unsigned char h[32];
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0001", &got, h), ERR_OK);
    assert_same_appeal(&got, ap);
    assert_memory_equal(h, j.secret, 32);
    assert_string_equal(got.contact_iin, "900101300007");
    /* Inside a job too. */
    struct get_job g = {f->a, "T-0001", {0}};
    assert_int_equal(store_write(f->s, get_job, &g), ERR_OK);
    assert_same_appeal(&g.ap, ap);

    /* Every mutable column, then back to none. */
    got.status = STATUS_ANSWERED;
    got.topic = "housing";
    got.agency = AGENCY2;
    got.due_at = NOW + 20 * TM_DAY;
    got.forward_due_at = NOW + 2 * TM_DAY;
    got.assignee = official;
    got.rating = 5;
    got.warned = got.overdue = got.extended = true;
    got.updated_at = NOW + 100;
    got.closed_at = NOW + 200;
    assert_int_equal(store_write(f->s, update_job, &got), ERR_OK);
    struct appeal again;
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0001", &again, NULL), ERR_OK);
    assert_same_appeal(&again, &got);
    got.due_at = got.forward_due_at = got.assignee = got.closed_at = 0;
    got.rating = 0;
    got.warned = got.overdue = got.extended = false;
    got.topic = NULL;
    got.agency = NULL;
    assert_int_equal(store_write(f->s, update_job, &got), ERR_OK);
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0001", &again, NULL), ERR_OK);
    assert_same_appeal(&again, &got);
    assert_string_equal(again.text, ap->text); /* immutable columns untouched */

    /* No location, no contacts. */
    struct appeal_job k;
    fill_appeal(&k, "T-0002", NULL, 0);
    k.ap.contact_name = NULL;
    k.ap.anonymous = true;
    insert(f, &k);
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0002", &got, NULL), ERR_OK);
    assert_same_appeal(&got, &k.ap);
    assert_false(got.has_location);
}

/* Database settings a DBA might choose do not change what comes back. */
static void
server_settings_do_not_matter(void **state)
{
    struct fx *f = need(state);
    char *id = PQescapeIdentifier(f->raw, f->db, strlen(f->db));
    char sql[256];
    snprintf(sql, sizeof(sql),
             "ALTER DATABASE %s SET bytea_output = 'escape'; ALTER DATABASE %s SET"
             " extra_float_digits = -15; ALTER DATABASE %s SET client_encoding = 'LATIN1'",
             id, id, id);
    PQfreemem(id);
    PGresult *r = PQexec(f->raw, sql); /* several statements: not raw_exec */
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->dsn, &opts, &f->s), ERR_OK);
    struct appeal_job j;
    fill_appeal(&j, "X-0001", AGENCY, NOW);
    j.ap.has_location = true;
    j.ap.lat = 43.23894912345678;
    j.ap.lon = 1.0 / 3.0;
    insert(f, &j);
    struct appeal got;
    unsigned char h[32];
    assert_int_equal(store_appeal_get(f->s, f->a, "X-0001", &got, h), ERR_OK);
    assert_same_appeal(&got, &j.ap); /* Cyrillic text, exact doubles */
    assert_memory_equal(h, j.secret, 32);
}

struct dup_then_more {
    struct appeal_job dup, next;
    enum err dup_e;
};

/* A job that meets a duplicate and goes on: as in SQLite, the conflict does
 * not spoil the rest of the job. */
static enum err
dup_then_more_job(struct store_tx *tx, void *arg)
{
    struct dup_then_more *j = arg;
    j->dup_e = store_tx_appeal_insert(tx, &j->dup.ap, j->dup.secret);
    return store_tx_appeal_insert(tx, &j->next.ap, j->next.secret);
}

static void
appeal_errors(void **state)
{
    struct fx *f = need(state);
    struct appeal_job j, dup, bad;
    fill_appeal(&j, "T-0005", AGENCY, NOW);
    insert(f, &j);
    struct appeal got;
    assert_int_equal(store_appeal_get(f->s, f->a, "T-nope", &got, NULL), ERR_NOTFOUND);
    struct get_job g = {f->a, "T-nope", {0}};
    assert_int_equal(store_write(f->s, get_job, &g), ERR_NOTFOUND);

    /* Same tracking id; then the same registration number. */
    fill_appeal(&dup, "T-0005", NULL, 0);
    snprintf(dup.reg, sizeof(dup.reg), "REG-other");
    assert_int_equal(store_write(f->s, insert_job, &dup), ERR_CONFLICT);
    /* The writer's text reaches the thread that waited. */
    if (!strstr(store_errmsg(f->s), "UNIQUE"))
        fail_msg("store_errmsg() after a conflict: \"%s\"", store_errmsg(f->s));
    fill_appeal(&dup, "T-0006", NULL, 0);
    snprintf(dup.reg, sizeof(dup.reg), "REG-T-0005");
    assert_int_equal(store_write(f->s, insert_job, &dup), ERR_CONFLICT);

    struct dup_then_more m;
    fill_appeal(&m.dup, "T-0005", NULL, 0);
    fill_appeal(&m.next, "T-0007", NULL, 0);
    assert_int_equal(store_write(f->s, dup_then_more_job, &m), ERR_OK);
    assert_int_equal(m.dup_e, ERR_CONFLICT);
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0007", &got, NULL), ERR_OK);

    /* An unknown region breaks a foreign key: refused, not a conflict. */
    fill_appeal(&bad, "T-0008", NULL, 0);
    bad.ap.region = "999999999";
    enum err e = store_write(f->s, insert_job, &bad);
    assert_int_equal(e, ERR_STORE);
    assert_non_null(strstr(store_errmsg(f->s), "foreign key"));
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0008", &got, NULL), ERR_NOTFOUND);

    got = j.ap;
    got.id = 999999;
    assert_int_equal(store_write(f->s, update_job, &got), ERR_NOTFOUND);
    /* A rating outside 1..5 breaks a CHECK. */
    got = j.ap;
    got.rating = 6;
    assert_int_equal(store_write(f->s, update_job, &got), ERR_STORE);
}

/* ---- the timeline ---- */

struct chain_job {
    struct appeal_job aj;
    struct appeal_event ev[4];
    size_t count;
};

/* The same appeal and events as app/submit.c and app/act.c would write:
 * registered by a citizen (seq 1, no from status), routed by an operator
 * with a reason, not considered by the system, and a note without agency. */
static enum err
chain_run(struct store_tx *tx, void *arg)
{
    struct chain_job *j = arg;
    enum err e = store_tx_appeal_insert(tx, &j->aj.ap, j->aj.secret);
    for (size_t i = 0; !e && i < j->count; i++)
        e = store_tx_event_append(tx, j->aj.ap.id, &j->ev[i]);
    return e;
}

static void
chain_fill(struct chain_job *j)
{
    memset(j, 0, sizeof(*j));
    fill_appeal(&j->aj, "C-0001", NULL, NOW + 15 * TM_DAY);
    j->count = 4;
    j->ev[0] = (struct appeal_event){.at = NOW,
                                     .action = ACT_REGISTER,
                                     .actor_role = ROLE_CITIZEN,
                                     .actor_id = 0,
                                     .from = STATUS_REGISTERED,
                                     .to = STATUS_REGISTERED,
                                     .due_at = NOW + 15 * TM_DAY};
    j->ev[1] = (struct appeal_event){.at = NOW + 60,
                                     .action = ACT_ROUTE,
                                     .actor_role = ROLE_OPERATOR,
                                     .actor_id = 0,
                                     .from = STATUS_REGISTERED,
                                     .to = STATUS_REGISTERED,
                                     .agency = AGENCY,
                                     .reason = "тема: дороги",
                                     .due_at = NOW + 15 * TM_DAY};
    j->ev[2] = (struct appeal_event){.at = NOW + 120,
                                     .action = ACT_NOT_CONSIDER,
                                     .actor_role = ROLE_SYSTEM,
                                     .from = STATUS_REGISTERED,
                                     .to = STATUS_NOT_CONSIDERED,
                                     .agency = AGENCY,
                                     .reason = "anonymous appeal: no name or IIN given"};
    j->ev[3] = (struct appeal_event){.at = NOW + 180,
                                     .action = ACT_WARN,
                                     .actor_role = ROLE_SYSTEM,
                                     .from = STATUS_NOT_CONSIDERED,
                                     .to = STATUS_NOT_CONSIDERED};
}

static void
chain_append_and_verify(void **state)
{
    struct fx *f = need(state);
    struct chain_job j;
    chain_fill(&j);
    assert_int_equal(store_write(f->s, chain_run, &j), ERR_OK);

    struct appeal_event *evs;
    size_t n;
    assert_int_equal(store_events_list(f->s, f->a, j.aj.ap.id, &evs, &n), ERR_OK);
    assert_int_equal(n, 4);
    unsigned char prev[32] = {0}, h[32];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(evs[i].seq, (int)i + 1);
        assert_int_equal(evs[i].id, j.ev[i].id);
        assert_int_equal(evs[i].at, j.ev[i].at);
        assert_int_equal(evs[i].action, j.ev[i].action);
        assert_int_equal(evs[i].actor_role, j.ev[i].actor_role);
        assert_int_equal(evs[i].to, j.ev[i].to);
        assert_int_equal(evs[i].from, i == 0 ? STATUS__COUNT : j.ev[i].from);
        assert_str_or_null(evs[i].agency, j.ev[i].agency);
        assert_str_or_null(evs[i].reason, j.ev[i].reason);
        assert_int_equal(evs[i].due_at, j.ev[i].due_at);
        /* What was read back hashes to what was stored. */
        store__event_hash(prev, j.aj.ap.id, &evs[i], h);
        assert_memory_equal(evs[i].hash, h, 32);
        assert_memory_equal(j.ev[i].hash, h, 32);
        memcpy(prev, h, 32);
    }
    int64_t checked, bad;
    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
    assert_int_equal(checked, 1);
    assert_int_equal(bad, 0);
    /* The appeal's head is the last hash. */
    PGresult *r = raw_q(f->raw, "SELECT encode(last_hash, 'hex') FROM appeals", 0, NULL);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", prev[i]);
    assert_string_equal(PQgetvalue(r, 0, 0), hex);
    PQclear(r);

    /* Append-only, even for the owner; TRUNCATE too. */
    assert_string_equal(raw_fails(f->raw, "UPDATE appeal_events SET reason = 'x'"), "P0001");
    assert_string_equal(raw_fails(f->raw, "DELETE FROM appeal_events"), "P0001");
    assert_string_equal(raw_fails(f->raw, "TRUNCATE appeal_events"), "P0001");

    /* Tampering is found. */
    raw_exec(f->raw, "ALTER TABLE appeal_events DISABLE TRIGGER USER");
    raw_exec(f->raw, "UPDATE appeal_events SET reason = 'тема: вода' WHERE seq = 2");
    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
    assert_int_equal(checked, 1);
    assert_int_equal(bad, 1);
}

/* The same jobs give the same hashes on SQLite and on PostgreSQL. */
static void
chain_same_as_sqlite(void **state)
{
    struct fx *f = need(state);
    struct store *sq = NULL;
    assert_int_equal(store_open("sqlite::memory:", &opts, &sq), ERR_OK);
    int n;
    assert_int_equal(store_migrate(sq, &n), ERR_OK);
    struct chain_job a, b;
    chain_fill(&a);
    chain_fill(&b);
    assert_int_equal(store_write(sq, chain_run, &a), ERR_OK);
    assert_int_equal(store_write(f->s, chain_run, &b), ERR_OK);
    assert_int_equal(a.aj.ap.id, b.aj.ap.id);
    for (size_t i = 0; i < a.count; i++) {
        assert_int_equal(a.ev[i].seq, b.ev[i].seq);
        assert_memory_equal(a.ev[i].hash, b.ev[i].hash, 32);
    }
    int64_t checked, bad;
    assert_int_equal(store_chain_verify(sq, &checked, &bad), ERR_OK);
    assert_int_equal(bad, 0);
    store_close(sq);
}

/* ---- idempotency, rate limits, counters ---- */

struct idem_job {
    const char *key;
    unsigned char h[32];
    int64_t appeal_id;
    const char *put; /* response to store, or NULL to read */
    struct arena *a;
    bool same;
    char *response;
};

static enum err
idem_job(struct store_tx *tx, void *arg)
{
    struct idem_job *j = arg;
    if (j->put)
        return store_tx_idem_put(tx, j->key, j->h, j->appeal_id, j->put, NOW);
    return store_tx_idem_get(tx, j->a, j->key, j->h, &j->same, &j->response);
}

static enum err
purge_job(struct store_tx *tx, void *arg)
{
    return store_tx_purge(tx, *(int64_t *)arg);
}

static void
idempotency(void **state)
{
    struct fx *f = need(state);
    struct appeal_job aj;
    fill_appeal(&aj, "I-0001", AGENCY, NOW);
    insert(f, &aj);
    struct idem_job j = {.key = "key-1", .appeal_id = aj.ap.id, .a = f->a};
    memset(j.h, 0xab, 32);
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_NOTFOUND);
    j.put = "{\"tracking_id\":\"I-0001\",\"note\":\"ответ\"}";
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_CONFLICT);
    j.put = NULL;
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    assert_true(j.same);
    assert_string_equal(j.response, "{\"tracking_id\":\"I-0001\",\"note\":\"ответ\"}");
    j.h[31] ^= 1;
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    assert_false(j.same);
    /* Kept 24 hours. */
    int64_t now = NOW + 86399;
    assert_int_equal(store_write(f->s, purge_job, &now), ERR_OK);
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    now = NOW + 86401;
    assert_int_equal(store_write(f->s, purge_job, &now), ERR_OK);
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_NOTFOUND);
}

struct rate_job {
    const char *key;
    int64_t window, limit;
    int hits;
    enum err last;
    bool ignore_rate;
};

static enum err
rate_job(struct store_tx *tx, void *arg)
{
    struct rate_job *j = arg;
    enum err e = ERR_OK;
    for (int i = 0; i < j->hits; i++) {
        e = store_tx_rate_hit(tx, j->key, j->window, j->limit);
        if (e && e != ERR_RATE)
            return e;
    }
    j->last = e;
    return j->ignore_rate ? ERR_OK : e;
}

static enum err
hit(struct fx *f, const char *key, int64_t window, int64_t limit)
{
    struct rate_job j = {key, window, limit, 1, ERR_OK, false};
    return store_write(f->s, rate_job, &j);
}

static void
rate_limits(void **state)
{
    struct fx *f = need(state);
    const int64_t w = NOW - NOW % 60;
    for (int i = 0; i < 5; i++)
        assert_int_equal(hit(f, "ip:10.0.0.1:submit", w, 5), ERR_OK);
    assert_int_equal(hit(f, "ip:10.0.0.1:submit", w, 5), ERR_RATE);
    assert_int_equal(hit(f, "ip:10.0.0.2:submit", w, 5), ERR_OK);
    assert_int_equal(hit(f, "ip:10.0.0.1:submit", w + 60, 5), ERR_OK); /* next window */
    assert_int_equal(hit(f, "user:7:login", w, 1), ERR_OK);
    assert_int_equal(hit(f, "user:7:login", w, 1), ERR_RATE);
    assert_int_equal(hit(f, "user:7:login", w, 2), ERR_OK);
    assert_int_equal(hit(f, "user:7:login", w, 0), ERR_RATE);
    /* Refused hits are not counted even when the job commits. */
    struct rate_job j = {"ip:10.9.9.9:submit", w, 2, 4, ERR_OK, true};
    assert_int_equal(store_write(f->s, rate_job, &j), ERR_OK);
    assert_int_equal(j.last, ERR_RATE);
    assert_int_equal(hit(f, "ip:10.9.9.9:submit", w, 3), ERR_OK);
    assert_int_equal(hit(f, "ip:10.9.9.9:submit", w, 3), ERR_RATE);
    /* Old windows are purged after a day. */
    int64_t now = w + 86401;
    assert_int_equal(store_write(f->s, purge_job, &now), ERR_OK);
    assert_int_equal(
        raw_int(f->raw, "SELECT count(*) FROM rate_limits WHERE \"window\" = $1", "1767934800"), 0);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM rate_limits", NULL), 1);
}

struct counter_job {
    const char *name;
    int64_t n;
    enum err fail_with;
};

static enum err
counter_job(struct store_tx *tx, void *arg)
{
    struct counter_job *j = arg;
    enum err e = store_tx_counter_next(tx, j->name, &j->n);
    return e ? e : j->fail_with;
}

static void
counters(void **state)
{
    struct fx *f = need(state);
    struct counter_job j = {"reg:2026", 0, ERR_OK};
    for (int64_t want = 1; want <= 3; want++) {
        assert_int_equal(store_write(f->s, counter_job, &j), ERR_OK);
        assert_int_equal(j.n, want);
    }
    struct counter_job k = {"reg:2027", 0, ERR_OK};
    assert_int_equal(store_write(f->s, counter_job, &k), ERR_OK);
    assert_int_equal(k.n, 1);
    j.fail_with = ERR_UNPROCESSABLE; /* its number is given out again */
    assert_int_equal(store_write(f->s, counter_job, &j), ERR_UNPROCESSABLE);
    j.fail_with = ERR_OK;
    assert_int_equal(store_write(f->s, counter_job, &j), ERR_OK);
    assert_int_equal(j.n, 4);
}

/* ---- the writer: many jobs, groups, failures ---- */

enum { THREADS = 8, PER_THREAD = 125, JOBS = THREADS * PER_THREAD };

struct bulk {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;              /* guarded by mu */
    enum err e[JOBS];      /* written by the writer before done++ */
    int64_t n[JOBS];       /* counter value each job got */
    bool called[JOBS];     /* done callback ran */
    enum err queued[JOBS]; /* store_write_async's result */
    struct store *s;
};

struct bulk_arg {
    struct bulk *b;
    int i;
};

static struct bulk_arg bulk_args[JOBS];

static enum err
bulk_job(struct store_tx *tx, void *arg)
{
    struct bulk_arg *a = arg;
    enum err e = store_tx_counter_next(tx, "bulk", &a->b->n[a->i]);
    if (!e)
        e = store_tx_audit(tx, NOW, 0, "bulk", NULL, NULL);
    return e;
}

static void
bulk_done(enum err e, void *arg)
{
    struct bulk_arg *a = arg;
    struct bulk *b = a->b;
    pthread_mutex_lock(&b->mu);
    b->e[a->i] = e;
    b->called[a->i] = true;
    b->done++;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void *
bulk_thread(void *arg)
{
    struct bulk_arg *first = arg;
    for (int k = 0; k < PER_THREAD; k++) {
        struct bulk_arg *a = first + k;
        a->b->queued[a->i] = store_write_async(a->b->s, bulk_job, bulk_done, a);
    }
    return NULL;
}

static void
thousand_async_jobs(void **state)
{
    struct fx *f = need(state);
    static struct bulk b;
    memset(&b, 0, sizeof(b));
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    b.s = f->s;
    for (int i = 0; i < JOBS; i++)
        bulk_args[i] = (struct bulk_arg){&b, i};
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, bulk_thread, &bulk_args[i * PER_THREAD]), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 120;
    pthread_mutex_lock(&b.mu);
    while (b.done < JOBS)
        if (pthread_cond_timedwait(&b.cv, &b.mu, &deadline) != 0)
            break;
    int done = b.done;
    pthread_mutex_unlock(&b.mu);
    assert_int_equal(done, JOBS);
    static bool seen[JOBS + 1];
    memset(seen, 0, sizeof(seen));
    for (int i = 0; i < JOBS; i++) {
        assert_int_equal(b.queued[i], ERR_OK);
        assert_true(b.called[i]);
        if (b.e[i])
            fail_msg("job %d: %s", i, err_name(b.e[i]));
        assert_true(b.n[i] >= 1 && b.n[i] <= JOBS);
        assert_false(seen[b.n[i]]);
        seen[b.n[i]] = true;
    }
    /* All durable, each once. */
    assert_int_equal(raw_int(f->raw, "SELECT n FROM counters WHERE name = 'bulk'", NULL), JOBS);
    assert_int_equal(audit_count(f, "bulk"), JOBS);
    pthread_mutex_destroy(&b.mu);
    pthread_cond_destroy(&b.cv);
}

/* Holds the writer until released, so that the jobs queued meanwhile form
 * the next group together. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool entered, open; /* guarded by mu */
};

static enum err
gate_job(struct store_tx *tx, void *arg)
{
    struct gate *g = arg;
    (void)tx;
    pthread_mutex_lock(&g->mu);
    g->entered = true;
    pthread_cond_broadcast(&g->cv);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    return ERR_OK;
}

struct grouped {
    const char *action;
    int kind; /* 0 ok, 1 returns an error, 2 a statement fails, 3 ignores a failed statement */
    enum err e;
    bool called;
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
    int *left;
};

static enum err
grouped_job(struct store_tx *tx, void *arg)
{
    struct grouped *j = arg;
    enum err e = store_tx_audit(tx, NOW, 0, j->action, NULL, NULL);
    if (e)
        return e;
    struct appeal_job bad;
    switch (j->kind) {
    case 1:
        return ERR_INVALID;
    case 2:
    case 3:
        fill_appeal(&bad, j->action, NULL, 0);
        bad.ap.region = "999999999"; /* foreign key */
        e = store_tx_appeal_insert(tx, &bad.ap, bad.secret);
        return j->kind == 2 ? e : ERR_OK;
    default:
        return ERR_OK;
    }
}

static void
grouped_done(enum err e, void *arg)
{
    struct grouped *j = arg;
    pthread_mutex_lock(j->mu);
    j->e = e;
    j->called = true;
    (*j->left)--;
    pthread_cond_broadcast(j->cv);
    pthread_mutex_unlock(j->mu);
}

static void
failed_jobs_rolled_back_alone(void **state)
{
    struct fx *f = need(state);
    struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false};
    assert_int_equal(store_write_async(f->s, gate_job, NULL, &g), ERR_OK);
    pthread_mutex_lock(&g.mu);
    while (!g.entered)
        pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);

    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    int left = 6;
    struct grouped j[6] = {
        {"g-ok-1", 0, ERR_OK, false, &mu, &cv, &left},
        {"g-err", 1, ERR_OK, false, &mu, &cv, &left},
        {"g-fk", 2, ERR_OK, false, &mu, &cv, &left},
        {"g-ok-2", 0, ERR_OK, false, &mu, &cv, &left},
        {"g-ignored", 3, ERR_OK, false, &mu, &cv, &left},
        {"g-ok-3", 0, ERR_OK, false, &mu, &cv, &left},
    };
    /* Queued while the writer waits in gate_job: one group (group_max 100). */
    for (int i = 0; i < 6; i++)
        assert_int_equal(store_write_async(f->s, grouped_job, grouped_done, &j[i]), ERR_OK);
    pthread_mutex_lock(&g.mu);
    g.open = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    pthread_mutex_lock(&mu);
    while (left > 0)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);

    assert_int_equal(j[0].e, ERR_OK);
    assert_int_equal(j[1].e, ERR_INVALID);
    assert_int_equal(j[2].e, ERR_STORE);
    assert_int_equal(j[3].e, ERR_OK);
    /* It went on after a failed statement: undone, and told so. */
    assert_int_equal(j[4].e, ERR_STORE);
    assert_int_equal(j[5].e, ERR_OK);
    assert_int_equal(audit_count(f, "g-ok-1"), 1);
    assert_int_equal(audit_count(f, "g-err"), 0);
    assert_int_equal(audit_count(f, "g-fk"), 0);
    assert_int_equal(audit_count(f, "g-ok-2"), 1);
    assert_int_equal(audit_count(f, "g-ignored"), 0);
    assert_int_equal(audit_count(f, "g-ok-3"), 1);
    /* And the writer goes on. */
    struct audit_job a = {"after", ERR_OK};
    assert_int_equal(store_write(f->s, audit_job, &a), ERR_OK);
}

/* ---- the queue ---- */

enum { QN = 23 };

struct queue_fill {
    struct appeal_job j[QN + 8];
    size_t count;
};

static enum err
queue_fill_job(struct store_tx *tx, void *arg)
{
    struct queue_fill *q = arg;
    for (size_t i = 0; i < q->count; i++) {
        enum err e = store_tx_appeal_insert(tx, &q->j[i].ap, q->j[i].secret);
        if (e)
            return e;
    }
    return ERR_OK;
}

static void
queue_init(struct queue_query *q, const char *agency, size_t limit)
{
    memset(q, 0, sizeof(*q));
    q->agency = agency;
    q->status = -1;
    q->now = NOW;
    q->limit = limit;
}

/* Page through q; the ids in page order go to ids. Due 0 (none) sorts last. */
static size_t
page_all(struct fx *f, struct queue_query *q, int64_t *ids, size_t max)
{
    size_t total = 0;
    int64_t last_due = INT64_MIN, last_id = 0;
    for (int pages = 0; pages < 1000; pages++) {
        struct appeal *rows = NULL;
        size_t n = 0;
        bool more = false;
        assert_int_equal(store_queue(f->s, f->a, q, &rows, &n, &more), ERR_OK);
        assert_true(n <= q->limit);
        if (more)
            assert_int_equal(n, q->limit);
        for (size_t i = 0; i < n; i++) {
            int64_t due = rows[i].due_at ? rows[i].due_at : INT64_MAX;
            if (due < last_due || (due == last_due && rows[i].id <= last_id))
                fail_msg("page %d row %zu out of order", pages, i);
            last_due = due;
            last_id = rows[i].id;
            assert_null(rows[i].closed_at ? "closed" : NULL);
            assert_true(total < max);
            ids[total++] = rows[i].id;
        }
        if (!more)
            return total;
        q->has_cursor = true; /* as src/http/api_misc.c makes it */
        q->cursor_due = rows[n - 1].due_at ? rows[n - 1].due_at : INT64_MAX;
        q->cursor_id = rows[n - 1].id;
    }
    fail_msg("more than 1000 pages");
    return 0;
}

static void
queue_order_and_pages(void **state)
{
    struct fx *f = need(state);
    static struct queue_fill qf;
    memset(&qf, 0, sizeof(qf));
    char name[16];
    /* Due dates with ties, out of insertion order; two without a due date. */
    for (int i = 0; i < QN; i++) {
        snprintf(name, sizeof(name), "Q-%02d", i);
        fill_appeal(&qf.j[i], name, AGENCY, i % 8 == 7 ? 0 : NOW + ((i * 7) % 5) * TM_DAY);
    }
    fill_appeal(&qf.j[QN], "Q-closed", AGENCY, NOW - TM_DAY);
    qf.j[QN].ap.closed_at = NOW;
    fill_appeal(&qf.j[QN + 1], "Q-other", AGENCY2, NOW - TM_DAY);
    fill_appeal(&qf.j[QN + 2], "Q-triage1", NULL, NOW + 2 * TM_DAY);
    fill_appeal(&qf.j[QN + 3], "Q-triage0", NULL, NOW + TM_DAY);
    fill_appeal(&qf.j[QN + 4], "Q-review", AGENCY, NOW + 30 * TM_DAY);
    qf.j[QN + 4].ap.status = STATUS_IN_REVIEW;
    fill_appeal(&qf.j[QN + 5], "Q-water", AGENCY, NOW + 30 * TM_DAY);
    qf.j[QN + 5].ap.topic = "water";
    qf.count = QN + 6;
    assert_int_equal(store_write(f->s, queue_fill_job, &qf), ERR_OK);
    /* closed_at is not an insert column: close it now. */
    struct appeal closed = qf.j[QN].ap;
    assert_int_equal(store_write(f->s, update_job, &closed), ERR_OK);

    for (size_t limit = 1; limit <= 7; limit += 3) {
        struct queue_query q;
        int64_t ids[64];
        queue_init(&q, AGENCY, limit);
        size_t n = page_all(f, &q, ids, ARRAY_LEN(ids));
        assert_int_equal(n, QN + 2);
        /* Every open appeal of the agency once. */
        for (size_t i = 0; i < n; i++)
            for (size_t k = i + 1; k < n; k++)
                assert_int_not_equal(ids[i], ids[k]);
    }
    struct queue_query q;
    struct appeal *rows;
    size_t n;
    bool more;
    queue_init(&q, AGENCY, 3);
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 3);
    assert_true(more);
    assert_string_equal(rows[0].tracking_id, "Q-00");
    assert_string_equal(rows[1].tracking_id, "Q-05");
    assert_string_equal(rows[2].tracking_id, "Q-10");
    /* The last rows have no due date (i % 8 == 7), by id. */
    queue_init(&q, AGENCY, 100);
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, QN + 2);
    assert_true(rows[n - 3].due_at > 0);
    assert_string_equal(rows[n - 2].tracking_id, "Q-07");
    assert_string_equal(rows[n - 1].tracking_id, "Q-15");
    assert_int_equal(rows[n - 1].due_at, 0);

    /* Filters. */
    q.status = STATUS_IN_REVIEW;
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].tracking_id, "Q-review");
    queue_init(&q, AGENCY, 100);
    q.topic = "water";
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 1);
    queue_init(&q, AGENCY, 100);
    q.region = "710000000";
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 0);
    queue_init(&q, AGENCY, 100);
    q.overdue_only = true;
    q.now = NOW + TM_DAY + 1; /* due NOW and NOW + 1 day are past; none-due never */
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(rows[i].due_at && rows[i].due_at < q.now);
    assert_true(n > 0);

    /* The triage queue: no agency, by due date. */
    queue_init(&q, NULL, 1);
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 1);
    assert_true(more);
    assert_string_equal(rows[0].tracking_id, "Q-triage0");
    q.has_cursor = true;
    q.cursor_due = rows[0].due_at;
    q.cursor_id = rows[0].id;
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 1);
    assert_false(more);
    assert_string_equal(rows[0].tracking_id, "Q-triage1");
}

static void
due_scan(void **state)
{
    struct fx *f = need(state);
    struct appeal_job a, b, c;
    fill_appeal(&a, "D-1", AGENCY, NOW + TM_DAY);
    fill_appeal(&b, "D-2", AGENCY, NOW + 5 * TM_DAY);
    fill_appeal(&c, "D-3", AGENCY, 0);
    insert(f, &a);
    insert(f, &b);
    insert(f, &c);
    struct appeal *rows;
    size_t n;
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 2 * TM_DAY, false, 10, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].tracking_id, "D-1");
    rows[0].warned = true;
    assert_int_equal(store_write(f->s, update_job, &rows[0]), ERR_OK);
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 2 * TM_DAY, false, 10, &rows, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 9 * TM_DAY, true, 10, &rows, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].tracking_id, "D-1");
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 9 * TM_DAY, true, 1, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);

    int64_t total, open, overdue;
    rows[0].overdue = true;
    assert_int_equal(store_write(f->s, update_job, &rows[0]), ERR_OK);
    assert_int_equal(store_counts(f->s, &total, &open, &overdue), ERR_OK);
    assert_int_equal(total, 3);
    assert_int_equal(open, 3);
    assert_int_equal(overdue, 1);
}

/* ---- answers, outbox, audit, rules, events ---- */

struct side_job {
    int64_t appeal_id;
    int64_t event_id[2];
    enum err fail_with;
};

static enum err
side_job(struct store_tx *tx, void *arg)
{
    struct side_job *j = arg;
    enum err e = store_tx_answer_insert(tx, j->appeal_id, "Ответ: яму заделают до 1 июня.", "ru", 0,
                                        NOW + 10);
    if (!e)
        e = store_tx_answer_insert(tx, j->appeal_id, "Second", "en", 0, NOW + 20);
    if (!e)
        e = store_tx_outbox(tx, NOW, "email", "a@example.kz", j->appeal_id, "body");
    if (!e)
        e = store_tx_outbox(tx, NOW, "supervisor", NULL, 0, "body");
    if (!e)
        e = store_tx_rule_upsert(tx, "roads", NULL, AGENCY2);
    if (!e)
        e = store_tx_rule_upsert(tx, "roads", NULL, AGENCY);
    if (!e)
        e = store_tx_rule_upsert(tx, "roads", REGION, AGENCY2);
    for (int i = 0; !e && i < 2; i++)
        e = store_tx_stream_event(tx, NOW, "appeal.answered", AGENCY, REGION, j->appeal_id,
                                  "{\"k\":\"v\"}", &j->event_id[i]);
    return e ? e : j->fail_with;
}

/* Wait up to ms for a notification on c. */
static PGnotify *
next_notify(PGconn *c, int ms)
{
    for (int waited = 0;; waited += 50) {
        assert_int_equal(PQconsumeInput(c), 1);
        PGnotify *n = PQnotifies(c);
        if (n || waited >= ms)
            return n;
        struct pollfd p = {PQsocket(c), POLLIN, 0};
        (void)poll(&p, 1, 50);
    }
}

static enum err
outbox_sent_job(struct store_tx *tx, void *arg)
{
    return store_tx_outbox_sent(tx, *(int64_t *)arg, NOW);
}

static void
answers_rules_events(void **state)
{
    struct fx *f = need(state);
    struct appeal_job aj;
    fill_appeal(&aj, "S-1", AGENCY, NOW);
    insert(f, &aj);
    raw_exec(f->raw, "LISTEN tyndau_events");

    /* A failed job: no rows, no notification. */
    struct side_job j = {aj.ap.id, {0, 0}, ERR_INVALID};
    assert_int_equal(store_write(f->s, side_job, &j), ERR_INVALID);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM events", NULL), 0);
    assert_null(next_notify(f->raw, 200));

    j.fail_with = ERR_OK;
    int64_t rules_before = raw_int(f->raw, "SELECT count(*) FROM routing_rules", NULL);
    assert_int_equal(store_write(f->s, side_job, &j), ERR_OK);
    assert_true(j.event_id[0] > 0);
    assert_true(j.event_id[1] > j.event_id[0]);
    for (int i = 0; i < 2; i++) {
        PGnotify *n = next_notify(f->raw, 5000);
        assert_non_null(n);
        assert_string_equal(n->relname, "tyndau_events");
        char want[32];
        snprintf(want, sizeof(want), "%lld", (long long)j.event_id[i]);
        assert_string_equal(n->extra, want);
        PQfreemem(n);
    }
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM events", NULL), 2);

    struct answer_row *rows;
    size_t n;
    assert_int_equal(store_answers_list(f->s, f->a, aj.ap.id, &rows, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].text, "Ответ: яму заделают до 1 июня.");
    assert_string_equal(rows[0].language, "ru");
    assert_int_equal(rows[0].author, 0);
    assert_int_equal(rows[1].at, NOW + 20);
    assert_int_equal(store_answers_list(f->s, f->a, 424242, &rows, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM outbox", NULL), 2);
    /* The e-mail row waits to be delivered; once marked sent, it no longer does. */
    struct outbox_row *ob;
    assert_int_equal(store_outbox_pending(f->s, f->a, "email", 10, &ob, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ob[0].recipient, "a@example.kz");
    assert_string_equal(ob[0].body, "body");
    assert_int_equal(ob[0].appeal_id, aj.ap.id);
    assert_int_equal(store_write(f->s, outbox_sent_job, &ob[0].id), ERR_OK);
    assert_int_equal(store_outbox_pending(f->s, f->a, "email", 10, &ob, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL", NULL),
                     1);
    /* One rule per (topic, region), NULL region included. */
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM routing_rules", NULL), rules_before);
    assert_int_equal(raw_int(f->raw,
                             "SELECT count(*) FROM routing_rules WHERE topic = 'roads'"
                             " AND region IS NULL AND agency = $1",
                             AGENCY),
                     1);
    struct ref_data r;
    assert_int_equal(store_ref_load(f->s, f->a, &r), ERR_OK);
    bool found = false;
    for (size_t i = 0; i < r.rules_count; i++)
        found |= strcmp(r.rules[i].topic, "roads") == 0 && r.rules[i].region &&
                 strcmp(r.rules[i].region, REGION) == 0 && strcmp(r.rules[i].agency, AGENCY2) == 0;
    assert_true(found);
}

/* ---- accounts ---- */

struct session_job {
    unsigned char h[32];
    int64_t user;
    const char *csrf;
    int64_t expires;
    bool del;
    bool token;
};

static enum err
session_job(struct store_tx *tx, void *arg)
{
    struct session_job *j = arg;
    if (j->token)
        return store_tx_token_insert(tx, j->h, j->user, "ci", NOW);
    if (j->del)
        return store_tx_session_delete(tx, j->h);
    return store_tx_session_insert(tx, j->h, j->user, j->csrf, NOW, j->expires);
}

static void
users_sessions_tokens(void **state)
{
    struct fx *f = need(state);
    int64_t id = add_user(f, "official1", ROLE_OFFICIAL, AGENCY);
    int64_t adm = add_user(f, "admin1", ROLE_ADMIN, NULL);
    struct user_job dup = {{0, "official1", ROLE_ANALYST, NULL, "", false}, "x", 0};
    assert_int_equal(store_write(f->s, user_job, &dup), ERR_CONFLICT);
    struct user_job noagency = {{0, "official2", ROLE_OFFICIAL, NULL, "", false}, "x", 0};
    assert_int_equal(store_write(f->s, user_job, &noagency), ERR_STORE); /* CHECK */

    struct user u;
    char *pw = NULL;
    assert_int_equal(store_user_by_login(f->s, f->a, "official1", &u, &pw), ERR_OK);
    assert_int_equal(u.id, id);
    assert_string_equal(u.login, "official1");
    assert_int_equal(u.role, ROLE_OFFICIAL);
    assert_string_equal(u.agency, AGENCY);
    assert_string_equal(u.name, "Test User");
    assert_string_equal(pw, "$argon2id$fake");
    assert_int_equal(store_user_by_login(f->s, f->a, "nobody", &u, &pw), ERR_NOTFOUND);
    assert_int_equal(store_user_by_id(f->s, f->a, adm, &u), ERR_OK);
    assert_int_equal(u.role, ROLE_ADMIN);
    assert_null(u.agency);
    assert_int_equal(store_user_by_id(f->s, f->a, 99999, &u), ERR_NOTFOUND);

    struct session_job s = {.user = id, .csrf = "csrf-token", .expires = NOW + 3600};
    memset(s.h, 0x11, 32);
    s.h[0] = 0; /* a NUL byte inside: bytea is binary */
    assert_int_equal(store_write(f->s, session_job, &s), ERR_OK);
    assert_int_equal(store_write(f->s, session_job, &s), ERR_CONFLICT);
    char *csrf = NULL;
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW, &u, &csrf), ERR_OK);
    assert_int_equal(u.id, id);
    assert_string_equal(csrf, "csrf-token");
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW + 3600, &u, &csrf), ERR_NOTFOUND);
    unsigned char other[32];
    memset(other, 0x11, 32);
    assert_int_equal(store_session_lookup(f->s, f->a, other, NOW, &u, &csrf), ERR_NOTFOUND);
    s.del = true;
    assert_int_equal(store_write(f->s, session_job, &s), ERR_OK);
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW, &u, &csrf), ERR_NOTFOUND);
    /* Expired sessions are purged. */
    s.del = false;
    assert_int_equal(store_write(f->s, session_job, &s), ERR_OK);
    int64_t now = NOW + 3601;
    assert_int_equal(store_write(f->s, purge_job, &now), ERR_OK);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM sessions", NULL), 0);

    struct session_job t = {.user = adm, .token = true};
    memset(t.h, 0xfe, 32);
    assert_int_equal(store_write(f->s, session_job, &t), ERR_OK);
    assert_int_equal(store_write(f->s, session_job, &t), ERR_CONFLICT);
    assert_int_equal(store_token_lookup(f->s, f->a, t.h, &u), ERR_OK);
    assert_int_equal(u.id, adm);
    raw_exec(f->raw, "UPDATE api_tokens SET revoked = 1");
    assert_int_equal(store_token_lookup(f->s, f->a, t.h, &u), ERR_NOTFOUND);
    raw_exec(f->raw, "UPDATE api_tokens SET revoked = 0");
    raw_exec(f->raw, "UPDATE users SET disabled = 1");
    assert_int_equal(store_token_lookup(f->s, f->a, t.h, &u), ERR_NOTFOUND);
    assert_int_equal(store_user_by_login(f->s, f->a, "official1", &u, &pw), ERR_NOTFOUND);
}

/* ---- reference data ---- */

static void
reference_data_same_as_sqlite(void **state)
{
    struct fx *f = need(state);
    struct store *sq = NULL;
    int n;
    assert_int_equal(store_open("sqlite::memory:", &opts, &sq), ERR_OK);
    assert_int_equal(store_migrate(sq, &n), ERR_OK);
    struct ref_data p, s;
    assert_int_equal(store_ref_load(f->s, f->a, &p), ERR_OK);
    assert_int_equal(store_ref_load(sq, f->a, &s), ERR_OK);
    store_close(sq);
    assert_int_equal(p.regions_count, 20);
    assert_int_equal(p.regions_count, s.regions_count);
    assert_int_equal(p.agencies_count, s.agencies_count);
    assert_int_equal(p.topics_count, s.topics_count);
    assert_int_equal(p.rules_count, s.rules_count);
    assert_int_equal(p.days_count, s.days_count);
    assert_true(p.agencies_count > 20 && p.topics_count > 0 && p.days_count > 0);
    for (size_t i = 0; i < p.regions_count; i++) {
        assert_string_equal(p.regions[i].kato, s.regions[i].kato);
        assert_string_equal(p.regions[i].name_kk, s.regions[i].name_kk);
        assert_string_equal(p.regions[i].kind, s.regions[i].kind);
    }
    for (size_t i = 0; i < p.agencies_count; i++) {
        assert_string_equal(p.agencies[i].code, s.agencies[i].code);
        assert_string_equal(p.agencies[i].name_ru, s.agencies[i].name_ru);
        assert_str_or_null(p.agencies[i].region, s.agencies[i].region);
        assert_str_or_null(p.agencies[i].parent, s.agencies[i].parent);
    }
    for (size_t i = 0; i < p.rules_count; i++) {
        assert_int_equal(p.rules[i].id, s.rules[i].id);
        assert_string_equal(p.rules[i].topic, s.rules[i].topic);
        assert_str_or_null(p.rules[i].region, s.rules[i].region);
        assert_string_equal(p.rules[i].agency, s.rules[i].agency);
    }
    for (size_t i = 0; i < p.days_count; i++) {
        assert_string_equal(p.days[i].day, s.days[i].day);
        assert_string_equal(p.days[i].kind, s.days[i].kind);
        assert_string_equal(p.days[i].name, s.days[i].name);
    }
}

/* ---- connections the server dropped ---- */

static void
reconnects(void **state)
{
    struct fx *f = need(state);
    struct appeal_job aj;
    fill_appeal(&aj, "R-1", AGENCY, NOW);
    insert(f, &aj);
    struct appeal got;
    assert_int_equal(store_appeal_get(f->s, f->a, "R-1", &got, NULL), ERR_OK);
    /* Every connection to the database but ours: the store's writer and readers. */
    const char *p[1] = {f->db};
    PGresult *r = raw_q(f->raw,
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = $1 AND pid <> pg_backend_pid()",
                        1, p);
    assert_true(strtoll(PQgetvalue(r, 0, 0), NULL, 10) >= 2);
    PQclear(r);
    /* A read is retried on a new connection; the writer reconnects at BEGIN. */
    assert_int_equal(store_appeal_get(f->s, f->a, "R-1", &got, NULL), ERR_OK);
    assert_int_equal(store_ping(f->s), ERR_OK);
    struct audit_job a = {"after-restart", ERR_OK};
    assert_int_equal(store_write(f->s, audit_job, &a), ERR_OK);
    assert_int_equal(audit_count(f, "after-restart"), 1);
    int64_t checked, bad;
    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_pair_up),
        cmocka_unit_test_setup_teardown(bad_dsn, setup_bare, teardown),
        cmocka_unit_test_setup_teardown(migrations_race, setup_bare, teardown),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(migrations_apply_once),
        T(postgres_scheme),
        T(appeal_roundtrip),
        T(appeal_errors),
        T(server_settings_do_not_matter),
        T(chain_append_and_verify),
        T(chain_same_as_sqlite),
        T(idempotency),
        T(rate_limits),
        T(counters),
        T(thousand_async_jobs),
        T(failed_jobs_rolled_back_alone),
        T(queue_order_and_pages),
        T(due_scan),
        T(answers_rules_events),
        T(users_sessions_tokens),
        T(reference_data_same_as_sqlite),
        T(reconnects),
#undef T
    };
    if (!admin_dsn())
        print_message("test_store_pg: TEST_PG_DSN is not set, so the tests that need PostgreSQL"
                      " skip (eval \"$(scripts/pg-test.sh)\" starts a throwaway server)\n");
    return cmocka_run_group_tests_name("store postgres (store_pg.c)", tests, NULL, NULL);
}
