/*
 * test_store.c - the store through store.h only, once per backend: SQLite in
 * memory, SQLite in a temporary file, and PostgreSQL when TEST_PG_DSN is set
 * (skipped, with a message, while the store has no postgres backend).
 *
 * Each test gets a fresh, migrated database. Covered: migrations apply once,
 * the reference data and the calendar rows (equal to calendar_kz_default),
 * appeal insert/get/update, the hash-chained timeline and its verification,
 * idempotency keys, rate limits, counters, group commit from several threads
 * with a failing job rolled back alone, the queue's order and cursor
 * pagination, users, sessions and API tokens.
 *
 * File mode also opens the database with sqlite3 directly: to run
 * tests/unit/store/ref_check.sql (every query must return no rows), to read
 * the calendar's sources, and to tamper with an event (after dropping the
 * trigger that forbids UPDATE) so that verification has something to find.
 */
#include <pthread.h>
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
#include "base/tm.h"
#include "base/util.h"
#include "domain/calendar.h"
#include "store/store.h"

enum { NOW = 1767934800 }; /* 2026-01-09T10:00:00+05:00 */

#define REGION "750000000" /* Almaty city */
#define AGENCY "almaty-city.roads"
#define AGENCY2 "almaty-city.housing"

struct fx {
    const char *kind; /* "memory", "file", "pg" */
    char dir[64];
    char path[128];
    char dsn[512];
    struct store *s;
    struct arena *a;
    int applied;       /* migrations applied by setup */
    enum err open_err; /* pg: why there is no store */
};

static const struct store_opts opts = {.busy_timeout_ms = 5000, .group_max = 100, .readers = 4};

/* ---- fixtures ---- */

static int
fx_open(struct fx *f)
{
    enum err e = store_open(f->dsn, &opts, &f->s);
    if (e) {
        print_error("store_open(%s): %s\n", f->dsn, err_name(e));
        f->s = NULL;
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
setup_memory(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->kind = "memory";
    snprintf(f->dsn, sizeof(f->dsn), "sqlite::memory:");
    f->a = arena_new();
    *state = f;
    return fx_open(f);
}

static int
setup_file(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->kind = "file";
    snprintf(f->dir, sizeof(f->dir), "/tmp/tyndau-store-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    snprintf(f->dsn, sizeof(f->dsn), "sqlite:%s", f->path);
    f->a = arena_new();
    *state = f;
    return fx_open(f);
}

/* Empty the PostgreSQL test database (TEST_PG_DSN names a throwaway one,
 * see scripts/pg-test.sh) so that each test starts from nothing. */
static int
pg_reset(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    int rc = 0;
    if (PQstatus(c) != CONNECTION_OK) {
        print_error("TEST_PG_DSN: %s", PQerrorMessage(c));
        rc = -1;
    } else {
        PGresult *r = PQexec(c, "SET client_min_messages TO warning;"
                                " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            print_error("TEST_PG_DSN: reset: %s", PQerrorMessage(c));
            rc = -1;
        }
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

/* PostgreSQL: TEST_PG_DSN as given (postgresql://...), or with the store's
 * scheme "postgres:" in front. While the store has no such backend
 * (store_open says ERR_INVALID to both), f->s stays NULL and every test
 * skips; any other error opening it is a failure. */
static int
setup_pg(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *env = getenv("TEST_PG_DSN");
    f->kind = "pg";
    f->a = arena_new();
    f->open_err = ERR_INVALID;
    *state = f;
    if (!env)
        return 0;
    if (pg_reset(env))
        return -1;
    const char *prefix[2] = {"", "postgres:"};
    for (size_t i = 0; i < ARRAY_LEN(prefix) && !f->s; i++) {
        snprintf(f->dsn, sizeof(f->dsn), "%s%s", prefix[i], env);
        enum err e = store_open(f->dsn, &opts, &f->s);
        if (e) {
            f->s = NULL;
            if (e != ERR_INVALID)
                f->open_err = e;
        }
    }
    if (f->s && store_migrate(f->s, &f->applied) != ERR_OK)
        return -1;
    return 0;
}

static void
rm_db(struct fx *f)
{
    static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < ARRAY_LEN(ext); i++) {
        snprintf(p, sizeof(p), "%s%s", f->path, ext[i]);
        (void)unlink(p);
    }
    (void)rmdir(f->dir);
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    if (!f)
        return 0;
    store_close(f->s);
    if (f->dir[0])
        rm_db(f);
    arena_free(f->a);
    free(f);
    return 0;
}

/* The store under test, or skip when this backend is not there. */
static struct fx *
need(void **state)
{
    struct fx *f = *state;
    if (!f->s) {
        if (f->open_err != ERR_INVALID)
            fail_msg("cannot open TEST_PG_DSN: %s", err_name(f->open_err));
        print_message("[  SKIP    ] %s: the store does not support \"postgres:\" yet "
                      "(TEST_PG_DSN is set)\n",
                      f->kind);
        skip();
    }
    return f;
}

static struct fx *
need_file(void **state)
{
    struct fx *f = need(state);
    if (!f->path[0])
        fail_msg("file-mode test run on %s", f->kind);
    return f;
}

/* ---- raw SQLite (file mode) ---- */

static sqlite3 *
raw_open(const struct fx *f)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        fail_msg("sqlite3_open %s: %s", f->path, sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int64_t
raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
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
        j->secret[i] = (unsigned char)(tracking[i % strlen(tracking)] + i);
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

static void
migrations_apply_once(void **state)
{
    struct fx *f = need(state);
    int n = -1;
    /* 001_init, 002_reference, 003_calendar at least. */
    assert_true(f->applied >= 3);
    assert_int_equal(store_ping(f->s), ERR_OK);
    assert_int_equal(store_migrate(f->s, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_migrate(f->s, &n), ERR_OK);
    assert_int_equal(n, 0);

    /* A fresh store is not ready before it is migrated. */
    struct store *s = NULL;
    if (strcmp(f->kind, "memory") == 0) {
        assert_int_equal(store_open("sqlite::memory:", &opts, &s), ERR_OK);
        assert_int_not_equal(store_ping(s), ERR_OK);
        assert_int_equal(store_migrate(s, &n), ERR_OK);
        assert_int_equal(n, f->applied);
        assert_int_equal(store_ping(s), ERR_OK);
        store_close(s);
    }
}

/* A file keeps its migrations: reopened, nothing more to apply. */
static void
migrations_persist_in_file(void **state)
{
    struct fx *f = need_file(state);
    int n = -1;
    sqlite3 *db = raw_open(f);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM schema_migrations"), f->applied);
    sqlite3_close(db);
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->dsn, &opts, &f->s), ERR_OK);
    assert_int_equal(store_migrate(f->s, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_ping(f->s), ERR_OK);
}

static void
bad_dsn(void **state)
{
    struct store *s = (struct store *)&s; /* must not be touched */
    struct store *keep = s;
    (void)state;
    assert_int_equal(store_open("nothing", &opts, &s), ERR_INVALID);
    assert_int_equal(store_open("mysql:x", &opts, &s), ERR_INVALID);
    assert_int_equal(store_open("sqlit:x", &opts, &s), ERR_INVALID);
    assert_int_equal(store_open("sqlite:/nonexistent-dir-tyndau/x/y.db", &opts, &s), ERR_STORE);
    assert_ptr_equal(s, keep);
    store_close(NULL);
}

/* ---- reference data ---- */

static void
reference_data_loads(void **state)
{
    struct fx *f = need(state);
    struct ref_data r;
    assert_int_equal(store_ref_load(f->s, f->a, &r), ERR_OK);
    assert_int_equal(r.regions_count, 20);
    assert_true(r.agencies_count > 20);
    assert_true(r.topics_count > 0);
    assert_true(r.rules_count >= r.topics_count);
    bool almaty = false, roads = false;
    for (size_t i = 0; i < r.regions_count; i++)
        almaty |= strcmp(r.regions[i].kato, REGION) == 0 && strcmp(r.regions[i].kind, "city") == 0;
    for (size_t i = 0; i < r.agencies_count; i++)
        roads |= strcmp(r.agencies[i].code, AGENCY) == 0 && r.agencies[i].region &&
                 strcmp(r.agencies[i].region, REGION) == 0;
    assert_true(almaty);
    assert_true(roads);
}

/* The calendar table is calendar_kz_default, row for row. */
static void
calendar_rows_equal_default(void **state)
{
    struct fx *f = need(state);
    struct ref_data r;
    assert_int_equal(store_ref_load(f->s, f->a, &r), ERR_OK);
    assert_int_equal(r.days_count, calendar_kz_default_count);
    for (size_t i = 0; i < calendar_kz_default_count; i++) {
        const struct cal_entry *e = &calendar_kz_default[i];
        char day[11];
        tm_format_date(e->day, day);
        if (strcmp(r.days[i].day, day) || strcmp(r.days[i].kind, calendar_kind_name(e->kind)) ||
            strcmp(r.days[i].name, e->name))
            fail_msg("row %zu: store has %s %s %s, C table %s %s %s", i, r.days[i].day,
                     r.days[i].kind, r.days[i].name, day, calendar_kind_name(e->kind), e->name);
    }
}

/* ... and the sources too, which store_ref_load does not return. */
static void
calendar_sources_equal_default(void **state)
{
    struct fx *f = need_file(state);
    sqlite3 *db = raw_open(f);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT day, source FROM calendar_days ORDER BY day", -1, &st, NULL),
        SQLITE_OK);
    size_t i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(i < calendar_kz_default_count);
        const struct cal_entry *e = &calendar_kz_default[i++];
        char day[11];
        tm_format_date(e->day, day);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), day);
        assert_non_null(e->source);
        if (strcmp((const char *)sqlite3_column_text(st, 1), e->source))
            fail_msg("%s: source \"%s\" in the store, \"%s\" in the C table", day,
                     sqlite3_column_text(st, 1), e->source);
    }
    assert_int_equal(i, calendar_kz_default_count);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static char *
read_text_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *p = malloc(cap);
    size_t n;
    while ((n = fread(p + len, 1, cap - len - 1, fp)) > 0) {
        len += n;
        if (cap - len < 2)
            p = realloc(p, cap *= 2);
    }
    fclose(fp);
    p[len] = '\0';
    return p;
}

/* Every query of ref_check.sql returns no rows on the migrated database. */
static void
reference_checks_pass(void **state)
{
    struct fx *f = need_file(state);
    char path[512];
    char *sql = read_text_file("tests/unit/store/ref_check.sql");
    if (!sql) {
        /* Run from elsewhere: next to this source file. */
        const char *slash = strrchr(__FILE__, '/');
        snprintf(path, sizeof(path), "%.*s/ref_check.sql", (int)(slash ? slash - __FILE__ : 1),
                 slash ? __FILE__ : ".");
        sql = read_text_file(path);
    }
    if (!sql)
        fail_msg("cannot read tests/unit/store/ref_check.sql (run from the repository root)");
    sqlite3 *db = raw_open(f);
    const char *p = sql;
    int queries = 0, bad = 0;
    while (*p) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK)
            fail_msg("ref_check.sql: %s near: %.80s", sqlite3_errmsg(db), p);
        p = tail;
        if (!st)
            continue; /* only comments or white space were left */
        queries++;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            bad++;
            print_error("ref_check: ");
            for (int c = 0; c < sqlite3_column_count(st); c++)
                print_error("%s%s", c ? " | " : "", (const char *)sqlite3_column_text(st, c));
            print_error("\n");
        }
        if (rc != SQLITE_DONE)
            fail_msg("ref_check.sql: %s in %s", sqlite3_errmsg(db), sqlite3_sql(st));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    free(sql);
    assert_true(queries > 30);
    assert_int_equal(bad, 0);
}

/* ---- appeals ---- */

static void
assert_same_appeal(const struct appeal *a, const struct appeal *b)
{
    assert_int_equal(a->id, b->id);
    assert_string_equal(a->tracking_id, b->tracking_id);
    assert_string_equal(a->reg_number, b->reg_number);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->language, b->language);
    assert_string_equal(a->region, b->region);
#define SAME_OPT_STR(x)                                                                            \
    do {                                                                                           \
        if (a->x || b->x) {                                                                        \
            assert_non_null(a->x);                                                                 \
            assert_non_null(b->x);                                                                 \
            assert_string_equal(a->x, b->x);                                                       \
        }                                                                                          \
    } while (0)
    SAME_OPT_STR(topic);
    SAME_OPT_STR(agency);
    SAME_OPT_STR(address);
    SAME_OPT_STR(contact_name);
    SAME_OPT_STR(contact_email);
    SAME_OPT_STR(contact_phone);
    SAME_OPT_STR(contact_iin);
#undef SAME_OPT_STR
    assert_int_equal(a->status, b->status);
    assert_string_equal(a->text, b->text);
    assert_int_equal(a->has_location, b->has_location);
    if (a->has_location) {
        assert_true(a->lat == b->lat);
        assert_true(a->lon == b->lon);
    }
    assert_int_equal(a->anonymous, b->anonymous);
    assert_int_equal(a->consent, b->consent);
    assert_int_equal(a->owner_user, b->owner_user);
    assert_string_equal(a->registered_by, b->registered_by);
    assert_int_equal(a->filed_at, b->filed_at);
    assert_int_equal(a->registered_at, b->registered_at);
    assert_int_equal(a->due_at, b->due_at);
    assert_int_equal(a->forward_due_at, b->forward_due_at);
    assert_int_equal(a->assignee, b->assignee);
    assert_int_equal(a->rating, b->rating);
    assert_int_equal(a->warned, b->warned);
    assert_int_equal(a->overdue, b->overdue);
    assert_int_equal(a->extended, b->extended);
    assert_int_equal(a->updated_at, b->updated_at);
    assert_int_equal(a->closed_at, b->closed_at);
}

struct get_job {
    struct arena *a;
    const char *tracking;
    struct appeal ap;
};

static enum err
get_job(struct store_tx *tx, void *arg)
{
    struct get_job *g = arg;
    return store_tx_appeal_get(tx, g->a, g->tracking, &g->ap);
}

static void
appeal_insert_get_update(void **state)
{
    struct fx *f = need(state);
    int64_t owner = add_user(f, "citizen1", ROLE_CITIZEN, NULL);
    int64_t official = add_user(f, "official1", ROLE_OFFICIAL, AGENCY);
    struct appeal_job j;
    fill_appeal(&j, "T-0001", AGENCY, NOW + 20 * TM_DAY);
    struct appeal *ap = &j.ap;
    ap->kind = KIND_PROPOSAL;
    ap->channel = CHANNEL_PHONE;
    ap->language = LANG_KK;
    ap->address = "Алматы, Абай даңғылы, 10";
    ap->has_location = true;
    ap->lat = 43.238;
    ap->lon = 76.945;
    ap->contact_name = "Айгерім";
    ap->contact_email = "a@example.kz";
    ap->contact_phone = "+7 701 000-00-00";
    ap->contact_iin = "900101300007";
    ap->owner_user = owner;
    ap->registered_by = AGENCY "/operator:op1";
    ap->filed_at = NOW - 3600;
    int64_t id = insert(f, &j);

    struct appeal got;
    unsigned char h[32];
    memset(h, 0xEE, sizeof(h));
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0001", &got, h), ERR_OK);
    assert_same_appeal(&got, ap);
    assert_memory_equal(h, j.secret, 32);
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0001", &got, NULL), ERR_OK);

    /* Inside a job, too. */
    struct get_job g = {f->a, "T-0001", {0}};
    assert_int_equal(store_write(f->s, get_job, &g), ERR_OK);
    assert_same_appeal(&g.ap, ap);

    /* Every mutable column. */
    got.status = STATUS_ANSWERED;
    got.topic = "housing";
    got.agency = AGENCY2;
    got.due_at = NOW + 40 * TM_DAY;
    got.forward_due_at = NOW + 3 * TM_DAY;
    got.assignee = official;
    got.rating = 4;
    got.warned = true;
    got.overdue = true;
    got.extended = true;
    got.updated_at = NOW + 100;
    got.closed_at = NOW + 200;
    assert_int_equal(store_write(f->s, update_job, &got), ERR_OK);
    struct appeal again;
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0001", &again, NULL), ERR_OK);
    assert_int_equal(again.id, id);
    assert_same_appeal(&again, &got);
    /* ...and back to none. */
    got.due_at = got.forward_due_at = got.assignee = got.closed_at = 0;
    got.rating = 0;
    got.warned = got.overdue = got.extended = false;
    got.topic = NULL;
    got.agency = NULL;
    assert_int_equal(store_write(f->s, update_job, &got), ERR_OK);
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0001", &again, NULL), ERR_OK);
    assert_same_appeal(&again, &got);
    /* Immutable columns were not touched. */
    assert_string_equal(again.text, ap->text);
    assert_string_equal(again.contact_iin, "900101300007");
}

static void
appeal_errors(void **state)
{
    struct fx *f = need(state);
    struct appeal_job j, dup, bad;
    fill_appeal(&j, "T-0002", NULL, 0);
    insert(f, &j);
    struct appeal got;
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0002", &got, NULL), ERR_OK);
    assert_null(got.agency);
    assert_null(got.topic);
    assert_false(got.has_location);
    assert_int_equal(got.due_at, 0);
    assert_int_equal(store_appeal_get(f->s, f->a, "T-nope", &got, NULL), ERR_NOTFOUND);
    struct get_job g = {f->a, "T-nope", {0}};
    assert_int_equal(store_write(f->s, get_job, &g), ERR_NOTFOUND);

    /* Same tracking id again. */
    fill_appeal(&dup, "T-0002", NULL, 0);
    snprintf(dup.reg, sizeof(dup.reg), "REG-other");
    assert_int_equal(store_write(f->s, insert_job, &dup), ERR_CONFLICT);
    /* An unknown region breaks a foreign key: refused, and not a conflict. */
    fill_appeal(&bad, "T-0003", NULL, 0);
    bad.ap.region = "999999999";
    enum err e = store_write(f->s, insert_job, &bad);
    assert_int_not_equal(e, ERR_OK);
    assert_int_equal(store_appeal_get(f->s, f->a, "T-0003", &got, NULL), ERR_NOTFOUND);
    /* Updating an appeal that does not exist. */
    got = j.ap;
    got.id = 999999;
    assert_int_equal(store_write(f->s, update_job, &got), ERR_NOTFOUND);
}

/* The driver's text of a failed write reaches the thread that asked (the
 * job ran on the writer thread). */
static void
errmsg_reaches_the_caller(void **state)
{
    struct fx *f = need(state);
    struct appeal_job j, dup;
    fill_appeal(&j, "T-0005", NULL, 0);
    insert(f, &j);
    fill_appeal(&dup, "T-0005", NULL, 0);
    assert_int_equal(store_write(f->s, insert_job, &dup), ERR_CONFLICT);
    const char *msg = store_errmsg(f->s);
    assert_non_null(msg);
    if (!strstr(msg, "UNIQUE"))
        fail_msg("store_errmsg() after a failed write: \"%s\"", msg);
}

/* ---- the timeline ---- */

struct ev_job {
    int64_t appeal_id;
    struct appeal_event ev;
};

static enum err
ev_job(struct store_tx *tx, void *arg)
{
    struct ev_job *j = arg;
    return store_tx_event_append(tx, j->appeal_id, &j->ev);
}

static struct appeal_event
append(struct fx *f, int64_t appeal_id, struct appeal_event ev)
{
    struct ev_job j = {appeal_id, ev};
    enum err e = store_write(f->s, ev_job, &j);
    if (e)
        fail_msg("event append: %s: %s", err_name(e), store_errmsg(f->s));
    return j.ev;
}

static bool
zero32(const unsigned char *h)
{
    for (int i = 0; i < 32; i++)
        if (h[i])
            return false;
    return true;
}

/* Three events by people (the first with no "from"): seq, id and hash set;
 * the timeline reads back equal; the chain verifies. */
static void
chain_append_and_verify(void **state)
{
    struct fx *f = need(state);
    int64_t official = add_user(f, "official2", ROLE_OFFICIAL, AGENCY);
    struct appeal_job j;
    fill_appeal(&j, "T-0100", AGENCY, NOW + 20 * TM_DAY);
    int64_t id = insert(f, &j);
    struct appeal_event in[3] = {
        {.at = NOW,
         .action = ACT_REGISTER,
         .actor_role = ROLE_CITIZEN,
         .from = STATUS__COUNT,
         .to = STATUS_REGISTERED,
         .agency = AGENCY,
         .due_at = NOW + 20 * TM_DAY},
        {.at = NOW + 60,
         .action = ACT_TAKE,
         .actor_role = ROLE_OFFICIAL,
         .actor_id = official,
         .from = STATUS_REGISTERED,
         .to = STATUS_IN_REVIEW,
         .agency = AGENCY,
         .due_at = NOW + 20 * TM_DAY},
        {.at = NOW + 120,
         .action = ACT_FORWARD,
         .actor_role = ROLE_OFFICIAL,
         .actor_id = official,
         .from = STATUS_IN_REVIEW,
         .to = STATUS_FORWARDED,
         .agency = AGENCY2,
         .reason = "не наша компетенция; передано в ЖКХ",
         .due_at = NOW + 25 * TM_DAY},
    };
    struct appeal_event out[3];
    for (int i = 0; i < 3; i++) {
        out[i] = append(f, id, in[i]);
        assert_int_equal(out[i].seq, i + 1);
        assert_true(out[i].id > 0);
        assert_false(zero32(out[i].hash));
        if (i > 0) {
            assert_true(out[i].id > out[i - 1].id);
            assert_memory_not_equal(out[i].hash, out[i - 1].hash, 32);
        }
    }
    struct appeal_event *evs = NULL;
    size_t n = 0;
    assert_int_equal(store_events_list(f->s, f->a, id, &evs, &n), ERR_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(evs[i].id, out[i].id);
        assert_int_equal(evs[i].seq, (int)i + 1);
        assert_int_equal(evs[i].at, in[i].at);
        assert_int_equal(evs[i].action, in[i].action);
        assert_int_equal(evs[i].actor_role, in[i].actor_role);
        assert_int_equal(evs[i].actor_id, in[i].actor_id);
        assert_int_equal(evs[i].to, in[i].to);
        assert_string_equal(evs[i].agency, in[i].agency);
        assert_int_equal(evs[i].due_at, in[i].due_at);
        assert_memory_equal(evs[i].hash, out[i].hash, 32);
        if (in[i].reason)
            assert_string_equal(evs[i].reason, in[i].reason);
        else
            assert_null(evs[i].reason);
    }
    assert_int_equal(evs[0].from, STATUS__COUNT);
    assert_int_equal(evs[1].from, STATUS_REGISTERED);
    assert_int_equal(evs[2].from, STATUS_IN_REVIEW);

    int64_t checked = -1, bad = -1;
    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
    assert_int_equal(checked, 1);
    assert_int_equal(bad, 0);

    /* No appeal, no event. */
    struct ev_job nj = {999999, in[0]};
    assert_int_equal(store_write(f->s, ev_job, &nj), ERR_NOTFOUND);
    /* An appeal without events has an empty timeline. */
    struct appeal_job j2;
    fill_appeal(&j2, "T-0101", AGENCY, NOW);
    int64_t id2 = insert(f, &j2);
    assert_int_equal(store_events_list(f->s, f->a, id2, &evs, &n), ERR_OK);
    assert_int_equal(n, 0);
}

/*
 * The timeline as app/ writes it (submit.c, act.c, scheduler.c): the first
 * event says from = registered, and the scheduler's and the anonymous check's
 * events are by the system role. A chain written so must verify.
 */
static void
chain_verifies_what_app_writes(void **state)
{
    struct fx *f = need(state);
    struct appeal_job j1, j2;
    fill_appeal(&j1, "T-0110", AGENCY, NOW + 20 * TM_DAY);
    fill_appeal(&j2, "T-0111", NULL, 0);
    int64_t a1 = insert(f, &j1), a2 = insert(f, &j2);
    /* Registered by a citizen, then warned by the scheduler. */
    append(f, a1,
           (struct appeal_event){.at = NOW,
                                 .action = ACT_REGISTER,
                                 .actor_role = ROLE_CITIZEN,
                                 .from = STATUS_REGISTERED,
                                 .to = STATUS_REGISTERED,
                                 .agency = AGENCY,
                                 .due_at = NOW + 20 * TM_DAY});
    append(f, a1,
           (struct appeal_event){.at = NOW + 60,
                                 .action = ACT_WARN,
                                 .actor_role = ROLE_SYSTEM,
                                 .from = STATUS_REGISTERED,
                                 .to = STATUS_REGISTERED,
                                 .agency = AGENCY,
                                 .due_at = NOW + 20 * TM_DAY});
    /* Anonymous: registered, at once not considered by the system. */
    append(f, a2,
           (struct appeal_event){.at = NOW,
                                 .action = ACT_REGISTER,
                                 .actor_role = ROLE_CITIZEN,
                                 .from = STATUS__COUNT,
                                 .to = STATUS_REGISTERED});
    append(f, a2,
           (struct appeal_event){.at = NOW,
                                 .action = ACT_NOT_CONSIDER,
                                 .actor_role = ROLE_SYSTEM,
                                 .from = STATUS_REGISTERED,
                                 .to = STATUS_NOT_CONSIDERED,
                                 .reason = "anonymous appeal: no name or IIN given"});
    int64_t checked = -1, bad = -1;
    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
    assert_int_equal(checked, 2);
    if (bad != 0)
        fail_msg("%lld of 2 untouched chains reported broken", (long long)bad);
    /* The timeline shows the system as the actor. */
    struct appeal_event *evs;
    size_t n;
    assert_int_equal(store_events_list(f->s, f->a, a2, &evs, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(evs[1].actor_role, ROLE_SYSTEM);
}

/* The table refuses UPDATE; past the trigger, verification finds the edit. */
static void
chain_tamper_detected(void **state)
{
    struct fx *f = need_file(state);
    struct appeal_job j1, j2;
    fill_appeal(&j1, "T-0120", AGENCY, NOW + 20 * TM_DAY);
    fill_appeal(&j2, "T-0121", AGENCY, NOW + 20 * TM_DAY);
    int64_t a1 = insert(f, &j1), a2 = insert(f, &j2);
    for (int i = 0; i < 3; i++) {
        struct appeal_event ev = {.at = NOW + i,
                                  .action = i ? ACT_TAKE : ACT_REGISTER,
                                  .actor_role = i ? ROLE_OFFICIAL : ROLE_CITIZEN,
                                  .from = i ? STATUS_REGISTERED : STATUS__COUNT,
                                  .to = i ? STATUS_IN_REVIEW : STATUS_REGISTERED,
                                  .agency = AGENCY,
                                  .reason = "r"};
        append(f, a1, ev);
        append(f, a2, ev);
    }
    int64_t checked = -1, bad = -1;
    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
    assert_int_equal(checked, 2);
    assert_int_equal(bad, 0);

    sqlite3 *db = raw_open(f);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE appeal_events SET reason = 'edited' WHERE appeal_id = %lld AND seq = 2",
             (long long)a1);
    char *msg = NULL;
    assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    snprintf(sql, sizeof(sql), "DELETE FROM appeal_events WHERE appeal_id = %lld", (long long)a1);
    assert_int_not_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);

    raw_exec(db, "DROP TRIGGER appeal_events_no_update");
    snprintf(sql, sizeof(sql),
             "UPDATE appeal_events SET reason = 'edited' WHERE appeal_id = %lld AND seq = 2",
             (long long)a1);
    raw_exec(db, sql);
    assert_int_equal(sqlite3_changes(db), 1);
    sqlite3_close(db);

    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
    assert_int_equal(checked, 2);
    assert_int_equal(bad, 1);

    /* A second edit in another appeal: the time of its last event. */
    db = raw_open(f);
    snprintf(sql, sizeof(sql),
             "UPDATE appeal_events SET at = at + 1 WHERE appeal_id = %lld AND seq = 3",
             (long long)a2);
    raw_exec(db, sql);
    sqlite3_close(db);
    assert_int_equal(store_chain_verify(f->s, &checked, &bad), ERR_OK);
    assert_int_equal(checked, 2);
    assert_int_equal(bad, 2);
}

/* ---- idempotency, rate limits, counters ---- */

struct idem_job {
    struct arena *a;
    const char *key;
    unsigned char h[32];
    int64_t appeal_id;
    const char *response;
    bool put;
    bool same;
    char *got;
};

static enum err
idem_job(struct store_tx *tx, void *arg)
{
    struct idem_job *j = arg;
    if (j->put)
        return store_tx_idem_put(tx, j->key, j->h, j->appeal_id, j->response, NOW);
    return store_tx_idem_get(tx, j->a, j->key, j->h, &j->same, &j->got);
}

struct purge_job {
    int64_t now;
};

static enum err
purge_job(struct store_tx *tx, void *arg)
{
    return store_tx_purge(tx, ((struct purge_job *)arg)->now);
}

static void
idempotency(void **state)
{
    struct fx *f = need(state);
    struct appeal_job aj;
    fill_appeal(&aj, "T-0200", AGENCY, NOW);
    int64_t id = insert(f, &aj);
    const char *resp = "{\"tracking_id\":\"T-0200\",\"status\":\"registered\"}";
    struct idem_job j = {.a = f->a, .key = "7f3c-key", .appeal_id = id, .response = resp};
    memset(j.h, 1, 32);

    assert_int_equal(store_write(f->s, idem_job, &j), ERR_NOTFOUND);
    j.put = true;
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    j.put = false;
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    assert_true(j.same);
    assert_string_equal(j.got, resp);
    /* Same key, another body. */
    memset(j.h, 2, 32);
    j.same = true;
    j.got = NULL;
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    assert_false(j.same);
    assert_string_equal(j.got, resp);
    /* A key is stored once. */
    j.put = true;
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_CONFLICT);
    /* Another key is independent. */
    j.put = false;
    j.key = "other";
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_NOTFOUND);
    /* Kept 24 hours, then purged. */
    j.key = "7f3c-key";
    struct purge_job p = {NOW + 86400};
    assert_int_equal(store_write(f->s, purge_job, &p), ERR_OK);
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_OK);
    p.now = NOW + 86401;
    assert_int_equal(store_write(f->s, purge_job, &p), ERR_OK);
    assert_int_equal(store_write(f->s, idem_job, &j), ERR_NOTFOUND);
}

struct rate_job {
    const char *key;
    int64_t window, limit;
    int hits;         /* hits in this job */
    enum err last;    /* result of the last hit */
    bool ignore_rate; /* return ERR_OK even when refused */
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
rate_limit(void **state)
{
    struct fx *f = need(state);
    const int64_t w = NOW - NOW % 60;
    for (int i = 0; i < 5; i++)
        if (hit(f, "ip:10.0.0.1:submit", w, 5) != ERR_OK)
            fail_msg("hit %d of 5 refused", i + 1);
    assert_int_equal(hit(f, "ip:10.0.0.1:submit", w, 5), ERR_RATE);
    assert_int_equal(hit(f, "ip:10.0.0.1:submit", w, 5), ERR_RATE);
    /* Other keys have their own count. */
    assert_int_equal(hit(f, "ip:10.0.0.2:submit", w, 5), ERR_OK);
    assert_int_equal(hit(f, "ip:10.0.0.1:login", w, 5), ERR_OK);
    /* The next window starts again. */
    assert_int_equal(hit(f, "ip:10.0.0.1:submit", w + 60, 5), ERR_OK);
    /* Limit 1: one hit, then no more. */
    assert_int_equal(hit(f, "user:7:login", w, 1), ERR_OK);
    assert_int_equal(hit(f, "user:7:login", w, 1), ERR_RATE);
    /* A refused hit was not counted: with a higher limit the count is 1. */
    assert_int_equal(hit(f, "user:7:login", w, 2), ERR_OK);
    assert_int_equal(hit(f, "user:7:login", w, 2), ERR_RATE);
}

/* "ERR_RATE when the count would pass limit (the hit is not counted then)":
 * also when the job that asked goes on and commits. */
static void
rate_refused_hit_not_counted(void **state)
{
    struct fx *f = need(state);
    const int64_t w = NOW - NOW % 60;
    struct rate_job j = {"ip:10.9.9.9:submit", w, 2, 4, ERR_OK, true};
    assert_int_equal(store_write(f->s, rate_job, &j), ERR_OK);
    assert_int_equal(j.last, ERR_RATE);
    /* Two hits were counted; the two refused ones were not. */
    assert_int_equal(hit(f, "ip:10.9.9.9:submit", w, 3), ERR_OK);
    assert_int_equal(hit(f, "ip:10.9.9.9:submit", w, 3), ERR_RATE);
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
    for (int64_t want = 1; want <= 5; want++) {
        assert_int_equal(store_write(f->s, counter_job, &j), ERR_OK);
        assert_int_equal(j.n, want);
    }
    struct counter_job k = {"reg:2027", 0, ERR_OK};
    assert_int_equal(store_write(f->s, counter_job, &k), ERR_OK);
    assert_int_equal(k.n, 1);
    /* A failed job's number is given out again. */
    j.fail_with = ERR_UNPROCESSABLE;
    assert_int_equal(store_write(f->s, counter_job, &j), ERR_UNPROCESSABLE);
    assert_int_equal(j.n, 6);
    j.fail_with = ERR_OK;
    assert_int_equal(store_write(f->s, counter_job, &j), ERR_OK);
    assert_int_equal(j.n, 6);
}

/* ---- group commit ---- */

/* Which jobs ran in which group: a group is a run of job functions with no
 * done callback between them (done callbacks follow the commit). */
struct trace {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool gate_open;
    bool gate_running; /* the gate job holds the writer */
    bool last_was_done;
    int groups, cur, max_group;
    int done_count;
    enum err gate_err;
};

static void
trace_fn(struct trace *t)
{
    pthread_mutex_lock(&t->mu);
    if (t->groups == 0 || t->last_was_done) {
        t->groups++;
        t->cur = 0;
    }
    t->cur++;
    if (t->cur > t->max_group)
        t->max_group = t->cur;
    t->last_was_done = false;
    pthread_mutex_unlock(&t->mu);
}

static void
trace_done(struct trace *t)
{
    pthread_mutex_lock(&t->mu);
    t->last_was_done = true;
    t->done_count++;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static void
trace_wait(struct trace *t, int n)
{
    pthread_mutex_lock(&t->mu);
    while (t->done_count < n)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

/* The first job holds the writer until the gate opens, so that the jobs
 * queued meanwhile are committed in groups. */
static enum err
gate_fn(struct store_tx *tx, void *arg)
{
    struct trace *t = arg;
    (void)tx;
    trace_fn(t);
    pthread_mutex_lock(&t->mu);
    t->gate_running = true;
    pthread_cond_broadcast(&t->cv);
    while (!t->gate_open)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
    return ERR_OK;
}

/* Runs on the writer thread: record, never assert there. */
static void
gate_done(enum err e, void *arg)
{
    struct trace *t = arg;
    if (e)
        t->gate_err = e;
    trace_done(t);
}

/* Queue the gate job and wait until the writer runs it: what is queued
 * next waits for the gate to open. */
static void
gate_close(struct store *s, struct trace *t)
{
    assert_int_equal(store_write_async(s, gate_fn, gate_done, t), ERR_OK);
    pthread_mutex_lock(&t->mu);
    while (!t->gate_running)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

static void
gate_open(struct trace *t)
{
    pthread_mutex_lock(&t->mu);
    t->gate_open = true;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

struct gjob {
    struct appeal_job aj;
    struct trace *t;
    enum err done_e;
    bool done;
    int done_calls;
    const char *counter; /* if set: take a counter number instead */
    int64_t n;
};

static enum err
gjob_fn(struct store_tx *tx, void *arg)
{
    struct gjob *g = arg;
    trace_fn(g->t);
    if (g->counter) {
        enum err e = store_tx_counter_next(tx, g->counter, &g->n);
        return e ? e : g->aj.fail_with;
    }
    return insert_job(tx, &g->aj);
}

static void
gjob_done(enum err e, void *arg)
{
    struct gjob *g = arg;
    g->done_e = e;
    g->done = true;
    g->done_calls++;
    trace_done(g->t);
}

enum { THREADS = 4, PER_THREAD = 250 };

struct producer {
    struct store *s;
    struct gjob *jobs;
    int count;
    int refused;
};

static void *
produce(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < p->count; i++)
        if (store_write_async(p->s, gjob_fn, gjob_done, &p->jobs[i]) != ERR_OK)
            p->refused++;
    return NULL;
}

static void
group_commit_from_threads(void **state)
{
    struct fx *f = need(state);
    struct trace t = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct gjob *jobs = calloc(THREADS * PER_THREAD, sizeof(*jobs));
    struct producer prod[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS * PER_THREAD; i++) {
        char tracking[32];
        snprintf(tracking, sizeof(tracking), "G-%d-%03d", i / PER_THREAD, i % PER_THREAD);
        fill_appeal(&jobs[i].aj, tracking, AGENCY, NOW + i);
        jobs[i].t = &t;
    }
    gate_close(f->s, &t);
    for (int k = 0; k < THREADS; k++) {
        prod[k] = (struct producer){f->s, jobs + k * PER_THREAD, PER_THREAD, 0};
        assert_int_equal(pthread_create(&th[k], NULL, produce, &prod[k]), 0);
    }
    for (int k = 0; k < THREADS; k++) {
        pthread_join(th[k], NULL);
        assert_int_equal(prod[k].refused, 0);
    }
    gate_open(&t);
    trace_wait(&t, 1 + THREADS * PER_THREAD);
    assert_int_equal(t.gate_err, ERR_OK);

    for (int i = 0; i < THREADS * PER_THREAD; i++) {
        if (!jobs[i].done || jobs[i].done_calls != 1 || jobs[i].done_e != ERR_OK)
            fail_msg("job %d: done %d times, %s", i, jobs[i].done_calls, err_name(jobs[i].done_e));
        assert_true(jobs[i].aj.ap.id > 0);
    }
    /* Grouped: the gate alone, then all 1000 waiting jobs in full groups of
     * group_max (100). */
    assert_int_equal(t.max_group, opts.group_max);
    if (t.groups != 1 + (THREADS * PER_THREAD) / opts.group_max)
        fail_msg("%d groups for 1 + %d jobs", t.groups, THREADS * PER_THREAD);

    /* Every row is there, exactly once. */
    int64_t total = 0, open = 0, overdue = 0;
    assert_int_equal(store_counts(f->s, &total, &open, &overdue), ERR_OK);
    assert_int_equal(total, THREADS * PER_THREAD);
    assert_int_equal(open, THREADS * PER_THREAD);
    for (int i = 0; i < THREADS * PER_THREAD; i++) {
        struct appeal got;
        if (store_appeal_get(f->s, f->a, jobs[i].aj.tracking, &got, NULL) != ERR_OK)
            fail_msg("%s missing", jobs[i].aj.tracking);
        assert_int_equal(got.id, jobs[i].aj.ap.id);
        assert_int_equal(got.due_at, NOW + i);
    }
    free(jobs);
}

/* In one group: a job that fails is undone alone, the others commit. */
static void
failed_job_rolled_back_alone(void **state)
{
    struct fx *f = need(state);
    struct trace t = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    enum { NJ = 7 };
    struct gjob g[NJ] = {0};
    fill_appeal(&g[0].aj, "R-A", AGENCY, NOW);
    fill_appeal(&g[1].aj, "R-B", AGENCY, NOW);
    g[1].aj.fail_with = ERR_UNPROCESSABLE; /* inserts, then fails */
    fill_appeal(&g[2].aj, "R-C", AGENCY, NOW);
    fill_appeal(&g[3].aj, "R-A", AGENCY, NOW); /* same tracking id as the first */
    snprintf(g[3].aj.reg, sizeof(g[3].aj.reg), "REG-R-A2");
    g[4].counter = "grp";
    g[5].counter = "grp";
    g[5].aj.fail_with = ERR_CONFLICT; /* takes a number, then fails */
    g[6].counter = "grp";
    for (int i = 0; i < NJ; i++)
        g[i].t = &t;
    gate_close(f->s, &t);
    for (int i = 0; i < NJ; i++)
        assert_int_equal(store_write_async(f->s, gjob_fn, gjob_done, &g[i]), ERR_OK);
    gate_open(&t);
    trace_wait(&t, 1 + NJ);
    assert_int_equal(t.groups, 2); /* the gate, then all seven together */

    assert_int_equal(g[0].done_e, ERR_OK);
    assert_int_equal(g[1].done_e, ERR_UNPROCESSABLE);
    assert_int_equal(g[2].done_e, ERR_OK);
    assert_int_equal(g[3].done_e, ERR_CONFLICT);
    assert_int_equal(g[4].done_e, ERR_OK);
    assert_int_equal(g[5].done_e, ERR_CONFLICT);
    assert_int_equal(g[6].done_e, ERR_OK);
    struct appeal got;
    assert_int_equal(store_appeal_get(f->s, f->a, "R-A", &got, NULL), ERR_OK);
    assert_string_equal(got.reg_number, "REG-R-A");
    assert_int_equal(store_appeal_get(f->s, f->a, "R-B", &got, NULL), ERR_NOTFOUND);
    assert_int_equal(store_appeal_get(f->s, f->a, "R-C", &got, NULL), ERR_OK);
    /* The failed job's counter step was undone: the next job took 2, not 3. */
    assert_int_equal(g[4].n, 1);
    assert_int_equal(g[6].n, 2);
    struct counter_job k = {"grp", 0, ERR_OK};
    assert_int_equal(store_write(f->s, counter_job, &k), ERR_OK);
    assert_int_equal(k.n, 3);
}

/* ---- live events ---- */

struct sink_log {
    pthread_mutex_t mu;
    int64_t ids[16];
    char kinds[16][32];
    int64_t appeal_ids[16];
    size_t n, calls;
};

static void
sink_fn(const struct store_event *evs, size_t n, void *arg)
{
    struct sink_log *l = arg;
    pthread_mutex_lock(&l->mu);
    l->calls++;
    for (size_t i = 0; i < n && l->n < ARRAY_LEN(l->ids); i++) {
        l->ids[l->n] = evs[i].id;
        l->appeal_ids[l->n] = evs[i].appeal_id;
        snprintf(l->kinds[l->n], sizeof(l->kinds[0]), "%s", evs[i].kind);
        l->n++;
    }
    pthread_mutex_unlock(&l->mu);
}

struct live_job {
    const char *kind;
    int64_t appeal_id;
    enum err fail_with; /* appends its event, then fails */
    struct trace *t;
    enum err done_e;
    int64_t id;
};

static enum err
live_job_fn(struct store_tx *tx, void *arg)
{
    struct live_job *j = arg;
    trace_fn(j->t);
    enum err e =
        store_tx_stream_event(tx, NOW, j->kind, AGENCY, REGION, j->appeal_id, "{\"x\":1}", &j->id);
    if (e)
        return e;
    return j->fail_with;
}

static void
live_job_done(enum err e, void *arg)
{
    struct live_job *j = arg;
    j->done_e = e;
    pthread_mutex_lock(&j->t->mu);
    j->t->done_count++;
    j->t->last_was_done = true;
    pthread_cond_broadcast(&j->t->cv);
    pthread_mutex_unlock(&j->t->mu);
}

/* The sink hears, after the commit, of exactly the events of the jobs that
 * committed, in id order; the same rows are read back by id range. */
static void
live_events_reach_the_sink_once(void **state)
{
    struct fx *f = need(state);
    struct sink_log log = {.mu = PTHREAD_MUTEX_INITIALIZER};
    int64_t before;
    assert_int_equal(store_stream_last_id(f->s, &before), ERR_OK);
    store_set_event_sink(f->s, sink_fn, &log);
    struct trace t = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    struct live_job j[4] = {
        {.kind = "appeal.registered", .appeal_id = 11},
        {.kind = "appeal.taken", .appeal_id = 12, .fail_with = ERR_CONFLICT},
        {.kind = "appeal.answered", .appeal_id = 13},
        {.kind = "appeal.closed", .appeal_id = 0},
    };
    gate_close(f->s, &t);
    for (size_t i = 0; i < ARRAY_LEN(j); i++) {
        j[i].t = &t;
        assert_int_equal(store_write_async(f->s, live_job_fn, live_job_done, &j[i]), ERR_OK);
    }
    gate_open(&t);
    trace_wait(&t, 1 + (int)ARRAY_LEN(j));
    assert_int_equal(j[1].done_e, ERR_CONFLICT);
    pthread_mutex_lock(&log.mu);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ids[0], j[0].id);
    assert_int_equal(log.ids[1], j[2].id);
    assert_int_equal(log.ids[2], j[3].id);
    assert_true(log.ids[0] > before && log.ids[0] < log.ids[1] && log.ids[1] < log.ids[2]);
    assert_string_equal(log.kinds[1], "appeal.answered");
    assert_int_equal(log.appeal_ids[0], 11);
    assert_int_equal(log.appeal_ids[2], 0);
    pthread_mutex_unlock(&log.mu);

    struct store_event *rows;
    size_t n;
    assert_int_equal(store_stream_since(f->s, f->a, before, -1, 100, &rows, &n), ERR_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rows[i].id, log.ids[i]);
    assert_string_equal(rows[0].kind, "appeal.registered");
    assert_string_equal(rows[0].agency, AGENCY);
    assert_string_equal(rows[0].region, REGION);
    assert_string_equal(rows[0].data, "{\"x\":1}");
    assert_int_equal(rows[0].appeal_id, 11);
    assert_int_equal(rows[0].at, NOW);
    /* bounded above, and by count */
    assert_int_equal(store_stream_since(f->s, f->a, before, log.ids[1], 100, &rows, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[1].id, log.ids[1]);
    assert_int_equal(store_stream_since(f->s, f->a, log.ids[0], -1, 1, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, log.ids[1]);
    assert_int_equal(store_stream_since(f->s, f->a, log.ids[2], -1, 100, &rows, &n), ERR_OK);
    assert_int_equal(n, 0);
    int64_t last;
    assert_int_equal(store_stream_last_id(f->s, &last), ERR_OK);
    assert_int_equal(last, log.ids[2]);
    store_set_event_sink(f->s, NULL, NULL);
}

/* ---- the queue ---- */

enum { QN = 37 };

static void
queue_query_init(struct queue_query *q, const char *agency, size_t limit)
{
    memset(q, 0, sizeof(*q));
    q->agency = agency;
    q->status = -1;
    q->now = NOW;
    q->limit = limit;
}

/* Page through q, checking order and that no row comes twice; the ids in
 * page order go to ids (at most max). */
static size_t
page_all(struct fx *f, struct queue_query *q, int64_t *ids, size_t max)
{
    size_t total = 0;
    int64_t last_due = INT64_MIN, last_id = 0;
    for (int pages = 0;; pages++) {
        struct appeal *rows = NULL;
        size_t n = 0;
        bool more = false;
        assert_true(pages < 1000);
        assert_int_equal(store_queue(f->s, f->a, q, &rows, &n, &more), ERR_OK);
        assert_true(n <= q->limit);
        if (more)
            assert_int_equal(n, q->limit);
        for (size_t i = 0; i < n; i++) {
            /* An appeal without a due date (0) sorts after every dated one. */
            int64_t due = rows[i].due_at ? rows[i].due_at : INT64_MAX;
            if (due < last_due || (due == last_due && rows[i].id <= last_id))
                fail_msg("page %d row %zu: (%lld, %lld) after (%lld, %lld)", pages, i,
                         (long long)due, (long long)rows[i].id, (long long)last_due,
                         (long long)last_id);
            last_due = due;
            last_id = rows[i].id;
            for (size_t k = 0; k < total; k++)
                if (ids[k] == rows[i].id)
                    fail_msg("id %lld twice", (long long)rows[i].id);
            assert_true(total < max);
            ids[total++] = rows[i].id;
        }
        if (!more)
            break;
        q->has_cursor = true;
        q->cursor_due = rows[n - 1].due_at ? rows[n - 1].due_at : INT64_MAX;
        q->cursor_id = rows[n - 1].id;
    }
    return total;
}

static void
queue_order_and_pages(void **state)
{
    struct fx *f = need(state);
    struct appeal_job j[QN + 6];
    int64_t want[QN];
    /* Due dates out of insertion order and with ties: (i * 7) % 5 days. */
    for (int i = 0; i < QN; i++) {
        char tr[32];
        snprintf(tr, sizeof(tr), "Q-%02d", i);
        fill_appeal(&j[i], tr, AGENCY, NOW + ((i * 7) % 5) * TM_DAY);
        want[i] = insert(f, &j[i]);
    }
    /* Not in this queue: another agency, closed ones, triage. */
    fill_appeal(&j[QN], "Q-other", AGENCY2, NOW);
    insert(f, &j[QN]);
    /* Insert stores a new appeal's columns; closing is an update. */
    fill_appeal(&j[QN + 1], "Q-closed", AGENCY, NOW - TM_DAY);
    insert(f, &j[QN + 1]);
    j[QN + 1].ap.status = STATUS_CLOSED;
    j[QN + 1].ap.closed_at = NOW;
    assert_int_equal(store_write(f->s, update_job, &j[QN + 1].ap), ERR_OK);
    fill_appeal(&j[QN + 2], "Q-withdrawn", AGENCY, NOW - TM_DAY);
    insert(f, &j[QN + 2]);
    j[QN + 2].ap.status = STATUS_WITHDRAWN;
    j[QN + 2].ap.closed_at = NOW;
    assert_int_equal(store_write(f->s, update_job, &j[QN + 2].ap), ERR_OK);
    fill_appeal(&j[QN + 3], "Q-triage1", NULL, NOW + 2 * TM_DAY);
    insert(f, &j[QN + 3]);
    fill_appeal(&j[QN + 4], "Q-triage0", NULL, NOW + 1 * TM_DAY);
    insert(f, &j[QN + 4]);

    static const size_t limits[] = {1, 2, 4, 5, 36, 37, 38, 200};
    for (size_t l = 0; l < ARRAY_LEN(limits); l++) {
        struct queue_query q;
        int64_t got[QN + 10];
        queue_query_init(&q, AGENCY, limits[l]);
        size_t n = page_all(f, &q, got, ARRAY_LEN(got));
        if (n != QN)
            fail_msg("limit %zu: %zu rows, want %d", limits[l], n, QN);
        /* The same set: every wanted id came once (no gaps). */
        for (int i = 0; i < QN; i++) {
            bool seen = false;
            for (size_t k = 0; k < n; k++)
                seen |= got[k] == want[i];
            if (!seen)
                fail_msg("limit %zu: Q-%02d missing", limits[l], i);
        }
    }
    /* First page: the earliest due date, lowest id first. */
    struct queue_query q;
    struct appeal *rows;
    size_t n;
    bool more;
    queue_query_init(&q, AGENCY, 3);
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 3);
    assert_true(more);
    assert_int_equal(rows[0].due_at, NOW);
    assert_string_equal(rows[0].tracking_id, "Q-00");
    assert_string_equal(rows[1].tracking_id, "Q-05");
    assert_string_equal(rows[2].tracking_id, "Q-10");

    /* Filters: a status, and overdue (due before now). */
    queue_query_init(&q, AGENCY, 100);
    q.status = STATUS_IN_REVIEW;
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 0);
    q.status = STATUS_REGISTERED;
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, QN);
    queue_query_init(&q, AGENCY, 100);
    q.overdue_only = true;
    q.now = NOW + TM_DAY + 1; /* due NOW and NOW + 1 day are past */
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(rows[i].due_at < q.now);
    assert_int_equal(n, 8 + 7); /* (i*7)%5 == 0: 8 of 37; == 1: 7 */

    /* The triage queue: no agency, by due date. */
    queue_query_init(&q, NULL, 10);
    assert_int_equal(store_queue(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 2);
    assert_false(more);
    assert_string_equal(rows[0].tracking_id, "Q-triage0");
    assert_string_equal(rows[1].tracking_id, "Q-triage1");
}

/* An open appeal without a due date sorts last ("NULL last") and paging
 * past it loses nothing. */
static void
queue_without_due_date_sorts_last(void **state)
{
    struct fx *f = need(state);
    struct appeal_job j[4];
    fill_appeal(&j[0], "N-0", AGENCY, 0);
    fill_appeal(&j[1], "N-1", AGENCY, NOW);
    fill_appeal(&j[2], "N-2", AGENCY, 0);
    fill_appeal(&j[3], "N-3", AGENCY, NOW + TM_DAY);
    for (int i = 0; i < 4; i++)
        insert(f, &j[i]);
    struct queue_query q;
    int64_t got[8];
    queue_query_init(&q, AGENCY, 1);
    size_t n = page_all(f, &q, got, ARRAY_LEN(got));
    if (n != 4)
        fail_msg("paging by 1 gave %zu of 4 rows", n);
    assert_int_equal(got[0], j[1].ap.id);
    assert_int_equal(got[1], j[3].ap.id);
    assert_int_equal(got[2], j[0].ap.id);
    assert_int_equal(got[3], j[2].ap.id);
}

static void
due_scan(void **state)
{
    struct fx *f = need(state);
    struct appeal_job j[3];
    fill_appeal(&j[0], "D-0", AGENCY, NOW + TM_DAY);
    fill_appeal(&j[1], "D-1", AGENCY, NOW + 5 * TM_DAY);
    fill_appeal(&j[2], "D-2", AGENCY, NOW - TM_DAY);
    j[2].ap.status = STATUS_ANSWERED; /* decided: no deadline to watch */
    for (int i = 0; i < 3; i++)
        insert(f, &j[i]);
    struct appeal *rows;
    size_t n;
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 2 * TM_DAY, false, 10, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].tracking_id, "D-0");
    j[0].ap.warned = true;
    assert_int_equal(store_write(f->s, update_job, &j[0].ap), ERR_OK);
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 2 * TM_DAY, false, 10, &rows, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 10 * TM_DAY, true, 10, &rows, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_due_scan(f->s, f->a, NOW + 10 * TM_DAY, true, 1, &rows, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].tracking_id, "D-0");
}

/* ---- answers, events, outbox, audit, counts ---- */

struct misc_job {
    int64_t appeal_id, author;
    int64_t ev1, ev2;
};

static enum err
misc_job(struct store_tx *tx, void *arg)
{
    struct misc_job *m = arg;
    enum err e = store_tx_answer_insert(tx, m->appeal_id, "Яма заделана", "ru", m->author, NOW);
    if (!e)
        e = store_tx_answer_insert(tx, m->appeal_id, "Second", "en", 0, NOW + 1);
    if (!e)
        e = store_tx_stream_event(tx, NOW, "appeal.answered", AGENCY, REGION, m->appeal_id, "{}",
                                  &m->ev1);
    if (!e)
        e = store_tx_stream_event(tx, NOW, "appeal.closed", AGENCY, REGION, m->appeal_id, "{}",
                                  &m->ev2);
    if (!e)
        e = store_tx_outbox(tx, NOW, "email", "a@example.kz", m->appeal_id, "answered");
    if (!e)
        e = store_tx_audit(tx, NOW, m->author, "read_pii", "T-0300", NULL);
    if (!e)
        e = store_tx_rule_upsert(tx, "roads", REGION, AGENCY2);
    if (!e)
        e = store_tx_rule_upsert(tx, "roads", REGION, AGENCY);
    return e;
}

static enum err
outbox_sent_job(struct store_tx *tx, void *arg)
{
    return store_tx_outbox_sent(tx, *(int64_t *)arg, NOW);
}

static void
answers_and_side_tables(void **state)
{
    struct fx *f = need(state);
    int64_t author = add_user(f, "official3", ROLE_OFFICIAL, AGENCY);
    struct appeal_job j;
    fill_appeal(&j, "T-0300", AGENCY, NOW);
    struct misc_job m = {insert(f, &j), author, 0, 0};
    struct ref_data before, after;
    assert_int_equal(store_ref_load(f->s, f->a, &before), ERR_OK);
    assert_int_equal(store_write(f->s, misc_job, &m), ERR_OK);
    assert_true(m.ev1 > 0);
    assert_true(m.ev2 > m.ev1);
    struct answer_row *rows;
    size_t n;
    assert_int_equal(store_answers_list(f->s, f->a, m.appeal_id, &rows, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].text, "Яма заделана");
    assert_string_equal(rows[0].language, "ru");
    assert_int_equal(rows[0].author, author);
    assert_int_equal(rows[0].at, NOW);
    assert_string_equal(rows[1].text, "Second");
    assert_int_equal(rows[1].author, 0);
    /* The upsert replaced, not added: one (roads, Almaty) rule pointing at AGENCY. */
    assert_int_equal(store_ref_load(f->s, f->a, &after), ERR_OK);
    size_t hits = 0;
    for (size_t i = 0; i < after.rules_count; i++)
        if (strcmp(after.rules[i].topic, "roads") == 0 && after.rules[i].region &&
            strcmp(after.rules[i].region, REGION) == 0) {
            hits++;
            assert_string_equal(after.rules[i].agency, AGENCY);
        }
    assert_int_equal(hits, 1);
    /* The e-mail row waits to be delivered; once marked sent, it no longer does. */
    struct outbox_row *ob;
    assert_int_equal(store_outbox_pending(f->s, f->a, "email", 10, &ob, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ob[0].recipient, "a@example.kz");
    assert_string_equal(ob[0].body, "answered");
    assert_int_equal(ob[0].appeal_id, m.appeal_id);
    assert_int_equal(store_outbox_pending(f->s, f->a, "sms", 10, &ob, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_outbox_pending(f->s, f->a, "email", 10, &ob, &n), ERR_OK);
    assert_int_equal(store_write(f->s, outbox_sent_job, &ob[0].id), ERR_OK);
    assert_int_equal(store_outbox_pending(f->s, f->a, "email", 10, &ob, &n), ERR_OK);
    assert_int_equal(n, 0);
    int64_t total, open, overdue;
    assert_int_equal(store_counts(f->s, &total, &open, &overdue), ERR_OK);
    assert_int_equal(total, 1);
    assert_int_equal(open, 1);
    assert_int_equal(overdue, 0);
}

/* The assign form's list: active officials and supervisors of one agency. */
static void
agency_staff(void **state)
{
    struct fx *f = need(state);
    int64_t a = add_user(f, "off-a1", ROLE_OFFICIAL, AGENCY);
    int64_t b = add_user(f, "sup-a1", ROLE_SUPERVISOR, AGENCY);
    add_user(f, "off-b1", ROLE_OFFICIAL, AGENCY2);
    add_user(f, "op-1", ROLE_OPERATOR, NULL);
    struct user *u;
    size_t n;
    assert_int_equal(store_agency_staff(f->s, f->a, AGENCY, 10, &u, &n), ERR_OK);
    assert_int_equal(n, 2);
    assert_true((u[0].id == a && u[1].id == b) || (u[0].id == b && u[1].id == a));
    assert_string_equal(u[0].agency, AGENCY);
    assert_int_equal(store_agency_staff(f->s, f->a, AGENCY, 1, &u, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_agency_staff(f->s, f->a, "no-such-agency", 10, &u, &n), ERR_OK);
    assert_int_equal(n, 0);
}

/* ---- users, sessions, tokens ---- */

struct sess_job {
    unsigned char h[32];
    int64_t user;
    const char *csrf;
    int64_t expires;
    int op; /* 0 session insert, 1 session delete, 2 token insert */
};

static enum err
sess_job(struct store_tx *tx, void *arg)
{
    struct sess_job *j = arg;
    switch (j->op) {
    case 0:
        return store_tx_session_insert(tx, j->h, j->user, j->csrf, NOW, j->expires);
    case 1:
        return store_tx_session_delete(tx, j->h);
    default:
        return store_tx_token_insert(tx, j->h, j->user, "ci", NOW);
    }
}

static void
users_sessions_tokens(void **state)
{
    struct fx *f = need(state);
    int64_t uid = add_user(f, "sup.roads", ROLE_SUPERVISOR, AGENCY);
    int64_t cid = add_user(f, "citizen9", ROLE_CITIZEN, NULL);
    assert_true(cid != uid);
    struct user u;
    char *pw = NULL, *csrf = NULL;
    assert_int_equal(store_user_by_login(f->s, f->a, "sup.roads", &u, &pw), ERR_OK);
    assert_int_equal(u.id, uid);
    assert_string_equal(u.login, "sup.roads");
    assert_int_equal(u.role, ROLE_SUPERVISOR);
    assert_string_equal(u.agency, AGENCY);
    assert_string_equal(u.name, "Test User");
    assert_false(u.disabled);
    assert_string_equal(pw, "$argon2id$fake");
    assert_int_equal(store_user_by_login(f->s, f->a, "nobody", &u, &pw), ERR_NOTFOUND);
    assert_int_equal(store_user_by_id(f->s, f->a, cid, &u), ERR_OK);
    assert_int_equal(u.role, ROLE_CITIZEN);
    assert_null(u.agency);
    assert_int_equal(store_user_by_id(f->s, f->a, 999999, &u), ERR_NOTFOUND);
    /* Logins are unique; staff of an agency need the agency. */
    struct user_job dup = {{0, "sup.roads", ROLE_ADMIN, NULL, "", false}, "x", 0};
    assert_int_equal(store_write(f->s, user_job, &dup), ERR_CONFLICT);
    struct user_job noag = {{0, "off.noagency", ROLE_OFFICIAL, NULL, "", false}, "x", 0};
    assert_int_not_equal(store_write(f->s, user_job, &noag), ERR_OK);

    /* Sessions: valid until expires_at, gone after delete. */
    struct sess_job s = {.user = uid, .csrf = "csrf-123", .expires = NOW + 3600, .op = 0};
    memset(s.h, 0x5A, 32);
    assert_int_equal(store_write(f->s, sess_job, &s), ERR_OK);
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW, &u, &csrf), ERR_OK);
    assert_int_equal(u.id, uid);
    assert_int_equal(u.role, ROLE_SUPERVISOR);
    assert_string_equal(u.agency, AGENCY);
    assert_string_equal(csrf, "csrf-123");
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW + 3599, &u, &csrf), ERR_OK);
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW + 3600, &u, &csrf), ERR_NOTFOUND);
    unsigned char other[32];
    memset(other, 0x5B, 32);
    assert_int_equal(store_session_lookup(f->s, f->a, other, NOW, &u, &csrf), ERR_NOTFOUND);
    assert_int_equal(store_write(f->s, sess_job, &s), ERR_CONFLICT); /* same token twice */
    /* Purge drops expired sessions only. */
    struct purge_job p = {NOW + 100};
    assert_int_equal(store_write(f->s, purge_job, &p), ERR_OK);
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW, &u, &csrf), ERR_OK);
    s.op = 1;
    assert_int_equal(store_write(f->s, sess_job, &s), ERR_OK);
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW, &u, &csrf), ERR_NOTFOUND);

    /* API tokens. */
    struct sess_job t = {.user = cid, .op = 2};
    memset(t.h, 0x77, 32);
    assert_int_equal(store_write(f->s, sess_job, &t), ERR_OK);
    assert_int_equal(store_token_lookup(f->s, f->a, t.h, &u), ERR_OK);
    assert_int_equal(u.id, cid);
    assert_string_equal(u.login, "citizen9");
    assert_int_equal(store_token_lookup(f->s, f->a, other, &u), ERR_NOTFOUND);
    assert_int_equal(store_token_lookup(f->s, f->a, s.h, &u), ERR_NOTFOUND);
}

/* A disabled account and a revoked token no longer authenticate. */
static void
disabled_user_and_revoked_token(void **state)
{
    struct fx *f = need_file(state);
    int64_t uid = add_user(f, "off.gone", ROLE_OFFICIAL, AGENCY);
    struct sess_job s = {.user = uid, .csrf = "c", .expires = NOW + 3600, .op = 0};
    struct sess_job t = {.user = uid, .op = 2};
    memset(s.h, 0x11, 32);
    memset(t.h, 0x22, 32);
    assert_int_equal(store_write(f->s, sess_job, &s), ERR_OK);
    assert_int_equal(store_write(f->s, sess_job, &t), ERR_OK);
    struct user u;
    char *csrf;
    assert_int_equal(store_token_lookup(f->s, f->a, t.h, &u), ERR_OK);
    sqlite3 *db = raw_open(f);
    raw_exec(db, "UPDATE api_tokens SET revoked = 1");
    assert_int_equal(store_token_lookup(f->s, f->a, t.h, &u), ERR_NOTFOUND);
    raw_exec(db, "UPDATE api_tokens SET revoked = 0");
    raw_exec(db, "UPDATE users SET disabled = 1 WHERE login = 'off.gone'");
    sqlite3_close(db);
    assert_int_equal(store_token_lookup(f->s, f->a, t.h, &u), ERR_NOTFOUND);
    assert_int_equal(store_session_lookup(f->s, f->a, s.h, NOW, &u, &csrf), ERR_NOTFOUND);
    char *pw;
    assert_int_equal(store_user_by_login(f->s, f->a, "off.gone", &u, &pw), ERR_NOTFOUND);
    assert_int_equal(store_user_by_id(f->s, f->a, uid, &u), ERR_NOTFOUND);
}

/* ---- groups ---- */

#define T(fn) cmocka_unit_test_setup_teardown(fn, SETUP, teardown)
#define COMMON_TESTS                                                                               \
    T(migrations_apply_once), T(reference_data_loads), T(calendar_rows_equal_default),             \
        T(appeal_insert_get_update), T(appeal_errors), T(errmsg_reaches_the_caller),               \
        T(chain_append_and_verify), T(chain_verifies_what_app_writes), T(idempotency),             \
        T(rate_limit), T(rate_refused_hit_not_counted), T(counters), T(group_commit_from_threads), \
        T(failed_job_rolled_back_alone), T(queue_order_and_pages),                                 \
        T(queue_without_due_date_sorts_last), T(due_scan), T(answers_and_side_tables),             \
        T(agency_staff), T(users_sessions_tokens), T(live_events_reach_the_sink_once)

int
main(void)
{
    int failed = 0;
#define SETUP setup_memory
    const struct CMUnitTest memory[] = {
        cmocka_unit_test(bad_dsn),
        COMMON_TESTS,
    };
#undef SETUP
#define SETUP setup_file
    const struct CMUnitTest file[] = {
        COMMON_TESTS,
        T(migrations_persist_in_file),
        T(calendar_sources_equal_default),
        T(reference_checks_pass),
        T(chain_tamper_detected),
        T(disabled_user_and_revoked_token),
    };
#undef SETUP
#define SETUP setup_pg
    const struct CMUnitTest pg[] = {COMMON_TESTS};
#undef SETUP
    failed += cmocka_run_group_tests_name("store sqlite::memory:", memory, NULL, NULL);
    failed += cmocka_run_group_tests_name("store sqlite file", file, NULL, NULL);
    if (getenv("TEST_PG_DSN"))
        failed += cmocka_run_group_tests_name("store postgres", pg, NULL, NULL);
    return failed;
}
