/*
 * srv.c - the integration-test harness (see srv.h): processes (fork/exec of
 * the real binary, port line, SIGTERM/SIGKILL), the CLI, SQLite inspection,
 * HTTP over libcurl, raw sockets, problem+json assertions and a few JSON
 * helpers. Everything a test may leave behind on a failed assertion is
 * registered here and released by srv_teardown().
 */
#define _GNU_SOURCE /* pipe2, strcasestr */
#include "srv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "base/arena.h"
#include "base/rnd.h"
#include "base/util.h"
#include "base/xalloc.h"

extern char **environ;

enum { PORT_LINE_MAX = 256, BODY_MAX = 16 << 20 };

struct srv {
    char *dir;      /* temp dir, malloc'd */
    char *db_path;  /* SQLite file in dir */
    char *db_url;   /* --db value */
    char *pg_db;    /* postgres: the database made for this server, malloc'd; else NULL */
    char *log_path; /* stderr of every process of this server, appended */
    char **args;    /* extra serve arguments, malloc'd, NULL-terminated */
    pid_t pid;      /* 0 when not running */
    int out_fd;     /* read end of the child's stdout, -1 when none */
    int port;
    struct arena *arena; /* tokens, header lines */
};

/* ---- registry of live objects ------------------------------------------ */

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct srv **reg_srv;   /* guarded by reg_mu */
static size_t reg_srv_count;   /* guarded by reg_mu */
static struct resp **reg_resp; /* guarded by reg_mu */
static size_t reg_resp_count;  /* guarded by reg_mu */
static size_t reg_resp_cap;    /* guarded by reg_mu */
static struct arena *scratch;  /* main thread only */
static char bin_path[PATH_MAX];

static void
reg_add_srv(struct srv *s)
{
    pthread_mutex_lock(&reg_mu);
    reg_srv = xrealloc(reg_srv, (reg_srv_count + 1) * sizeof(*reg_srv));
    reg_srv[reg_srv_count++] = s;
    pthread_mutex_unlock(&reg_mu);
}

static void
reg_del_srv(struct srv *s)
{
    pthread_mutex_lock(&reg_mu);
    for (size_t i = 0; i < reg_srv_count; i++)
        if (reg_srv[i] == s) {
            reg_srv[i] = reg_srv[--reg_srv_count];
            break;
        }
    pthread_mutex_unlock(&reg_mu);
}

static void
reg_add_resp(struct resp *r)
{
    pthread_mutex_lock(&reg_mu);
    if (reg_resp_count == reg_resp_cap) {
        reg_resp_cap = reg_resp_cap ? reg_resp_cap * 2 : 64;
        reg_resp = xrealloc(reg_resp, reg_resp_cap * sizeof(*reg_resp));
    }
    reg_resp[reg_resp_count++] = r;
    pthread_mutex_unlock(&reg_mu);
}

static void
reg_del_resp(struct resp *r)
{
    pthread_mutex_lock(&reg_mu);
    /* Responses are mostly freed newest first: search from the end. */
    for (size_t i = reg_resp_count; i-- > 0;)
        if (reg_resp[i] == r) {
            reg_resp[i] = reg_resp[--reg_resp_count];
            break;
        }
    pthread_mutex_unlock(&reg_mu);
}

/* ---- small utilities ------------------------------------------------------ */

int
srv_slow(void)
{
    const char *v = getenv("TYNDAU_TEST_SLOW");
    int n = 0;
    for (const char *p = v; p && *p >= '0' && *p <= '9' && n < 100; p++)
        n = n * 10 + (*p - '0');
    return n < 1 ? 1 : n;
}

void
t_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int64_t
t_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct arena *
scratch_arena(void)
{
    if (!scratch)
        scratch = arena_new();
    return scratch;
}

static const char *t_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static const char *
t_vprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    assert_true(n >= 0);
    char *p = arena_alloc(scratch_arena(), (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

const char *
t_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *p = t_vprintf(fmt, ap);
    va_end(ap);
    return p;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *
srv_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 4096, got;
    char *p = xmalloc(cap);
    while ((got = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            p = xrealloc(p, cap *= 2);
    }
    fclose(f);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

/* srv_read_file(), with a file that cannot be read taken as empty. */
static char *
read_file(const char *path, size_t *len)
{
    char *p = srv_read_file(path, len);
    if (p)
        return p;
    if (len)
        *len = 0;
    return xstrdup("");
}

static const char *
bin(void)
{
    if (!bin_path[0]) {
        const char *b = getenv("TYNDAU_BIN");
        if (!b || !*b)
            b = "./tyndau";
        if (!realpath(b, bin_path))
            snprintf(bin_path, sizeof(bin_path), "%s", b);
    }
    return bin_path;
}

/* The environment for children, without the harness's own variables (the
 * server reads TYNDAU_<OPTION>; TYNDAU_BIN and TYNDAU_TEST_* are not options). */
static char **
child_env(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = xcalloc(n + 1, sizeof(*env));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "TYNDAU_BIN=", 11) == 0 ||
            strncmp(environ[i], "TYNDAU_TEST_", 12) == 0)
            continue;
        env[k++] = environ[i];
    }
    return env;
}

/* In the child after a failed exec: say so on its stderr (write() only). */
static void
child_exec_failed(const char *path)
{
    static const char msg[] = "integration harness: cannot execute ";
    (void)!write(2, msg, sizeof(msg) - 1);
    (void)!write(2, path, strlen(path));
    (void)!write(2, "\n", 1);
    _exit(127);
}

/* In the child between fork and exec: async-signal-safe calls only. */
static void
child_setup(pid_t parent, int in_fd, int out_fd, int err_fd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
}

/* Wait for pid up to timeout_ms; returns the wait status or -1 on timeout. */
static int
wait_pid(pid_t pid, int timeout_ms)
{
    int64_t deadline = t_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            return st;
        if (w < 0 && errno != EINTR)
            return -1;
        if (t_now_ms() > deadline)
            return -1;
        t_sleep_ms(5);
    }
}

static const char *
describe_status(int st)
{
    if (st == -1)
        return "did not exit in time";
    if (WIFEXITED(st))
        return t_printf("exit %d", WEXITSTATUS(st));
    if (WIFSIGNALED(st))
        return t_printf("killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    return t_printf("wait status %d", st);
}

/* ---- the CLI ------------------------------------------------------------- */

int
cli_run(const char *const *argv, const char *stdin_text, char **out, char **err)
{
    char in_path[] = "/tmp/tyndau-cli-in-XXXXXX";
    char out_path[] = "/tmp/tyndau-cli-out-XXXXXX";
    char err_path[] = "/tmp/tyndau-cli-err-XXXXXX";
    int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    assert_true(in_fd >= 0 && out_fd >= 0 && err_fd >= 0);
    if (stdin_text) {
        size_t n = strlen(stdin_text);
        assert_int_equal(write(in_fd, stdin_text, n), (ssize_t)n);
        lseek(in_fd, 0, SEEK_SET);
    }
    size_t argc = 0;
    while (argv[argc])
        argc++;
    char **args = xcalloc(argc + 2, sizeof(*args));
    args[0] = (char *)bin();
    for (size_t i = 0; i < argc; i++)
        args[i + 1] = (char *)argv[i];
    char **env = child_env();
    pid_t parent = getpid();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        child_setup(parent, in_fd, out_fd, err_fd);
        execve(args[0], args, env);
        child_exec_failed(args[0]);
    }
    free(args);
    free(env);
    close(in_fd);
    close(out_fd);
    close(err_fd);
    int st = wait_pid(pid, 60000 * srv_slow());
    if (st == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    if (out)
        *out = read_file(out_path, NULL);
    if (err)
        *err = read_file(err_path, NULL);
    unlink(in_path);
    unlink(out_path);
    unlink(err_path);
    return st;
}

json_t *
cli_routes(void)
{
    char *out = NULL, *err = NULL;
    int st = cli_run((const char *const[]){"routes", NULL}, NULL, &out, &err);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        print_error("tyndau routes: %s\nstderr: %s\n", describe_status(st), err);
        free(out);
        free(err);
        fail_msg("tyndau routes failed");
    }
    json_error_t jerr;
    json_t *j = json_loads(out, JSON_REJECT_DUPLICATES, &jerr);
    if (!j || !json_is_array(j)) {
        print_error("tyndau routes printed no JSON array (%s): %.2000s\n", jerr.text, out);
        json_decref(j);
        free(out);
        free(err);
        fail_msg("tyndau routes: bad output");
    }
    free(out);
    free(err);
    return j;
}

void
srv_password(const char *login, char out[128])
{
    snprintf(out, 128, "pw-%s-Correct-Horse-42", login);
}

const char *
srv_user(struct srv *s, const char *login, const char *role, const char *agency)
{
    char pw[128], line[160];
    srv_password(login, pw);
    snprintf(line, sizeof(line), "%s\n", pw);
    const char *role_arg = arena_printf(s->arena, "--role=%s", role);
    const char *name_arg = arena_printf(s->arena, "--name=Test %s", login);
    const char *agency_arg = agency ? arena_printf(s->arena, "--agency=%s", agency) : NULL;
    const char *db_arg = arena_printf(s->arena, "--db=%s", s->db_url);
    const char *add[8] = {"user", "add", login, role_arg, name_arg, db_arg};
    if (agency_arg)
        add[6] = agency_arg;
    char *out = NULL, *err = NULL;
    int st = cli_run(add, line, &out, &err);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        print_error("tyndau user add %s --role=%s --agency=%s: %s\nstdout: %s\nstderr: %s\n", login,
                    role, agency ? agency : "-", describe_status(st), out, err);
        free(out);
        free(err);
        fail_msg("tyndau user add failed");
    }
    free(out);
    free(err);
    st = cli_run((const char *const[]){"user", "token", login, db_arg, NULL}, NULL, &out, &err);
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        n--;
    bool bad = st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || n == 0 ||
               strcspn(out, " \t\r\n") != n;
    if (bad) {
        print_error("tyndau user token %s: %s\nstdout: %s\nstderr: %s\n", login,
                    describe_status(st), out, err);
        free(out);
        free(err);
        fail_msg("tyndau user token failed or printed more than one token");
    }
    char *tok = arena_strndup(s->arena, out, n);
    free(out);
    free(err);
    return tok;
}

const char *
srv_bearer(struct srv *s, const char *token)
{
    return arena_printf(s->arena, "Authorization: Bearer %s", token);
}

/* ---- servers --------------------------------------------------------------- */

static const char *
db_kind(void)
{
    const char *k = getenv("TYNDAU_TEST_DB_KIND");
    return k && *k ? k : "sqlite";
}

/* ---- PostgreSQL (TYNDAU_TEST_DB_KIND=postgres) ---------------------------- */

static const char *
pg_admin_dsn(void)
{
    const char *v = getenv("TEST_PG_DSN");
    if (!v || !*v)
        fail_msg("TYNDAU_TEST_DB_KIND=postgres needs TEST_PG_DSN (scripts/pg-test.sh)");
    return v;
}

/* TEST_PG_DSN (a postgresql:// URI) with its database replaced by db. */
static char *
pg_dsn_for(const char *db)
{
    const char *base = pg_admin_dsn();
    const char *auth = strstr(base, "://");
    if (!auth)
        fail_msg("TEST_PG_DSN must be a postgresql:// URI, not \"%s\"", base);
    auth += 3;
    size_t host_len = strcspn(auth, "/?");
    const char *rest = auth + host_len;
    if (*rest == '/')
        rest += strcspn(rest, "?");
    return xprintf("%.*s/%s%s", (int)(auth + host_len - base), base, db, rest);
}

/* CREATE DATABASE db, or DROP it (WITH FORCE: a killed server's sessions may
 * linger for a moment). Failing to drop is only reported. */
static void
pg_admin(const char *db, bool create)
{
    PGconn *c = PQconnectdb(pg_admin_dsn());
    if (PQstatus(c) != CONNECTION_OK) {
        print_error("TEST_PG_DSN: %s", PQerrorMessage(c));
        PQfinish(c);
        if (create)
            fail_msg("cannot reach the PostgreSQL of TEST_PG_DSN");
        return;
    }
    char *id = PQescapeIdentifier(c, db, strlen(db));
    char *sql = create ? xprintf("CREATE DATABASE %s", id)
                       : xprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", id);
    PQfreemem(id);
    PGresult *r = PQexec(c, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        print_error("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    free(sql);
    if (!ok && create)
        fail_msg("cannot create a database for the server");
}

/* sql on s's database, which must give a row; ?1 (SQLite style, as the
 * tests write it) becomes $1. Caller PQclears. */
static PGresult *
pg_query(const struct srv *s, const char *sql, const char *param)
{
    char *q = xstrdup(sql);
    for (char *p = strstr(q, "?1"); p; p = strstr(p, "?1"))
        *p = '$';
    PGconn *c = PQconnectdb(s->db_url);
    if (PQstatus(c) != CONNECTION_OK) {
        print_error("%s: %s", s->db_url, PQerrorMessage(c));
        PQfinish(c);
        free(q);
        fail_msg("cannot connect to the server's database");
    }
    const char *v[1] = {param};
    PGresult *r = PQexecParams(c, q, param ? 1 : 0, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
        print_error("sql \"%s\" ($1=%s): no row: %s\n", q, param ? param : "-", PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        free(q);
        fail_msg("postgres query returned no row");
    }
    PQfinish(c);
    free(q);
    return r;
}

/* The --db value for a fresh server in s->dir. The one place that knows the
 * backends: postgres gets a fresh database per server, tyndau_it_<random>
 * on the server of TEST_PG_DSN, dropped by srv_free(). */
static char *
make_db_url(struct srv *s)
{
    if (strcmp(db_kind(), "sqlite") == 0)
        return xprintf("sqlite:%s", s->db_path);
    if (strcmp(db_kind(), "postgres") == 0) {
        unsigned char b[6];
        rnd_bytes(b, sizeof(b));
        s->pg_db =
            xprintf("tyndau_it_%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
        pg_admin(s->pg_db, true);
        return pg_dsn_for(s->pg_db);
    }
    print_error("unknown TYNDAU_TEST_DB_KIND=%s\n", db_kind());
    fail();
    return NULL;
}

static void
run_migrate(struct srv *s)
{
    char *out = NULL, *err = NULL;
    const char *db_arg = arena_printf(s->arena, "--db=%s", s->db_url);
    int st = cli_run((const char *const[]){"migrate", db_arg, NULL}, NULL, &out, &err);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        print_error("tyndau migrate %s: %s\nstdout: %s\nstderr: %s\n", db_arg, describe_status(st),
                    out, err);
        free(out);
        free(err);
        fail_msg("tyndau migrate failed");
    }
    free(out);
    free(err);
}

/* Parse "listening on http://127.0.0.1:PORT\n" exactly; 0 if it is not that. */
static int
parse_port_line(const char *line)
{
    static const char prefix[] = "listening on http://127.0.0.1:";
    if (strncmp(line, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    const char *p = line + sizeof(prefix) - 1;
    int port = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        port = port * 10 + (*p - '0');
        if (port > 65535)
            return 0;
    }
    return strcmp(p, "\n") == 0 ? port : 0;
}

static void
spawn_serve(struct srv *s)
{
    size_t extra = 0;
    while (s->args[extra])
        extra++;
    char **argv = xcalloc(extra + 5, sizeof(*argv));
    char *db_arg = xprintf("--db=%s", s->db_url);
    argv[0] = (char *)bin();
    argv[1] = "serve";
    argv[2] = "--listen=127.0.0.1:0";
    argv[3] = db_arg;
    for (size_t i = 0; i < extra; i++)
        argv[4 + i] = s->args[i];
    char **env = child_env();
    int pfd[2];
    assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
    int err_fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(err_fd >= 0 && null_fd >= 0);
    pid_t parent = getpid();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        child_setup(parent, null_fd, pfd[1], err_fd);
        execve(argv[0], argv, env);
        child_exec_failed(argv[0]);
    }
    free(argv);
    free(db_arg);
    free(env);
    close(pfd[1]);
    close(err_fd);
    close(null_fd);
    s->pid = pid;
    s->out_fd = pfd[0];
    s->port = 0;

    char line[PORT_LINE_MAX];
    size_t n = 0;
    int64_t deadline = t_now_ms() + 30000 * srv_slow();
    while (n < sizeof(line) - 1 && (n == 0 || line[n - 1] != '\n')) {
        int left = (int)(deadline - t_now_ms());
        struct pollfd p = {s->out_fd, POLLIN, 0};
        int pr = left > 0 ? poll(&p, 1, left) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            line[n] = '\0';
            print_error("tyndau serve printed no port line in time (got \"%s\")\n", line);
            srv_dump_log(s, 30);
            srv_kill(s);
            fail_msg("server did not start");
        }
        /* One byte at a time: stop exactly at the end of the first line. */
        ssize_t got = read(s->out_fd, line + n, 1);
        if (got <= 0) {
            int st = wait_pid(s->pid, 5000);
            s->pid = 0;
            line[n] = '\0';
            print_error("tyndau serve ended before its port line (%s), stdout so far \"%s\"\n",
                        describe_status(st), line);
            srv_dump_log(s, 30);
            fail_msg("server did not start");
        }
        n += (size_t)got;
    }
    line[n] = '\0';
    s->port = parse_port_line(line);
    if (s->port == 0) {
        print_error("bad port line from tyndau serve: \"%s\"\n", line);
        srv_kill(s);
        fail_msg("server printed a bad port line");
    }
}

static void
free_args(struct srv *s)
{
    for (char **a = s->args; a && *a; a++)
        free(*a);
    free(s->args);
    s->args = NULL;
}

static void
set_args(struct srv *s, const char *arg, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    size_t n = 0;
    for (const char *a = arg; a; a = va_arg(ap2, const char *))
        n++;
    va_end(ap2);
    free_args(s);
    s->args = xcalloc(n + 1, sizeof(*s->args));
    n = 0;
    for (const char *a = arg; a; a = va_arg(ap, const char *))
        s->args[n++] = xstrdup(a);
}

void
srv_set_args(struct srv *s, const char *arg, ...)
{
    va_list ap;
    va_start(ap, arg);
    set_args(s, arg, ap);
    va_end(ap);
}

struct srv *
srv_start(const char *arg, ...)
{
    struct srv *s = xcalloc(1, sizeof(*s));
    s->out_fd = -1;
    s->arena = arena_new();
    va_list ap;
    va_start(ap, arg);
    set_args(s, arg, ap);
    va_end(ap);

    const char *tmp = getenv("TMPDIR");
    s->dir = xprintf("%s/tyndau-it-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(s->dir));
    s->db_path = xprintf("%s/tyndau.db", s->dir);
    s->log_path = xprintf("%s/stderr.log", s->dir);
    reg_add_srv(s);
    s->db_url = make_db_url(s);
    run_migrate(s);
    spawn_serve(s);
    return s;
}

void
srv_restart(struct srv *s)
{
    if (s->pid)
        srv_stop(s);
    spawn_serve(s);
}

static void
close_out(struct srv *s)
{
    if (s->out_fd >= 0)
        close(s->out_fd);
    s->out_fd = -1;
}

int
srv_term(struct srv *s, int timeout_ms)
{
    if (!s->pid)
        return -1;
    kill(s->pid, SIGTERM);
    int st = wait_pid(s->pid, timeout_ms);
    if (st == -1) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = 0;
    return st;
}

void
srv_stop(struct srv *s)
{
    int st = srv_term(s, 20000 * srv_slow());
    char extra[512];
    ssize_t got = 0;
    if (s->out_fd >= 0) {
        /* The process is gone: whatever is left in the pipe, then EOF. */
        got = read(s->out_fd, extra, sizeof(extra) - 1);
        close_out(s);
    }
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        print_error("tyndau serve after SIGTERM: %s (want exit 0)\n", describe_status(st));
        srv_dump_log(s, 30);
        fail_msg("server did not exit 0 on SIGTERM");
    }
    if (got > 0) {
        extra[got] = '\0';
        print_error("tyndau serve printed more than its port line on stdout: \"%s\"\n", extra);
        fail_msg("server wrote to stdout after the port line");
    }
}

void
srv_kill(struct srv *s)
{
    if (!s->pid)
        return;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    close_out(s);
}

static void
remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = xprintf("%s/%s", dir, e->d_name);
        (void)unlink(p);
        free(p);
    }
    closedir(d);
    (void)rmdir(dir);
}

static void
srv_release(struct srv *s, bool keep)
{
    srv_kill(s);
    close_out(s);
    reg_del_srv(s);
    const char *k = getenv("TYNDAU_TEST_KEEP");
    if (!keep && !(k && *k && strcmp(k, "0") != 0)) {
        remove_dir(s->dir);
        if (s->pg_db)
            pg_admin(s->pg_db, false);
    } else if (s->pg_db) {
        print_error("kept database %s\n", s->db_url);
    }
    free(s->pg_db);
    free_args(s);
    free(s->dir);
    free(s->db_path);
    free(s->db_url);
    free(s->log_path);
    arena_free(s->arena);
    free(s);
}

void
srv_free(struct srv *s)
{
    if (s)
        srv_release(s, false);
}

void
srv_done(struct srv *s)
{
    srv_stop(s);
    srv_free(s);
}

bool
srv_running(const struct srv *s)
{
    return s->pid != 0;
}

int
srv_port(const struct srv *s)
{
    return s->port;
}

pid_t
srv_pid(const struct srv *s)
{
    return s->pid;
}

const char *
srv_dir(const struct srv *s)
{
    return s->dir;
}

const char *
srv_db_path(const struct srv *s)
{
    return s->db_path;
}

const char *
srv_db_url(const struct srv *s)
{
    return s->db_url;
}

void
srv_dump_log(const struct srv *s, int lines)
{
    size_t n;
    char *log = read_file(s->log_path, &n);
    size_t start = n;
    for (int seen = 0; start > 0; start--)
        if (log[start - 1] == '\n' && ++seen > lines)
            break;
    print_error("---- last %d lines of %s ----\n%s---- end of log ----\n", lines, s->log_path,
                log + start);
    free(log);
}

int
srv_teardown(void **state)
{
    (void)state;
    for (;;) {
        pthread_mutex_lock(&reg_mu);
        struct srv *s = reg_srv_count ? reg_srv[reg_srv_count - 1] : NULL;
        pthread_mutex_unlock(&reg_mu);
        if (!s)
            break;
        /* Still registered: the test ended early. Keep its files to look at. */
        int st;
        if (s->pid && waitpid(s->pid, &st, WNOHANG) == s->pid) {
            print_error("teardown: the server had died: %s\n", describe_status(st));
            s->pid = 0;
        }
        print_error("teardown: server in %s was left behind (kept for inspection)\n", s->dir);
        srv_dump_log(s, 15);
        srv_release(s, true);
    }
    for (;;) {
        pthread_mutex_lock(&reg_mu);
        struct resp *r = reg_resp_count ? reg_resp[reg_resp_count - 1] : NULL;
        pthread_mutex_unlock(&reg_mu);
        if (!r)
            break;
        resp_free(r);
    }
    arena_free(scratch);
    scratch = NULL;
    return 0;
}

void
srv_init(int seconds)
{
    assert_int_equal(curl_global_init(CURL_GLOBAL_ALL), CURLE_OK);
    signal(SIGPIPE, SIG_IGN);
    (void)bin();
    if (access(bin(), X_OK) != 0) {
        fprintf(stderr, "integration: TYNDAU_BIN %s is not executable\n", bin());
        exit(1);
    }
    alarm((unsigned)(seconds * srv_slow()));
}

/* ---- the database -------------------------------------------------------------- */

static sqlite3 *
db_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        print_error("cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        fail_msg("sqlite open failed");
    }
    sqlite3_busy_timeout(db, 10000 * srv_slow());
    return db;
}

static sqlite3_stmt *
db_query(sqlite3 *db, const char *sql, const char *param)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        print_error("sql \"%s\": %s\n", sql, sqlite3_errmsg(db));
        sqlite3_close(db);
        fail_msg("sqlite prepare failed");
    }
    if (param)
        sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        print_error("sql \"%s\" (?1=%s): no row: %s\n", sql, param ? param : "-",
                    sqlite3_errmsg(db));
        sqlite3_finalize(st);
        sqlite3_close(db);
        fail_msg("sqlite query returned no row");
    }
    return st;
}

static void
skip_unless_sqlite(void)
{
    if (strcmp(db_kind(), "sqlite") != 0)
        skip();
}

int64_t
db_int(const char *path, const char *sql, const char *param)
{
    skip_unless_sqlite();
    sqlite3 *db = db_open(path);
    sqlite3_stmt *st = db_query(db, sql, param);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

int64_t
srv_db_int(const struct srv *s, const char *sql, const char *param)
{
    if (s->pg_db) {
        PGresult *r = pg_query(s, sql, param);
        int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        return v;
    }
    return db_int(s->db_path, sql, param);
}

const char *
srv_db_text(const struct srv *s, const char *sql, const char *param)
{
    if (s->pg_db) {
        PGresult *r = pg_query(s, sql, param);
        const char *v = PQgetisnull(r, 0, 0) ? NULL : t_printf("%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        return v;
    }
    skip_unless_sqlite();
    sqlite3 *db = db_open(s->db_path);
    sqlite3_stmt *st = db_query(db, sql, param);
    const unsigned char *t = sqlite3_column_text(st, 0);
    const char *v = t ? t_printf("%s", (const char *)t) : NULL;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

bool
db_integrity_ok(const char *path, const char **why)
{
    /* PostgreSQL has no database file of ours to check: committed is committed. */
    if (strcmp(db_kind(), "postgres") == 0)
        return true;
    skip_unless_sqlite();
    sqlite3 *db = db_open(path);
    sqlite3_stmt *st = db_query(db, "PRAGMA integrity_check", NULL);
    const unsigned char *t = sqlite3_column_text(st, 0);
    bool ok = t && strcmp((const char *)t, "ok") == 0;
    if (!ok && why)
        *why = t_printf("%s", t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}

/* ---- HTTP ---------------------------------------------------------------- */

struct sink {
    struct resp *r;
    size_t cap;
    bool overflow;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
    struct sink *k = ud;
    size_t len = size * n;
    struct resp *r = k->r;
    if (r->body_len + len + 1 > BODY_MAX) {
        k->overflow = true;
        return 0;
    }
    if (r->body_len + len + 1 > k->cap) {
        while (r->body_len + len + 1 > k->cap)
            k->cap = k->cap ? k->cap * 2 : 4096;
        r->body = xrealloc(r->body, k->cap);
    }
    memcpy(r->body + r->body_len, p, len);
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static void
free_headers(struct resp *r)
{
    for (size_t i = 0; i < r->hdr_count; i++) {
        free(r->hdrs[i].name);
        free(r->hdrs[i].value);
    }
    free(r->hdrs);
    r->hdrs = NULL;
    r->hdr_count = 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        free_headers(r); /* a new response (after 100 Continue): keep the last */
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return len;
    size_t name_len = (size_t)(colon - p);
    const char *v = colon + 1, *end = p + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    r->hdrs = xrealloc(r->hdrs, (r->hdr_count + 1) * sizeof(*r->hdrs));
    r->hdrs[r->hdr_count].name = xstrndup(p, name_len);
    r->hdrs[r->hdr_count].value = xstrndup(v, (size_t)(end - v));
    r->hdr_count++;
    return len;
}

static bool
has_header(const char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (const char *const *h = headers; h && *h; h++)
        if (strncasecmp(*h, name, n) == 0 && ((*h)[n] == ':' || (*h)[n] == ';'))
            return true;
    return false;
}

struct resp *
http_req(int port, const char *method, const char *path, const char *const *headers,
         const char *body, size_t body_len, int timeout_ms)
{
    struct resp *r = xcalloc(1, sizeof(*r));
    reg_add_resp(r);
    snprintf(r->method, sizeof(r->method), "%s", method);
    snprintf(r->path, sizeof(r->path), "%s", path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *sl = NULL;
    for (const char *const *h = headers; h && *h; h++)
        sl = curl_slist_append(sl, *h);
    if (body && !has_header(headers, "Content-Type"))
        sl = curl_slist_append(sl, "Content-Type: application/json");
    if (!has_header(headers, "Expect"))
        sl = curl_slist_append(sl, "Expect:");
    char url[512];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    struct sink k = {r, 0, false};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms * srv_slow());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L * srv_slow());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, sl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    r->status = (int)code;
    r->curl_code = (int)rc;
    if (rc != CURLE_OK)
        snprintf(r->error, sizeof(r->error), "%.50s: %.200s", curl_easy_strerror(rc), errbuf);
    curl_slist_free_all(sl);
    curl_easy_cleanup(c);
    if (!r->body)
        r->body = xcalloc(1, 1);
    if (r->body_len > 0)
        r->json = json_loadb(r->body, r->body_len, 0, NULL);
    return r;
}

struct resp *
srv_req_raw(struct srv *s, const char *method, const char *path, const char *const *headers,
            const char *body, size_t body_len)
{
    return http_req(s->port, method, path, headers, body, body_len, 20000);
}

struct resp *
srv_req(struct srv *s, const char *method, const char *path, const char *const *headers,
        const char *body)
{
    return srv_req_raw(s, method, path, headers, body, body ? strlen(body) : 0);
}

struct resp *
srv_get(struct srv *s, const char *path, const char *auth)
{
    const char *h[] = {auth, NULL};
    return srv_req(s, "GET", path, h, NULL);
}

struct resp *
srv_post(struct srv *s, const char *path, const char *auth, const char *body)
{
    const char *h[] = {auth, NULL};
    return srv_req(s, "POST", path, h, body);
}

const char *
resp_header(const struct resp *r, const char *name)
{
    for (size_t i = 0; i < r->hdr_count; i++)
        if (strcasecmp(r->hdrs[i].name, name) == 0)
            return r->hdrs[i].value;
    return NULL;
}

const char *
resp_str(const struct resp *r, const char *key)
{
    return r->json ? json_string_value(json_object_get(r->json, key)) : NULL;
}

void
resp_free(struct resp *r)
{
    if (!r)
        return;
    reg_del_resp(r);
    free_headers(r);
    free(r->body);
    json_decref(r->json);
    free(r);
}

const char *
srv_raw(struct srv *s, const char *bytes, size_t len, int timeout_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    size_t n = 0, cap = 8192;
    char *buf = xmalloc(cap);
    int64_t deadline = t_now_ms() + (int64_t)timeout_ms * srv_slow();
    for (;;) {
        buf[n] = '\0';
        /* Stop at a complete response: headers plus Content-Length bytes. */
        const char *eoh = strstr(buf, "\r\n\r\n");
        if (eoh) {
            const char *cl = strcasestr(buf, "\r\ncontent-length:");
            if (cl && cl < eoh) {
                size_t want = 0;
                for (cl += 17; *cl == ' '; cl++)
                    ;
                for (; *cl >= '0' && *cl <= '9'; cl++)
                    want = want * 10 + (size_t)(*cl - '0');
                if (n >= (size_t)(eoh + 4 - buf) + want)
                    break;
            }
        }
        int left = (int)(deadline - t_now_ms());
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        if (n + 1 >= cap)
            buf = xrealloc(buf, cap *= 2);
        ssize_t got = recv(fd, buf + n, cap - n - 1, 0);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = '\0';
    const char *res = t_printf("%s", buf);
    free(buf);
    return res;
}

/* ---- assertions ---------------------------------------------------------- */

void
resp_print(const struct resp *r)
{
    print_error("%s %s -> %d%s%s\n", r->method, r->path, r->status, r->status ? "" : " ",
                r->status ? "" : r->error);
    for (size_t i = 0; i < r->hdr_count; i++)
        print_error("  %s: %s\n", r->hdrs[i].name, r->hdrs[i].value);
    print_error("  body (%zu bytes): %.1500s\n", r->body_len, r->body ? r->body : "");
}

void
fail__report(const char *title, const char *report, const char *file, int line)
{
    if (!report || !*report)
        return;
    fprintf(stderr, "%s:\n%s", title, report);
    if (report[strlen(report) - 1] != '\n')
        fputc('\n', stderr);
    fflush(stderr);
    _fail(file, line);
}

void
expect__status(const struct resp *r, int status, const char *file, int line)
{
    if (r->status == status)
        return;
    print_error("want status %d\n", status);
    resp_print(r);
    _fail(file, line);
}

const char *
check_problem(const struct resp *r, int status, const char *type)
{
    if (r->status != status)
        return t_printf("status %d, want %d", r->status, status);
    const char *ct = resp_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/problem+json", 24) != 0)
        return t_printf("Content-Type %s, want application/problem+json", ct ? ct : "(none)");
    if (!json_is_object(r->json))
        return "body is not a JSON object";
    const char *t = json_string_value(json_object_get(r->json, "type"));
    if (!t || strcmp(t, type) != 0)
        return t_printf("type %s, want %s", t ? t : "(none)", type);
    json_t *st = json_object_get(r->json, "status");
    if (!json_is_integer(st) || json_integer_value(st) != status)
        return "problem \"status\" member missing or not the HTTP status";
    const char *title = json_string_value(json_object_get(r->json, "title"));
    if (!title || !*title)
        return "problem has no \"title\"";
    return NULL;
}

void
expect__problem(const struct resp *r, int status, const char *type, const char *file, int line)
{
    const char *why = check_problem(r, status, type);
    if (!why)
        return;
    print_error("want problem %d %s: %s\n", status, type, why);
    resp_print(r);
    _fail(file, line);
}

const char *
check_security(const struct resp *r)
{
    const char *v;
    if (r->status == 0)
        return t_printf("no response: %s", r->error);
    if (!(v = resp_header(r, "X-Content-Type-Options")) || strcasecmp(v, "nosniff") != 0)
        return t_printf("X-Content-Type-Options: %s", v ? v : "(none)");
    if (!(v = resp_header(r, "X-Frame-Options")) || strcasecmp(v, "DENY") != 0)
        return t_printf("X-Frame-Options: %s", v ? v : "(none)");
    if (!(v = resp_header(r, "Content-Security-Policy")) || !*v)
        return "no Content-Security-Policy";
    if (!(v = resp_header(r, "Referrer-Policy")) || !*v)
        return "no Referrer-Policy";
    return NULL;
}

void
expect__security(const struct resp *r, const char *file, int line)
{
    const char *why = check_security(r);
    if (!why)
        return;
    print_error("security headers: %s\n", why);
    resp_print(r);
    _fail(file, line);
}

/* ---- appeals and JSON ---------------------------------------------------- */

static const char default_appeal[] =
    "{\"kind\":\"complaint\",\"channel\":\"web\",\"language\":\"ru\",\"region\":\"750000000\","
    "\"topic\":\"roads\","
    "\"text\":\"Яма на дороге по улице Абая возле дома 10, прошу отремонтировать.\","
    "\"address\":\"Алматы, ул. Абая, 10\",\"lat\":43.238,\"lon\":76.945,"
    "\"contact\":{\"name\":\"Айгуль Серикова\",\"email\":\"aigul@example.kz\","
    "\"phone\":\"+7 (701) 123-45-67\"},\"consent\":true}";

static void
merge_patch(json_t *target, json_t *patch)
{
    const char *k;
    json_t *v;
    json_object_foreach(patch, k, v)
    {
        json_t *cur = json_object_get(target, k);
        if (json_is_null(v))
            json_object_del(target, k);
        else if (json_is_object(v) && json_is_object(cur))
            merge_patch(cur, v);
        else
            json_object_set(target, k, v);
    }
}

const char *
appeal_json(const char *patch)
{
    json_error_t e;
    json_t *j = json_loads(default_appeal, 0, &e);
    assert_non_null(j);
    /* Each default text differs, so that no two appeals look like duplicates. */
    static unsigned long seq;
    unsigned long n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
    json_object_set_new(j, "text",
                        json_sprintf("%s (обращение %lu, процесс %ld)",
                                     json_string_value(json_object_get(j, "text")), n,
                                     (long)getpid()));
    if (patch) {
        json_t *p = json_loads(patch, 0, &e);
        if (!json_is_object(p)) {
            print_error("appeal_json: bad patch %s: %s\n", patch, e.text);
            fail();
        }
        merge_patch(j, p);
        json_decref(p);
    }
    char *txt = json_dumps(j, JSON_COMPACT);
    const char *res = t_printf("%s", txt);
    free(txt);
    json_decref(j);
    return res;
}

json_t *
appeal_obj(json_t *j)
{
    if (json_is_object(j) && json_is_string(json_object_get(j, "status")))
        return j;
    json_t *a = json_object_get(j, "appeal");
    if (json_is_object(a) && json_is_string(json_object_get(a, "status")))
        return a;
    return NULL;
}

json_t *
appeal_timeline(json_t *j)
{
    json_t *t = json_object_get(j, "timeline");
    if (json_is_array(t))
        return t;
    t = json_object_get(json_object_get(j, "appeal"), "timeline");
    return json_is_array(t) ? t : NULL;
}

const char *
event_action(json_t *ev)
{
    static const char *const keys[] = {"action", "event", "type", "kind"};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        const char *v = json_string_value(json_object_get(ev, keys[i]));
        if (v)
            return v;
    }
    return NULL;
}

bool
timeline_has(json_t *j, const char *action)
{
    json_t *t = appeal_timeline(j), *ev;
    size_t i;
    json_array_foreach(t, i, ev)
    {
        const char *a = event_action(ev);
        if (a && strcmp(a, action) == 0)
            return true;
    }
    return false;
}

void
iin_make(const char *prefix11, char out[13])
{
    static const int w1[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const int w2[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
    int sum = 0;
    for (int i = 0; i < 11; i++)
        sum += (prefix11[i] - '0') * w1[i];
    int c = sum % 11;
    if (c == 10) {
        sum = 0;
        for (int i = 0; i < 11; i++)
            sum += (prefix11[i] - '0') * w2[i];
        c = sum % 11;
    }
    assert_true(c < 10); /* such a prefix has no valid IIN: pick another */
    memcpy(out, prefix11, 11);
    out[11] = (char)('0' + c);
    out[12] = '\0';
}
