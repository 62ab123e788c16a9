/*
 * store_sqlite.c - the embedded SQLite backend. One writer thread owns the
 * write connection and commits queued jobs in groups (WAL, synchronous=FULL:
 * one fsync per group); readers borrow connections from a pool. Statements
 * are prepared once per connection and cached by their SQL text's address.
 * Exports store_sqlite_ops; everything else is static.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/str.h"
#include "base/tm.h"
#include "base/util.h"
#include "base/xalloc.h"
#include "store/migrations.h"

enum { STMT_CACHE = 96, ERRMSG_MAX = 256, GROUP_DEFAULT = 512 };

struct conn {
    sqlite3 *db;
    struct conn *next; /* free list link */
    size_t stmt_count;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } stmts[STMT_CACHE];
};

struct sq {
    char *path;
    bool memory;
    struct store_opts opts;

    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    struct conn *free_conns; /* guarded by pool_mu */
    int conn_count;          /* guarded by pool_mu */
    int conn_max;

    struct conn *wconn; /* file mode: the writer's own; memory mode: NULL (uses the pool) */

    struct store__jobq jobs;
    pthread_t writer;
    bool writer_started;

    /* File mode: WAL checkpoints run here, off the commit path, so a commit
     * never waits for the database file to be written and synced. */
    struct conn *cconn;
    pthread_mutex_t ck_mu;
    pthread_cond_t ck_cv;
    bool ck_stop; /* guarded by ck_mu */
    pthread_t checkpointer;
    bool checkpointer_started;
};

static _Thread_local char errbuf[ERRMSG_MAX];

static struct sq *
SQ(struct store *s)
{
    return s->impl;
}

static enum err
fail(sqlite3 *db)
{
    snprintf(errbuf, sizeof(errbuf), "%s", db ? sqlite3_errmsg(db) : "no connection");
    int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return ERR_CONFLICT;
    return ERR_STORE;
}

static const char *
sq_errmsg(struct store *s)
{
    (void)s;
    return errbuf;
}

static void
sq_errmsg_set(struct store *s, const char *msg)
{
    (void)s;
    snprintf(errbuf, sizeof(errbuf), "%s", msg);
}

/* ---- connections and statements ---- */

static enum err
conn_open(struct sq *q, bool reader, struct conn **out)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(q->memory ? ":memory:" : q->path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        enum err e = fail(c->db);
        sqlite3_close(c->db);
        free(c);
        return e;
    }
    sqlite3_busy_timeout(c->db, q->opts.busy_timeout_ms);
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, NULL);
    const char *pragmas =
        reader ? "PRAGMA foreign_keys=ON; PRAGMA query_only=1;"
               : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
                 "PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0;";
    if (q->memory)
        pragmas = "PRAGMA foreign_keys=ON;";
    if (sqlite3_exec(c->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
        enum err e = fail(c->db);
        sqlite3_close(c->db);
        free(c);
        return e;
    }
    *out = c;
    return ERR_OK;
}

static void
conn_close(struct conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->stmt_count; i++)
        sqlite3_finalize(c->stmts[i].st);
    sqlite3_close(c->db);
    free(c);
}

/* A cached, reset statement for sql (a string literal: cached by address). */
static sqlite3_stmt *
prep(struct conn *c, const char *sql)
{
    for (size_t i = 0; i < c->stmt_count; i++) {
        if (c->stmts[i].sql == sql) {
            sqlite3_stmt *st = c->stmts[i].st;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        fail(c->db);
        return NULL;
    }
    if (c->stmt_count < STMT_CACHE) {
        c->stmts[c->stmt_count].sql = sql;
        c->stmts[c->stmt_count].st = st;
        c->stmt_count++;
    } else {
        /* Cache full: should not happen with our fixed set of statements. */
        sqlite3_finalize(c->stmts[0].st);
        c->stmts[0].sql = sql;
        c->stmts[0].st = st;
    }
    return st;
}

static struct conn *
pool_get(struct sq *q)
{
    struct conn *c = NULL;
    pthread_mutex_lock(&q->pool_mu);
    for (;;) {
        if (q->free_conns) {
            c = q->free_conns;
            q->free_conns = c->next;
            break;
        }
        if (q->conn_count < q->conn_max) {
            q->conn_count++;
            pthread_mutex_unlock(&q->pool_mu);
            if (conn_open(q, true, &c) != ERR_OK) {
                pthread_mutex_lock(&q->pool_mu);
                q->conn_count--;
                pthread_mutex_unlock(&q->pool_mu);
                return NULL;
            }
            return c;
        }
        pthread_cond_wait(&q->pool_cv, &q->pool_mu);
    }
    pthread_mutex_unlock(&q->pool_mu);
    return c;
}

static void
pool_put(struct sq *q, struct conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->stmt_count; i++)
        sqlite3_reset(c->stmts[i].st);
    pthread_mutex_lock(&q->pool_mu);
    c->next = q->free_conns;
    q->free_conns = c;
    pthread_cond_signal(&q->pool_cv);
    pthread_mutex_unlock(&q->pool_mu);
}

static char *
col_str(struct arena *a, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return NULL;
    const unsigned char *p = sqlite3_column_text(st, i);
    return arena_strndup(a, (const char *)p, (size_t)sqlite3_column_bytes(st, i));
}

static void
bind_str(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void
bind_i64_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Step a statement that returns no rows. */
static enum err
exec_done(struct conn *c, sqlite3_stmt *st)
{
    if (!st)
        return ERR_STORE;
    int rc = sqlite3_step(st);
    enum err e = rc == SQLITE_DONE || rc == SQLITE_ROW ? ERR_OK : fail(c->db);
    sqlite3_reset(st);
    return e;
}

/* ---- the writer ---- */

static struct conn *
writer_conn(struct sq *q)
{
    return q->memory ? pool_get(q) : q->wconn;
}

static void
writer_conn_done(struct sq *q, struct conn *c)
{
    if (q->memory)
        pool_put(q, c);
}

static void
run_group(struct store *s, struct store__job *group)
{
    struct sq *q = SQ(s);
    struct conn *c = writer_conn(q);
    struct store_tx tx = {.s = s, .impl = c};
    enum err commit = ERR_OK;
    if (!c || sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        commit = c ? fail(c->db) : ERR_STORE;
    } else {
        for (struct store__job *j = group; j; j = j->next) {
            if (sqlite3_exec(c->db, "SAVEPOINT job", NULL, NULL, NULL) != SQLITE_OK) {
                j->e = fail(c->db);
                continue;
            }
            struct store__pending **mark = store__tx_mark(&tx);
            j->e = j->fn(&tx, j->arg);
            if (j->e) {
                (void)sqlite3_exec(c->db, "ROLLBACK TO job", NULL, NULL, NULL);
                store__tx_rewind(&tx, mark);
            }
            (void)sqlite3_exec(c->db, "RELEASE job", NULL, NULL, NULL);
        }
        for (size_t i = 0; i < c->stmt_count; i++)
            sqlite3_reset(c->stmts[i].st);
        if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            commit = fail(c->db);
            (void)sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    store__tx_flush(&tx, commit == ERR_OK);
    writer_conn_done(q, c);
    store__jobq_done(group, commit);
}

static void *
writer_main(void *arg)
{
    struct store *s = arg;
    struct sq *q = SQ(s);
    int max = q->opts.group_max > 0 ? q->opts.group_max : GROUP_DEFAULT;
    for (;;) {
        struct store__job *group = store__jobq_take(&q->jobs, max);
        if (!group)
            return NULL; /* closed and drained */
        run_group(s, group);
    }
}

static enum err
sq_write_async(struct store *s, store_job_fn fn, store_done_fn done, void *arg)
{
    return store__jobq_push(&SQ(s)->jobs, fn, done, arg);
}

/* ---- open, close, migrate ---- */

static void sq_close(struct store *s);

enum { CHECKPOINT_MS = 200 };

static void *
checkpointer_main(void *arg)
{
    struct sq *q = arg;
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += CHECKPOINT_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&q->ck_mu);
        while (!q->ck_stop && pthread_cond_timedwait(&q->ck_cv, &q->ck_mu, &ts) == 0)
            ;
        bool stop = q->ck_stop;
        pthread_mutex_unlock(&q->ck_mu);
        if (stop)
            return NULL;
        /* PASSIVE never blocks the writer or readers; what it cannot copy now waits. */
        (void)sqlite3_wal_checkpoint_v2(q->cconn->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
}

static enum err
sq_open(struct store *s, const char *path, const struct store_opts *o)
{
    struct sq *q = xcalloc(1, sizeof(*q));
    q->memory = strcmp(path, ":memory:") == 0;
    q->path = xstrdup(path);
    q->opts = *o;
    if (q->opts.busy_timeout_ms <= 0)
        q->opts.busy_timeout_ms = 5000;
    q->conn_max = q->memory ? 1 : (o->readers > 0 ? o->readers : 8);
    pthread_mutex_init(&q->pool_mu, NULL);
    pthread_cond_init(&q->pool_cv, NULL);
    store__jobq_init(&q->jobs);
    pthread_mutex_init(&q->ck_mu, NULL);
    pthread_cond_init(&q->ck_cv, NULL);
    s->impl = q;
    enum err e = ERR_OK;
    if (q->memory) {
        struct conn *c;
        e = conn_open(q, false, &c);
        if (!e) {
            q->conn_count = 1;
            q->free_conns = c;
        }
    } else {
        e = conn_open(q, false, &q->wconn);
        if (!e)
            e = conn_open(q, false, &q->cconn);
    }
    if (!e && pthread_create(&q->writer, NULL, writer_main, s) != 0)
        e = ERR_UNAVAILABLE;
    if (!e)
        q->writer_started = true;
    if (!e && q->cconn) {
        if (pthread_create(&q->checkpointer, NULL, checkpointer_main, q) != 0)
            e = ERR_UNAVAILABLE;
        else
            q->checkpointer_started = true;
    }
    if (e && q->writer_started) {
        sq_close(s);
        return e;
    }
    if (e) {
        conn_close(q->cconn);
        conn_close(q->wconn);
        conn_close(q->free_conns);
        free(q->path);
        free(q);
        s->impl = NULL;
        return e;
    }
    return ERR_OK;
}

static void
sq_close(struct store *s)
{
    struct sq *q = SQ(s);
    if (!q)
        return;
    store__jobq_close(&q->jobs);
    pthread_mutex_lock(&q->ck_mu);
    q->ck_stop = true;
    pthread_cond_broadcast(&q->ck_cv);
    pthread_mutex_unlock(&q->ck_mu);
    if (q->writer_started)
        pthread_join(q->writer, NULL);
    if (q->checkpointer_started)
        pthread_join(q->checkpointer, NULL);
    conn_close(q->cconn);
    if (q->wconn) {
        /* Leave a tidy file: fold the WAL back into the database. */
        (void)sqlite3_exec(q->wconn->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        conn_close(q->wconn);
    }
    while (q->free_conns) {
        struct conn *next = q->free_conns->next;
        conn_close(q->free_conns);
        q->free_conns = next;
    }
    pthread_mutex_destroy(&q->pool_mu);
    pthread_cond_destroy(&q->pool_cv);
    store__jobq_fini(&q->jobs);
    pthread_mutex_destroy(&q->ck_mu);
    pthread_cond_destroy(&q->ck_cv);
    free(q->path);
    free(q);
}

struct migrate_job {
    int applied;
};

static enum err
migrate_run(struct store_tx *tx, void *arg)
{
    struct migrate_job *m = arg;
    struct conn *c = tx->impl;
    if (sqlite3_exec(c->db,
                     "CREATE TABLE IF NOT EXISTS schema_migrations(name TEXT PRIMARY KEY,"
                     " applied_at INTEGER NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return fail(c->db);
    for (unsigned long i = 0; i < migrations_count; i++) {
        if (!store__migration_applies(migrations[i].name, "sqlite"))
            continue;
        sqlite3_stmt *st = prep(c, "SELECT 1 FROM schema_migrations WHERE name = ?1");
        if (!st)
            return ERR_STORE;
        sqlite3_bind_text(st, 1, migrations[i].name, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            continue;
        if (rc != SQLITE_DONE)
            return fail(c->db);
        if (sqlite3_exec(c->db, migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK) {
            enum err e = fail(c->db);
            char tmp[ERRMSG_MAX];
            memcpy(tmp, errbuf, sizeof(tmp));
            snprintf(errbuf, sizeof(errbuf), "%.64s: %.180s", migrations[i].name, tmp);
            return e;
        }
        st = prep(c, "INSERT INTO schema_migrations(name, applied_at)"
                     " VALUES (?1, CAST(strftime('%s','now') AS INTEGER))");
        if (!st)
            return ERR_STORE;
        sqlite3_bind_text(st, 1, migrations[i].name, -1, SQLITE_STATIC);
        enum err e = exec_done(c, st);
        if (e)
            return e;
        m->applied++;
    }
    return ERR_OK;
}

static enum err
sq_migrate(struct store *s, int *applied)
{
    struct migrate_job m = {0};
    enum err e = store_write(s, migrate_run, &m);
    *applied = m.applied;
    return e;
}

static enum err
sq_ping(struct store *s)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT count(*) FROM schema_migrations");
    enum err e = ERR_STORE;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        e = ERR_OK;
    else if (st)
        fail(c->db);
    pool_put(q, c);
    return e;
}

/* ---- writes inside a job ---- */

static enum err
sq_tx_counter_next(struct store_tx *tx, const char *name, int64_t *n)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO counters(name, n) VALUES (?1, 1)"
                               " ON CONFLICT(name) DO UPDATE SET n = n + 1 RETURNING n");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        return fail(c->db);
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return ERR_OK;
}

static const char sql_appeal_insert[] =
    "INSERT INTO appeals(tracking_id, secret_hash, reg_number, kind, channel, language, region,"
    " topic, agency, status, text, address, lat, lon, contact_name, contact_email,"
    " contact_phone, anonymous, consent, owner_user, registered_by, filed_at, registered_at,"
    " due_at, forward_due_at, updated_at, last_hash, contact_iin)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,"
    "?23,?24,?25,?26,zeroblob(32),?27)";

static enum err
sq_tx_appeal_insert(struct store_tx *tx, struct appeal *ap, const unsigned char h[32])
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, sql_appeal_insert);
    if (!st)
        return ERR_STORE;
    bind_str(st, 1, ap->tracking_id);
    sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
    bind_str(st, 3, ap->reg_number);
    bind_str(st, 4, appeal_kind_name(ap->kind));
    bind_str(st, 5, appeal_channel_name(ap->channel));
    bind_str(st, 6, appeal_language_name(ap->language));
    bind_str(st, 7, ap->region);
    bind_str(st, 8, ap->topic);
    bind_str(st, 9, ap->agency);
    bind_str(st, 10, appeal_status_name(ap->status));
    bind_str(st, 11, ap->text);
    bind_str(st, 12, ap->address);
    if (ap->has_location) {
        sqlite3_bind_double(st, 13, ap->lat);
        sqlite3_bind_double(st, 14, ap->lon);
    }
    bind_str(st, 15, ap->contact_name);
    bind_str(st, 16, ap->contact_email);
    bind_str(st, 17, ap->contact_phone);
    sqlite3_bind_int(st, 18, ap->anonymous);
    sqlite3_bind_int(st, 19, ap->consent);
    bind_i64_or_null(st, 20, ap->owner_user);
    bind_str(st, 21, ap->registered_by);
    sqlite3_bind_int64(st, 22, ap->filed_at);
    sqlite3_bind_int64(st, 23, ap->registered_at);
    bind_i64_or_null(st, 24, ap->due_at);
    bind_i64_or_null(st, 25, ap->forward_due_at);
    sqlite3_bind_int64(st, 26, ap->updated_at);
    bind_str(st, 27, ap->contact_iin);
    enum err e = exec_done(c, st);
    if (!e)
        ap->id = sqlite3_last_insert_rowid(c->db);
    return e;
}

static enum err
sq_tx_appeal_update(struct store_tx *tx, const struct appeal *ap)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "UPDATE appeals SET status=?2, topic=?3, agency=?4, due_at=?5,"
                               " forward_due_at=?6, assignee=?7, rating=?8, warned=?9,"
                               " overdue=?10, extended=?11, updated_at=?12, closed_at=?13"
                               " WHERE id=?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, ap->id);
    bind_str(st, 2, appeal_status_name(ap->status));
    bind_str(st, 3, ap->topic);
    bind_str(st, 4, ap->agency);
    bind_i64_or_null(st, 5, ap->due_at);
    bind_i64_or_null(st, 6, ap->forward_due_at);
    bind_i64_or_null(st, 7, ap->assignee);
    bind_i64_or_null(st, 8, ap->rating);
    sqlite3_bind_int(st, 9, ap->warned);
    sqlite3_bind_int(st, 10, ap->overdue);
    sqlite3_bind_int(st, 11, ap->extended);
    sqlite3_bind_int64(st, 12, ap->updated_at);
    bind_i64_or_null(st, 13, ap->closed_at);
    enum err e = exec_done(c, st);
    if (!e && sqlite3_changes(c->db) != 1)
        e = ERR_NOTFOUND;
    return e;
}

#define APPEAL_COLS                                                                                \
    "id, tracking_id, reg_number, kind, channel, language, region, topic, agency, status, text,"   \
    " address, lat, lon, contact_name, contact_email, contact_phone, anonymous, consent,"          \
    " owner_user, registered_by, filed_at, registered_at, due_at, forward_due_at, assignee,"       \
    " rating, warned, overdue, extended, updated_at, closed_at, contact_iin, secret_hash"

static void
read_appeal(struct arena *a, sqlite3_stmt *st, struct appeal *ap)
{
    memset(ap, 0, sizeof(*ap));
    ap->id = sqlite3_column_int64(st, 0);
    ap->tracking_id = col_str(a, st, 1);
    ap->reg_number = col_str(a, st, 2);
    const char *v = (const char *)sqlite3_column_text(st, 3);
    (void)appeal_kind_parse(str_from_cstr(v), &ap->kind);
    v = (const char *)sqlite3_column_text(st, 4);
    (void)appeal_channel_parse(str_from_cstr(v), &ap->channel);
    v = (const char *)sqlite3_column_text(st, 5);
    (void)appeal_language_parse(str_from_cstr(v), &ap->language);
    ap->region = col_str(a, st, 6);
    ap->topic = col_str(a, st, 7);
    ap->agency = col_str(a, st, 8);
    v = (const char *)sqlite3_column_text(st, 9);
    (void)appeal_status_parse(str_from_cstr(v), &ap->status);
    ap->text = col_str(a, st, 10);
    ap->address = col_str(a, st, 11);
    ap->has_location = sqlite3_column_type(st, 12) != SQLITE_NULL;
    ap->lat = sqlite3_column_double(st, 12);
    ap->lon = sqlite3_column_double(st, 13);
    ap->contact_name = col_str(a, st, 14);
    ap->contact_email = col_str(a, st, 15);
    ap->contact_phone = col_str(a, st, 16);
    ap->anonymous = sqlite3_column_int(st, 17);
    ap->consent = sqlite3_column_int(st, 18);
    ap->owner_user = sqlite3_column_int64(st, 19);
    ap->registered_by = col_str(a, st, 20);
    ap->filed_at = sqlite3_column_int64(st, 21);
    ap->registered_at = sqlite3_column_int64(st, 22);
    ap->due_at = sqlite3_column_int64(st, 23);
    ap->forward_due_at = sqlite3_column_int64(st, 24);
    ap->assignee = sqlite3_column_int64(st, 25);
    ap->rating = sqlite3_column_int(st, 26);
    ap->warned = sqlite3_column_int(st, 27);
    ap->overdue = sqlite3_column_int(st, 28);
    ap->extended = sqlite3_column_int(st, 29);
    ap->updated_at = sqlite3_column_int64(st, 30);
    ap->closed_at = sqlite3_column_int64(st, 31);
    ap->contact_iin = col_str(a, st, 32);
}

static const char sql_appeal_get[] = "SELECT " APPEAL_COLS " FROM appeals WHERE tracking_id = ?1";

static enum err
appeal_get_on(struct conn *c, struct arena *a, const char *tracking, struct appeal *ap,
              unsigned char secret_hash[32])
{
    sqlite3_stmt *st = prep(c, sql_appeal_get);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, tracking, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    enum err e = ERR_OK;
    if (rc == SQLITE_ROW) {
        read_appeal(a, st, ap);
        if (secret_hash) {
            memset(secret_hash, 0, 32);
            if (sqlite3_column_bytes(st, 33) == 32)
                memcpy(secret_hash, sqlite3_column_blob(st, 33), 32);
        }
    } else {
        e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
    }
    sqlite3_reset(st);
    return e;
}

static enum err
sq_tx_appeal_get(struct store_tx *tx, struct arena *a, const char *tracking, struct appeal *ap)
{
    return appeal_get_on(tx->impl, a, tracking, ap, NULL);
}

static enum err
sq_tx_event_append(struct store_tx *tx, int64_t appeal_id, struct appeal_event *ev)
{
    struct conn *c = tx->impl;
    unsigned char prev[32] = {0};
    sqlite3_stmt *st = prep(c, "SELECT a.last_hash, (SELECT COALESCE(MAX(seq), 0) FROM"
                               " appeal_events e WHERE e.appeal_id = a.id) FROM appeals a"
                               " WHERE a.id = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, appeal_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        enum err e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
        sqlite3_reset(st);
        return e;
    }
    if (sqlite3_column_bytes(st, 0) == 32)
        memcpy(prev, sqlite3_column_blob(st, 0), 32);
    ev->seq = sqlite3_column_int(st, 1) + 1;
    sqlite3_reset(st);
    store__event_hash(prev, appeal_id, ev, ev->hash);

    st = prep(c, "INSERT INTO appeal_events(appeal_id, seq, at, action, actor_role, actor_id,"
                 " from_status, to_status, agency, reason, due_at, prev_hash, hash)"
                 " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, appeal_id);
    sqlite3_bind_int(st, 2, ev->seq);
    sqlite3_bind_int64(st, 3, ev->at);
    bind_str(st, 4, appeal_action_name(ev->action));
    bind_str(st, 5, role_name(ev->actor_role));
    bind_i64_or_null(st, 6, ev->actor_id);
    bind_str(st, 7, ev->seq == 1 ? NULL : appeal_status_name(ev->from));
    bind_str(st, 8, appeal_status_name(ev->to));
    bind_str(st, 9, ev->agency);
    bind_str(st, 10, ev->reason);
    bind_i64_or_null(st, 11, ev->due_at);
    sqlite3_bind_blob(st, 12, prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 13, ev->hash, 32, SQLITE_STATIC);
    enum err e = exec_done(c, st);
    if (e)
        return e;
    ev->id = sqlite3_last_insert_rowid(c->db);
    st = prep(c, "UPDATE appeals SET last_hash = ?2 WHERE id = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, appeal_id);
    sqlite3_bind_blob(st, 2, ev->hash, 32, SQLITE_STATIC);
    return exec_done(c, st);
}

static enum err
sq_tx_answer_insert(struct store_tx *tx, int64_t appeal_id, const char *text, const char *language,
                    int64_t author, int64_t at)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO answers(appeal_id, text, language, author_id, at)"
                               " VALUES (?1,?2,?3,?4,?5)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, appeal_id);
    bind_str(st, 2, text);
    bind_str(st, 3, language);
    bind_i64_or_null(st, 4, author);
    sqlite3_bind_int64(st, 5, at);
    return exec_done(c, st);
}

static enum err
sq_tx_idem_get(struct store_tx *tx, struct arena *a, const char *key, const unsigned char h[32],
               bool *same, char **response)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "SELECT req_hash, response FROM idempotency WHERE key = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    enum err e = ERR_OK;
    if (rc == SQLITE_ROW) {
        *same = sqlite3_column_bytes(st, 0) == 32 && memcmp(sqlite3_column_blob(st, 0), h, 32) == 0;
        *response = col_str(a, st, 1);
    } else {
        e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
    }
    sqlite3_reset(st);
    return e;
}

static enum err
sq_tx_idem_put(struct store_tx *tx, const char *key, const unsigned char h[32], int64_t appeal_id,
               const char *response, int64_t now)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO idempotency(key, req_hash, appeal_id, response,"
                               " created_at) VALUES (?1,?2,?3,?4,?5)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, appeal_id);
    bind_str(st, 4, response);
    sqlite3_bind_int64(st, 5, now);
    return exec_done(c, st);
}

static enum err
sq_tx_rate_hit(struct store_tx *tx, const char *key, int64_t window, int64_t limit)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO rate_limits(key, window, n) VALUES (?1, ?2, 1)"
                               " ON CONFLICT(key) DO UPDATE SET"
                               " n = CASE WHEN window = ?2 THEN n + 1 ELSE 1 END, window = ?2"
                               " WHERE rate_limits.window <> ?2 OR rate_limits.n < ?3"
                               " RETURNING n");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, window);
    sqlite3_bind_int64(st, 3, limit);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    /* No row back: the window is full and the refused hit is not counted. */
    if (rc == SQLITE_DONE)
        return ERR_RATE;
    return rc == SQLITE_ROW ? ERR_OK : fail(c->db);
}

static enum err
sq_tx_audit(struct store_tx *tx, int64_t at, int64_t user, const char *action, const char *object,
            const char *detail)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO audit_log(at, user_id, action, object, detail)"
                               " VALUES (?1,?2,?3,?4,?5)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, at);
    bind_i64_or_null(st, 2, user);
    bind_str(st, 3, action);
    bind_str(st, 4, object);
    bind_str(st, 5, detail);
    return exec_done(c, st);
}

static enum err
sq_tx_stream_event(struct store_tx *tx, int64_t at, const char *kind, const char *agency,
                   const char *region, int64_t appeal_id, const char *json, int64_t *id)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO events(at, kind, agency, region, appeal_id, data)"
                               " VALUES (?1,?2,?3,?4,?5,?6)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, at);
    bind_str(st, 2, kind);
    bind_str(st, 3, agency);
    bind_str(st, 4, region);
    bind_i64_or_null(st, 5, appeal_id);
    bind_str(st, 6, json);
    enum err e = exec_done(c, st);
    if (!e && id)
        *id = sqlite3_last_insert_rowid(c->db);
    return e;
}

static enum err
sq_tx_outbox(struct store_tx *tx, int64_t at, const char *channel, const char *recipient,
             int64_t appeal_id, const char *body)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO outbox(at, channel, recipient, appeal_id, body)"
                               " VALUES (?1,?2,?3,?4,?5)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, at);
    bind_str(st, 2, channel);
    bind_str(st, 3, recipient);
    bind_i64_or_null(st, 4, appeal_id);
    bind_str(st, 5, body);
    return exec_done(c, st);
}

static enum err
sq_tx_outbox_sent(struct store_tx *tx, int64_t id, int64_t now)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1"
                               " WHERE id = ?1 AND sent_at IS NULL");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return exec_done(c, st);
}

static enum err
sq_tx_user_insert(struct store_tx *tx, const struct user *u, const char *pwhash, int64_t now,
                  int64_t *id)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO users(login, pwhash, role, agency, name, created_at)"
                               " VALUES (?1,?2,?3,?4,?5,?6)");
    if (!st)
        return ERR_STORE;
    bind_str(st, 1, u->login);
    bind_str(st, 2, pwhash);
    bind_str(st, 3, role_name(u->role));
    bind_str(st, 4, u->agency);
    bind_str(st, 5, u->name ? u->name : "");
    sqlite3_bind_int64(st, 6, now);
    enum err e = exec_done(c, st);
    if (!e && id)
        *id = sqlite3_last_insert_rowid(c->db);
    return e;
}

static enum err
sq_tx_session_insert(struct store_tx *tx, const unsigned char h[32], int64_t user, const char *csrf,
                     int64_t now, int64_t expires)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO sessions(token_hash, user_id, csrf, created_at,"
                               " expires_at) VALUES (?1,?2,?3,?4,?5)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user);
    bind_str(st, 3, csrf);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expires);
    return exec_done(c, st);
}

static enum err
sq_tx_session_delete(struct store_tx *tx, const unsigned char h[32])
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "DELETE FROM sessions WHERE token_hash = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    return exec_done(c, st);
}

static enum err
sq_tx_token_insert(struct store_tx *tx, const unsigned char h[32], int64_t user, const char *label,
                   int64_t now)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO api_tokens(token_hash, user_id, label, created_at)"
                               " VALUES (?1,?2,?3,?4)");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user);
    bind_str(st, 3, label ? label : "");
    sqlite3_bind_int64(st, 4, now);
    return exec_done(c, st);
}

static enum err
sq_tx_rule_upsert(struct store_tx *tx, const char *topic, const char *region, const char *agency)
{
    struct conn *c = tx->impl;
    /* UNIQUE(topic, region) does not match NULL regions, so delete then insert. */
    sqlite3_stmt *st = prep(c, "DELETE FROM routing_rules WHERE topic = ?1 AND region IS ?2");
    if (!st)
        return ERR_STORE;
    bind_str(st, 1, topic);
    bind_str(st, 2, region);
    enum err e = exec_done(c, st);
    if (e)
        return e;
    st = prep(c, "INSERT INTO routing_rules(topic, region, agency) VALUES (?1,?2,?3)");
    if (!st)
        return ERR_STORE;
    bind_str(st, 1, topic);
    bind_str(st, 2, region);
    bind_str(st, 3, agency);
    return exec_done(c, st);
}

static enum err
sq_tx_purge(struct store_tx *tx, int64_t now)
{
    struct conn *c = tx->impl;
    static const char *const sqls[] = {
        "DELETE FROM sessions WHERE expires_at < ?1",
        "DELETE FROM idempotency WHERE created_at < ?1 - 86400",
        "DELETE FROM rate_limits WHERE window < ?1 - 86400",
    };
    for (size_t i = 0; i < ARRAY_LEN(sqls); i++) {
        sqlite3_stmt *st = prep(c, sqls[i]);
        if (!st)
            return ERR_STORE;
        sqlite3_bind_int64(st, 1, now);
        enum err e = exec_done(c, st);
        if (e)
            return e;
    }
    return ERR_OK;
}

/* ---- reads ---- */

static enum err
sq_appeal_get(struct store *s, struct arena *a, const char *tracking, struct appeal *ap,
              unsigned char secret_hash[32])
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = appeal_get_on(c, a, tracking, ap, secret_hash);
    pool_put(q, c);
    return e;
}

static enum err
sq_events_list(struct store *s, struct arena *a, int64_t appeal_id, struct appeal_event **evs,
               size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t cap = 16, n = 0;
    struct appeal_event *v = ARENA_ARRAY(a, struct appeal_event, cap);
    sqlite3_stmt *st = prep(c, "SELECT id, seq, at, action, actor_role, actor_id, from_status,"
                               " to_status, agency, reason, due_at, hash FROM appeal_events"
                               " WHERE appeal_id = ?1 ORDER BY seq");
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, appeal_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct appeal_event *w = ARENA_ARRAY(a, struct appeal_event, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        struct appeal_event *ev = &v[n++];
        ev->id = sqlite3_column_int64(st, 0);
        ev->seq = sqlite3_column_int(st, 1);
        ev->at = sqlite3_column_int64(st, 2);
        (void)appeal_action_parse(str_from_cstr((const char *)sqlite3_column_text(st, 3)),
                                  &ev->action);
        (void)role_parse(str_from_cstr((const char *)sqlite3_column_text(st, 4)), &ev->actor_role);
        if (str_cstr_eq(str_from_cstr((const char *)sqlite3_column_text(st, 4)), "system"))
            ev->actor_role = ROLE_SYSTEM;
        ev->actor_id = sqlite3_column_int64(st, 5);
        ev->from = STATUS__COUNT;
        if (sqlite3_column_type(st, 6) != SQLITE_NULL)
            (void)appeal_status_parse(str_from_cstr((const char *)sqlite3_column_text(st, 6)),
                                      &ev->from);
        (void)appeal_status_parse(str_from_cstr((const char *)sqlite3_column_text(st, 7)), &ev->to);
        ev->agency = col_str(a, st, 8);
        ev->reason = col_str(a, st, 9);
        ev->due_at = sqlite3_column_int64(st, 10);
        if (sqlite3_column_bytes(st, 11) == 32)
            memcpy(ev->hash, sqlite3_column_blob(st, 11), 32);
    }
    if (rc != SQLITE_DONE)
        e = fail(c->db);
out:
    pool_put(q, c);
    *evs = v;
    *count = n;
    return e;
}

static enum err
sq_stream_since(struct store *s, struct arena *a, int64_t after, int64_t upto, size_t limit,
                struct store_event **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t cap = limit < 64 ? limit + 1 : 64, n = 0;
    struct store_event *v = ARENA_ARRAY(a, struct store_event, cap);
    sqlite3_stmt *st = prep(c, "SELECT id, at, kind, agency, region, appeal_id, data FROM events"
                               " WHERE id > ?1 AND (?2 < 0 OR id <= ?2) ORDER BY id LIMIT ?3");
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, upto);
    sqlite3_bind_int64(st, 3, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct store_event *w = ARENA_ARRAY(a, struct store_event, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        struct store_event *ev = &v[n++];
        ev->id = sqlite3_column_int64(st, 0);
        ev->at = sqlite3_column_int64(st, 1);
        ev->kind = col_str(a, st, 2);
        ev->agency = col_str(a, st, 3);
        ev->region = col_str(a, st, 4);
        ev->appeal_id = sqlite3_column_int64(st, 5);
        ev->data = col_str(a, st, 6);
    }
    if (rc != SQLITE_DONE)
        e = fail(c->db);
    sqlite3_reset(st);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_stream_last_id(struct store *s, int64_t *id)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    sqlite3_stmt *st = prep(c, "SELECT COALESCE(MAX(id), 0) FROM events");
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else
        e = fail(c->db);
    sqlite3_reset(st);
out:
    pool_put(q, c);
    return e;
}

static enum err
sq_answers_list(struct store *s, struct arena *a, int64_t appeal_id, struct answer_row **rows,
                size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t cap = 4, n = 0;
    struct answer_row *v = ARENA_ARRAY(a, struct answer_row, cap);
    sqlite3_stmt *st = prep(c, "SELECT id, text, language, author_id, at FROM answers"
                               " WHERE appeal_id = ?1 ORDER BY id");
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, appeal_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct answer_row *w = ARENA_ARRAY(a, struct answer_row, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[n].id = sqlite3_column_int64(st, 0);
        v[n].text = col_str(a, st, 1);
        v[n].language = col_str(a, st, 2);
        v[n].author = sqlite3_column_int64(st, 3);
        v[n].at = sqlite3_column_int64(st, 4);
        n++;
    }
    if (rc != SQLITE_DONE)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

/* Open = not yet closed; the queue orders by due date (NULL last) then id. */
/* The queue shows no text, address or contact: NULL them, same positions as APPEAL_COLS. */
#define QUEUE_COLS                                                                                 \
    "id, tracking_id, reg_number, kind, channel, language, region, topic, agency, status, NULL,"   \
    " NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, registered_by, filed_at, registered_at,"     \
    " due_at, forward_due_at, assignee, rating, warned, overdue, extended, updated_at, closed_at," \
    " NULL, NULL"
static const char sql_queue_agency[] =
    "SELECT " QUEUE_COLS " FROM appeals WHERE agency = ?1 AND closed_at IS NULL"
    " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR topic = ?3)"
    " AND (?4 IS NULL OR region = ?4) AND (?5 = 0 OR due_at < ?6)"
    " AND (?7 = 0 OR (COALESCE(due_at, 9223372036854775807), id) > (?8, ?9))"
    " ORDER BY COALESCE(due_at, 9223372036854775807), id LIMIT ?10";
static const char sql_queue_triage[] =
    "SELECT " APPEAL_COLS " FROM appeals WHERE agency IS NULL AND closed_at IS NULL"
    " AND status = 'registered'"
    " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR topic = ?3)"
    " AND (?4 IS NULL OR region = ?4) AND (?5 = 0 OR due_at < ?6)"
    " AND (?7 = 0 OR (COALESCE(due_at, 9223372036854775807), id) > (?8, ?9))"
    " ORDER BY COALESCE(due_at, 9223372036854775807), id LIMIT ?10";

static enum err
sq_queue(struct store *s, struct arena *a, const struct queue_query *qq, struct appeal **rows,
         size_t *count, bool *more)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t n = 0;
    struct appeal *v = ARENA_ARRAY(a, struct appeal, qq->limit + 1);
    sqlite3_stmt *st = prep(c, qq->agency ? sql_queue_agency : sql_queue_triage);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    bind_str(st, 1, qq->agency);
    bind_str(st, 2, qq->status >= 0 ? appeal_status_name((enum appeal_status)qq->status) : NULL);
    bind_str(st, 3, qq->topic);
    bind_str(st, 4, qq->region);
    sqlite3_bind_int(st, 5, qq->overdue_only);
    sqlite3_bind_int64(st, 6, qq->now);
    sqlite3_bind_int(st, 7, qq->has_cursor);
    sqlite3_bind_int64(st, 8, qq->cursor_due);
    sqlite3_bind_int64(st, 9, qq->cursor_id);
    sqlite3_bind_int64(st, 10, (int64_t)qq->limit + 1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n <= qq->limit)
        read_appeal(a, st, &v[n++]);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = fail(c->db);
out:
    pool_put(q, c);
    *more = n > qq->limit;
    *count = n > qq->limit ? qq->limit : n;
    *rows = v;
    return e;
}

static const char sql_answered[] =
    "SELECT w.id, a.reg_number, a.kind, a.language, a.region, a.topic, a.agency, a.text,"
    " a.filed_at, w.text, w.language, w.at, a.rating"
    " FROM appeals a JOIN answers w ON w.id = (SELECT max(x.id) FROM answers x"
    " WHERE x.appeal_id = a.id)"
    " WHERE a.status IN ('answered', 'closed') AND (?1 IS NULL OR a.region = ?1)"
    " AND (?2 IS NULL OR a.topic = ?2) AND (?3 = 0 OR (w.at, w.id) < (?4, ?5))"
    " ORDER BY w.at DESC, w.id DESC LIMIT ?6";

static enum err
sq_answered(struct store *s, struct arena *a, const struct answered_query *aq,
            struct answered_row **rows, size_t *count, bool *more)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t n = 0;
    struct answered_row *v = ARENA_ARRAY(a, struct answered_row, aq->limit + 1);
    sqlite3_stmt *st = prep(c, sql_answered);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    bind_str(st, 1, aq->region);
    bind_str(st, 2, aq->topic);
    sqlite3_bind_int(st, 3, aq->has_cursor);
    sqlite3_bind_int64(st, 4, aq->cursor_at);
    sqlite3_bind_int64(st, 5, aq->cursor_id);
    sqlite3_bind_int64(st, 6, (int64_t)aq->limit + 1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n <= aq->limit) {
        struct answered_row *w = &v[n++];
        w->answer_id = sqlite3_column_int64(st, 0);
        w->reg_number = col_str(a, st, 1);
        (void)appeal_kind_parse(str_from_cstr((const char *)sqlite3_column_text(st, 2)), &w->kind);
        (void)appeal_language_parse(str_from_cstr((const char *)sqlite3_column_text(st, 3)),
                                    &w->language);
        w->region = col_str(a, st, 4);
        w->topic = col_str(a, st, 5);
        w->agency = col_str(a, st, 6);
        w->text = col_str(a, st, 7);
        w->filed_at = sqlite3_column_int64(st, 8);
        w->answer = col_str(a, st, 9);
        w->answer_language = col_str(a, st, 10);
        w->answered_at = sqlite3_column_int64(st, 11);
        w->rating = sqlite3_column_int(st, 12);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = fail(c->db);
out:
    pool_put(q, c);
    *more = n > aq->limit;
    *count = n > aq->limit ? aq->limit : n;
    *rows = v;
    return e;
}

static enum err
sq_outbox_pending(struct store *s, struct arena *a, const char *channel, size_t limit,
                  struct outbox_row **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t n = 0;
    struct outbox_row *v = ARENA_ARRAY(a, struct outbox_row, limit + 1);
    sqlite3_stmt *st = prep(c, "SELECT id, at, channel, recipient, appeal_id, body FROM outbox"
                               " WHERE channel = ?1 AND sent_at IS NULL ORDER BY id LIMIT ?2");
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    bind_str(st, 1, channel);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int rc = sqlite3_step(st);
    for (; rc == SQLITE_ROW && n < limit; rc = sqlite3_step(st)) {
        struct outbox_row *o = &v[n++];
        o->id = sqlite3_column_int64(st, 0);
        o->at = sqlite3_column_int64(st, 1);
        o->channel = col_str(a, st, 2);
        o->recipient = col_str(a, st, 3);
        o->appeal_id = sqlite3_column_int64(st, 4);
        o->body = col_str(a, st, 5);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_due_scan(struct store *s, struct arena *a, int64_t until, bool overdue, size_t limit,
            struct appeal **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t n = 0;
    struct appeal *v = ARENA_ARRAY(a, struct appeal, limit);
    static const char sql_warn[] = "SELECT " APPEAL_COLS " FROM appeals WHERE closed_at IS NULL"
                                   " AND due_at <= ?1 AND warned = 0"
                                   " AND status IN ('registered','forwarded','in_review',"
                                   "'extended','reopened') ORDER BY due_at LIMIT ?2";
    static const char sql_over[] = "SELECT " APPEAL_COLS " FROM appeals WHERE closed_at IS NULL"
                                   " AND due_at <= ?1 AND overdue = 0"
                                   " AND status IN ('registered','forwarded','in_review',"
                                   "'extended','reopened') ORDER BY due_at LIMIT ?2";
    sqlite3_stmt *st = prep(c, overdue ? sql_over : sql_warn);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, until);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit)
        read_appeal(a, st, &v[n++]);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static void
read_user(struct arena *a, sqlite3_stmt *st, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(st, 0);
    u->login = col_str(a, st, 1);
    (void)role_parse(str_from_cstr((const char *)sqlite3_column_text(st, 2)), &u->role);
    u->agency = col_str(a, st, 3);
    u->name = col_str(a, st, 4);
    u->disabled = sqlite3_column_int(st, 5);
}

#define USER_COLS "u.id, u.login, u.role, u.agency, u.name, u.disabled"

/* Run st (bound by the caller) expecting one user row; extra column 6 -> *extra. */
static enum err
user_row(struct conn *c, struct arena *a, sqlite3_stmt *st, struct user *u, char **extra)
{
    int rc = sqlite3_step(st);
    enum err e = ERR_OK;
    if (rc == SQLITE_ROW) {
        read_user(a, st, u);
        if (extra)
            *extra = col_str(a, st, 6);
        if (u->disabled)
            e = ERR_NOTFOUND;
    } else {
        e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
    }
    sqlite3_reset(st);
    return e;
}

static enum err
sq_user_by_login(struct store *s, struct arena *a, const char *login, struct user *u, char **pwhash)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT " USER_COLS ", u.pwhash FROM users u WHERE u.login = ?1");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
        e = user_row(c, a, st, u, pwhash);
    }
    pool_put(q, c);
    return e;
}

static enum err
sq_user_by_id(struct store *s, struct arena *a, int64_t id, struct user *u)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT " USER_COLS " FROM users u WHERE u.id = ?1");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        e = user_row(c, a, st, u, NULL);
    }
    pool_put(q, c);
    return e;
}

static enum err
sq_agency_staff(struct store *s, struct arena *a, const char *agency, size_t limit,
                struct user **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = ERR_OK;
    size_t n = 0;
    struct user *v = ARENA_ARRAY(a, struct user, limit + 1);
    sqlite3_stmt *st = prep(c, "SELECT " USER_COLS " FROM users u WHERE u.agency = ?1"
                               " AND u.role IN ('official','supervisor') AND u.disabled = 0"
                               " ORDER BY u.name, u.login LIMIT ?2");
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    bind_str(st, 1, agency);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int rc = sqlite3_step(st);
    for (; rc == SQLITE_ROW && n < limit; rc = sqlite3_step(st))
        read_user(a, st, &v[n++]);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_session_lookup(struct store *s, struct arena *a, const unsigned char h[32], int64_t now,
                  struct user *u, char **csrf)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT " USER_COLS ", s.csrf FROM sessions s JOIN users u"
                               " ON u.id = s.user_id WHERE s.token_hash = ?1"
                               " AND s.expires_at > ?2");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now);
        e = user_row(c, a, st, u, csrf);
    }
    pool_put(q, c);
    return e;
}

static enum err
sq_token_lookup(struct store *s, struct arena *a, const unsigned char h[32], struct user *u)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT " USER_COLS " FROM api_tokens t JOIN users u"
                               " ON u.id = t.user_id WHERE t.token_hash = ?1 AND t.revoked = 0");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
        e = user_row(c, a, st, u, NULL);
    }
    pool_put(q, c);
    return e;
}

/* Read every row of sql into an arena array of ncols strings per row. */
static enum err
load_rows(struct conn *c, struct arena *a, const char *sql, int ncols, char ***out, size_t *count)
{
    sqlite3_stmt *st = prep(c, sql);
    if (!st)
        return ERR_STORE;
    size_t cap = 32, n = 0;
    char **v = ARENA_ARRAY(a, char *, cap *(size_t)ncols);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            char **w = ARENA_ARRAY(a, char *, cap * 2 * (size_t)ncols);
            memcpy(w, v, n * (size_t)ncols * sizeof(*v));
            v = w;
            cap *= 2;
        }
        for (int i = 0; i < ncols; i++)
            v[n * (size_t)ncols + (size_t)i] = col_str(a, st, i);
        n++;
    }
    enum err e = rc == SQLITE_DONE ? ERR_OK : fail(c->db);
    sqlite3_reset(st);
    *out = v;
    *count = n;
    return e;
}

static enum err
sq_rows(void *ctx, struct arena *a, const char *sql, int ncols, char ***v, size_t *n)
{
    return load_rows(ctx, a, sql, ncols, v, n);
}

static enum err
sq_ref_load(struct store *s, struct arena *a, struct ref_data *r)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = store__ref_load(a, r, sq_rows, c);
    pool_put(q, c);
    return e;
}

static enum err
sq_chain_verify(struct store *s, int64_t *checked, int64_t *bad)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    struct arena *a = arena_new();
    enum err e = ERR_OK;
    int64_t cur = -1;
    bool cur_bad = false;
    unsigned char prev[32] = {0};
    *checked = *bad = 0;
    sqlite3_stmt *st = prep(c, "SELECT appeal_id, seq, at, action, actor_role, actor_id,"
                               " from_status, to_status, agency, reason, due_at, prev_hash, hash"
                               " FROM appeal_events ORDER BY appeal_id, seq");
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t appeal_id = sqlite3_column_int64(st, 0);
        if (appeal_id != cur) {
            if (cur >= 0 && cur_bad)
                (*bad)++;
            cur = appeal_id;
            cur_bad = false;
            memset(prev, 0, 32);
            (*checked)++;
        }
        struct appeal_event ev = {0};
        ev.seq = sqlite3_column_int(st, 1);
        ev.at = sqlite3_column_int64(st, 2);
        const char *role = (const char *)sqlite3_column_text(st, 4);
        (void)appeal_action_parse(str_from_cstr((const char *)sqlite3_column_text(st, 3)),
                                  &ev.action);
        ev.actor_role = ROLE_SYSTEM;
        if (!str_cstr_eq(str_from_cstr(role), "system")) /* role_parse refuses "system" */
            (void)role_parse(str_from_cstr(role), &ev.actor_role);
        ev.actor_id = sqlite3_column_int64(st, 5);
        ev.from = STATUS__COUNT;
        if (sqlite3_column_type(st, 6) != SQLITE_NULL)
            (void)appeal_status_parse(str_from_cstr((const char *)sqlite3_column_text(st, 6)),
                                      &ev.from);
        (void)appeal_status_parse(str_from_cstr((const char *)sqlite3_column_text(st, 7)), &ev.to);
        ev.agency = col_str(a, st, 8);
        ev.reason = col_str(a, st, 9);
        ev.due_at = sqlite3_column_int64(st, 10);
        unsigned char h[32];
        store__event_hash(prev, appeal_id, &ev, h);
        if (sqlite3_column_bytes(st, 11) != 32 || memcmp(sqlite3_column_blob(st, 11), prev, 32) ||
            sqlite3_column_bytes(st, 12) != 32 || memcmp(sqlite3_column_blob(st, 12), h, 32))
            cur_bad = true;
        memcpy(prev, h, 32);
    }
    if (cur >= 0 && cur_bad)
        (*bad)++;
    if (rc != SQLITE_DONE)
        e = fail(c->db);
out:
    arena_free(a);
    pool_put(q, c);
    return e;
}

static enum err
sq_counts(struct store *s, int64_t *total, int64_t *open, int64_t *overdue)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT count(*), count(*) FILTER (WHERE closed_at IS NULL),"
                               " count(*) FILTER (WHERE overdue = 1 AND closed_at IS NULL)"
                               " FROM appeals");
    enum err e = ERR_STORE;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        *total = sqlite3_column_int64(st, 0);
        *open = sqlite3_column_int64(st, 1);
        *overdue = sqlite3_column_int64(st, 2);
        e = ERR_OK;
    } else if (st) {
        e = fail(c->db);
    }
    pool_put(q, c);
    return e;
}

/* ---- dashboard statistics ---- */

#define STATS_OPEN "a.status IN ('registered','forwarded','in_review','extended','reopened')"
#define STATS_SCOPE "(?1 IS NULL OR a.agency = ?1) AND (?2 IS NULL OR a.region = ?2)"
/* The first answer of each appeal in scope given at or after ?3 (the
 * agency that answered is the event's). */
#define STATS_ANSWERS                                                                              \
    " FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE e.action = 'answered'"       \
    " AND e.at >= ?3 AND (?1 IS NULL OR e.agency = ?1) AND (?2 IS NULL OR a.region = ?2)"          \
    " AND NOT EXISTS (SELECT 1 FROM appeal_events p WHERE p.appeal_id = e.appeal_id"               \
    " AND p.action = 'answered' AND p.seq < e.seq)"

static enum err
sq_stats_step(struct conn *c, sqlite3_stmt *st, const struct stats_query *q, int *rc)
{
    if (!st)
        return ERR_STORE;
    bind_str(st, 1, q->agency);
    bind_str(st, 2, q->region);
    *rc = sqlite3_step(st);
    return *rc == SQLITE_ROW || *rc == SQLITE_DONE ? ERR_OK : fail(c->db);
}

static enum err
sq_stats(struct store *s, struct arena *a, const struct stats_query *q, struct store_stats *out)
{
    static const char sql_regions[] =
        "SELECT a.region, count(*) FILTER (WHERE a.filed_at >= ?3),"
        " count(*) FILTER (WHERE a.filed_at >= ?4),"
        " count(*) FILTER (WHERE " STATS_OPEN "),"
        " count(*) FILTER (WHERE " STATS_OPEN " AND a.due_at < ?5)"
        " FROM appeals a WHERE " STATS_SCOPE " GROUP BY a.region ORDER BY a.region";
    static const char sql_days[] = "SELECT (a.filed_at + ?4) / 86400, count(*) FROM appeals a"
                                   " WHERE " STATS_SCOPE " AND a.filed_at >= ?3 GROUP BY 1";
    static const char sql_topics[] =
        "SELECT a.topic, count(*) AS n FROM appeals a WHERE " STATS_SCOPE
        " AND a.filed_at >= ?3 AND a.topic IS NOT NULL"
        " GROUP BY a.topic ORDER BY n DESC, a.topic LIMIT ?4";
    static const char sql_answers[] = "SELECT count(*), count(*) FILTER (WHERE e.due_at IS NOT NULL"
                                      " AND e.at <= e.due_at)" STATS_ANSWERS;
    static const char sql_median[] =
        "SELECT e.at - a.filed_at AS d" STATS_ANSWERS " ORDER BY d LIMIT 2 OFFSET ?4";
    struct sq *sq = SQ(s);
    *out = (struct store_stats){.median_answer_hours = -1};
    out->per_day = ARENA_ARRAY(a, int64_t, (size_t)q->days);
    struct conn *c = pool_get(sq);
    if (!c)
        return ERR_STORE;
    int rc = SQLITE_DONE;
    /* Regions first: the counters are their sums. */
    sqlite3_stmt *st = prep(c, sql_regions);
    enum err e = ERR_OK;
    size_t cap = 32;
    out->regions = ARENA_ARRAY(a, struct stats_region, cap);
    if (st) {
        sqlite3_bind_int64(st, 3, q->since);
        sqlite3_bind_int64(st, 4, q->today);
        sqlite3_bind_int64(st, 5, q->now);
    }
    for (e = sq_stats_step(c, st, q, &rc); !e && rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        if (out->regions_count == cap) {
            struct stats_region *v = ARENA_ARRAY(a, struct stats_region, cap * 2);
            memcpy(v, out->regions, cap * sizeof(*v));
            out->regions = v;
            cap *= 2;
        }
        struct stats_region *r = &out->regions[out->regions_count++];
        *r = (struct stats_region){
            .kato = col_str(a, st, 0),
            .received = sqlite3_column_int64(st, 1),
            .open = sqlite3_column_int64(st, 3),
            .overdue = sqlite3_column_int64(st, 4),
        };
        out->received_today += sqlite3_column_int64(st, 2);
        out->open += r->open;
        out->overdue += r->overdue;
    }
    if (!e && rc != SQLITE_DONE)
        e = fail(c->db);
    if (e)
        goto out;

    st = prep(c, sql_days);
    if (st) {
        sqlite3_bind_int64(st, 3, q->since);
        sqlite3_bind_int64(st, 4, q->utc_offset);
    }
    int64_t first = (q->since + q->utc_offset) / TM_DAY;
    for (e = sq_stats_step(c, st, q, &rc); !e && rc == SQLITE_ROW; rc = sqlite3_step(st)) {
        int64_t i = sqlite3_column_int64(st, 0) - first;
        if (i >= 0 && i < q->days) /* a clock set back may file one in the future */
            out->per_day[i] = sqlite3_column_int64(st, 1);
    }
    if (!e && rc != SQLITE_DONE)
        e = fail(c->db);
    if (e)
        goto out;

    st = prep(c, sql_topics);
    if (st) {
        sqlite3_bind_int64(st, 3, q->since);
        sqlite3_bind_int64(st, 4, STORE_STATS_TOPICS);
    }
    for (e = sq_stats_step(c, st, q, &rc); !e && rc == SQLITE_ROW; rc = sqlite3_step(st))
        if (out->topics_count < STORE_STATS_TOPICS)
            out->topics[out->topics_count++] =
                (struct stats_topic){col_str(a, st, 0), sqlite3_column_int64(st, 1)};
    if (!e && rc != SQLITE_DONE)
        e = fail(c->db);
    if (e)
        goto out;

    st = prep(c, sql_answers);
    if (st)
        sqlite3_bind_int64(st, 3, q->since);
    e = sq_stats_step(c, st, q, &rc);
    if (!e && rc != SQLITE_ROW)
        e = fail(c->db);
    if (e)
        goto out;
    out->answered = sqlite3_column_int64(st, 0);
    out->answered_on_time = sqlite3_column_int64(st, 1);
    if (!out->answered)
        goto out;

    /* The median: the middle one or two of the sorted times. */
    st = prep(c, sql_median);
    if (st) {
        sqlite3_bind_int64(st, 3, q->since);
        sqlite3_bind_int64(st, 4, (out->answered - 1) / 2);
    }
    double sum = 0;
    int n = 0, want = out->answered % 2 ? 1 : 2;
    for (e = sq_stats_step(c, st, q, &rc); !e && rc == SQLITE_ROW && n < want;
         rc = sqlite3_step(st)) {
        sum += (double)sqlite3_column_int64(st, 0);
        n++;
    }
    if (!e && rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = fail(c->db);
    if (!e && n == want)
        out->median_answer_hours = sum / n / 3600.0;
out:
    pool_put(sq, c);
    return e;
}

/* ---- opinion: calibration tables and stance records ---- */

static enum err
sq_tx_calibration_insert(struct store_tx *tx, struct calib_table *t)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "SELECT version, kind = ?2 AND body = ?3 FROM calibration_tables"
                               " WHERE name = ?1 ORDER BY version DESC LIMIT 1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t->body, (int)t->body_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t latest = 0;
    bool same = false;
    if (rc == SQLITE_ROW) {
        latest = sqlite3_column_int64(st, 0);
        same = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(c->db);
    if (same) {
        snprintf(errbuf, sizeof(errbuf), "%s version %lld already holds this table", t->name,
                 (long long)latest);
        return ERR_CONFLICT;
    }
    st = prep(c, "INSERT INTO calibration_tables(name, kind, version, total, ref_date, body,"
                 " loaded_at) VALUES (?1,?2,?3,?4,?5,?6,?7)");
    if (!st)
        return ERR_STORE;
    t->version = latest + 1;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, t->version);
    sqlite3_bind_double(st, 4, t->total);
    sqlite3_bind_text(st, 5, t->ref_date, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, t->body, (int)t->body_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, t->loaded_at);
    enum err e = exec_done(c, st);
    if (!e)
        t->id = sqlite3_last_insert_rowid(c->db);
    return e;
}

static void
read_calib(struct arena *a, sqlite3_stmt *st, struct calib_table *t, bool body)
{
    *t = (struct calib_table){
        .id = sqlite3_column_int64(st, 0),
        .name = col_str(a, st, 1),
        .kind = col_str(a, st, 2),
        .version = sqlite3_column_int64(st, 3),
        .total = sqlite3_column_double(st, 4),
        .ref_date = col_str(a, st, 5),
        .loaded_at = sqlite3_column_int64(st, 6),
    };
    if (body) {
        t->body = col_str(a, st, 7);
        t->body_len = (size_t)sqlite3_column_bytes(st, 7);
    }
}

#define CALIB_COLS "id, name, kind, version, total, ref_date, loaded_at"

static enum err
sq_calibration_list(struct store *s, struct arena *a, bool all, struct calib_table **rows,
                    size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    *rows = NULL;
    *count = 0;
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st =
        prep(c, "SELECT " CALIB_COLS " FROM calibration_tables t WHERE ?1 OR version ="
                " (SELECT max(version) FROM calibration_tables u WHERE u.name = t.name)"
                " ORDER BY name, version");
    enum err e = ERR_OK;
    size_t cap = 8, n = 0;
    struct calib_table *v = ARENA_ARRAY(a, struct calib_table, cap);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    sqlite3_bind_int(st, 1, all);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct calib_table *w = ARENA_ARRAY(a, struct calib_table, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        read_calib(a, st, &v[n++], false);
    }
    if (rc != SQLITE_DONE)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_calibration_get(struct store *s, struct arena *a, const char *name, int64_t version,
                   struct calib_table *out)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT " CALIB_COLS ", body FROM calibration_tables"
                               " WHERE name = ?1 AND (?2 = 0 OR version = ?2)"
                               " ORDER BY version DESC LIMIT 1");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, version);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            read_calib(a, st, out, true);
            e = ERR_OK;
        } else {
            e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
        }
        sqlite3_reset(st);
    }
    pool_put(q, c);
    return e;
}

static enum err
sq_tx_stance_insert(struct store_tx *tx, const struct stance_row *r)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st =
        prep(c, "INSERT INTO opinion_stances(source, author_hash, topic, region, sex, age, urban,"
                " stance, at, bot, synthetic) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    if (!st)
        return ERR_STORE;
    bind_str(st, 1, r->source);
    bind_str(st, 2, r->author_hash);
    bind_str(st, 3, r->topic);
    bind_str(st, 4, r->region);
    bind_str(st, 5, r->sex);
    bind_str(st, 6, r->age);
    bind_str(st, 7, r->urban);
    sqlite3_bind_int(st, 8, r->stance);
    sqlite3_bind_int64(st, 9, r->at);
    if (r->bot >= 0)
        sqlite3_bind_double(st, 10, r->bot);
    else
        sqlite3_bind_null(st, 10);
    sqlite3_bind_int(st, 11, r->synthetic);
    return exec_done(c, st);
}

static enum err
sq_stance_list(struct store *s, struct arena *a, const struct stance_query *qr,
               struct stance_row **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    *rows = NULL;
    *count = 0;
    if (!c)
        return ERR_STORE;
    /* One row past the limit tells "too many" from "exactly the limit". */
    sqlite3_stmt *st =
        prep(c, "SELECT id, source, author_hash, topic, region, sex, age, urban, stance, at,"
                " bot, synthetic FROM opinion_stances WHERE topic = ?1 AND at >= ?2 AND at < ?3"
                " AND (?4 IS NULL OR instr(?4, ',' || source || ',') > 0)"
                " AND (?5 IS NULL OR region = ?5) ORDER BY at, id LIMIT ?6");
    enum err e = ERR_OK;
    size_t cap = 64, n = 0;
    struct stance_row *v = ARENA_ARRAY(a, struct stance_row, cap);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    bind_str(st, 1, qr->topic);
    sqlite3_bind_int64(st, 2, qr->from);
    sqlite3_bind_int64(st, 3, qr->to);
    bind_str(st, 4, qr->sources);
    bind_str(st, 5, qr->region);
    sqlite3_bind_int64(st, 6, (int64_t)qr->limit + 1);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == qr->limit) {
            e = ERR_TOOBIG;
            break;
        }
        if (n == cap) {
            struct stance_row *w = ARENA_ARRAY(a, struct stance_row, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        struct stance_row *x = &v[n++];
        x->id = sqlite3_column_int64(st, 0);
        x->source = col_str(a, st, 1);
        x->author_hash = col_str(a, st, 2);
        x->topic = col_str(a, st, 3);
        x->region = col_str(a, st, 4);
        x->sex = col_str(a, st, 5);
        x->age = col_str(a, st, 6);
        x->urban = col_str(a, st, 7);
        x->stance = sqlite3_column_int(st, 8);
        x->at = sqlite3_column_int64(st, 9);
        x->bot = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 10);
        x->synthetic = sqlite3_column_int(st, 11) != 0;
    }
    if (!e && rc != SQLITE_DONE)
        e = fail(c->db);
    sqlite3_reset(st);
out:
    pool_put(q, c);
    if (e)
        n = 0;
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_tx_stance_purge_synthetic(struct store_tx *tx, int64_t *removed)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "DELETE FROM opinion_stances WHERE synthetic = 1");
    enum err e = exec_done(c, st);
    if (!e)
        *removed = sqlite3_changes(c->db);
    return e;
}

/* ---- router: models, keyword rules, routing decisions ---- */

static enum err
sq_tx_model_insert(struct store_tx *tx, struct model_row *m)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "SELECT coalesce(max(version), 0) FROM models WHERE kind = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, m->kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t latest = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return fail(c->db);
    st = prep(c, "INSERT INTO models(kind, version, created_at, source, metrics, bytes)"
                 " VALUES (?1,?2,?3,?4,?5,?6)");
    if (!st)
        return ERR_STORE;
    m->version = latest + 1;
    sqlite3_bind_text(st, 1, m->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, m->version);
    sqlite3_bind_int64(st, 3, m->created_at);
    sqlite3_bind_text(st, 4, m->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->metrics, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 6, m->bytes, m->bytes_len, SQLITE_STATIC);
    enum err e = exec_done(c, st);
    if (!e)
        m->id = sqlite3_last_insert_rowid(c->db);
    return e;
}

#define MODEL_COLS "id, kind, version, created_at, source, metrics"

static void
read_model(struct arena *a, sqlite3_stmt *st, struct model_row *m, bool bytes)
{
    *m = (struct model_row){
        .id = sqlite3_column_int64(st, 0),
        .kind = col_str(a, st, 1),
        .version = sqlite3_column_int64(st, 2),
        .created_at = sqlite3_column_int64(st, 3),
        .source = col_str(a, st, 4),
        .metrics = col_str(a, st, 5),
    };
    if (bytes) {
        size_t n = (size_t)sqlite3_column_bytes(st, 6);
        void *p = arena_alloc(a, n ? n : 1);
        if (n)
            memcpy(p, sqlite3_column_blob(st, 6), n);
        m->bytes = p;
        m->bytes_len = n;
    }
}

static enum err
sq_model_get(struct store *s, struct arena *a, const char *kind, int64_t version,
             struct model_row *out)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT " MODEL_COLS ", bytes FROM models WHERE kind = ?1"
                               " AND (?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, version);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            read_model(a, st, out, true);
            e = ERR_OK;
        } else {
            e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
        }
        sqlite3_reset(st);
    }
    pool_put(q, c);
    return e;
}

static enum err
sq_model_latest(struct store *s, const char *kind, int64_t *version)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT coalesce(max(version), 0) FROM models WHERE kind = ?1");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *version = sqlite3_column_int64(st, 0);
            e = ERR_OK;
        } else {
            e = fail(c->db);
        }
        sqlite3_reset(st);
    }
    pool_put(q, c);
    return e;
}

static enum err
sq_model_list(struct store *s, struct arena *a, struct model_row **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    *rows = NULL;
    *count = 0;
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT " MODEL_COLS " FROM models ORDER BY kind, version");
    enum err e = ERR_OK;
    size_t cap = 8, n = 0;
    struct model_row *v = ARENA_ARRAY(a, struct model_row, cap);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct model_row *w = ARENA_ARRAY(a, struct model_row, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        read_model(a, st, &v[n++], false);
    }
    if (rc != SQLITE_DONE)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_tx_keyword_rules_replace(struct store_tx *tx, const struct keyword_rule_row *rules, size_t n)
{
    struct conn *c = tx->impl;
    enum err e = exec_done(c, prep(c, "DELETE FROM keyword_rules"));
    for (size_t i = 0; i < n && !e; i++) {
        sqlite3_stmt *st =
            prep(c, "INSERT INTO keyword_rules(position, keyword, region, topic, agency,"
                    " created_by, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7)");
        if (!st)
            return ERR_STORE;
        sqlite3_bind_int64(st, 1, (int64_t)i + 1);
        bind_str(st, 2, rules[i].keyword);
        bind_str(st, 3, rules[i].region);
        bind_str(st, 4, rules[i].topic);
        bind_str(st, 5, rules[i].agency);
        bind_str(st, 6, rules[i].created_by);
        sqlite3_bind_int64(st, 7, rules[i].created_at);
        e = exec_done(c, st);
    }
    return e;
}

static enum err
sq_keyword_rules(struct store *s, struct arena *a, struct keyword_rule_row **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    *rows = NULL;
    *count = 0;
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT keyword, region, topic, agency, created_by, created_at"
                               " FROM keyword_rules ORDER BY position");
    enum err e = ERR_OK;
    size_t cap = 8, n = 0;
    struct keyword_rule_row *v = ARENA_ARRAY(a, struct keyword_rule_row, cap);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct keyword_rule_row *w = ARENA_ARRAY(a, struct keyword_rule_row, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[n++] = (struct keyword_rule_row){col_str(a, st, 0), col_str(a, st, 1),
                                           col_str(a, st, 2), col_str(a, st, 3),
                                           col_str(a, st, 4), sqlite3_column_int64(st, 5)};
    }
    if (rc != SQLITE_DONE)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_tx_appeal_routing(struct store_tx *tx, int64_t appeal_id, const struct appeal_routing *r)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st =
        prep(c, "UPDATE appeals SET routed_by = coalesce(?2, routed_by), model_topic = "
                "coalesce(?3, model_topic), model_agency = coalesce(?4, model_agency),"
                " topic_confidence = coalesce(?5, topic_confidence), agency_confidence = "
                "coalesce(?6, agency_confidence), model_version = coalesce(?7, model_version),"
                " agency_model_version = coalesce(?8, agency_model_version) WHERE id = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, appeal_id);
    bind_str(st, 2, r->routed_by);
    bind_str(st, 3, r->model_topic);
    bind_str(st, 4, r->model_agency);
    if (r->model_topic)
        sqlite3_bind_double(st, 5, r->topic_confidence);
    else
        sqlite3_bind_null(st, 5);
    if (r->model_agency)
        sqlite3_bind_double(st, 6, r->agency_confidence);
    else
        sqlite3_bind_null(st, 6);
    bind_i64_or_null(st, 7, r->model_version);
    bind_i64_or_null(st, 8, r->agency_model_version);
    enum err e = exec_done(c, st);
    if (!e && sqlite3_changes(c->db) == 0)
        e = ERR_NOTFOUND;
    return e;
}

static enum err
sq_corrections(struct store *s, struct arena *a, const char *kind, size_t limit,
               struct correction_row **rows, size_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    *rows = NULL;
    *count = 0;
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(
        c, "SELECT a.text, CASE WHEN ?1 = 'topic' THEN a.topic ELSE a.agency END FROM appeals a"
           " WHERE (CASE WHEN ?1 = 'topic' THEN a.topic ELSE a.agency END) IS NOT NULL"
           " AND EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id"
           " AND (e.action = 'routed' OR (?1 = 'agency' AND e.action = 'forwarded')))"
           " ORDER BY a.id DESC LIMIT ?2");
    enum err e = ERR_OK;
    size_t cap = 16, n = 0;
    struct correction_row *v = ARENA_ARRAY(a, struct correction_row, cap);
    if (!st) {
        e = ERR_STORE;
        goto out;
    }
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct correction_row *w = ARENA_ARRAY(a, struct correction_row, cap * 2);
            memcpy(w, v, n * sizeof(*v));
            v = w;
            cap *= 2;
        }
        v[n++] = (struct correction_row){col_str(a, st, 0), col_str(a, st, 1)};
    }
    if (rc != SQLITE_DONE)
        e = fail(c->db);
out:
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

/* ---- clusters (006_clusters) ---- */

#define CLUSTER_COLS                                                                               \
    "c.id, c.topic, c.region, c.agency, c.representative, c.rep_text, c.count, c.first_seen,"      \
    " c.last_seen, c.open, c.answered_at, c.answered_count"

static void
read_cluster(struct arena *a, sqlite3_stmt *st, struct cluster_row *c)
{
    *c = (struct cluster_row){
        .id = sqlite3_column_int64(st, 0),
        .topic = col_str(a, st, 1),
        .region = col_str(a, st, 2),
        .agency = col_str(a, st, 3),
        .representative = sqlite3_column_int64(st, 4),
        .rep_text = col_str(a, st, 5),
        .count = sqlite3_column_int64(st, 6),
        .first_seen = sqlite3_column_int64(st, 7),
        .last_seen = sqlite3_column_int64(st, 8),
        .open = sqlite3_column_int(st, 9) != 0,
        .answered_at = sqlite3_column_int64(st, 10),
        .answered_count = sqlite3_column_int64(st, 11),
    };
}

static enum err
set_appeal_cluster(struct conn *c, int64_t appeal_id, int64_t cluster_id)
{
    sqlite3_stmt *st = prep(c, "UPDATE appeals SET cluster_id = ?2 WHERE id = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, appeal_id);
    sqlite3_bind_int64(st, 2, cluster_id);
    enum err e = exec_done(c, st);
    if (!e && sqlite3_changes(c->db) != 1)
        e = ERR_NOTFOUND;
    return e;
}

static enum err
sq_tx_cluster_insert(struct store_tx *tx, const struct cluster_row *cl)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "INSERT INTO clusters(id, topic, region, agency, representative,"
                               " rep_text, count, first_seen, last_seen, open)"
                               " SELECT a.id, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, 1 FROM appeals a"
                               " WHERE a.id = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, cl->id);
    bind_str(st, 2, cl->topic);
    bind_str(st, 3, cl->region);
    bind_str(st, 4, cl->agency);
    sqlite3_bind_int64(st, 5, cl->representative ? cl->representative : cl->id);
    bind_str(st, 6, cl->rep_text ? cl->rep_text : "");
    sqlite3_bind_int64(st, 7, cl->first_seen);
    enum err e = exec_done(c, st);
    if (!e && sqlite3_changes(c->db) != 1)
        e = ERR_NOTFOUND;
    if (!e)
        e = set_appeal_cluster(c, cl->id, cl->id);
    return e;
}

static enum err
sq_tx_cluster_join(struct store_tx *tx, int64_t id, int64_t appeal_id, int64_t at,
                   int64_t representative, const char *rep_text, int64_t *count)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "UPDATE clusters SET count = count + 1,"
                               " last_seen = max(last_seen, ?2), representative = ?3,"
                               " rep_text = ?4 WHERE id = ?1 AND open = 1 RETURNING count");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_int64(st, 3, representative);
    bind_str(st, 4, rep_text ? rep_text : "");
    int rc = sqlite3_step(st);
    enum err e = ERR_OK;
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else
        e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
    sqlite3_reset(st);
    if (!e)
        e = set_appeal_cluster(c, appeal_id, id);
    return e;
}

static enum err
sq_tx_cluster_close(struct store_tx *tx, int64_t id, int64_t at, int64_t n)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "UPDATE clusters SET open = 0, answered_at = ?2,"
                               " answered_count = ?3 WHERE id = ?1 AND open = 1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_int64(st, 3, n);
    enum err e = exec_done(c, st);
    if (!e && sqlite3_changes(c->db) != 1)
        e = ERR_NOTFOUND;
    return e;
}

static const char sql_cluster_get[] =
    "SELECT " CLUSTER_COLS " FROM clusters c WHERE c.id = ?1 AND (?2 IS NULL OR EXISTS"
    " (SELECT 1 FROM appeals m WHERE m.cluster_id = c.id AND m.agency = ?2))";

static enum err
cluster_get_on(struct conn *c, struct arena *a, int64_t id, const char *agency,
               struct cluster_row *out)
{
    sqlite3_stmt *st = prep(c, sql_cluster_get);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    bind_str(st, 2, agency);
    int rc = sqlite3_step(st);
    enum err e = ERR_OK;
    if (rc == SQLITE_ROW)
        read_cluster(a, st, out);
    else
        e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
    sqlite3_reset(st);
    return e;
}

static enum err
sq_tx_cluster_get(struct store_tx *tx, struct arena *a, int64_t id, struct cluster_row *out)
{
    return cluster_get_on(tx->impl, a, id, NULL, out);
}

static enum err
sq_tx_appeal_text(struct store_tx *tx, struct arena *a, int64_t id, const char **text)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "SELECT text FROM appeals WHERE id = ?1");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    enum err e = ERR_OK;
    if (rc == SQLITE_ROW)
        *text = col_str(a, st, 0);
    else
        e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
    sqlite3_reset(st);
    return e;
}

static enum err
sq_tx_cluster_members(struct store_tx *tx, struct arena *a, int64_t id, const char *agency,
                      size_t limit, const char ***tracking, size_t *count)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st = prep(c, "SELECT tracking_id FROM appeals WHERE cluster_id = ?1"
                               " AND (?2 IS NULL OR agency = ?2) AND closed_at IS NULL"
                               " AND status <> 'answered' ORDER BY id LIMIT ?3");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    bind_str(st, 2, agency);
    sqlite3_bind_int64(st, 3, (int64_t)(limit < INT64_MAX ? limit + 1 : limit));
    const char **v = ARENA_ARRAY(a, const char *, limit + 1);
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n <= limit)
        v[n++] = col_str(a, st, 0);
    enum err e = rc == SQLITE_DONE || rc == SQLITE_ROW ? ERR_OK : fail(c->db);
    sqlite3_reset(st);
    if (!e && n > limit)
        e = ERR_TOOBIG;
    if (!e) {
        *tracking = v;
        *count = n;
    }
    return e;
}

static enum err
sq_tx_cluster_history(struct store_tx *tx, struct arena *a, int64_t since, int64_t after,
                      size_t limit, struct cluster_history_row **rows, size_t *count)
{
    struct conn *c = tx->impl;
    sqlite3_stmt *st =
        prep(c, "SELECT a.id, a.text, a.address, a.topic, a.region, a.lat, a.lon, a.filed_at,"
                " a.cluster_id, coalesce(k.open, 0) FROM appeals a"
                " LEFT JOIN clusters k ON k.id = a.cluster_id WHERE a.id > ?2 AND (a.filed_at >= ?1"
                " OR a.id IN (SELECT id FROM clusters WHERE open = 1 AND last_seen >= ?1))"
                " ORDER BY a.id LIMIT ?3");
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, (int64_t)limit);
    struct cluster_history_row *v = ARENA_ARRAY(a, struct cluster_history_row, limit);
    size_t n = 0;
    int rc;
    while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        v[n++] = (struct cluster_history_row){
            .id = sqlite3_column_int64(st, 0),
            .text = col_str(a, st, 1),
            .address = col_str(a, st, 2),
            .topic = col_str(a, st, 3),
            .region = col_str(a, st, 4),
            .has_location = sqlite3_column_type(st, 5) != SQLITE_NULL,
            .lat = sqlite3_column_double(st, 5),
            .lon = sqlite3_column_double(st, 6),
            .filed_at = sqlite3_column_int64(st, 7),
            .cluster_id = sqlite3_column_int64(st, 8),
            .cluster_open = sqlite3_column_int(st, 9) != 0,
        };
    }
    enum err e = n == limit || rc == SQLITE_DONE ? ERR_OK : fail(c->db);
    sqlite3_reset(st);
    *rows = v;
    *count = n;
    return e;
}

static enum err
sq_cluster_get(struct store *s, struct arena *a, int64_t id, const char *agency,
               struct cluster_row *out)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    enum err e = cluster_get_on(c, a, id, agency, out);
    pool_put(q, c);
    return e;
}

static enum err
sq_cluster_list(struct store *s, struct arena *a, const struct cluster_query *cq,
                struct cluster_row **rows, size_t *count, bool *more)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    *rows = NULL;
    *count = 0;
    *more = false;
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st =
        prep(c, "SELECT " CLUSTER_COLS " FROM clusters c WHERE (?1 IS NULL OR c.region = ?1)"
                " AND (?2 IS NULL OR c.topic = ?2) AND (?3 < 0 OR c.open = ?3)"
                " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM appeals m WHERE m.cluster_id = c.id"
                " AND m.agency = ?4)) AND (?5 = 0 OR (c.last_seen, c.id) < (?6, ?7))"
                " ORDER BY c.last_seen DESC, c.id DESC LIMIT ?8");
    enum err e = ERR_STORE;
    size_t n = 0;
    struct cluster_row *v = ARENA_ARRAY(a, struct cluster_row, cq->limit + 1);
    if (st) {
        bind_str(st, 1, cq->region);
        bind_str(st, 2, cq->topic);
        sqlite3_bind_int(st, 3, cq->open);
        bind_str(st, 4, cq->agency);
        sqlite3_bind_int(st, 5, cq->has_cursor);
        sqlite3_bind_int64(st, 6, cq->cursor_last);
        sqlite3_bind_int64(st, 7, cq->cursor_id);
        sqlite3_bind_int64(st, 8, (int64_t)cq->limit + 1);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n <= cq->limit)
            read_cluster(a, st, &v[n++]);
        e = rc == SQLITE_DONE || rc == SQLITE_ROW ? ERR_OK : fail(c->db);
        sqlite3_reset(st);
    }
    pool_put(q, c);
    *more = n > cq->limit;
    *count = n > cq->limit ? cq->limit : n;
    *rows = v;
    return e;
}

static enum err
sq_appeal_cluster(struct store *s, int64_t appeal_id, int64_t *cluster_id, int64_t *count)
{
    struct sq *q = SQ(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_STORE;
    sqlite3_stmt *st = prep(c, "SELECT k.id, k.count FROM appeals a JOIN clusters k"
                               " ON k.id = a.cluster_id WHERE a.id = ?1");
    enum err e = ERR_STORE;
    if (st) {
        sqlite3_bind_int64(st, 1, appeal_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *cluster_id = sqlite3_column_int64(st, 0);
            *count = sqlite3_column_int64(st, 1);
            e = ERR_OK;
        } else {
            e = rc == SQLITE_DONE ? ERR_NOTFOUND : fail(c->db);
        }
        sqlite3_reset(st);
    }
    pool_put(q, c);
    return e;
}

const struct store_ops store_sqlite_ops = {
    .scheme = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .errmsg_set = sq_errmsg_set,
    .migrate = sq_migrate,
    .ping = sq_ping,
    .write_async = sq_write_async,
    .tx_counter_next = sq_tx_counter_next,
    .tx_appeal_insert = sq_tx_appeal_insert,
    .tx_appeal_update = sq_tx_appeal_update,
    .tx_appeal_get = sq_tx_appeal_get,
    .tx_event_append = sq_tx_event_append,
    .tx_answer_insert = sq_tx_answer_insert,
    .tx_idem_get = sq_tx_idem_get,
    .tx_idem_put = sq_tx_idem_put,
    .tx_rate_hit = sq_tx_rate_hit,
    .tx_audit = sq_tx_audit,
    .tx_stream_event = sq_tx_stream_event,
    .tx_outbox = sq_tx_outbox,
    .tx_outbox_sent = sq_tx_outbox_sent,
    .outbox_pending = sq_outbox_pending,
    .tx_user_insert = sq_tx_user_insert,
    .tx_session_insert = sq_tx_session_insert,
    .tx_session_delete = sq_tx_session_delete,
    .tx_token_insert = sq_tx_token_insert,
    .tx_rule_upsert = sq_tx_rule_upsert,
    .tx_purge = sq_tx_purge,
    .appeal_get = sq_appeal_get,
    .events_list = sq_events_list,
    .stream_since = sq_stream_since,
    .stream_last_id = sq_stream_last_id,
    .answers_list = sq_answers_list,
    .queue = sq_queue,
    .answered = sq_answered,
    .due_scan = sq_due_scan,
    .user_by_login = sq_user_by_login,
    .user_by_id = sq_user_by_id,
    .agency_staff = sq_agency_staff,
    .session_lookup = sq_session_lookup,
    .token_lookup = sq_token_lookup,
    .ref_load = sq_ref_load,
    .chain_verify = sq_chain_verify,
    .counts = sq_counts,
    .stats = sq_stats,
    .tx_calibration_insert = sq_tx_calibration_insert,
    .calibration_list = sq_calibration_list,
    .calibration_get = sq_calibration_get,
    .tx_stance_insert = sq_tx_stance_insert,
    .stance_list = sq_stance_list,
    .tx_stance_purge_synthetic = sq_tx_stance_purge_synthetic,
    .tx_model_insert = sq_tx_model_insert,
    .model_get = sq_model_get,
    .model_latest = sq_model_latest,
    .model_list = sq_model_list,
    .tx_keyword_rules_replace = sq_tx_keyword_rules_replace,
    .keyword_rules = sq_keyword_rules,
    .tx_appeal_routing = sq_tx_appeal_routing,
    .corrections = sq_corrections,
    .tx_cluster_insert = sq_tx_cluster_insert,
    .tx_cluster_join = sq_tx_cluster_join,
    .tx_cluster_close = sq_tx_cluster_close,
    .tx_cluster_get = sq_tx_cluster_get,
    .tx_cluster_members = sq_tx_cluster_members,
    .tx_cluster_history = sq_tx_cluster_history,
    .tx_appeal_text = sq_tx_appeal_text,
    .cluster_get = sq_cluster_get,
    .cluster_list = sq_cluster_list,
    .appeal_cluster = sq_appeal_cluster,
};
