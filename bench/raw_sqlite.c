/*
 * raw_sqlite.c - the SQLite ceilings that bench/run.sh sets beside tyndau.
 *
 *   raw_sqlite insert FILE [--group=N] [--seconds=S] [--full] [--savepoint]
 *                          [--temp-store-memory]
 *       Insert appeals into FILE (a schema made by `tyndau migrate`) for S
 *       seconds in a tight loop, N appeals per transaction, at tyndau's
 *       durability (WAL, synchronous=FULL, foreign keys on). Each appeal writes
 *       the rows tyndau writes for a submission: one appeals row, one
 *       appeal_events row, one events row and one idempotency row.
 *       --full runs tyndau's whole statement sequence per appeal instead (the
 *       idempotency look-up, the rate-limit and counter upserts, the chain
 *       head read and the last_hash update); --savepoint wraps each appeal in
 *       SAVEPOINT/RELEASE as tyndau's writer does; --temp-store-memory sets
 *       PRAGMA temp_store=MEMORY (where the savepoint journal lives).
 *
 *   raw_sqlite queue FILE --agency=A [--limit=N] [--seconds=S] [--threads=T]
 *                         [--narrow]
 *       Run tyndau's queue SELECT (copied from src/store/store_sqlite.c) for
 *       agency A, LIMIT N+1, reading every column of every row, on T threads
 *       with one read-only connection each, for S seconds. --narrow selects
 *       only the 19 columns the queue's JSON shows instead of all 34.
 *
 *   raw_sqlite count FILE
 *       Print the number of appeals and of idempotency keys in FILE.
 *
 * Prints one line of name=value pairs (bench/run.sh parses it).
 * Exports nothing; a tool, not part of tyndau.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { THREADS_MAX = 64 };

struct opts {
    const char *mode;
    const char *path;
    long group;
    double seconds;
    bool full;
    bool savepoint;
    bool temp_mem;
    bool narrow;
    const char *agency;
    long limit;
    long threads;
};

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) this process has used: a cost that the load
 * of other processes on the machine does not inflate, unlike the wall clock. */
static double
cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void
die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "raw_sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "no connection");
    exit(1);
}

/* A decimal number in [lo, hi]; false if s is not one. */
static bool
parse_long(const char *s, long lo, long hi, long *out)
{
    long v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (hi - (*s - '0')) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    if (v < lo)
        return false;
    *out = v;
    return true;
}

static const char *
opt_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

static void
usage(void)
{
    fprintf(stderr, "usage: raw_sqlite insert FILE [--group=N] [--seconds=S] [--full]"
                    " [--savepoint] [--temp-store-memory]\n"
                    "       raw_sqlite queue FILE --agency=A [--limit=N] [--seconds=S]"
                    " [--threads=T] [--narrow]\n"
                    "       raw_sqlite count FILE\n");
    exit(2);
}

static struct opts
parse_args(int argc, char **argv)
{
    struct opts o = {.group = 1, .seconds = 5, .limit = 50, .threads = 2};
    if (argc < 3 || argv[2][0] == '-')
        usage();
    o.mode = argv[1];
    o.path = argv[2];
    for (int i = 3; i < argc; i++) {
        const char *v;
        long n;
        if ((v = opt_value(argv[i], "--group")) != NULL) {
            if (!parse_long(v, 1, 1000000, &o.group))
                usage();
        } else if ((v = opt_value(argv[i], "--seconds")) != NULL) {
            if (!parse_long(v, 1, 3600, &n))
                usage();
            o.seconds = (double)n;
        } else if ((v = opt_value(argv[i], "--limit")) != NULL) {
            if (!parse_long(v, 1, 200, &o.limit))
                usage();
        } else if ((v = opt_value(argv[i], "--threads")) != NULL) {
            if (!parse_long(v, 1, THREADS_MAX, &o.threads))
                usage();
        } else if ((v = opt_value(argv[i], "--agency")) != NULL) {
            o.agency = v;
        } else if (strcmp(argv[i], "--full") == 0) {
            o.full = true;
        } else if (strcmp(argv[i], "--savepoint") == 0) {
            o.savepoint = true;
        } else if (strcmp(argv[i], "--temp-store-memory") == 0) {
            o.temp_mem = true;
        } else if (strcmp(argv[i], "--narrow") == 0) {
            o.narrow = true;
        } else {
            usage();
        }
    }
    return o;
}

/* ---- insert ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t
rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void
rng_bytes(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rng_next();
}

/* 16 characters of lowercase base32, as tyndau's tracking ids. */
static void
rng_token16(char out[17])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    uint64_t a = rng_next(), b = rng_next();
    for (int i = 0; i < 16; i++) {
        uint64_t *w = i < 8 ? &a : &b;
        out[i] = alphabet[*w & 31];
        *w >>= 5;
    }
    out[16] = '\0';
}

static const char appeal_text[] =
    "Здравствуйте! В нашем доме по улице Абая уже третий день нет холодной воды, а горячая "
    "идёт только ночью. Жильцы несколько раз звонили в аварийную службу водоканала, но нам "
    "отвечают, что бригада выехала, и никто не приходит. Просим срочно устранить аварию и "
    "сообщить сроки восстановления водоснабжения.";

struct ins {
    sqlite3 *db;
    const struct opts *o;
    sqlite3_stmt *idem_get, *rate, *counter, *appeal, *head, *event, *last_hash, *stream, *idem_put;
    sqlite3_stmt *sp, *release;
    int64_t seq;
    int64_t run;
};

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(db, sql);
    return st;
}

static void
step_done(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        die(db, sqlite3_sql(st));
    sqlite3_reset(st);
}

static void
exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(db, sql);
}

/* The statements are tyndau's (src/store/store_sqlite.c), minus the caching. */
static void
ins_prepare(struct ins *s)
{
    sqlite3 *db = s->db;
    s->idem_get = prepare(db, "SELECT req_hash, response FROM idempotency WHERE key = ?1");
    s->rate = prepare(db, "INSERT INTO rate_limits(key, window, n) VALUES (?1, ?2, 1)"
                          " ON CONFLICT(key) DO UPDATE SET"
                          " n = CASE WHEN window = ?2 THEN n + 1 ELSE 1 END, window = ?2"
                          " RETURNING n");
    s->counter = prepare(db, "INSERT INTO counters(name, n) VALUES (?1, 1)"
                             " ON CONFLICT(name) DO UPDATE SET n = n + 1 RETURNING n");
    s->appeal = prepare(
        db, "INSERT INTO appeals(tracking_id, secret_hash, reg_number, kind, channel, language,"
            " region, topic, agency, status, text, address, lat, lon, contact_name, contact_email,"
            " contact_phone, anonymous, consent, owner_user, registered_by, filed_at,"
            " registered_at, due_at, forward_due_at, updated_at, last_hash, contact_iin)"
            " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,"
            "?22,?23,?24,?25,?26,?28,?27)");
    s->head = prepare(db, "SELECT a.last_hash, (SELECT COALESCE(MAX(seq), 0) FROM"
                          " appeal_events e WHERE e.appeal_id = a.id) FROM appeals a"
                          " WHERE a.id = ?1");
    s->event = prepare(db, "INSERT INTO appeal_events(appeal_id, seq, at, action, actor_role,"
                           " actor_id, from_status, to_status, agency, reason, due_at, prev_hash,"
                           " hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)");
    s->last_hash = prepare(db, "UPDATE appeals SET last_hash = ?2 WHERE id = ?1");
    s->stream = prepare(db, "INSERT INTO events(at, kind, agency, region, appeal_id, data)"
                            " VALUES (?1,?2,?3,?4,?5,?6)");
    s->idem_put = prepare(db, "INSERT INTO idempotency(key, req_hash, appeal_id, response,"
                              " created_at) VALUES (?1,?2,?3,?4,?5)");
    s->sp = prepare(db, "SAVEPOINT job");
    s->release = prepare(db, "RELEASE job");
}

static void
ins_finalize(struct ins *s)
{
    sqlite3_stmt *all[] = {s->idem_get,  s->rate,   s->counter,  s->appeal, s->head,   s->event,
                           s->last_hash, s->stream, s->idem_put, s->sp,     s->release};
    for (size_t i = 0; i < ARRAY_LEN(all); i++)
        sqlite3_finalize(all[i]);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* One appeal: the rows (and with --full the statements) of one tyndau submission. */
static void
ins_one(struct ins *s, int64_t now)
{
    sqlite3 *db = s->db;
    const struct opts *o = s->o;
    char key[64], tracking[17], reg[32], text[sizeof(appeal_text) + 96], json[512];
    unsigned char secret_hash[32], req_hash[32], hash[32], prev[32] = {0};
    int64_t id, seq = ++s->seq;
    int64_t registered = now, due = now + 21 * 86400, forward_due = now + 7 * 86400;

    snprintf(key, sizeof(key), "raw-%lld-%lld", (long long)s->run, (long long)seq);
    rng_token16(tracking);
    rng_bytes(secret_hash, sizeof(secret_hash));
    rng_bytes(req_hash, sizeof(req_hash));
    rng_bytes(hash, sizeof(hash));
    snprintf(text, sizeof(text), "%s Обращение %s.", appeal_text, key);
    if (o->savepoint)
        step_done(db, s->sp);
    if (o->full) {
        sqlite3_bind_text(s->idem_get, 1, key, -1, SQLITE_STATIC);
        step_done(db, s->idem_get);
        sqlite3_bind_text(s->rate, 1, "ip:127.0.0.1:submit", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->rate, 2, now - now % 60);
        step_done(db, s->rate);
        sqlite3_bind_text(s->counter, 1, "raw:2026", -1, SQLITE_STATIC);
        step_done(db, s->counter);
    }
    snprintf(reg, sizeof(reg), "75-%lld-%07lld", (long long)s->run, (long long)seq);

    sqlite3_stmt *st = s->appeal;
    bind_text(st, 1, tracking);
    sqlite3_bind_blob(st, 2, secret_hash, 32, SQLITE_STATIC);
    bind_text(st, 3, reg);
    bind_text(st, 4, "complaint");
    bind_text(st, 5, "web");
    bind_text(st, 6, "ru");
    bind_text(st, 7, "750000000");
    bind_text(st, 8, "water");
    bind_text(st, 9, "almaty-city.energy");
    bind_text(st, 10, "registered");
    bind_text(st, 11, text);
    bind_text(st, 12, "г. Алматы, ул. Абая, 10");
    sqlite3_bind_null(st, 13);
    sqlite3_bind_null(st, 14);
    bind_text(st, 15, "Айгерим Сапарова");
    sqlite3_bind_null(st, 16);
    bind_text(st, 17, "+7 701 123 45 67");
    sqlite3_bind_int(st, 18, 0);
    sqlite3_bind_int(st, 19, 1);
    sqlite3_bind_null(st, 20);
    bind_text(st, 21, "almaty-city.energy");
    sqlite3_bind_int64(st, 22, now);
    sqlite3_bind_int64(st, 23, registered);
    sqlite3_bind_int64(st, 24, due);
    sqlite3_bind_int64(st, 25, forward_due);
    sqlite3_bind_int64(st, 26, now);
    sqlite3_bind_null(st, 27);
    /* tyndau writes zeroblob(32) here and the head in a later UPDATE (--full). */
    sqlite3_bind_blob(st, 28, o->full ? prev : hash, 32, SQLITE_STATIC);
    step_done(db, st);
    id = sqlite3_last_insert_rowid(db);

    if (o->full) {
        sqlite3_bind_int64(s->head, 1, id);
        step_done(db, s->head);
    }
    st = s->event;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, 1);
    sqlite3_bind_int64(st, 3, registered);
    bind_text(st, 4, "registered");
    bind_text(st, 5, "citizen");
    sqlite3_bind_null(st, 6);
    sqlite3_bind_null(st, 7);
    bind_text(st, 8, "registered");
    bind_text(st, 9, "almaty-city.energy");
    sqlite3_bind_null(st, 10);
    sqlite3_bind_int64(st, 11, due);
    sqlite3_bind_blob(st, 12, prev, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 13, hash, 32, SQLITE_STATIC);
    step_done(db, st);
    if (o->full) {
        sqlite3_bind_int64(s->last_hash, 1, id);
        sqlite3_bind_blob(s->last_hash, 2, hash, 32, SQLITE_STATIC);
        step_done(db, s->last_hash);
    }

    snprintf(json, sizeof(json),
             "{\"tracking_id\":\"%s\",\"registration_number\":\"%s\",\"action\":\"registered\","
             "\"status\":\"registered\",\"kind\":\"complaint\",\"channel\":\"web\","
             "\"region\":\"750000000\",\"topic\":\"water\",\"agency\":\"almaty-city.energy\","
             "\"due_at\":\"2026-12-22T23:59:59+05:00\",\"at\":\"2026-11-30T09:00:00+05:00\"}",
             tracking, reg);
    st = s->stream;
    sqlite3_bind_int64(st, 1, registered);
    bind_text(st, 2, "appeal.registered");
    bind_text(st, 3, "almaty-city.energy");
    bind_text(st, 4, "750000000");
    sqlite3_bind_int64(st, 5, id);
    bind_text(st, 6, json);
    step_done(db, st);

    snprintf(json, sizeof(json),
             "{\"tracking_id\":\"%s\",\"secret\":\"ddh5prvaqplecngfmnadpw7tn4\","
             "\"registration_number\":\"%s\",\"registered_at\":\"2026-11-30T09:00:00+05:00\","
             "\"registered_by\":\"almaty-city.energy\",\"status\":\"registered\","
             "\"topic\":\"water\",\"agency\":\"almaty-city.energy\","
             "\"due_at\":\"2026-12-22T23:59:59+05:00\",\"track_url\":\"/track/%s\"}",
             tracking, reg, tracking);
    st = s->idem_put;
    bind_text(st, 1, key);
    sqlite3_bind_blob(st, 2, req_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    bind_text(st, 4, json);
    sqlite3_bind_int64(st, 5, now);
    step_done(db, st);
    if (o->savepoint)
        step_done(db, s->release);
}

static int
run_insert(const struct opts *o)
{
    struct ins s = {.o = o};
    if (sqlite3_open_v2(o->path, &s.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die(s.db, o->path);
    sqlite3_db_config(s.db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(s.db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, NULL);
    /* tyndau's writer connection (src/store/store_sqlite.c conn_open). */
    exec(s.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               " PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=4000;");
    if (o->temp_mem)
        exec(s.db, "PRAGMA temp_store=MEMORY");
    ins_prepare(&s);
    s.run = (int64_t)time(NULL);
    rng_state ^= (uint64_t)s.run * 0x2545F4914F6CDD1Du;
    int64_t appeals = 0, commits = 0;
    double c0 = cpu_s(), t0 = now_s(), end = t0 + o->seconds, t;
    do {
        int64_t now = (int64_t)time(NULL);
        exec(s.db, "BEGIN IMMEDIATE");
        for (long i = 0; i < o->group; i++)
            ins_one(&s, now);
        exec(s.db, "COMMIT");
        appeals += o->group;
        commits++;
        t = now_s();
    } while (t < end);
    double secs = t - t0, cpu = cpu_s() - c0;
    printf("raw_sqlite mode=insert group=%ld full=%d savepoint=%d temp_store_memory=%d"
           " appeals=%lld commits=%lld seconds=%.3f appeals_per_s=%.0f commits_per_s=%.1f"
           " cpu_us_per_appeal=%.0f\n",
           o->group, o->full, o->savepoint, o->temp_mem, (long long)appeals, (long long)commits,
           secs, (double)appeals / secs, (double)commits / secs, cpu * 1e6 / (double)appeals);
    ins_finalize(&s);
    sqlite3_close(s.db);
    return 0;
}

/* ---- queue ---- */

/* tyndau's sql_queue_agency and APPEAL_COLS (src/store/store_sqlite.c); keep in step. */
static const char sql_queue_agency[] =
    "SELECT id, tracking_id, reg_number, kind, channel, language, region, topic, agency, status,"
    " text, address, lat, lon, contact_name, contact_email, contact_phone, anonymous, consent,"
    " owner_user, registered_by, filed_at, registered_at, due_at, forward_due_at, assignee,"
    " rating, warned, overdue, extended, updated_at, closed_at, contact_iin, secret_hash"
    " FROM appeals WHERE agency = ?1 AND closed_at IS NULL"
    " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR topic = ?3)"
    " AND (?4 IS NULL OR region = ?4) AND (?5 = 0 OR due_at < ?6)"
    " AND (?7 = 0 OR (COALESCE(due_at, 9223372036854775807), id) > (?8, ?9))"
    " ORDER BY COALESCE(due_at, 9223372036854775807), id LIMIT ?10";

/* The same rows, only the columns http_appeal_json(full = false) shows. */
static const char sql_queue_narrow[] =
    "SELECT id, tracking_id, reg_number, registered_at, registered_by, kind, channel, language,"
    " region, topic, agency, status, due_at, overdue, extended, rating, updated_at, closed_at,"
    " assignee FROM appeals WHERE agency = ?1 AND closed_at IS NULL"
    " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR topic = ?3)"
    " AND (?4 IS NULL OR region = ?4) AND (?5 = 0 OR due_at < ?6)"
    " AND (?7 = 0 OR (COALESCE(due_at, 9223372036854775807), id) > (?8, ?9))"
    " ORDER BY COALESCE(due_at, 9223372036854775807), id LIMIT ?10";

struct reader {
    const struct opts *o;
    pthread_t th;
    int64_t queries, rows;
    size_t bytes;
};

static void *
reader_main(void *arg)
{
    struct reader *r = arg;
    const struct opts *o = r->o;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(o->path, &db, flags, NULL) != SQLITE_OK)
        die(db, o->path);
    /* Two readers opening a WAL database at once may briefly see it locked. */
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *st = prepare(db, o->narrow ? sql_queue_narrow : sql_queue_agency);
    double end = now_s() + o->seconds;
    while (now_s() < end) {
        for (int k = 0; k < 16; k++) {
            sqlite3_bind_text(st, 1, o->agency, -1, SQLITE_STATIC);
            for (int i = 2; i <= 4; i++)
                sqlite3_bind_null(st, i);
            sqlite3_bind_int(st, 5, 0);
            sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
            sqlite3_bind_int(st, 7, 0);
            sqlite3_bind_int64(st, 8, 0);
            sqlite3_bind_int64(st, 9, 0);
            sqlite3_bind_int64(st, 10, o->limit + 1);
            while (sqlite3_step(st) == SQLITE_ROW) {
                /* Read each column as tyndau's read_appeal() does, so the values are decoded. */
                for (int c = 0; c < sqlite3_column_count(st); c++) {
                    if (sqlite3_column_type(st, c) == SQLITE_TEXT)
                        r->bytes += (size_t)sqlite3_column_bytes(st, c);
                    else
                        r->bytes += (size_t)sqlite3_column_int64(st, c) & 1;
                }
                r->rows++;
            }
            sqlite3_reset(st);
            r->queries++;
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return NULL;
}

static int
run_queue(const struct opts *o)
{
    if (!o->agency)
        usage();
    struct reader rs[THREADS_MAX] = {{0}};
    double c0 = cpu_s(), t0 = now_s();
    for (long i = 0; i < o->threads; i++) {
        rs[i].o = o;
        if (pthread_create(&rs[i].th, NULL, reader_main, &rs[i]) != 0)
            die(NULL, "pthread_create");
    }
    int64_t queries = 0, rows = 0;
    for (long i = 0; i < o->threads; i++) {
        pthread_join(rs[i].th, NULL);
        queries += rs[i].queries;
        rows += rs[i].rows;
    }
    double secs = now_s() - t0, cpu = cpu_s() - c0;
    printf("raw_sqlite mode=queue threads=%ld limit=%ld narrow=%d queries=%lld rows=%lld"
           " seconds=%.3f queries_per_s=%.0f cpu_us_per_query=%.0f\n",
           o->threads, o->limit, o->narrow, (long long)queries, (long long)rows, secs,
           (double)queries / secs, cpu * 1e6 / (double)queries);
    return 0;
}

/* ---- count ---- */

static int64_t
count_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = prepare(db, sql);
    if (sqlite3_step(st) != SQLITE_ROW)
        die(db, sql);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int
run_count(const struct opts *o)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(o->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die(db, o->path);
    sqlite3_busy_timeout(db, 10000);
    printf("appeals=%lld idempotency=%lld\n",
           (long long)count_rows(db, "SELECT count(*) FROM appeals"),
           (long long)count_rows(db, "SELECT count(*) FROM idempotency"));
    sqlite3_close(db);
    return 0;
}

int
main(int argc, char **argv)
{
    struct opts o = parse_args(argc, argv);
    if (strcmp(o.mode, "insert") == 0)
        return run_insert(&o);
    if (strcmp(o.mode, "queue") == 0)
        return run_queue(&o);
    if (strcmp(o.mode, "count") == 0)
        return run_count(&o);
    usage();
    return 2;
}
