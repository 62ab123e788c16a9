/*
 * server.c - libmicrohttpd glue: the request lifecycle (route, read the body
 * up to body_max, authenticate, dispatch), suspend/resume around durable
 * writes, security headers on every response, and graceful shutdown.
 * Exports http_start(), http_port(), http_quiesce(), http_drain(),
 * http_stop(), http_reply*(), http_wait(), http_job_done(), http_add_header(),
 * http_query() and http_query_limit/topic/region().
 */
#include "http/http_int.h"
#include "http/html.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sodium.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/str.h"
#include "base/tm.h"
#include "base/xalloc.h"

enum {
    REQ_ARENA_FIRST = 2048, /* first arena chunk of a request */
    CONN_MEMORY = 8 * 1024, /* MHD's pool per connection: a request head of up to ~4 KiB */
    STREAM_BLOCK = 1024,    /* a stream's body buffer (an event is ~400 bytes) */
};

struct http_server {
    struct MHD_Daemon *d;
    struct app *app;
    struct http_opts opts;
    uint16_t port;
    atomic_int inflight;
    atomic_bool draining; /* set by http_quiesce(): new requests are refused */
};

/* Every response carries these, errors included. */
static const struct {
    const char *name, *value;
} security_headers[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none';"
     " base-uri 'none'; form-action 'self'"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Permissions-Policy", "geolocation=(self), camera=(), microphone=()"},
    {"Cache-Control", "no-store"},
};

void
http_add_header(struct req *r, const char *name, const char *value)
{
    if (r->hdr_count < sizeof(r->hdrs) / sizeof(r->hdrs[0])) {
        r->hdrs[r->hdr_count].name = arena_strdup(r->arena, name);
        r->hdrs[r->hdr_count].value = arena_strdup(r->arena, value);
        r->hdr_count++;
    }
}

const char *
http_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool
http_query_limit(struct req *r, uint64_t max, size_t *out)
{
    const char *v = http_query(r, "limit");
    uint64_t n;
    if (!v)
        return true;
    if (str_to_u64(str_from_cstr(v), max, &n) || n == 0) {
        http_problem(r, 400, "invalid-query",
                     arena_printf(r->arena, "limit must be 1 to %llu", (unsigned long long)max),
                     "limit");
        return false;
    }
    *out = (size_t)n;
    return true;
}

bool
http_query_topic(struct req *r, const char **out)
{
    const char *v = http_query(r, "topic");
    if (!v)
        return true;
    if (!app_topic(r->app, v)) {
        http_problem(r, 400, "invalid-query", "unknown topic", "topic");
        return false;
    }
    *out = arena_strdup(r->arena, v);
    return true;
}

bool
http_query_region(struct req *r, const char **out)
{
    const char *v = http_query(r, "region");
    if (!v)
        return true;
    if (!app_region(r->app, v)) {
        http_problem(r, 400, "invalid-query", "unknown region", "region");
        return false;
    }
    *out = arena_strdup(r->arena, v);
    return true;
}

enum handled
http_reply(struct req *r, unsigned status, const char *ctype, char *body, size_t len)
{
    free(r->resp);
    r->status = status;
    r->ctype = ctype;
    r->resp = body;
    r->resp_len = len;
    return HANDLED_DONE;
}

enum handled
http_reply_json(struct req *r, unsigned status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH);
    json_decref(j);
    if (!s)
        return http_problem(r, 500, "internal", "cannot encode the response", NULL);
    return http_reply(r, status, "application/json", s, strlen(s));
}

enum handled
http_reply_stream(struct req *r, unsigned status, const char *ctype, MHD_ContentReaderCallback crc,
                  void *cls, MHD_ContentReaderFreeCallback crfc)
{
    /* Small blocks: ten thousand idle streams each hold one. */
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, crc, cls, crfc);
    if (!resp) {
        crfc(cls);
        return http_problem(r, 503, "unavailable", "cannot start the stream", NULL);
    }
    r->stream = resp;
    r->status = status;
    r->ctype = ctype;
    return HANDLED_DONE;
}

static enum MHD_Result
queue(struct req *r)
{
    struct MHD_Response *resp = r->stream;
    r->stream = NULL;
    if (!resp)
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp ? r->resp : (char *)"",
                                               r->resp ? MHD_RESPMEM_MUST_FREE
                                                       : MHD_RESPMEM_PERSISTENT);
    r->resp = NULL; /* MHD owns it now */
    if (!resp)
        return MHD_NO;
    /* A handler that sets its own Cache-Control (static assets) replaces no-store. */
    bool own_cache = false;
    for (size_t i = 0; i < r->hdr_count; i++)
        own_cache = own_cache || strcasecmp(r->hdrs[i].name, "Cache-Control") == 0;
    for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
        if (!own_cache || strcasecmp(security_headers[i].name, "Cache-Control") != 0)
            MHD_add_response_header(resp, security_headers[i].name, security_headers[i].value);
    if (r->ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    for (size_t i = 0; i < r->hdr_count; i++)
        MHD_add_response_header(resp, r->hdrs[i].name, r->hdrs[i].value);
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status ? r->status : 500, resp);
    MHD_destroy_response(resp);
    r->state = RS_READY;
    return ret;
}

/* Match url against the table: the route, or method_mismatch when only the method differs. */
static void
route_match(struct req *r)
{
    struct str url = str_from_cstr(r->url);
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *rt = &http_routes[i];
        const char *p = rt->path, *u = url.p, *param = NULL;
        size_t param_len = 0;
        bool ok = true;
        while (*p && ok) {
            if (*p == '{') {
                const char *end = strchr(p, '}');
                const char *seg = u;
                while (*u && *u != '/')
                    u++;
                if (u == seg) {
                    ok = false;
                    break;
                }
                param = seg;
                param_len = (size_t)(u - seg);
                p = end + 1;
            } else if (*p == *u) {
                p++;
                u++;
            } else {
                ok = false;
            }
        }
        if (!ok || *p || *u)
            continue;
        if (strcmp(rt->method, r->method) != 0) {
            r->method_mismatch = true;
            r->allow =
                r->allow ? arena_printf(r->arena, "%s, %s", r->allow, rt->method) : rt->method;
            continue;
        }
        r->route = rt;
        r->param = param ? arena_strndup(r->arena, param, param_len) : NULL;
        return;
    }
}

static void
client_ip(struct req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->ip, sizeof(r->ip), "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->ip,
                  sizeof(r->ip));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->ip,
                  sizeof(r->ip));
}

static bool
unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

/* Resolve the caller from a Bearer token, a session cookie, a tracking secret. */
static enum handled
authenticate(struct req *r)
{
    const char *authz =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "tyndau_session");
    r->caller.user.role = ROLE_CITIZEN;
    r->caller.ip = r->ip;
    enum err e;
    if (authz) {
        if (strncmp(authz, "Bearer ", 7) != 0 || strlen(authz + 7) > 128)
            return http_problem(r, 401, "unauthorized", "use Authorization: Bearer <token>", NULL);
        e = app_token_user(r->app, r->arena, authz + 7, &r->caller.user);
        if (e)
            return http_problem_err(r, e == ERR_UNAUTH ? ERR_UNAUTH : e, "unknown API token");
    } else if (cookie && strlen(cookie) <= 128) {
        char *csrf = NULL;
        e = app_session_user(r->app, r->arena, cookie, &r->caller.user, &csrf);
        if (e == ERR_OK) {
            r->via_cookie = true;
            r->csrf = csrf;
            r->session_token = arena_strdup(r->arena, cookie);
        } else if (e != ERR_UNAUTH) {
            return http_problem_err(r, e, "cannot check the session");
        }
        /* An expired cookie just means "not signed in". */
    }
    const char *secret = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Tracking-Secret");
    if (!secret)
        secret = http_query(r, "secret");
    if (secret && *secret && strlen(secret) <= 128) {
        r->caller.has_secret = true;
        app_hash(secret, r->caller.secret_hash);
    }
    /* Form posts carry the token in a field: page_form_guard() checks it. */
    if (r->via_cookie && unsafe_method(r->method) && r->route->fn != h_session_new &&
        !http_route_is_form(r->route)) {
        const char *tok = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!tok || !r->csrf || strlen(tok) != strlen(r->csrf) ||
            sodium_memcmp(tok, r->csrf, strlen(tok)) != 0)
            return http_problem(r, 403, "csrf", "missing or wrong X-CSRF-Token", NULL);
    }
    return HANDLED_WAIT; /* not answered: go on */
}

static enum handled
dispatch(struct req *r)
{
    if (!r->route) {
        if (r->method_mismatch) {
            http_add_header(r, "Allow", r->allow);
            return http_problem(r, 405, "method-not-allowed", "this path has no such method", NULL);
        }
        return http_problem(r, 404, "not-found", "no such resource", NULL);
    }
    if (r->too_big && http_route_is_form(r->route))
        return page_error(r, 413, N_("The form is too large"),
                          N_("Shorten what you typed and send the form again."));
    if (r->too_big)
        return http_problem(r, 413, "body-too-large", "the request body is too large", NULL);
    if (!http_idem_key_ok(r))
        return HANDLED_DONE;
    if (authenticate(r) == HANDLED_DONE)
        return HANDLED_DONE;
    if (http_route_is_form(r->route) && page_form_guard(r) == HANDLED_DONE)
        return HANDLED_DONE;
    const struct route *rt = r->route;
    bool signed_in = r->caller.user.id != 0;
    if (rt->roles != ROLES_ANY) {
        /* A page sends a browser to sign in; the API answers a problem. */
        bool page = strncmp(rt->path, "/api/", 5) != 0 && strncmp(rt->path, "/problems/", 10) != 0;
        if (!signed_in)
            return page ? page_sign_in(r)
                        : http_problem(r, 401, "unauthorized", "sign in first", NULL);
        /* Agency staff on an appeal route learn nothing about another agency's
         * appeal: the app answers 404 for it before any role check. Every
         * other role not in the table is refused here. */
        enum role role = r->caller.user.role;
        bool agency_staff = role == ROLE_OFFICIAL || role == ROLE_SUPERVISOR;
        if (!(rt->roles & ROLE_BIT(role)) && !(agency_staff && rt->obj == OBJ_APPEAL))
            return page ? page_error(r, 403, N_("You cannot open this page"),
                                     N_("Your role does not give access to it."))
                        : http_problem(r, 403, "forbidden", "your role may not do this", NULL);
    }
    return rt->fn(r);
}

static void
resume(struct req *r)
{
    r->state = RS_RESUMED;
    MHD_resume_connection(r->conn);
}

void
http_job_done(void *arg)
{
    resume(arg);
}

enum handled
http_wait(struct req *r, enum err (*start)(struct req *r), enum handled (*finish)(struct req *r))
{
    r->finish = finish;
    r->state = RS_WAIT;
    MHD_suspend_connection(r->conn);
    enum err e = start(r);
    if (e) {
        /* Refused before it was queued, so no callback will come: finish now
         * (the job holds why it was refused). */
        resume(r);
    }
    return HANDLED_WAIT;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct req *r = *con_cls;
    if (!r) {
        /* Most requests need little beyond struct req, and a live stream
         * keeps its arena for as long as it is open. */
        struct arena *a = arena_new_sized(REQ_ARENA_FIRST);
        r = ARENA_NEW(a, struct req);
        r->arena = a;
        r->srv = srv;
        r->app = srv->app;
        r->conn = conn;
        r->method = arena_strdup(a, method);
        r->url = arena_strdup(a, url);
        r->http_1_0 = strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
        r->body = BUF_INIT(srv->opts.body_max);
        r->behind_tls = srv->opts.behind_tls;
        *con_cls = r;
        client_ip(r);
        if (atomic_load(&srv->draining)) {
            http_add_header(r, "Retry-After", "5");
            http_add_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
            http_problem(r, 503, "unavailable", "the service is shutting down; try again shortly",
                         NULL);
            return queue(r);
        }
        route_match(r);
        /* Refuse an announced oversize body before reading a byte of it. */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        uint64_t n;
        if (cl && str_to_u64(str_from_cstr(cl), UINT64_MAX, &n) == ERR_OK &&
            n > srv->opts.body_max) {
            http_problem(r, 413, "body-too-large", "the request body is too large", NULL);
            return queue(r);
        }
        return MHD_YES;
    }
    if (r->state == RS_READY)
        return MHD_YES; /* answered; MHD discards the rest of the body */
    if (*upload_data_size) {
        if (!r->too_big) {
            buf_append(&r->body, upload_data, *upload_data_size);
            if (buf_failed(&r->body)) {
                r->too_big = true;
                buf_fini(&r->body);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->state == RS_RESUMED) {
        if (r->finish) {
            enum handled h = r->finish(r);
            if (h == HANDLED_WAIT)
                return MHD_YES; /* finish started another job */
        }
        return queue(r);
    }
    if (r->state == RS_WAIT)
        return MHD_YES;
    /* From here the request is being worked: shutdown waits for it. A client
     * still sending its body is not waited for. */
    r->counted = true;
    atomic_fetch_add(&srv->inflight, 1);
    enum handled h = dispatch(r);
    if (h == HANDLED_WAIT)
        return MHD_YES;
    return queue(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct req *r = *con_cls;
    (void)conn;
    (void)toe;
    if (!r)
        return;
    *con_cls = NULL;
    free(r->resp);
    if (r->stream)
        MHD_destroy_response(r->stream); /* made but never queued */
    if (r->job_is_submit)
        free(r->job.submit.response); /* the union holds another job's fields otherwise */
    buf_fini(&r->body);
    bool counted = r->counted;
    arena_free(r->arena);
    if (counted)
        atomic_fetch_sub(&srv->inflight, 1);
}

__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("http: %s", msg);
}

static enum err
parse_listen(const char *listen, struct sockaddr_in *sa)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || colon - listen >= 64)
        return ERR_INVALID;
    char host[64];
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    uint64_t port;
    if (str_to_u64(str_from_cstr(colon + 1), 65535, &port))
        return ERR_INVALID;
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return ERR_INVALID;
    return ERR_OK;
}

enum err
http_start(struct app *app, const struct http_opts *o, struct http_server **out)
{
    struct sockaddr_in sa;
    if (parse_listen(o->listen, &sa))
        return ERR_INVALID;
    struct http_server *srv = xcalloc(1, sizeof(*srv));
    srv->app = app;
    srv->opts = *o;
    atomic_init(&srv->inflight, 0);
    atomic_init(&srv->draining, false);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    srv->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads ? o->threads : 2),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->conn_max, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)o->per_ip_max, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, srv, MHD_OPTION_END);
    if (!srv->d) {
        free(srv);
        return ERR_IO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
    *out = srv;
    return ERR_OK;
}

uint16_t
http_port(const struct http_server *srv)
{
    return srv->port;
}

/*
 * Not MHD_quiesce_daemon(): with epoll and a pool of threads, libmicrohttpd
 * 0.9.75 removes the listen socket from a worker's epoll set in two places
 * without a lock, and the loser of that race aborts the process
 * ("Failed to remove listen FD from epoll set"). Connections are still
 * accepted while we drain, and each new request is answered 503 with
 * Retry-After and Connection: close, which a client can act on sooner than
 * on a connection left waiting in the backlog.
 */
void
http_quiesce(struct http_server *srv)
{
    atomic_store(&srv->draining, true);
}

bool
http_drain(struct http_server *srv, int timeout_ms)
{
    int64_t end = tm_mono_ms() + timeout_ms;
    while (atomic_load(&srv->inflight) > 0) {
        if (tm_mono_ms() > end)
            return false;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return true;
}

void
http_stop(struct http_server *srv)
{
    if (!srv)
        return;
    MHD_stop_daemon(srv->d);
    free(srv);
}
