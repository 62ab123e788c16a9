/*
 * store_pg.c - the PostgreSQL backend, for several stateless nodes sharing one
 * database. As in store_sqlite.c, one writer thread per node owns a connection
 * and commits queued jobs in groups: BEGIN, a savepoint per job, COMMIT (with
 * synchronous_commit on, a group is durable when COMMIT returns), then the
 * done callbacks. Readers borrow connections from a pool and reconnect once
 * when the server went away. Every statement is prepared once per connection,
 * cached by its SQL text's address, and run with $n parameters; hashes travel
 * as binary parameters.
 *
 * Each write group first takes a transaction-level advisory lock that every
 * node shares, so groups from different nodes run one at a time. That keeps
 * events.id in commit order (a node tailing the events table by id never skips
 * a row that committed after a larger id) and rules out deadlocks between
 * nodes over counters, appeals and idempotency keys. Each event row also sends
 * NOTIFY tyndau_events with its id: the doorbell for the other nodes.
 * Exports store_pg_ops; everything else is static.
 */
#include "store/store_int.h"

#include <assert.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "base/tm.h"
#include "base/util.h"
#include "base/xalloc.h"
#include "store/migrations.h"

enum { STMT_CACHE = 96, PARAMS_MAX = 32, NAME_MAX_LEN = 24, ERRMSG_MAX = 256, GROUP_DEFAULT = 512 };

/* pg_advisory_xact_lock(LOCK_CLASS, n), the two-int form: apart from any
 * one-bigint advisory lock another program may take. 0x74796e64 = "tynd". */
#define LOCK_CLASS "1954115172"
static const char sql_begin[] = "BEGIN; SELECT pg_advisory_xact_lock(" LOCK_CLASS ", 1)";
static const char sql_migrate_lock[] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS ", 2)";

struct conn {
    PGconn *pg;
    struct conn *next; /* free list link */
    size_t stmt_count;
    const char *stmts[STMT_CACHE]; /* the SQL of prepared statement "s<i>", by address */
};

struct pg {
    char *dsn;
    struct store_opts opts;

    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    struct conn *free_conns; /* guarded by pool_mu */
    int conn_count;          /* guarded by pool_mu */
    int conn_max;

    struct conn *wconn; /* the writer thread's own */

    struct store__jobq jobs;
    pthread_t writer;
    bool writer_started;
};

static _Thread_local char errbuf[ERRMSG_MAX];

static struct pg *
PG(struct store *s)
{
    return s->impl;
}

/* Keep msg as the error text, on one line. */
static void
set_err(const char *msg)
{
    snprintf(errbuf, sizeof(errbuf), "%s", msg && *msg ? msg : "unknown database error");
    size_t n = strlen(errbuf);
    while (n > 0 && (errbuf[n - 1] == '\n' || errbuf[n - 1] == '\r' || errbuf[n - 1] == ' '))
        errbuf[--n] = '\0';
    for (char *p = errbuf; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
}

/* The error of result r (or of the connection, if r says nothing), kept in
 * errbuf. A unique violation is ERR_CONFLICT; anything else ERR_STORE. */
static enum err
fail(const struct conn *c, const PGresult *r)
{
    const char *msg = r ? PQresultErrorMessage(r) : "";
    set_err(*msg ? msg : PQerrorMessage(c->pg));
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && strcmp(state, "23505") == 0)
        return ERR_CONFLICT;
    return ERR_STORE;
}

static const char *
pg_errmsg(struct store *s)
{
    (void)s;
    return errbuf;
}

static void
pg_errmsg_set(struct store *s, const char *msg)
{
    (void)s;
    set_err(msg);
}

/* ---- parameters ---- */

/* Up to PARAMS_MAX values for $1..$n: text, or binary for byte strings.
 * Strings are borrowed; numbers are printed into num. */
struct params {
    int n;
    const char *v[PARAMS_MAX];
    int len[PARAMS_MAX];
    int fmt[PARAMS_MAX];
    char num[PARAMS_MAX][32];
};

static void
p_str(struct params *p, const char *s)
{
    assert(p->n < PARAMS_MAX);
    p->v[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n] = 0;
    p->n++;
}

static void
p_i64(struct params *p, int64_t v)
{
    assert(p->n < PARAMS_MAX);
    snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)v);
    p_str(p, p->num[p->n]);
}

/* 0 means absent (NULL), as in store_sqlite.c. */
static void
p_i64_or_null(struct params *p, int64_t v)
{
    if (v)
        p_i64(p, v);
    else
        p_str(p, NULL);
}

static void
p_bool(struct params *p, bool v)
{
    p_str(p, v ? "1" : "0");
}

static void
p_f64(struct params *p, double v)
{
    assert(p->n < PARAMS_MAX);
    snprintf(p->num[p->n], sizeof(p->num[0]), "%.17g", v);
    p_str(p, p->num[p->n]);
}

static void
p_blob(struct params *p, const unsigned char *b, int len)
{
    assert(p->n < PARAMS_MAX);
    p->v[p->n] = (const char *)b;
    p->len[p->n] = len;
    p->fmt[p->n] = 1;
    p->n++;
}

/* ---- result columns (text format) ---- */

static bool
is_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) != 0;
}

static int64_t
get_i64(const PGresult *r, int row, int col)
{
    int64_t v = 0;
    if (!is_null(r, row, col))
        (void)str_to_i64(str_from_cstr(PQgetvalue(r, row, col)), -INT64_MAX, INT64_MAX, &v);
    return v;
}

static double
get_f64(const PGresult *r, int row, int col)
{
    double v = 0;
    if (!is_null(r, row, col))
        (void)str_to_double(str_from_cstr(PQgetvalue(r, row, col)), &v);
    return v;
}

/* The value as a NUL-terminated copy in a; NULL for SQL NULL. */
static char *
get_str(struct arena *a, const PGresult *r, int row, int col)
{
    if (is_null(r, row, col))
        return NULL;
    return arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* The value borrowed from r (lives until PQclear); NULL for SQL NULL. */
static const char *
peek_str(const PGresult *r, int row, int col)
{
    return is_null(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int
hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* A 32-byte bytea (text output "\x" + 64 hex digits) into out; false if the
 * value is NULL or not 32 bytes. */
static bool
get_hash(const PGresult *r, int row, int col, unsigned char out[32])
{
    if (is_null(r, row, col) || PQgetlength(r, row, col) != 2 + 64)
        return false;
    const char *v = PQgetvalue(r, row, col);
    if (v[0] != '\\' || v[1] != 'x')
        return false;
    for (int i = 0; i < 32; i++) {
        int hi = hex_digit(v[2 + 2 * i]), lo = hex_digit(v[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

/* "system" is no user's role, so role_parse() refuses it. */
static enum role
get_role(const PGresult *r, int row, int col)
{
    const char *v = PQgetvalue(r, row, col);
    enum role role = ROLE_SYSTEM;
    if (strcmp(v, "system") != 0)
        (void)role_parse(str_from_cstr(v), &role);
    return role;
}

static int64_t
affected(const PGresult *r)
{
    int64_t n = 0;
    (void)str_to_i64(str_from_cstr(PQcmdTuples((PGresult *)r)), 0, INT64_MAX, &n);
    return n;
}

/* ---- connections and statements ---- */

static void
on_notice(void *arg, const char *msg)
{
    /* "relation already exists, skipping" and the like: nothing to report. */
    (void)arg;
    (void)msg;
}

/* A statement of our own text, no parameters, any number of rows. */
static enum err
exec_simple(struct conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    enum err e = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? ERR_OK : fail(c, r);
    PQclear(r);
    return e;
}

/* Settings for every connection after (re)connecting, whatever the server
 * or the DSN's options say: hashes come back as hex bytea (get_hash), and
 * doubles in their shortest exact form, so that lat/lon round-trip. */
static enum err
conn_setup(struct pg *q, struct conn *c, bool writer)
{
    c->stmt_count = 0; /* a new session has no prepared statements */
    PQsetNoticeProcessor(c->pg, on_notice, NULL);
    char ms[32];
    snprintf(ms, sizeof(ms), "%d", q->opts.busy_timeout_ms);
    const char *v[1] = {ms};
    /* Wait for a lock at most busy_timeout, as SQLite does. */
    PGresult *r = PQexecParams(c->pg,
                               "SELECT set_config('lock_timeout', $1, false),"
                               " set_config('bytea_output', 'hex', false),"
                               " set_config('extra_float_digits', '1', false)",
                               1, NULL, v, NULL, NULL, 0);
    enum err e = PQresultStatus(r) == PGRES_TUPLES_OK ? ERR_OK : fail(c, r);
    PQclear(r);
    /* An acknowledged appeal is never lost: a server or DSN that turned
     * synchronous_commit off does not apply to our commits. */
    if (!e && writer)
        e = exec_simple(c, "SELECT set_config('synchronous_commit', 'on', false)"
                           " WHERE current_setting('synchronous_commit') = 'off'");
    return e;
}

static enum err
conn_open(struct pg *q, bool writer, struct conn **out)
{
    struct conn *c = xcalloc(1, sizeof(*c));
    /* expand_dbname: dbname holds the whole postgres:// or postgresql:// URI,
     * whose parameters override the connect_timeout before it; the encoding
     * after it is ours whatever the URI says. */
    const char *const keys[] = {"connect_timeout", "dbname", "fallback_application_name",
                                "client_encoding", NULL};
    const char *const vals[] = {"10", q->dsn, "tyndau", "UTF8", NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    enum err e = ERR_OK;
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        set_err(c->pg ? PQerrorMessage(c->pg) : "out of memory");
        e = ERR_UNAVAILABLE;
    } else {
        e = conn_setup(q, c, writer);
    }
    if (e) {
        PQfinish(c->pg);
        free(c);
        return e;
    }
    *out = c;
    return ERR_OK;
}

/* Reconnect a connection the server dropped. */
static enum err
conn_reset(struct pg *q, struct conn *c, bool writer)
{
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        set_err(PQerrorMessage(c->pg));
        return ERR_UNAVAILABLE;
    }
    return conn_setup(q, c, writer);
}

static void
conn_close(struct conn *c)
{
    if (!c)
        return;
    PQfinish(c->pg);
    free(c);
}

/* The name of c's prepared statement for sql (a string literal: cached by
 * address) into name, preparing it on first use. An empty name means the
 * cache is full: run sql unprepared. */
static enum err
prep(struct conn *c, const char *sql, int nparams, char name[NAME_MAX_LEN])
{
    for (size_t i = 0; i < c->stmt_count; i++) {
        if (c->stmts[i] == sql) {
            snprintf(name, NAME_MAX_LEN, "s%zu", i);
            return ERR_OK;
        }
    }
    name[0] = '\0';
    if (c->stmt_count == STMT_CACHE)
        return ERR_OK; /* should not happen with our fixed set of statements */
    snprintf(name, NAME_MAX_LEN, "s%zu", c->stmt_count);
    PGresult *r = PQprepare(c->pg, name, sql, nparams, NULL);
    enum err e = PQresultStatus(r) == PGRES_COMMAND_OK ? ERR_OK : fail(c, r);
    PQclear(r);
    if (e)
        return e;
    c->stmts[c->stmt_count++] = sql;
    return ERR_OK;
}

/* Run sql with p (NULL: no parameters). On success *out holds the result
 * (caller PQclears); on error *out is NULL. */
static enum err
run(struct conn *c, const char *sql, const struct params *p, PGresult **out)
{
    static const struct params none;
    if (!p)
        p = &none;
    *out = NULL;
    char name[NAME_MAX_LEN];
    enum err e = prep(c, sql, p->n, name);
    if (e)
        return e;
    PGresult *r = name[0] ? PQexecPrepared(c->pg, name, p->n, p->v, p->len, p->fmt, 0)
                          : PQexecParams(c->pg, sql, p->n, NULL, p->v, p->len, p->fmt, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        e = fail(c, r);
        PQclear(r);
        return e;
    }
    *out = r;
    return ERR_OK;
}

/* run() for statements whose result we do not read. */
static enum err
run_done(struct conn *c, const char *sql, const struct params *p)
{
    PGresult *r;
    enum err e = run(c, sql, p, &r);
    PQclear(r);
    return e;
}

static struct conn *
pool_get(struct pg *q)
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
            if (conn_open(q, false, &c) != ERR_OK) {
                pthread_mutex_lock(&q->pool_mu);
                q->conn_count--;
                pthread_cond_signal(&q->pool_cv);
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
pool_put(struct pg *q, struct conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&q->pool_mu);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        /* Dead: the next pool_get() opens a fresh one. */
        q->conn_count--;
        pthread_cond_signal(&q->pool_cv);
        pthread_mutex_unlock(&q->pool_mu);
        conn_close(c);
        return;
    }
    c->next = q->free_conns;
    q->free_conns = c;
    pthread_cond_signal(&q->pool_cv);
    pthread_mutex_unlock(&q->pool_mu);
}

/* run() on a reader: a connection the server dropped (restart, failover) is
 * reopened and the read tried once more. */
static enum err
read_run(struct pg *q, struct conn *c, const char *sql, const struct params *p, PGresult **out)
{
    enum err e = run(c, sql, p, out);
    if (e && PQstatus(c->pg) != CONNECTION_OK && conn_reset(q, c, false) == ERR_OK)
        e = run(c, sql, p, out);
    return e;
}

/* ---- the writer ---- */

static enum err
writer_begin(struct pg *q, struct conn *c)
{
    enum err e = ERR_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (PQstatus(c->pg) != CONNECTION_OK) {
            e = conn_reset(q, c, true);
            if (e)
                return e;
        }
        e = exec_simple(c, sql_begin);
        if (!e)
            return ERR_OK;
        if (PQstatus(c->pg) == CONNECTION_OK) {
            /* BEGIN ran but the lock did not come (lock_timeout): end the block. */
            if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
                (void)exec_simple(c, "ROLLBACK");
            return e;
        }
    }
    return e;
}

static enum err
writer_commit(struct conn *c)
{
    PGresult *r = PQexec(c->pg, "COMMIT");
    enum err e = ERR_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        e = fail(c, r);
    } else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        /* COMMIT of a failed transaction answers ROLLBACK. */
        set_err("the write group's transaction failed and was rolled back");
        e = ERR_STORE;
    }
    PQclear(r);
    if (e && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        (void)exec_simple(c, "ROLLBACK");
    return e;
}

static void
run_group(struct store *s, struct store__job *group)
{
    struct pg *q = PG(s);
    struct conn *c = q->wconn;
    struct store_tx tx = {.s = s, .impl = c};
    enum err commit = writer_begin(q, c);
    if (!commit) {
        /* One round trip between jobs: release the last job's savepoint and
         * open the next one together. After ROLLBACK TO the savepoint is
         * still there, empty, and serves the next job as it is. */
        const char *boundary = "SAVEPOINT job";
        for (struct store__job *j = group; j; j = j->next) {
            if (boundary) {
                j->e = exec_simple(c, boundary);
                if (j->e)
                    continue;
            }
            struct store__pending **mark = store__tx_mark(&tx);
            j->e = j->fn(&tx, j->arg);
            if (!j->e && PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
                /* The job went on after a failed statement: PostgreSQL refuses
                 * everything after one until ROLLBACK TO, so undo the job. */
                set_err("a statement of the job failed");
                j->e = ERR_STORE;
            }
            if (j->e) {
                (void)exec_simple(c, "ROLLBACK TO job");
                store__tx_rewind(&tx, mark);
                boundary = NULL;
            } else {
                boundary = "RELEASE job; SAVEPOINT job";
            }
        }
        commit = writer_commit(c);
    }
    store__tx_flush(&tx, commit == ERR_OK);
    store__jobq_done(group, commit);
}

static void *
writer_main(void *arg)
{
    struct store *s = arg;
    struct pg *q = PG(s);
    int max = q->opts.group_max > 0 ? q->opts.group_max : GROUP_DEFAULT;
    for (;;) {
        struct store__job *group = store__jobq_take(&q->jobs, max);
        if (!group)
            return NULL; /* closed and drained */
        run_group(s, group);
    }
}

static enum err
pg_write_async(struct store *s, store_job_fn fn, store_done_fn done, void *arg)
{
    return store__jobq_push(&PG(s)->jobs, fn, done, arg);
}

/* ---- open, close, migrate ---- */

static enum err
pg_open(struct store *s, const char *dsn, const struct store_opts *o)
{
    if (!PQisthreadsafe()) {
        set_err("libpq was built without thread safety");
        return ERR_UNAVAILABLE;
    }
    struct pg *q = xcalloc(1, sizeof(*q));
    q->dsn = xstrdup(dsn);
    q->opts = *o;
    if (q->opts.busy_timeout_ms <= 0)
        q->opts.busy_timeout_ms = 5000;
    q->conn_max = o->readers > 0 ? o->readers : 8;
    pthread_mutex_init(&q->pool_mu, NULL);
    pthread_cond_init(&q->pool_cv, NULL);
    store__jobq_init(&q->jobs);
    s->impl = q;
    enum err e = conn_open(q, true, &q->wconn);
    if (!e && pthread_create(&q->writer, NULL, writer_main, s) != 0)
        e = ERR_UNAVAILABLE;
    if (e) {
        conn_close(q->wconn);
        pthread_mutex_destroy(&q->pool_mu);
        pthread_cond_destroy(&q->pool_cv);
        store__jobq_fini(&q->jobs);
        free(q->dsn);
        free(q);
        s->impl = NULL;
        return e;
    }
    q->writer_started = true;
    return ERR_OK;
}

static void
pg_close(struct store *s)
{
    struct pg *q = PG(s);
    if (!q)
        return;
    store__jobq_close(&q->jobs);
    if (q->writer_started)
        pthread_join(q->writer, NULL);
    conn_close(q->wconn);
    while (q->free_conns) {
        struct conn *next = q->free_conns->next;
        conn_close(q->free_conns);
        q->free_conns = next;
    }
    pthread_mutex_destroy(&q->pool_mu);
    pthread_cond_destroy(&q->pool_cv);
    store__jobq_fini(&q->jobs);
    free(q->dsn);
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
    /* Two nodes starting at once: the second waits here, then finds the work done. */
    enum err e = exec_simple(c, sql_migrate_lock);
    if (!e)
        e = exec_simple(c, "CREATE TABLE IF NOT EXISTS schema_migrations(name TEXT PRIMARY KEY,"
                           " applied_at BIGINT NOT NULL)");
    for (unsigned long i = 0; !e && i < migrations_count; i++) {
        if (!store__migration_applies(migrations[i].name, "pg"))
            continue;
        struct params p = {0};
        p_str(&p, migrations[i].name);
        PGresult *r;
        e = run(c, "SELECT 1 FROM schema_migrations WHERE name = $1", &p, &r);
        bool done = !e && PQntuples(r) > 0;
        PQclear(r);
        if (e || done)
            continue;
        e = exec_simple(c, migrations[i].sql);
        if (e) {
            char tmp[ERRMSG_MAX];
            memcpy(tmp, errbuf, sizeof(tmp));
            snprintf(errbuf, sizeof(errbuf), "%.64s: %.180s", migrations[i].name, tmp);
            break;
        }
        e = run_done(c,
                     "INSERT INTO schema_migrations(name, applied_at)"
                     " VALUES ($1, EXTRACT(EPOCH FROM now())::bigint)",
                     &p);
        if (!e)
            m->applied++;
    }
    return e;
}

static enum err
pg_migrate(struct store *s, int *applied)
{
    struct migrate_job m = {0};
    enum err e = store_write(s, migrate_run, &m);
    *applied = e ? 0 : m.applied;
    return e;
}

static enum err
pg_ping(struct store *s)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r;
    enum err e = read_run(q, c, "SELECT count(*) FROM schema_migrations", NULL, &r);
    PQclear(r);
    pool_put(q, c);
    return e;
}

/* ---- writes inside a job ---- */

static enum err
pg_tx_counter_next(struct store_tx *tx, const char *name, int64_t *n)
{
    struct params p = {0};
    p_str(&p, name);
    PGresult *r;
    enum err e = run(tx->impl,
                     "INSERT INTO counters(name, n) VALUES ($1, 1)"
                     " ON CONFLICT (name) DO UPDATE SET n = counters.n + 1 RETURNING n",
                     &p, &r);
    if (!e)
        *n = get_i64(r, 0, 0);
    PQclear(r);
    return e;
}

/* ON CONFLICT DO NOTHING: a duplicate is ERR_CONFLICT without aborting the
 * transaction, as in SQLite, so the job may go on. */
static const char sql_appeal_insert[] =
    "INSERT INTO appeals(tracking_id, secret_hash, reg_number, kind, channel, language, region,"
    " topic, agency, status, text, address, lat, lon, contact_name, contact_email,"
    " contact_phone, anonymous, consent, owner_user, registered_by, filed_at, registered_at,"
    " due_at, forward_due_at, updated_at, last_hash, contact_iin)"
    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,"
    "$23,$24,$25,$26,decode(repeat('00', 32), 'hex'),$27)"
    " ON CONFLICT DO NOTHING RETURNING id";

static enum err
pg_tx_appeal_insert(struct store_tx *tx, struct appeal *ap, const unsigned char h[32])
{
    struct params p = {0};
    p_str(&p, ap->tracking_id);
    p_blob(&p, h, 32);
    p_str(&p, ap->reg_number);
    p_str(&p, appeal_kind_name(ap->kind));
    p_str(&p, appeal_channel_name(ap->channel));
    p_str(&p, appeal_language_name(ap->language));
    p_str(&p, ap->region);
    p_str(&p, ap->topic);
    p_str(&p, ap->agency);
    p_str(&p, appeal_status_name(ap->status));
    p_str(&p, ap->text);
    p_str(&p, ap->address);
    if (ap->has_location) {
        p_f64(&p, ap->lat);
        p_f64(&p, ap->lon);
    } else {
        p_str(&p, NULL);
        p_str(&p, NULL);
    }
    p_str(&p, ap->contact_name);
    p_str(&p, ap->contact_email);
    p_str(&p, ap->contact_phone);
    p_bool(&p, ap->anonymous);
    p_bool(&p, ap->consent);
    p_i64_or_null(&p, ap->owner_user);
    p_str(&p, ap->registered_by);
    p_i64(&p, ap->filed_at);
    p_i64(&p, ap->registered_at);
    p_i64_or_null(&p, ap->due_at);
    p_i64_or_null(&p, ap->forward_due_at);
    p_i64(&p, ap->updated_at);
    p_str(&p, ap->contact_iin);
    PGresult *r;
    enum err e = run(tx->impl, sql_appeal_insert, &p, &r);
    if (!e && PQntuples(r) == 0) {
        set_err("UNIQUE constraint failed: appeals.tracking_id or appeals.reg_number");
        e = ERR_CONFLICT;
    } else if (!e) {
        ap->id = get_i64(r, 0, 0);
    }
    PQclear(r);
    return e;
}

static enum err
pg_tx_appeal_update(struct store_tx *tx, const struct appeal *ap)
{
    struct params p = {0};
    p_i64(&p, ap->id);
    p_str(&p, appeal_status_name(ap->status));
    p_str(&p, ap->topic);
    p_str(&p, ap->agency);
    p_i64_or_null(&p, ap->due_at);
    p_i64_or_null(&p, ap->forward_due_at);
    p_i64_or_null(&p, ap->assignee);
    p_i64_or_null(&p, ap->rating);
    p_bool(&p, ap->warned);
    p_bool(&p, ap->overdue);
    p_bool(&p, ap->extended);
    p_i64(&p, ap->updated_at);
    p_i64_or_null(&p, ap->closed_at);
    PGresult *r;
    enum err e = run(tx->impl,
                     "UPDATE appeals SET status=$2, topic=$3, agency=$4, due_at=$5,"
                     " forward_due_at=$6, assignee=$7, rating=$8, warned=$9,"
                     " overdue=$10, extended=$11, updated_at=$12, closed_at=$13"
                     " WHERE id=$1",
                     &p, &r);
    if (!e && affected(r) != 1)
        e = ERR_NOTFOUND;
    PQclear(r);
    return e;
}

#define APPEAL_COLS                                                                                \
    "id, tracking_id, reg_number, kind, channel, language, region, topic, agency, status, text,"   \
    " address, lat, lon, contact_name, contact_email, contact_phone, anonymous, consent,"          \
    " owner_user, registered_by, filed_at, registered_at, due_at, forward_due_at, assignee,"       \
    " rating, warned, overdue, extended, updated_at, closed_at, contact_iin, secret_hash"

static void
read_appeal(struct arena *a, const PGresult *r, int row, struct appeal *ap)
{
    memset(ap, 0, sizeof(*ap));
    ap->id = get_i64(r, row, 0);
    ap->tracking_id = get_str(a, r, row, 1);
    ap->reg_number = get_str(a, r, row, 2);
    (void)appeal_kind_parse(str_from_cstr(PQgetvalue(r, row, 3)), &ap->kind);
    (void)appeal_channel_parse(str_from_cstr(PQgetvalue(r, row, 4)), &ap->channel);
    (void)appeal_language_parse(str_from_cstr(PQgetvalue(r, row, 5)), &ap->language);
    ap->region = get_str(a, r, row, 6);
    ap->topic = get_str(a, r, row, 7);
    ap->agency = get_str(a, r, row, 8);
    (void)appeal_status_parse(str_from_cstr(PQgetvalue(r, row, 9)), &ap->status);
    ap->text = get_str(a, r, row, 10);
    ap->address = get_str(a, r, row, 11);
    ap->has_location = !is_null(r, row, 12);
    ap->lat = get_f64(r, row, 12);
    ap->lon = get_f64(r, row, 13);
    ap->contact_name = get_str(a, r, row, 14);
    ap->contact_email = get_str(a, r, row, 15);
    ap->contact_phone = get_str(a, r, row, 16);
    ap->anonymous = get_i64(r, row, 17) != 0;
    ap->consent = get_i64(r, row, 18) != 0;
    ap->owner_user = get_i64(r, row, 19);
    ap->registered_by = get_str(a, r, row, 20);
    ap->filed_at = get_i64(r, row, 21);
    ap->registered_at = get_i64(r, row, 22);
    ap->due_at = get_i64(r, row, 23);
    ap->forward_due_at = get_i64(r, row, 24);
    ap->assignee = get_i64(r, row, 25);
    ap->rating = (int)get_i64(r, row, 26);
    ap->warned = get_i64(r, row, 27) != 0;
    ap->overdue = get_i64(r, row, 28) != 0;
    ap->extended = get_i64(r, row, 29) != 0;
    ap->updated_at = get_i64(r, row, 30);
    ap->closed_at = get_i64(r, row, 31);
    ap->contact_iin = get_str(a, r, row, 32);
}

static const char sql_appeal_get[] = "SELECT " APPEAL_COLS " FROM appeals WHERE tracking_id = $1";

/* Rows of an appeals query into a (at most limit of them); returns how many. */
static size_t
read_appeals(struct arena *a, const PGresult *r, struct appeal *v, size_t limit)
{
    size_t n = (size_t)PQntuples(r);
    if (n > limit)
        n = limit;
    for (size_t i = 0; i < n; i++)
        read_appeal(a, r, (int)i, &v[i]);
    return n;
}

static enum err
appeal_row(struct arena *a, const PGresult *r, struct appeal *ap, unsigned char secret_hash[32])
{
    if (PQntuples(r) == 0)
        return ERR_NOTFOUND;
    read_appeal(a, r, 0, ap);
    if (secret_hash && !get_hash(r, 0, 33, secret_hash))
        memset(secret_hash, 0, 32);
    return ERR_OK;
}

static enum err
pg_tx_appeal_get(struct store_tx *tx, struct arena *a, const char *tracking, struct appeal *ap)
{
    struct params p = {0};
    p_str(&p, tracking);
    PGresult *r;
    enum err e = run(tx->impl, sql_appeal_get, &p, &r);
    if (!e)
        e = appeal_row(a, r, ap, NULL);
    PQclear(r);
    return e;
}

static enum err
pg_tx_event_append(struct store_tx *tx, int64_t appeal_id, struct appeal_event *ev)
{
    struct conn *c = tx->impl;
    unsigned char prev[32] = {0};
    struct params p = {0};
    p_i64(&p, appeal_id);
    PGresult *r;
    enum err e = run(c,
                     "SELECT a.last_hash, (SELECT COALESCE(MAX(seq), 0) FROM appeal_events e"
                     " WHERE e.appeal_id = a.id) FROM appeals a WHERE a.id = $1",
                     &p, &r);
    if (!e && PQntuples(r) == 0)
        e = ERR_NOTFOUND;
    if (!e) {
        (void)get_hash(r, 0, 0, prev);
        ev->seq = (int)get_i64(r, 0, 1) + 1;
    }
    PQclear(r);
    if (e)
        return e;
    store__event_hash(prev, appeal_id, ev, ev->hash);

    p = (struct params){0};
    p_i64(&p, appeal_id);
    p_i64(&p, ev->seq);
    p_i64(&p, ev->at);
    p_str(&p, appeal_action_name(ev->action));
    p_str(&p, role_name(ev->actor_role));
    p_i64_or_null(&p, ev->actor_id);
    p_str(&p, ev->seq == 1 ? NULL : appeal_status_name(ev->from));
    p_str(&p, appeal_status_name(ev->to));
    p_str(&p, ev->agency);
    p_str(&p, ev->reason);
    p_i64_or_null(&p, ev->due_at);
    p_blob(&p, prev, 32);
    p_blob(&p, ev->hash, 32);
    /* The row and the appeal's new chain head in one round trip. */
    e = run(c,
            "WITH ins AS (INSERT INTO appeal_events(appeal_id, seq, at, action, actor_role,"
            " actor_id, from_status, to_status, agency, reason, due_at, prev_hash, hash)"
            " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id),"
            " head AS (UPDATE appeals SET last_hash = $13 WHERE id = $1)"
            " SELECT id FROM ins",
            &p, &r);
    if (!e)
        ev->id = get_i64(r, 0, 0);
    PQclear(r);
    return e;
}

static enum err
pg_tx_answer_insert(struct store_tx *tx, int64_t appeal_id, const char *text, const char *language,
                    int64_t author, int64_t at)
{
    struct params p = {0};
    p_i64(&p, appeal_id);
    p_str(&p, text);
    p_str(&p, language);
    p_i64_or_null(&p, author);
    p_i64(&p, at);
    return run_done(tx->impl,
                    "INSERT INTO answers(appeal_id, text, language, author_id, at)"
                    " VALUES ($1,$2,$3,$4,$5)",
                    &p);
}

static enum err
pg_tx_idem_get(struct store_tx *tx, struct arena *a, const char *key, const unsigned char h[32],
               bool *same, char **response)
{
    struct params p = {0};
    p_str(&p, key);
    PGresult *r;
    enum err e = run(tx->impl, "SELECT req_hash, response FROM idempotency WHERE key = $1", &p, &r);
    if (!e && PQntuples(r) == 0)
        e = ERR_NOTFOUND;
    if (!e) {
        unsigned char stored[32];
        *same = get_hash(r, 0, 0, stored) && memcmp(stored, h, 32) == 0;
        *response = get_str(a, r, 0, 1);
    }
    PQclear(r);
    return e;
}

static enum err
pg_tx_idem_put(struct store_tx *tx, const char *key, const unsigned char h[32], int64_t appeal_id,
               const char *response, int64_t now)
{
    struct params p = {0};
    p_str(&p, key);
    p_blob(&p, h, 32);
    p_i64(&p, appeal_id);
    p_str(&p, response);
    p_i64(&p, now);
    PGresult *r;
    enum err e = run(tx->impl,
                     "INSERT INTO idempotency(key, req_hash, appeal_id, response, created_at)"
                     " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
                     &p, &r);
    if (!e && affected(r) == 0) {
        set_err("UNIQUE constraint failed: idempotency.key");
        e = ERR_CONFLICT;
    }
    PQclear(r);
    return e;
}

static enum err
pg_tx_rate_hit(struct store_tx *tx, const char *key, int64_t window, int64_t limit)
{
    if (limit < 1)
        return ERR_RATE;
    struct params p = {0};
    p_str(&p, key);
    p_i64(&p, window);
    p_i64(&p, limit);
    PGresult *r;
    /* A refused hit is not counted (the WHERE leaves the row alone), so it
     * stays uncounted even if the job goes on and commits. */
    enum err e = run(tx->impl,
                     "INSERT INTO rate_limits(key, \"window\", n) VALUES ($1, $2::bigint, 1)"
                     " ON CONFLICT (key) DO UPDATE SET n = CASE WHEN rate_limits.\"window\" ="
                     " $2::bigint THEN rate_limits.n + 1 ELSE 1 END, \"window\" = $2::bigint"
                     " WHERE rate_limits.\"window\" <> $2::bigint OR rate_limits.n < $3::bigint"
                     " RETURNING n",
                     &p, &r);
    bool counted = !e && PQntuples(r) == 1;
    PQclear(r);
    if (e)
        return e;
    return counted ? ERR_OK : ERR_RATE;
}

static enum err
pg_tx_audit(struct store_tx *tx, int64_t at, int64_t user, const char *action, const char *object,
            const char *detail)
{
    struct params p = {0};
    p_i64(&p, at);
    p_i64_or_null(&p, user);
    p_str(&p, action);
    p_str(&p, object);
    p_str(&p, detail);
    return run_done(tx->impl,
                    "INSERT INTO audit_log(at, user_id, action, object, detail)"
                    " VALUES ($1,$2,$3,$4,$5)",
                    &p);
}

static enum err
pg_tx_stream_event(struct store_tx *tx, int64_t at, const char *kind, const char *agency,
                   const char *region, int64_t appeal_id, const char *json, int64_t *id)
{
    struct params p = {0};
    p_i64(&p, at);
    p_str(&p, kind);
    p_str(&p, agency);
    p_str(&p, region);
    p_i64_or_null(&p, appeal_id);
    p_str(&p, json);
    PGresult *r;
    /* The row is the truth; the notification (sent at commit) only wakes the
     * other nodes' hubs to read it. */
    enum err e = run(tx->impl,
                     "WITH ins AS (INSERT INTO events(at, kind, agency, region, appeal_id, data)"
                     " VALUES ($1,$2,$3,$4,$5,$6) RETURNING id)"
                     " SELECT id, pg_notify('tyndau_events', id::text) FROM ins",
                     &p, &r);
    if (!e && id)
        *id = get_i64(r, 0, 0);
    PQclear(r);
    return e;
}

static enum err
pg_tx_outbox(struct store_tx *tx, int64_t at, const char *channel, const char *recipient,
             int64_t appeal_id, const char *body)
{
    struct params p = {0};
    p_i64(&p, at);
    p_str(&p, channel);
    p_str(&p, recipient);
    p_i64_or_null(&p, appeal_id);
    p_str(&p, body);
    return run_done(tx->impl,
                    "INSERT INTO outbox(at, channel, recipient, appeal_id, body)"
                    " VALUES ($1,$2,$3,$4,$5)",
                    &p);
}

static enum err
pg_tx_outbox_sent(struct store_tx *tx, int64_t id, int64_t now)
{
    struct params p = {0};
    p_i64(&p, id);
    p_i64(&p, now);
    return run_done(tx->impl,
                    "UPDATE outbox SET sent_at = $2, attempts = attempts + 1"
                    " WHERE id = $1 AND sent_at IS NULL",
                    &p);
}

static enum err
pg_tx_user_insert(struct store_tx *tx, const struct user *u, const char *pwhash, int64_t now,
                  int64_t *id)
{
    struct params p = {0};
    p_str(&p, u->login);
    p_str(&p, pwhash);
    p_str(&p, role_name(u->role));
    p_str(&p, u->agency);
    p_str(&p, u->name ? u->name : "");
    p_i64(&p, now);
    PGresult *r;
    enum err e = run(tx->impl,
                     "INSERT INTO users(login, pwhash, role, agency, name, created_at)"
                     " VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING RETURNING id",
                     &p, &r);
    if (!e && PQntuples(r) == 0) {
        set_err("UNIQUE constraint failed: users.login");
        e = ERR_CONFLICT;
    } else if (!e && id) {
        *id = get_i64(r, 0, 0);
    }
    PQclear(r);
    return e;
}

static enum err
pg_tx_session_insert(struct store_tx *tx, const unsigned char h[32], int64_t user, const char *csrf,
                     int64_t now, int64_t expires)
{
    struct params p = {0};
    p_blob(&p, h, 32);
    p_i64(&p, user);
    p_str(&p, csrf);
    p_i64(&p, now);
    p_i64(&p, expires);
    PGresult *r;
    enum err e = run(tx->impl,
                     "INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at)"
                     " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
                     &p, &r);
    if (!e && affected(r) == 0) {
        set_err("UNIQUE constraint failed: sessions.token_hash");
        e = ERR_CONFLICT;
    }
    PQclear(r);
    return e;
}

static enum err
pg_tx_session_delete(struct store_tx *tx, const unsigned char h[32])
{
    struct params p = {0};
    p_blob(&p, h, 32);
    return run_done(tx->impl, "DELETE FROM sessions WHERE token_hash = $1", &p);
}

static enum err
pg_tx_token_insert(struct store_tx *tx, const unsigned char h[32], int64_t user, const char *label,
                   int64_t now)
{
    struct params p = {0};
    p_blob(&p, h, 32);
    p_i64(&p, user);
    p_str(&p, label ? label : "");
    p_i64(&p, now);
    PGresult *r;
    enum err e = run(tx->impl,
                     "INSERT INTO api_tokens(token_hash, user_id, label, created_at)"
                     " VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
                     &p, &r);
    if (!e && affected(r) == 0) {
        set_err("UNIQUE constraint failed: api_tokens.token_hash");
        e = ERR_CONFLICT;
    }
    PQclear(r);
    return e;
}

static enum err
pg_tx_rule_upsert(struct store_tx *tx, const char *topic, const char *region, const char *agency)
{
    struct params p = {0};
    p_str(&p, topic);
    p_str(&p, region);
    /* UNIQUE(topic, region) does not match NULL regions, so delete then insert. */
    enum err e = run_done(tx->impl,
                          "DELETE FROM routing_rules WHERE topic = $1"
                          " AND region IS NOT DISTINCT FROM $2::text",
                          &p);
    if (e)
        return e;
    p_str(&p, agency);
    return run_done(tx->impl, "INSERT INTO routing_rules(topic, region, agency) VALUES ($1,$2,$3)",
                    &p);
}

static enum err
pg_tx_purge(struct store_tx *tx, int64_t now)
{
    static const char *const sqls[] = {
        "DELETE FROM sessions WHERE expires_at < $1::bigint",
        "DELETE FROM idempotency WHERE created_at < $1::bigint - 86400",
        "DELETE FROM rate_limits WHERE \"window\" < $1::bigint - 86400",
    };
    struct params p = {0};
    p_i64(&p, now);
    for (size_t i = 0; i < ARRAY_LEN(sqls); i++) {
        enum err e = run_done(tx->impl, sqls[i], &p);
        if (e)
            return e;
    }
    return ERR_OK;
}

/* ---- reads ---- */

static enum err
pg_appeal_get(struct store *s, struct arena *a, const char *tracking, struct appeal *ap,
              unsigned char secret_hash[32])
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, tracking);
    PGresult *r;
    enum err e = read_run(q, c, sql_appeal_get, &p, &r);
    if (!e)
        e = appeal_row(a, r, ap, secret_hash);
    PQclear(r);
    pool_put(q, c);
    return e;
}

static enum err
pg_events_list(struct store *s, struct arena *a, int64_t appeal_id, struct appeal_event **evs,
               size_t *count)
{
    struct pg *q = PG(s);
    *evs = NULL;
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_i64(&p, appeal_id);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT id, seq, at, action, actor_role, actor_id, from_status,"
                          " to_status, agency, reason, due_at, hash FROM appeal_events"
                          " WHERE appeal_id = $1 ORDER BY seq",
                          &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct appeal_event *v = ARENA_ARRAY(a, struct appeal_event, n + 1);
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        struct appeal_event *ev = &v[i];
        ev->id = get_i64(r, row, 0);
        ev->seq = (int)get_i64(r, row, 1);
        ev->at = get_i64(r, row, 2);
        (void)appeal_action_parse(str_from_cstr(PQgetvalue(r, row, 3)), &ev->action);
        ev->actor_role = get_role(r, row, 4);
        ev->actor_id = get_i64(r, row, 5);
        ev->from = STATUS__COUNT;
        if (!is_null(r, row, 6))
            (void)appeal_status_parse(str_from_cstr(PQgetvalue(r, row, 6)), &ev->from);
        (void)appeal_status_parse(str_from_cstr(PQgetvalue(r, row, 7)), &ev->to);
        ev->agency = get_str(a, r, row, 8);
        ev->reason = get_str(a, r, row, 9);
        ev->due_at = get_i64(r, row, 10);
        (void)get_hash(r, row, 11, ev->hash);
    }
    PQclear(r);
    pool_put(q, c);
    *evs = v;
    *count = n;
    return e;
}

static enum err
pg_stream_since(struct store *s, struct arena *a, int64_t after, int64_t upto, size_t limit,
                struct store_event **rows, size_t *count)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_i64(&p, after);
    p_i64(&p, upto);
    p_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT id, at, kind, agency, region, appeal_id, data FROM events"
                          " WHERE id > $1::bigint AND ($2::bigint < 0 OR id <= $2::bigint)"
                          " ORDER BY id LIMIT $3::bigint",
                          &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct store_event *v = ARENA_ARRAY(a, struct store_event, n + 1);
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        struct store_event *ev = &v[i];
        ev->id = get_i64(r, row, 0);
        ev->at = get_i64(r, row, 1);
        ev->kind = get_str(a, r, row, 2);
        ev->agency = get_str(a, r, row, 3);
        ev->region = get_str(a, r, row, 4);
        ev->appeal_id = get_i64(r, row, 5);
        ev->data = get_str(a, r, row, 6);
    }
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
pg_stream_last_id(struct store *s, int64_t *id)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r;
    enum err e = read_run(q, c, "SELECT COALESCE(MAX(id), 0) FROM events", &(struct params){0}, &r);
    if (!e)
        *id = get_i64(r, 0, 0);
    PQclear(r);
    pool_put(q, c);
    return e;
}

static enum err
pg_answers_list(struct store *s, struct arena *a, int64_t appeal_id, struct answer_row **rows,
                size_t *count)
{
    struct pg *q = PG(s);
    *rows = NULL;
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_i64(&p, appeal_id);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT id, text, language, author_id, at FROM answers"
                          " WHERE appeal_id = $1 ORDER BY id",
                          &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct answer_row *v = ARENA_ARRAY(a, struct answer_row, n + 1);
    for (size_t i = 0; i < n; i++) {
        v[i].id = get_i64(r, (int)i, 0);
        v[i].text = get_str(a, r, (int)i, 1);
        v[i].language = get_str(a, r, (int)i, 2);
        v[i].author = get_i64(r, (int)i, 3);
        v[i].at = get_i64(r, (int)i, 4);
    }
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

/* Open = not yet closed; the queue orders by due date, NULL (none) last,
 * then id. A cursor continues after the row (due, id), where due INT64_MAX
 * means that row had no due date (as the HTTP cursor says): then only later
 * rows without one follow. The casts name the types of parameters that may
 * be NULL. */
#define NO_DUE "9223372036854775807"
#define QUEUE_FILTERS(s, t, r, o, now, has, due, id, lim)                                          \
    " AND (" s "::text IS NULL OR status = " s "::text)"                                           \
    " AND (" t "::text IS NULL OR topic = " t "::text)"                                            \
    " AND (" r "::text IS NULL OR region = " r "::text)"                                           \
    " AND (" o "::int = 0 OR due_at < " now "::bigint)"                                            \
    " AND (" has "::int = 0"                                                                       \
    " OR (due_at IS NULL AND (" due "::bigint <> " NO_DUE " OR id > " id "::bigint))"              \
    " OR (due_at, id) > (" due "::bigint, " id "::bigint))"                                        \
    " ORDER BY due_at NULLS LAST, id LIMIT " lim
static const char sql_queue_agency[] =
    "SELECT " APPEAL_COLS " FROM appeals WHERE agency = $1 AND closed_at IS NULL" QUEUE_FILTERS(
        "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10");
static const char sql_queue_triage[] =
    "SELECT " APPEAL_COLS " FROM appeals WHERE agency IS NULL AND closed_at IS NULL"
    " AND status = 'registered'" QUEUE_FILTERS("$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8",
                                               "$9");

static enum err
pg_queue(struct store *s, struct arena *a, const struct queue_query *qq, struct appeal **rows,
         size_t *count, bool *more)
{
    struct pg *q = PG(s);
    *rows = ARENA_ARRAY(a, struct appeal, qq->limit + 1);
    *count = 0;
    *more = false;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    if (qq->agency)
        p_str(&p, qq->agency);
    p_str(&p, qq->status >= 0 ? appeal_status_name((enum appeal_status)qq->status) : NULL);
    p_str(&p, qq->topic);
    p_str(&p, qq->region);
    p_bool(&p, qq->overdue_only);
    p_i64(&p, qq->now);
    p_bool(&p, qq->has_cursor);
    p_i64(&p, qq->cursor_due);
    p_i64(&p, qq->cursor_id);
    p_i64(&p, (int64_t)qq->limit + 1);
    PGresult *r;
    enum err e = read_run(q, c, qq->agency ? sql_queue_agency : sql_queue_triage, &p, &r);
    size_t n = e ? 0 : read_appeals(a, r, *rows, qq->limit + 1);
    PQclear(r);
    pool_put(q, c);
    *more = n > qq->limit;
    *count = n > qq->limit ? qq->limit : n;
    return e;
}

static const char sql_answered[] =
    "SELECT w.id, a.reg_number, a.kind, a.language, a.region, a.topic, a.agency, a.text,"
    " a.filed_at, w.text, w.language, w.at, COALESCE(a.rating, 0)"
    " FROM appeals a JOIN answers w ON w.id = (SELECT max(x.id) FROM answers x"
    " WHERE x.appeal_id = a.id)"
    " WHERE a.status IN ('answered', 'closed') AND ($1::text IS NULL OR a.region = $1::text)"
    " AND ($2::text IS NULL OR a.topic = $2::text)"
    " AND ($3::int = 0 OR (w.at, w.id) < ($4::bigint, $5::bigint))"
    " ORDER BY w.at DESC, w.id DESC LIMIT $6";

static enum err
pg_answered(struct store *s, struct arena *a, const struct answered_query *aq,
            struct answered_row **rows, size_t *count, bool *more)
{
    struct pg *q = PG(s);
    struct answered_row *v = ARENA_ARRAY(a, struct answered_row, aq->limit + 1);
    *rows = v;
    *count = 0;
    *more = false;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, aq->region);
    p_str(&p, aq->topic);
    p_bool(&p, aq->has_cursor);
    p_i64(&p, aq->cursor_at);
    p_i64(&p, aq->cursor_id);
    p_i64(&p, (int64_t)aq->limit + 1);
    PGresult *r;
    enum err e = read_run(q, c, sql_answered, &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    if (n > aq->limit + 1)
        n = aq->limit + 1;
    for (size_t i = 0; i < n; i++) {
        struct answered_row *w = &v[i];
        int row = (int)i;
        w->answer_id = get_i64(r, row, 0);
        w->reg_number = get_str(a, r, row, 1);
        (void)appeal_kind_parse(str_from_cstr(PQgetvalue(r, row, 2)), &w->kind);
        (void)appeal_language_parse(str_from_cstr(PQgetvalue(r, row, 3)), &w->language);
        w->region = get_str(a, r, row, 4);
        w->topic = get_str(a, r, row, 5);
        w->agency = get_str(a, r, row, 6);
        w->text = get_str(a, r, row, 7);
        w->filed_at = get_i64(r, row, 8);
        w->answer = get_str(a, r, row, 9);
        w->answer_language = get_str(a, r, row, 10);
        w->answered_at = get_i64(r, row, 11);
        w->rating = (int)get_i64(r, row, 12);
    }
    PQclear(r);
    pool_put(q, c);
    *more = n > aq->limit;
    *count = n > aq->limit ? aq->limit : n;
    return e;
}

static enum err
pg_outbox_pending(struct store *s, struct arena *a, const char *channel, size_t limit,
                  struct outbox_row **rows, size_t *count)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, channel);
    p_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT id, at, channel, recipient, appeal_id, body FROM outbox"
                          " WHERE channel = $1 AND sent_at IS NULL ORDER BY id LIMIT $2::bigint",
                          &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    if (n > limit)
        n = limit;
    struct outbox_row *v = ARENA_ARRAY(a, struct outbox_row, n + 1);
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        v[i].id = get_i64(r, row, 0);
        v[i].at = get_i64(r, row, 1);
        v[i].channel = get_str(a, r, row, 2);
        v[i].recipient = get_str(a, r, row, 3);
        v[i].appeal_id = get_i64(r, row, 4);
        v[i].body = get_str(a, r, row, 5);
    }
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
pg_due_scan(struct store *s, struct arena *a, int64_t until, bool overdue, size_t limit,
            struct appeal **rows, size_t *count)
{
    static const char sql_warn[] = "SELECT " APPEAL_COLS " FROM appeals WHERE closed_at IS NULL"
                                   " AND due_at <= $1 AND warned = 0"
                                   " AND status IN ('registered','forwarded','in_review',"
                                   "'extended','reopened') ORDER BY due_at LIMIT $2";
    static const char sql_over[] = "SELECT " APPEAL_COLS " FROM appeals WHERE closed_at IS NULL"
                                   " AND due_at <= $1 AND overdue = 0"
                                   " AND status IN ('registered','forwarded','in_review',"
                                   "'extended','reopened') ORDER BY due_at LIMIT $2";
    struct pg *q = PG(s);
    *rows = ARENA_ARRAY(a, struct appeal, limit + 1);
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_i64(&p, until);
    p_i64(&p, (int64_t)limit);
    PGresult *r;
    enum err e = read_run(q, c, overdue ? sql_over : sql_warn, &p, &r);
    if (!e)
        *count = read_appeals(a, r, *rows, limit);
    PQclear(r);
    pool_put(q, c);
    return e;
}

#define USER_COLS "u.id, u.login, u.role, u.agency, u.name, u.disabled"

static enum err
pg_agency_staff(struct store *s, struct arena *a, const char *agency, size_t limit,
                struct user **rows, size_t *count)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, agency);
    p_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT " USER_COLS " FROM users u WHERE u.agency = $1"
                          " AND u.role IN ('official','supervisor') AND u.disabled = 0"
                          " ORDER BY u.name, u.login LIMIT $2::bigint",
                          &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    if (n > limit)
        n = limit;
    struct user *v = ARENA_ARRAY(a, struct user, n + 1);
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        v[i].id = get_i64(r, row, 0);
        v[i].login = get_str(a, r, row, 1);
        (void)role_parse(str_from_cstr(PQgetvalue(r, row, 2)), &v[i].role);
        v[i].agency = get_str(a, r, row, 3);
        v[i].name = get_str(a, r, row, 4);
    }
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

/* Read sql (bound by p) expecting one user row; extra column 6 -> *extra. A
 * disabled account is ERR_NOTFOUND. */
static enum err
user_query(struct store *s, struct arena *a, const char *sql, const struct params *p,
           struct user *u, char **extra)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r;
    enum err e = read_run(q, c, sql, p, &r);
    if (!e && PQntuples(r) == 0)
        e = ERR_NOTFOUND;
    if (!e) {
        memset(u, 0, sizeof(*u));
        u->id = get_i64(r, 0, 0);
        u->login = get_str(a, r, 0, 1);
        (void)role_parse(str_from_cstr(PQgetvalue(r, 0, 2)), &u->role);
        u->agency = get_str(a, r, 0, 3);
        u->name = get_str(a, r, 0, 4);
        u->disabled = get_i64(r, 0, 5) != 0;
        if (extra)
            *extra = get_str(a, r, 0, 6);
        if (u->disabled)
            e = ERR_NOTFOUND;
    }
    PQclear(r);
    pool_put(q, c);
    return e;
}

static enum err
pg_user_by_login(struct store *s, struct arena *a, const char *login, struct user *u, char **pwhash)
{
    struct params p = {0};
    p_str(&p, login);
    return user_query(s, a, "SELECT " USER_COLS ", u.pwhash FROM users u WHERE u.login = $1", &p, u,
                      pwhash);
}

static enum err
pg_user_by_id(struct store *s, struct arena *a, int64_t id, struct user *u)
{
    struct params p = {0};
    p_i64(&p, id);
    return user_query(s, a, "SELECT " USER_COLS " FROM users u WHERE u.id = $1", &p, u, NULL);
}

static enum err
pg_session_lookup(struct store *s, struct arena *a, const unsigned char h[32], int64_t now,
                  struct user *u, char **csrf)
{
    struct params p = {0};
    p_blob(&p, h, 32);
    p_i64(&p, now);
    return user_query(s, a,
                      "SELECT " USER_COLS ", s.csrf FROM sessions s JOIN users u"
                      " ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
                      &p, u, csrf);
}

static enum err
pg_token_lookup(struct store *s, struct arena *a, const unsigned char h[32], struct user *u)
{
    struct params p = {0};
    p_blob(&p, h, 32);
    return user_query(s, a,
                      "SELECT " USER_COLS " FROM api_tokens t JOIN users u"
                      " ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked = 0",
                      &p, u, NULL);
}

/* Every row of sql as ncols strings per row, in a. */
static enum err
load_rows(struct pg *q, struct conn *c, struct arena *a, const char *sql, int ncols, char ***out,
          size_t *count)
{
    PGresult *r;
    enum err e = read_run(q, c, sql, NULL, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    char **v = ARENA_ARRAY(a, char *, n *(size_t)ncols + 1);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < ncols; j++)
            v[i * (size_t)ncols + (size_t)j] = get_str(a, r, (int)i, j);
    PQclear(r);
    *out = v;
    *count = n;
    return e;
}

struct rows_ctx {
    struct pg *q;
    struct conn *c;
};

static enum err
pg_rows(void *ctx, struct arena *a, const char *sql, int ncols, char ***v, size_t *n)
{
    struct rows_ctx *x = ctx;
    return load_rows(x->q, x->c, a, sql, ncols, v, n);
}

static enum err
pg_ref_load(struct store *s, struct arena *a, struct ref_data *d)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct rows_ctx x = {q, c};
    enum err e = store__ref_load(a, d, pg_rows, &x);
    pool_put(q, c);
    return e;
}

struct chain_state {
    int64_t cur; /* appeal being checked, -1 before the first */
    bool cur_bad;
    unsigned char prev[32];
    int64_t checked, bad;
};

static void
chain_row(struct chain_state *cs, const PGresult *r)
{
    int64_t appeal_id = get_i64(r, 0, 0);
    if (appeal_id != cs->cur) {
        if (cs->cur >= 0 && cs->cur_bad)
            cs->bad++;
        cs->cur = appeal_id;
        cs->cur_bad = false;
        memset(cs->prev, 0, 32);
        cs->checked++;
    }
    struct appeal_event ev = {0};
    ev.seq = (int)get_i64(r, 0, 1);
    ev.at = get_i64(r, 0, 2);
    (void)appeal_action_parse(str_from_cstr(PQgetvalue(r, 0, 3)), &ev.action);
    ev.actor_role = get_role(r, 0, 4);
    ev.actor_id = get_i64(r, 0, 5);
    ev.from = STATUS__COUNT;
    if (!is_null(r, 0, 6))
        (void)appeal_status_parse(str_from_cstr(PQgetvalue(r, 0, 6)), &ev.from);
    (void)appeal_status_parse(str_from_cstr(PQgetvalue(r, 0, 7)), &ev.to);
    ev.agency = peek_str(r, 0, 8);
    ev.reason = peek_str(r, 0, 9);
    ev.due_at = get_i64(r, 0, 10);
    unsigned char h[32], stored_prev[32], stored[32];
    store__event_hash(cs->prev, appeal_id, &ev, h);
    if (!get_hash(r, 0, 11, stored_prev) || memcmp(stored_prev, cs->prev, 32) ||
        !get_hash(r, 0, 12, stored) || memcmp(stored, h, 32))
        cs->cur_bad = true;
    memcpy(cs->prev, h, 32);
}

static enum err
pg_chain_verify(struct store *s, int64_t *checked, int64_t *bad)
{
    static const char sql[] = "SELECT appeal_id, seq, at, action, actor_role, actor_id,"
                              " from_status, to_status, agency, reason, due_at, prev_hash, hash"
                              " FROM appeal_events ORDER BY appeal_id, seq";
    struct pg *q = PG(s);
    *checked = *bad = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct chain_state cs = {.cur = -1};
    char name[NAME_MAX_LEN];
    enum err e = prep(c, sql, 0, name);
    if (e && PQstatus(c->pg) != CONNECTION_OK && conn_reset(q, c, false) == ERR_OK)
        e = prep(c, sql, 0, name);
    if (e)
        goto out;
    /* Row by row: the table may be far larger than memory. */
    int sent = name[0] ? PQsendQueryPrepared(c->pg, name, 0, NULL, NULL, NULL, 0)
                       : PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0);
    if (!sent || !PQsetSingleRowMode(c->pg)) {
        e = fail(c, NULL);
        if (!sent)
            goto out;
    }
    for (;;) {
        PGresult *r = PQgetResult(c->pg);
        if (!r)
            break;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE)
            chain_row(&cs, r);
        else if (st != PGRES_TUPLES_OK && !e)
            e = fail(c, r);
        PQclear(r);
    }
    if (cs.cur >= 0 && cs.cur_bad)
        cs.bad++;
    *checked = cs.checked;
    *bad = cs.bad;
out:
    pool_put(q, c);
    return e;
}

static enum err
pg_counts(struct store *s, int64_t *total, int64_t *open, int64_t *overdue)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT count(*), count(*) FILTER (WHERE closed_at IS NULL),"
                          " count(*) FILTER (WHERE overdue = 1 AND closed_at IS NULL)"
                          " FROM appeals",
                          NULL, &r);
    if (!e) {
        *total = get_i64(r, 0, 0);
        *open = get_i64(r, 0, 1);
        *overdue = get_i64(r, 0, 2);
    }
    PQclear(r);
    pool_put(q, c);
    return e;
}

/* ---- dashboard statistics ---- */

#define STATS_OPEN "a.status IN ('registered','forwarded','in_review','extended','reopened')"
#define STATS_SCOPE                                                                                \
    "($1::text IS NULL OR a.agency = $1::text) AND ($2::text IS NULL OR a.region = $2::text)"
/* The first answer of each appeal in scope given at or after $3 (the
 * agency that answered is the event's). */
#define STATS_ANSWERS                                                                              \
    " FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id WHERE e.action = 'answered'"       \
    " AND e.at >= $3::bigint AND ($1::text IS NULL OR e.agency = $1::text)"                        \
    " AND ($2::text IS NULL OR a.region = $2::text) AND NOT EXISTS (SELECT 1 FROM appeal_events p" \
    " WHERE p.appeal_id = e.appeal_id AND p.action = 'answered' AND p.seq < e.seq)"

static enum err
pg_stats_regions(struct pg *q, struct conn *c, struct arena *a, const struct stats_query *sq,
                 struct store_stats *out)
{
    struct params p = {0};
    p_str(&p, sq->agency);
    p_str(&p, sq->region);
    p_i64(&p, sq->since);
    p_i64(&p, sq->today);
    p_i64(&p, sq->now);
    PGresult *r;
    enum err e =
        read_run(q, c,
                 "SELECT a.region, count(*) FILTER (WHERE a.filed_at >= $3::bigint),"
                 " count(*) FILTER (WHERE a.filed_at >= $4::bigint),"
                 " count(*) FILTER (WHERE " STATS_OPEN "),"
                 " count(*) FILTER (WHERE " STATS_OPEN " AND a.due_at < $5::bigint)"
                 " FROM appeals a WHERE " STATS_SCOPE " GROUP BY a.region ORDER BY a.region",
                 &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    out->regions = ARENA_ARRAY(a, struct stats_region, n + 1);
    for (size_t i = 0; i < n; i++) {
        struct stats_region *g = &out->regions[i];
        *g = (struct stats_region){
            .kato = get_str(a, r, (int)i, 0),
            .received = get_i64(r, (int)i, 1),
            .open = get_i64(r, (int)i, 3),
            .overdue = get_i64(r, (int)i, 4),
        };
        out->received_today += get_i64(r, (int)i, 2);
        out->open += g->open;
        out->overdue += g->overdue;
    }
    out->regions_count = n;
    PQclear(r);
    return e;
}

static enum err
pg_stats_days(struct pg *q, struct conn *c, const struct stats_query *sq, struct store_stats *out)
{
    struct params p = {0};
    p_str(&p, sq->agency);
    p_str(&p, sq->region);
    p_i64(&p, sq->since);
    p_i64(&p, sq->utc_offset);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT (a.filed_at + $4::bigint) / 86400, count(*) FROM appeals a"
                          " WHERE " STATS_SCOPE " AND a.filed_at >= $3::bigint GROUP BY 1",
                          &p, &r);
    int64_t first = (sq->since + sq->utc_offset) / TM_DAY;
    for (int i = 0; !e && i < PQntuples(r); i++) {
        int64_t d = get_i64(r, i, 0) - first;
        if (d >= 0 && d < sq->days) /* a clock set back may file one in the future */
            out->per_day[d] = get_i64(r, i, 1);
    }
    PQclear(r);
    return e;
}

static enum err
pg_stats_topics(struct pg *q, struct conn *c, struct arena *a, const struct stats_query *sq,
                struct store_stats *out)
{
    struct params p = {0};
    p_str(&p, sq->agency);
    p_str(&p, sq->region);
    p_i64(&p, sq->since);
    p_i64(&p, STORE_STATS_TOPICS);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT a.topic, count(*) AS n FROM appeals a WHERE " STATS_SCOPE
                          " AND a.filed_at >= $3::bigint AND a.topic IS NOT NULL"
                          " GROUP BY a.topic ORDER BY n DESC, a.topic LIMIT $4::bigint",
                          &p, &r);
    for (int i = 0; !e && i < PQntuples(r) && out->topics_count < STORE_STATS_TOPICS; i++)
        out->topics[out->topics_count++] =
            (struct stats_topic){get_str(a, r, i, 0), get_i64(r, i, 1)};
    PQclear(r);
    return e;
}

static enum err
pg_stats_answers(struct pg *q, struct conn *c, const struct stats_query *sq,
                 struct store_stats *out)
{
    struct params p = {0};
    p_str(&p, sq->agency);
    p_str(&p, sq->region);
    p_i64(&p, sq->since);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT count(*), count(*) FILTER (WHERE e.due_at IS NOT NULL"
                          " AND e.at <= e.due_at)" STATS_ANSWERS,
                          &p, &r);
    if (!e) {
        out->answered = get_i64(r, 0, 0);
        out->answered_on_time = get_i64(r, 0, 1);
    }
    PQclear(r);
    if (e || !out->answered)
        return e;
    /* The median: the middle one or two of the sorted times. */
    p_i64(&p, (out->answered - 1) / 2);
    e = read_run(
        q, c, "SELECT e.at - a.filed_at AS d" STATS_ANSWERS " ORDER BY d LIMIT 2 OFFSET $4::bigint",
        &p, &r);
    int want = out->answered % 2 ? 1 : 2;
    if (!e && PQntuples(r) >= want) {
        double sum = 0;
        for (int i = 0; i < want; i++)
            sum += (double)get_i64(r, i, 0);
        out->median_answer_hours = sum / want / 3600.0;
    }
    PQclear(r);
    return e;
}

static enum err
pg_stats(struct store *s, struct arena *a, const struct stats_query *sq, struct store_stats *out)
{
    struct pg *q = PG(s);
    *out = (struct store_stats){.median_answer_hours = -1};
    out->per_day = ARENA_ARRAY(a, int64_t, (size_t)sq->days);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    enum err e = pg_stats_regions(q, c, a, sq, out);
    if (!e)
        e = pg_stats_days(q, c, sq, out);
    if (!e)
        e = pg_stats_topics(q, c, a, sq, out);
    if (!e)
        e = pg_stats_answers(q, c, sq, out);
    pool_put(q, c);
    return e;
}

/* ---- opinion: calibration tables and stance records ---- */

static enum err
pg_tx_calibration_insert(struct store_tx *tx, struct calib_table *t)
{
    struct conn *c = tx->impl;
    struct params p = {0};
    p_str(&p, t->name);
    p_str(&p, t->kind);
    p_str(&p, t->body);
    PGresult *r;
    enum err e = run(c,
                     "SELECT version, (kind = $2 AND body = $3)::int FROM calibration_tables"
                     " WHERE name = $1 ORDER BY version DESC LIMIT 1",
                     &p, &r);
    if (e)
        return e;
    int64_t latest = PQntuples(r) > 0 ? get_i64(r, 0, 0) : 0;
    bool same = PQntuples(r) > 0 && get_i64(r, 0, 1) != 0;
    PQclear(r);
    if (same) {
        char msg[ERRMSG_MAX];
        snprintf(msg, sizeof(msg), "%s version %lld already holds this table", t->name,
                 (long long)latest);
        set_err(msg);
        return ERR_CONFLICT;
    }
    t->version = latest + 1;
    struct params q = {0};
    p_str(&q, t->name);
    p_str(&q, t->kind);
    p_i64(&q, t->version);
    p_f64(&q, t->total);
    p_str(&q, t->ref_date);
    p_str(&q, t->body);
    p_i64(&q, t->loaded_at);
    e = run(c,
            "INSERT INTO calibration_tables(name, kind, version, total, ref_date, body, loaded_at)"
            " VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
            &q, &r);
    if (!e)
        t->id = get_i64(r, 0, 0);
    PQclear(r);
    return e;
}

static void
read_calib(struct arena *a, const PGresult *r, int row, struct calib_table *t, bool body)
{
    *t = (struct calib_table){
        .id = get_i64(r, row, 0),
        .name = get_str(a, r, row, 1),
        .kind = get_str(a, r, row, 2),
        .version = get_i64(r, row, 3),
        .total = get_f64(r, row, 4),
        .ref_date = get_str(a, r, row, 5),
        .loaded_at = get_i64(r, row, 6),
    };
    if (body) {
        t->body = get_str(a, r, row, 7);
        t->body_len = (size_t)PQgetlength(r, row, 7);
    }
}

#define CALIB_COLS "id, name, kind, version, total, ref_date, loaded_at"

static enum err
pg_calibration_list(struct store *s, struct arena *a, bool all, struct calib_table **rows,
                    size_t *count)
{
    struct pg *q = PG(s);
    *rows = NULL;
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_bool(&p, all);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT " CALIB_COLS " FROM calibration_tables t WHERE $1::int <> 0"
                          " OR version = (SELECT max(version) FROM calibration_tables u"
                          " WHERE u.name = t.name) ORDER BY name, version",
                          &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct calib_table *v = ARENA_ARRAY(a, struct calib_table, n + 1);
    for (size_t i = 0; i < n; i++)
        read_calib(a, r, (int)i, &v[i], false);
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
pg_calibration_get(struct store *s, struct arena *a, const char *name, int64_t version,
                   struct calib_table *out)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, name);
    p_i64(&p, version);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT " CALIB_COLS ", body FROM calibration_tables WHERE name = $1"
                          " AND ($2::bigint = 0 OR version = $2::bigint)"
                          " ORDER BY version DESC LIMIT 1",
                          &p, &r);
    if (!e && PQntuples(r) == 0)
        e = ERR_NOTFOUND;
    if (!e)
        read_calib(a, r, 0, out, true);
    PQclear(r);
    pool_put(q, c);
    return e;
}

static enum err
pg_tx_stance_insert(struct store_tx *tx, const struct stance_row *r)
{
    struct params p = {0};
    p_str(&p, r->source);
    p_str(&p, r->author_hash);
    p_str(&p, r->topic);
    p_str(&p, r->region);
    p_str(&p, r->sex);
    p_str(&p, r->age);
    p_str(&p, r->urban);
    p_i64(&p, r->stance);
    p_i64(&p, r->at);
    if (r->bot >= 0)
        p_f64(&p, r->bot);
    else
        p_str(&p, NULL);
    p_bool(&p, r->synthetic);
    return run_done(
        tx->impl,
        "INSERT INTO opinion_stances(source, author_hash, topic, region, sex, age,"
        " urban, stance, at, bot, synthetic) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
        &p);
}

static enum err
pg_stance_list(struct store *s, struct arena *a, const struct stance_query *qr,
               struct stance_row **rows, size_t *count)
{
    struct pg *q = PG(s);
    *rows = NULL;
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, qr->topic);
    p_i64(&p, qr->from);
    p_i64(&p, qr->to);
    p_str(&p, qr->sources);
    p_str(&p, qr->region);
    p_i64(&p, (int64_t)qr->limit + 1); /* one past the limit tells "too many" */
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT id, source, author_hash, topic, region, sex, age, urban, stance,"
                          " at, bot, synthetic FROM opinion_stances WHERE topic = $1"
                          " AND at >= $2::bigint AND at < $3::bigint"
                          " AND ($4::text IS NULL OR strpos($4::text, ',' || source || ',') > 0)"
                          " AND ($5::text IS NULL OR region = $5::text) ORDER BY at, id LIMIT $6",
                          &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    if (n > qr->limit) {
        e = ERR_TOOBIG;
        n = 0;
    }
    struct stance_row *v = ARENA_ARRAY(a, struct stance_row, n + 1);
    for (size_t i = 0; i < n; i++) {
        int k = (int)i;
        v[i] = (struct stance_row){
            .id = get_i64(r, k, 0),
            .source = get_str(a, r, k, 1),
            .author_hash = get_str(a, r, k, 2),
            .topic = get_str(a, r, k, 3),
            .region = get_str(a, r, k, 4),
            .sex = get_str(a, r, k, 5),
            .age = get_str(a, r, k, 6),
            .urban = get_str(a, r, k, 7),
            .stance = (int)get_i64(r, k, 8),
            .at = get_i64(r, k, 9),
            .bot = is_null(r, k, 10) ? -1 : get_f64(r, k, 10),
            .synthetic = get_i64(r, k, 11) != 0,
        };
    }
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
pg_tx_stance_purge_synthetic(struct store_tx *tx, int64_t *removed)
{
    PGresult *r;
    enum err e = run(tx->impl, "DELETE FROM opinion_stances WHERE synthetic = 1", NULL, &r);
    if (!e)
        *removed = affected(r);
    PQclear(r);
    return e;
}

/* ---- router: models, keyword rules, routing decisions ---- */

static enum err
pg_tx_model_insert(struct store_tx *tx, struct model_row *m)
{
    struct conn *c = tx->impl;
    struct params p = {0};
    p_str(&p, m->kind);
    PGresult *r;
    /* The writer is the only one inserting, so max + 1 cannot race. */
    enum err e = run(c, "SELECT coalesce(max(version), 0) FROM models WHERE kind = $1", &p, &r);
    if (e)
        return e;
    m->version = get_i64(r, 0, 0) + 1;
    PQclear(r);
    struct params q = {0};
    p_str(&q, m->kind);
    p_i64(&q, m->version);
    p_i64(&q, m->created_at);
    p_str(&q, m->source);
    p_str(&q, m->metrics);
    p_blob(&q, m->bytes, (int)m->bytes_len);
    e = run(c,
            "INSERT INTO models(kind, version, created_at, source, metrics, bytes)"
            " VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
            &q, &r);
    if (!e)
        m->id = get_i64(r, 0, 0);
    PQclear(r);
    return e;
}

#define MODEL_COLS "id, kind, version, created_at, source, metrics"

/* Row k of r into *m; with bytes, column 6 (a bytea in text form) decoded
 * into a. false if it does not decode. */
static bool
read_model(struct arena *a, const PGresult *r, int k, struct model_row *m, bool bytes)
{
    *m = (struct model_row){
        .id = get_i64(r, k, 0),
        .kind = get_str(a, r, k, 1),
        .version = get_i64(r, k, 2),
        .created_at = get_i64(r, k, 3),
        .source = get_str(a, r, k, 4),
        .metrics = get_str(a, r, k, 5),
    };
    if (!bytes)
        return true;
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, k, 6), &n);
    if (!raw)
        return false;
    void *out = arena_alloc(a, n ? n : 1);
    memcpy(out, raw, n);
    PQfreemem(raw);
    m->bytes = out;
    m->bytes_len = n;
    return true;
}

static enum err
pg_model_get(struct store *s, struct arena *a, const char *kind, int64_t version,
             struct model_row *out)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, kind);
    p_i64(&p, version);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT " MODEL_COLS ", bytes FROM models WHERE kind = $1"
                          " AND ($2::bigint = 0 OR version = $2::bigint)"
                          " ORDER BY version DESC LIMIT 1",
                          &p, &r);
    if (!e && PQntuples(r) == 0)
        e = ERR_NOTFOUND;
    if (!e && !read_model(a, r, 0, out, true)) {
        set_err("cannot decode the model's bytes");
        e = ERR_STORE;
    }
    PQclear(r);
    pool_put(q, c);
    return e;
}

static enum err
pg_model_latest(struct store *s, const char *kind, int64_t *version)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, kind);
    PGresult *r;
    enum err e =
        read_run(q, c, "SELECT coalesce(max(version), 0) FROM models WHERE kind = $1", &p, &r);
    if (!e)
        *version = get_i64(r, 0, 0);
    PQclear(r);
    pool_put(q, c);
    return e;
}

static enum err
pg_model_list(struct store *s, struct arena *a, struct model_row **rows, size_t *count)
{
    struct pg *q = PG(s);
    *rows = NULL;
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r;
    enum err e =
        read_run(q, c, "SELECT " MODEL_COLS " FROM models ORDER BY kind, version", NULL, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct model_row *v = ARENA_ARRAY(a, struct model_row, n + 1);
    for (size_t i = 0; i < n; i++)
        (void)read_model(a, r, (int)i, &v[i], false);
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
pg_tx_keyword_rules_replace(struct store_tx *tx, const struct keyword_rule_row *rules, size_t n)
{
    struct conn *c = tx->impl;
    enum err e = run_done(c, "DELETE FROM keyword_rules", NULL);
    for (size_t i = 0; i < n && !e; i++) {
        struct params p = {0};
        p_i64(&p, (int64_t)i + 1);
        p_str(&p, rules[i].keyword);
        p_str(&p, rules[i].region);
        p_str(&p, rules[i].topic);
        p_str(&p, rules[i].agency);
        p_str(&p, rules[i].created_by);
        p_i64(&p, rules[i].created_at);
        e = run_done(c,
                     "INSERT INTO keyword_rules(position, keyword, region, topic, agency,"
                     " created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
                     &p);
    }
    return e;
}

static enum err
pg_keyword_rules(struct store *s, struct arena *a, struct keyword_rule_row **rows, size_t *count)
{
    struct pg *q = PG(s);
    *rows = NULL;
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT keyword, region, topic, agency, created_by, created_at"
                          " FROM keyword_rules ORDER BY position",
                          NULL, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct keyword_rule_row *v = ARENA_ARRAY(a, struct keyword_rule_row, n + 1);
    for (size_t i = 0; i < n; i++) {
        int k = (int)i;
        v[i] =
            (struct keyword_rule_row){get_str(a, r, k, 0), get_str(a, r, k, 1), get_str(a, r, k, 2),
                                      get_str(a, r, k, 3), get_str(a, r, k, 4), get_i64(r, k, 5)};
    }
    PQclear(r);
    pool_put(q, c);
    *rows = v;
    *count = n;
    return e;
}

static enum err
pg_tx_appeal_routing(struct store_tx *tx, int64_t appeal_id, const struct appeal_routing *rt)
{
    struct params p = {0};
    p_i64(&p, appeal_id);
    p_str(&p, rt->routed_by);
    p_str(&p, rt->model_topic);
    p_str(&p, rt->model_agency);
    if (rt->model_topic)
        p_f64(&p, rt->topic_confidence);
    else
        p_str(&p, NULL);
    if (rt->model_agency)
        p_f64(&p, rt->agency_confidence);
    else
        p_str(&p, NULL);
    if (rt->model_version)
        p_i64(&p, rt->model_version);
    else
        p_str(&p, NULL);
    if (rt->agency_model_version)
        p_i64(&p, rt->agency_model_version);
    else
        p_str(&p, NULL);
    PGresult *r;
    enum err e =
        run(tx->impl,
            "UPDATE appeals SET routed_by = coalesce($2, routed_by), model_topic = coalesce($3, "
            "model_topic), model_agency = coalesce($4, model_agency),"
            " topic_confidence = coalesce($5::float8, topic_confidence), agency_confidence = "
            "coalesce($6::float8, agency_confidence), model_version = coalesce($7::bigint, "
            "model_version),"
            " agency_model_version = coalesce($8::bigint, agency_model_version) WHERE id = $1",
            &p, &r);
    if (!e && strcmp(PQcmdTuples(r), "0") == 0)
        e = ERR_NOTFOUND;
    PQclear(r);
    return e;
}

static enum err
pg_corrections(struct store *s, struct arena *a, const char *kind, size_t limit,
               struct correction_row **rows, size_t *count)
{
    struct pg *q = PG(s);
    *rows = NULL;
    *count = 0;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, kind);
    p_i64(&p, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    PGresult *r;
    enum err e = read_run(
        q, c,
        "SELECT a.text, CASE WHEN $1::text = 'topic' THEN a.topic ELSE a.agency END"
        " FROM appeals a WHERE (CASE WHEN $1::text = 'topic' THEN a.topic ELSE a.agency END)"
        " IS NOT NULL AND EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id"
        " AND (e.action = 'routed' OR ($1::text = 'agency' AND e.action = 'forwarded')))"
        " ORDER BY a.id DESC LIMIT $2::bigint",
        &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct correction_row *v = ARENA_ARRAY(a, struct correction_row, n + 1);
    for (size_t i = 0; i < n; i++)
        v[i] = (struct correction_row){get_str(a, r, (int)i, 0), get_str(a, r, (int)i, 1)};
    PQclear(r);
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
read_cluster(struct arena *a, const PGresult *r, int row, struct cluster_row *c)
{
    const char *open = peek_str(r, row, 9);
    *c = (struct cluster_row){
        .id = get_i64(r, row, 0),
        .topic = get_str(a, r, row, 1),
        .region = get_str(a, r, row, 2),
        .agency = get_str(a, r, row, 3),
        .representative = get_i64(r, row, 4),
        .rep_text = get_str(a, r, row, 5),
        .count = get_i64(r, row, 6),
        .first_seen = get_i64(r, row, 7),
        .last_seen = get_i64(r, row, 8),
        .open = open != NULL && open[0] == 't',
        .answered_at = get_i64(r, row, 10),
        .answered_count = get_i64(r, row, 11),
    };
}

static enum err
set_appeal_cluster(struct conn *c, int64_t appeal_id, int64_t cluster_id)
{
    struct params p = {0};
    p_i64(&p, appeal_id);
    p_i64(&p, cluster_id);
    PGresult *r;
    enum err e = run(c, "UPDATE appeals SET cluster_id = $2::bigint WHERE id = $1::bigint", &p, &r);
    if (!e && affected(r) != 1)
        e = ERR_NOTFOUND;
    PQclear(r);
    return e;
}

static enum err
pg_tx_cluster_insert(struct store_tx *tx, const struct cluster_row *cl)
{
    struct params p = {0};
    p_i64(&p, cl->id);
    p_str(&p, cl->topic);
    p_str(&p, cl->region);
    p_str(&p, cl->agency);
    p_i64(&p, cl->representative ? cl->representative : cl->id);
    p_str(&p, cl->rep_text ? cl->rep_text : "");
    p_i64(&p, cl->first_seen);
    PGresult *r;
    enum err e = run(tx->impl,
                     "INSERT INTO clusters(id, topic, region, agency, representative, rep_text,"
                     " count, first_seen, last_seen, open) SELECT a.id, $2::text, $3::text,"
                     " $4::text, $5::bigint, $6::text, 1, $7::bigint, $7::bigint, true"
                     " FROM appeals a WHERE a.id = $1::bigint",
                     &p, &r);
    if (!e && affected(r) != 1)
        e = ERR_NOTFOUND;
    PQclear(r);
    if (!e)
        e = set_appeal_cluster(tx->impl, cl->id, cl->id);
    return e;
}

static enum err
pg_tx_cluster_join(struct store_tx *tx, int64_t id, int64_t appeal_id, int64_t at,
                   int64_t representative, const char *rep_text, int64_t *count)
{
    struct params p = {0};
    p_i64(&p, id);
    p_i64(&p, at);
    p_i64(&p, representative);
    p_str(&p, rep_text ? rep_text : "");
    PGresult *r;
    enum err e = run(tx->impl,
                     "UPDATE clusters SET count = count + 1, last_seen = greatest(last_seen,"
                     " $2::bigint), representative = $3::bigint, rep_text = $4::text"
                     " WHERE id = $1::bigint AND open RETURNING count",
                     &p, &r);
    if (!e && PQntuples(r) != 1)
        e = ERR_NOTFOUND;
    if (!e)
        *count = get_i64(r, 0, 0);
    PQclear(r);
    if (!e)
        e = set_appeal_cluster(tx->impl, appeal_id, id);
    return e;
}

static enum err
pg_tx_cluster_close(struct store_tx *tx, int64_t id, int64_t at, int64_t n)
{
    struct params p = {0};
    p_i64(&p, id);
    p_i64(&p, at);
    p_i64(&p, n);
    PGresult *r;
    enum err e = run(tx->impl,
                     "UPDATE clusters SET open = false, answered_at = $2::bigint,"
                     " answered_count = $3::bigint WHERE id = $1::bigint AND open",
                     &p, &r);
    if (!e && affected(r) != 1)
        e = ERR_NOTFOUND;
    PQclear(r);
    return e;
}

static const char sql_cluster_get[] =
    "SELECT " CLUSTER_COLS " FROM clusters c WHERE c.id = $1::bigint AND ($2::text IS NULL OR"
    " EXISTS (SELECT 1 FROM appeals m WHERE m.cluster_id = c.id AND m.agency = $2::text))";

static enum err
cluster_from(struct arena *a, enum err e, PGresult *r, struct cluster_row *out)
{
    if (!e && PQntuples(r) != 1)
        e = ERR_NOTFOUND;
    if (!e)
        read_cluster(a, r, 0, out);
    PQclear(r);
    return e;
}

static enum err
pg_tx_cluster_get(struct store_tx *tx, struct arena *a, int64_t id, struct cluster_row *out)
{
    struct params p = {0};
    p_i64(&p, id);
    p_str(&p, NULL);
    PGresult *r;
    enum err e = run(tx->impl, sql_cluster_get, &p, &r);
    return cluster_from(a, e, r, out);
}

static enum err
pg_tx_appeal_text(struct store_tx *tx, struct arena *a, int64_t id, const char **text)
{
    struct params p = {0};
    p_i64(&p, id);
    PGresult *r;
    enum err e = run(tx->impl, "SELECT text FROM appeals WHERE id = $1::bigint", &p, &r);
    if (!e && PQntuples(r) != 1)
        e = ERR_NOTFOUND;
    if (!e)
        *text = get_str(a, r, 0, 0);
    PQclear(r);
    return e;
}

static enum err
pg_tx_cluster_members(struct store_tx *tx, struct arena *a, int64_t id, const char *agency,
                      size_t limit, const char ***tracking, size_t *count)
{
    struct params p = {0};
    p_i64(&p, id);
    p_str(&p, agency);
    p_i64(&p, (int64_t)(limit < INT64_MAX ? limit + 1 : limit));
    PGresult *r;
    enum err e = run(tx->impl,
                     "SELECT tracking_id FROM appeals WHERE cluster_id = $1::bigint"
                     " AND ($2::text IS NULL OR agency = $2::text) AND closed_at IS NULL"
                     " AND status <> 'answered' ORDER BY id LIMIT $3::bigint",
                     &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    if (!e && n > limit)
        e = ERR_TOOBIG;
    if (!e) {
        const char **v = ARENA_ARRAY(a, const char *, n + 1);
        for (size_t i = 0; i < n; i++)
            v[i] = get_str(a, r, (int)i, 0);
        *tracking = v;
        *count = n;
    }
    PQclear(r);
    return e;
}

static enum err
pg_tx_cluster_history(struct store_tx *tx, struct arena *a, int64_t since, int64_t after,
                      size_t limit, struct cluster_history_row **rows, size_t *count)
{
    struct params p = {0};
    p_i64(&p, since);
    p_i64(&p, after);
    p_i64(&p, (int64_t)limit);
    PGresult *r;
    enum err e = run(tx->impl,
                     "SELECT a.id, a.text, a.address, a.topic, a.region, a.lat, a.lon, a.filed_at,"
                     " a.cluster_id, coalesce(k.open, false) FROM appeals a"
                     " LEFT JOIN clusters k ON k.id = a.cluster_id WHERE a.id > $2::bigint"
                     " AND (a.filed_at >= $1::bigint OR a.id IN (SELECT id FROM clusters"
                     " WHERE open AND last_seen >= $1::bigint)) ORDER BY a.id LIMIT $3::bigint",
                     &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct cluster_history_row *v = ARENA_ARRAY(a, struct cluster_history_row, n + 1);
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        const char *open = peek_str(r, row, 9);
        v[i] = (struct cluster_history_row){
            .id = get_i64(r, row, 0),
            .text = get_str(a, r, row, 1),
            .address = get_str(a, r, row, 2),
            .topic = get_str(a, r, row, 3),
            .region = get_str(a, r, row, 4),
            .has_location = !is_null(r, row, 5),
            .lat = get_f64(r, row, 5),
            .lon = get_f64(r, row, 6),
            .filed_at = get_i64(r, row, 7),
            .cluster_id = get_i64(r, row, 8),
            .cluster_open = open != NULL && open[0] == 't',
        };
    }
    PQclear(r);
    *rows = v;
    *count = n;
    return e;
}

static enum err
pg_cluster_get(struct store *s, struct arena *a, int64_t id, const char *agency,
               struct cluster_row *out)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_i64(&p, id);
    p_str(&p, agency);
    PGresult *r;
    enum err e = read_run(q, c, sql_cluster_get, &p, &r);
    e = cluster_from(a, e, r, out);
    pool_put(q, c);
    return e;
}

static enum err
pg_cluster_list(struct store *s, struct arena *a, const struct cluster_query *cq,
                struct cluster_row **rows, size_t *count, bool *more)
{
    struct pg *q = PG(s);
    *rows = NULL;
    *count = 0;
    *more = false;
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_str(&p, cq->region);
    p_str(&p, cq->topic);
    p_i64(&p, cq->open);
    p_str(&p, cq->agency);
    p_bool(&p, cq->has_cursor);
    p_i64(&p, cq->cursor_last);
    p_i64(&p, cq->cursor_id);
    p_i64(&p, (int64_t)cq->limit + 1);
    PGresult *r;
    enum err e = read_run(
        q, c,
        "SELECT " CLUSTER_COLS " FROM clusters c WHERE ($1::text IS NULL OR c.region = $1::text)"
        " AND ($2::text IS NULL OR c.topic = $2::text) AND ($3::int < 0 OR c.open = ($3::int = 1))"
        " AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM appeals m WHERE m.cluster_id = c.id"
        " AND m.agency = $4::text)) AND (NOT $5::boolean OR (c.last_seen, c.id) <"
        " ($6::bigint, $7::bigint)) ORDER BY c.last_seen DESC, c.id DESC LIMIT $8::bigint",
        &p, &r);
    size_t n = e ? 0 : (size_t)PQntuples(r);
    struct cluster_row *v = ARENA_ARRAY(a, struct cluster_row, n + 1);
    for (size_t i = 0; i < n; i++)
        read_cluster(a, r, (int)i, &v[i]);
    PQclear(r);
    pool_put(q, c);
    *more = n > cq->limit;
    *count = n > cq->limit ? cq->limit : n;
    *rows = v;
    return e;
}

static enum err
pg_appeal_cluster(struct store *s, int64_t appeal_id, int64_t *cluster_id, int64_t *count)
{
    struct pg *q = PG(s);
    struct conn *c = pool_get(q);
    if (!c)
        return ERR_UNAVAILABLE;
    struct params p = {0};
    p_i64(&p, appeal_id);
    PGresult *r;
    enum err e = read_run(q, c,
                          "SELECT k.id, k.count FROM appeals a JOIN clusters k"
                          " ON k.id = a.cluster_id WHERE a.id = $1::bigint",
                          &p, &r);
    if (!e && PQntuples(r) != 1)
        e = ERR_NOTFOUND;
    if (!e) {
        *cluster_id = get_i64(r, 0, 0);
        *count = get_i64(r, 0, 1);
    }
    PQclear(r);
    pool_put(q, c);
    return e;
}

const struct store_ops store_pg_ops = {
    .scheme = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .errmsg_set = pg_errmsg_set,
    .migrate = pg_migrate,
    .ping = pg_ping,
    .write_async = pg_write_async,
    .tx_counter_next = pg_tx_counter_next,
    .tx_appeal_insert = pg_tx_appeal_insert,
    .tx_appeal_update = pg_tx_appeal_update,
    .tx_appeal_get = pg_tx_appeal_get,
    .tx_event_append = pg_tx_event_append,
    .tx_answer_insert = pg_tx_answer_insert,
    .tx_idem_get = pg_tx_idem_get,
    .tx_idem_put = pg_tx_idem_put,
    .tx_rate_hit = pg_tx_rate_hit,
    .tx_audit = pg_tx_audit,
    .tx_stream_event = pg_tx_stream_event,
    .tx_outbox = pg_tx_outbox,
    .tx_outbox_sent = pg_tx_outbox_sent,
    .outbox_pending = pg_outbox_pending,
    .tx_user_insert = pg_tx_user_insert,
    .tx_session_insert = pg_tx_session_insert,
    .tx_session_delete = pg_tx_session_delete,
    .tx_token_insert = pg_tx_token_insert,
    .tx_rule_upsert = pg_tx_rule_upsert,
    .tx_purge = pg_tx_purge,
    .appeal_get = pg_appeal_get,
    .events_list = pg_events_list,
    .stream_since = pg_stream_since,
    .stream_last_id = pg_stream_last_id,
    .answers_list = pg_answers_list,
    .queue = pg_queue,
    .answered = pg_answered,
    .due_scan = pg_due_scan,
    .user_by_login = pg_user_by_login,
    .user_by_id = pg_user_by_id,
    .agency_staff = pg_agency_staff,
    .session_lookup = pg_session_lookup,
    .token_lookup = pg_token_lookup,
    .ref_load = pg_ref_load,
    .chain_verify = pg_chain_verify,
    .counts = pg_counts,
    .stats = pg_stats,
    .tx_calibration_insert = pg_tx_calibration_insert,
    .calibration_list = pg_calibration_list,
    .calibration_get = pg_calibration_get,
    .tx_stance_insert = pg_tx_stance_insert,
    .stance_list = pg_stance_list,
    .tx_stance_purge_synthetic = pg_tx_stance_purge_synthetic,
    .tx_model_insert = pg_tx_model_insert,
    .model_get = pg_model_get,
    .model_latest = pg_model_latest,
    .model_list = pg_model_list,
    .tx_keyword_rules_replace = pg_tx_keyword_rules_replace,
    .keyword_rules = pg_keyword_rules,
    .tx_appeal_routing = pg_tx_appeal_routing,
    .corrections = pg_corrections,
    .tx_cluster_insert = pg_tx_cluster_insert,
    .tx_cluster_join = pg_tx_cluster_join,
    .tx_cluster_close = pg_tx_cluster_close,
    .tx_cluster_get = pg_tx_cluster_get,
    .tx_cluster_members = pg_tx_cluster_members,
    .tx_cluster_history = pg_tx_cluster_history,
    .tx_appeal_text = pg_tx_appeal_text,
    .cluster_get = pg_cluster_get,
    .cluster_list = pg_cluster_list,
    .appeal_cluster = pg_appeal_cluster,
};
