/*
 * srv.h - integration-test harness: start the real tyndau binary on
 * 127.0.0.1:0 with a fresh database, speak HTTP to it with libcurl, run its
 * CLI, and look into its database. Exports struct srv, struct resp and the
 * srv_*, resp_*, http_*, cli_*, expect_* and t_* functions below.
 *
 * Lifetimes: a struct srv lives until srv_free() (srv_done() = stop + free);
 * a struct resp until resp_free(). Both are also registered in a process-wide
 * list, so that srv_teardown() - the cmocka teardown of every test - kills
 * servers and frees responses a failed assertion left behind. Strings from
 * t_printf() live in a scratch arena freed by srv_teardown().
 *
 * Environment: TYNDAU_BIN (default ./tyndau), TYNDAU_TEST_DB_KIND ("sqlite",
 * the default; "postgres" is a hook for TEST_PG_DSN, see README.md),
 * TYNDAU_TEST_KEEP=1 keeps every temp dir, TYNDAU_TEST_SLOW=N multiplies
 * every timeout (ASan builds).
 */
#ifndef TESTS_INTEGRATION_SRV_H
#define TESTS_INTEGRATION_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

struct srv;

/* One header line of a response. */
struct hdr {
    char *name;
    char *value;
};

struct resp {
    int status;       /* HTTP status; 0 if no response (see error) */
    char error[256];  /* libcurl's message when status is 0 */
    int curl_code;    /* CURLcode */
    struct hdr *hdrs; /* of the final response */
    size_t hdr_count;
    char *body; /* NUL-terminated; body_len bytes */
    size_t body_len;
    json_t *json;    /* the body parsed, NULL if it is not JSON */
    char method[16]; /* for messages */
    char path[256];
};

/* ---- servers ---------------------------------------------------------- */

/* Make a temp dir and database, run `tyndau migrate`, start `tyndau serve
 * --listen=127.0.0.1:0 --db=...` plus the extra arguments (a NULL-terminated
 * list), and wait for its "listening on" line. Fails the test on any error.
 * Caller owns the result (srv_done() or srv_free()). */
struct srv *srv_start(const char *arg, ...);
/* Start serve again on the same database with the same arguments; stops the
 * running process first (srv_stop) if there is one. The port may change. */
void srv_restart(struct srv *s);
/* Replace the extra serve arguments used by the next srv_restart() (a
 * NULL-terminated list, like srv_start's). */
void srv_set_args(struct srv *s, const char *arg, ...);
/* SIGTERM, wait (bounded), and fail the test unless it exited 0 and printed
 * nothing more on stdout. */
void srv_stop(struct srv *s);
/* SIGTERM and wait, without asserting; returns the wait status, or -1 if it
 * did not exit within timeout_ms (it is SIGKILLed then). */
int srv_term(struct srv *s, int timeout_ms);
/* SIGKILL and reap. */
void srv_kill(struct srv *s);
/* Release s; removes its temp dir unless TYNDAU_TEST_KEEP is set. Kills the
 * process if it still runs. Accepts NULL. */
void srv_free(struct srv *s);
/* srv_stop() then srv_free(). */
void srv_done(struct srv *s);
bool srv_running(const struct srv *s);
int srv_port(const struct srv *s);
pid_t srv_pid(const struct srv *s);
const char *srv_dir(const struct srv *s);     /* the temp dir */
const char *srv_db_path(const struct srv *s); /* the SQLite file */
/* The whole file at path, NUL-terminated, its length in *len (may be NULL);
 * NULL if it cannot be opened. Caller frees. */
char *srv_read_file(const char *path, size_t *len);
const char *srv_db_url(const struct srv *s); /* the --db value */
/* Print the last lines of the server's stderr log (on failures). */
void srv_dump_log(const struct srv *s, int lines);

/* cmocka teardown for every test: kills and frees every server and response
 * still alive, frees the scratch arena. Always returns 0. */
int srv_teardown(void **state);
/* Call once from main(): curl init, SIGPIPE ignored, a watchdog alarm of
 * seconds (scaled by TYNDAU_TEST_SLOW) that ends a hung binary. */
void srv_init(int seconds);
/* The TYNDAU_TEST_SLOW factor (>= 1). */
int srv_slow(void);

/* ---- the CLI ---------------------------------------------------------- */

/* Run TYNDAU_BIN with the NULL-terminated argv (without argv[0]), stdin_text
 * on its stdin (NULL: empty). Returns the wait status; *out and *err (if not
 * NULL) get malloc'd stdout/stderr the caller frees. Bounded by a timeout. */
int cli_run(const char *const *argv, const char *stdin_text, char **out, char **err);
/* `tyndau user add LOGIN --role=R [--agency=A] --db=...` with the password
 * srv_password(login), then `tyndau user token`; returns the token (lives
 * with s). agency may be NULL. Fails the test on any error. */
const char *srv_user(struct srv *s, const char *login, const char *role, const char *agency);
/* The password srv_user() gives login, into out. */
void srv_password(const char *login, char out[128]);
/* "Authorization: Bearer TOKEN" (lives with s). */
const char *srv_bearer(struct srv *s, const char *token);
/* `tyndau routes` parsed; caller owns (json_decref). Fails on error. */
json_t *cli_routes(void);

/* ---- the database (SQLite; see README.md for postgres) ---------------- */

/* First column of the first row of sql, with ?1 bound to param (may be
 * NULL: no binding). Fails the test on error or no row. */
int64_t srv_db_int(const struct srv *s, const char *sql, const char *param);
/* Same on a database path, for use while no struct srv is at hand. */
int64_t db_int(const char *path, const char *sql, const char *param);
/* The first column as text into the scratch arena (NULL if SQL NULL). */
const char *srv_db_text(const struct srv *s, const char *sql, const char *param);
/* PRAGMA integrity_check; true iff "ok". The message goes into why (the
 * scratch arena) when not ok. */
bool db_integrity_ok(const char *path, const char **why);

/* ---- HTTP ------------------------------------------------------------- */

/* One request to 127.0.0.1:port. headers is NULL-terminated (may be NULL),
 * in curl syntax: "Name: value", "Name:" removes a default, "Name;" sends an
 * empty one. A body without a Content-Type header is sent as
 * application/json. body may be NULL (no body). Thread-safe. Never NULL;
 * caller owns (resp_free). */
struct resp *http_req(int port, const char *method, const char *path, const char *const *headers,
                      const char *body, size_t body_len, int timeout_ms);
struct resp *srv_req(struct srv *s, const char *method, const char *path,
                     const char *const *headers, const char *body);
struct resp *srv_req_raw(struct srv *s, const char *method, const char *path,
                         const char *const *headers, const char *body, size_t body_len);
/* Shorthands; auth is a header line such as srv_bearer(s, token) or NULL. */
struct resp *srv_get(struct srv *s, const char *path, const char *auth);
struct resp *srv_post(struct srv *s, const char *path, const char *auth, const char *body);
/* First header named name (case-insensitive), NULL if none. */
const char *resp_header(const struct resp *r, const char *name);
/* String member of the JSON body (NULL if absent or not a string). */
const char *resp_str(const struct resp *r, const char *key);
void resp_free(struct resp *r); /* accepts NULL */

/* Write raw bytes to a new connection, wait up to timeout_ms for the server
 * to answer (reads until close or until a full response with Content-Length
 * arrived), and return what came back (scratch arena; "" if nothing). */
const char *srv_raw(struct srv *s, const char *bytes, size_t len, int timeout_ms);

/* ---- assertions (print the response, then fail at the caller's line) --- */

#define expect_status(r, st) expect__status((r), (st), __FILE__, __LINE__)
#define expect_problem(r, st, type) expect__problem((r), (st), (type), __FILE__, __LINE__)
#define expect_security_headers(r) expect__security((r), __FILE__, __LINE__)
void expect__status(const struct resp *r, int status, const char *file, int line);
void expect__problem(const struct resp *r, int status, const char *type, const char *file,
                     int line);
void expect__security(const struct resp *r, const char *file, int line);
/* Non-failing checks, for table-driven tests that collect every mismatch:
 * NULL if r is that problem, else a description (scratch arena). */
const char *check_problem(const struct resp *r, int status, const char *type);
const char *check_security(const struct resp *r);
/* Print a multi-line report to stderr (cmocka truncates long messages), then
 * fail with title at the caller's line. Does nothing if report is empty. */
#define fail_report(title, report) fail__report((title), (report), __FILE__, __LINE__)
void fail__report(const char *title, const char *report, const char *file, int line);
/* Print r (status, headers, start of the body) to stderr. */
void resp_print(const struct resp *r);

/* ---- appeals and JSON helpers ----------------------------------------- */

/* A valid appeal body (complaint, web, ru, Almaty city, topic roads, contact
 * name/email/phone, consent) with patch applied as an RFC 7386 merge patch
 * (a JSON object text; null deletes a member). NULL patch: the default. The
 * default text differs on every call (no two look like duplicates). Result
 * lives in the scratch arena. */
const char *appeal_json(const char *patch);
/* JSON value of an appeal response: the object itself or its "appeal"
 * member; NULL if neither has a "status". */
json_t *appeal_obj(json_t *j);
/* The "timeline" array of an appeal response (top level or in "appeal"). */
json_t *appeal_timeline(json_t *j);
/* The action name of a timeline event ("action", else "event"/"type"/"kind"). */
const char *event_action(json_t *ev);
/* True if the timeline has an event named action. */
bool timeline_has(json_t *j, const char *action);
/* A 12-digit IIN with a valid check digit from an 11-digit prefix (out[13]). */
void iin_make(const char *prefix11, char out[13]);

/* printf into the scratch arena (freed by srv_teardown). Not thread-safe. */
const char *t_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Sleep ms milliseconds. */
void t_sleep_ms(int ms);
/* Monotonic milliseconds. */
int64_t t_now_ms(void);

#endif
