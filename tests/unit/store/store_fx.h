/*
 * store_fx.h - the fixture the store tests of one feature share: a fresh,
 * migrated store per test, SQLite in memory or PostgreSQL on a database of
 * its own made on the server TEST_PG_DSN names (dropped afterwards). The
 * PostgreSQL group's tests skip (NEED_STORE) without TEST_PG_DSN; or
 * SQLite in a file of a temp directory of its own (setup_file(); f->path
 * names the file, removed afterwards). Include it once, after cmocka.h,
 * from a test file. Exports setup_sqlite(), setup_pg(), setup_file() and
 * teardown().
 */
#ifndef TESTS_UNIT_STORE_STORE_FX_H
#define TESTS_UNIT_STORE_STORE_FX_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/rnd.h"
#include "store/store.h"

static const struct store_opts opts = {.busy_timeout_ms = 5000, .group_max = 100, .readers = 2};

struct fx {
    bool pg;
    char db[32];
    char dsn[1024];
    char path[256]; /* setup_file(): the database file */
    struct store *s;
    struct arena *a;
};

static const char *
admin_dsn(void)
{
    const char *v = getenv("TEST_PG_DSN");
    return v && *v ? v : NULL;
}

/* TEST_PG_DSN with its database set to db. */
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
        rest += strcspn(rest, "?");
    int n = snprintf(out, cap, "%.*s/%s%s", (int)(auth + host_len - base), base, db, rest);
    assert_true(n > 0 && (size_t)n < cap);
}

/* CREATE (create) or DROP the database db. */
static void
admin_db(bool create, const char *db)
{
    PGconn *c = PQconnectdb(admin_dsn());
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect: %s", PQerrorMessage(c));
    char *id = PQescapeIdentifier(c, db, strlen(db));
    char sql[160];
    if (create)
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", id);
    else
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", id);
    PQfreemem(id);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static int
open_store(struct fx *f)
{
    int applied;
    if (store_open(f->dsn, &opts, &f->s)) {
        print_error("store_open(%s): %s\n", f->dsn, store_errmsg(NULL));
        return -1;
    }
    if (store_migrate(f->s, &applied)) {
        print_error("store_migrate: %s\n", store_errmsg(f->s));
        return -1;
    }
    return 0;
}

static int
setup_sqlite(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    *state = f;
    f->a = arena_new();
    snprintf(f->dsn, sizeof(f->dsn), "sqlite::memory:");
    return open_store(f);
}

static int
setup_pg(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    *state = f;
    f->a = arena_new();
    f->pg = true;
    if (!admin_dsn())
        return 0;
    unsigned char b[6];
    rnd_bytes(b, sizeof(b));
    snprintf(f->db, sizeof(f->db), "tyndau_t_%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5]);
    admin_db(true, f->db);
    dsn_for(f->db, f->dsn, sizeof(f->dsn));
    return open_store(f);
}

/* Not every test file uses it. */
__attribute__((unused)) static int
setup_file(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    *state = f;
    f->a = arena_new();
    char dir[] = "/tmp/tyndau-store-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.db", dir);
    snprintf(f->dsn, sizeof(f->dsn), "sqlite:%s", f->path);
    return open_store(f);
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->s);
    if (f->pg && f->db[0])
        admin_db(false, f->db);
    if (f->path[0]) {
        char p[300];
        static const char *const ext[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(p, sizeof(p), "%s%s", f->path, ext[i]);
            (void)unlink(p);
        }
        *strrchr(f->path, '/') = '\0';
        (void)rmdir(f->path);
    }
    arena_free(f->a);
    free(f);
    return 0;
}

/* Skip a PG test without a server. */
#define NEED_STORE(f)                                                                              \
    do {                                                                                           \
        if (!(f)->s) {                                                                             \
            print_message("skipped: TEST_PG_DSN is not set\n");                                    \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

#endif
