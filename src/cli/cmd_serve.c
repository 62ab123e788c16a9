/*
 * cmd_serve.c - `tyndau serve` and what every serving command shares: open
 * the store, build the app, run the HTTP server until SIGTERM/SIGINT, then
 * shut down in order: stop accepting, let requests in flight finish, stop
 * the scheduler, stop HTTP, flush the writer, exit 0.
 */
#include "cli/cmd.h"

#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/log.h"
#include "http/mail.h"

void
cli_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* A client hanging up must never kill the process. */
    signal(SIGPIPE, SIG_IGN);
}

struct store *
cli_store(const struct config *c)
{
    struct store_opts so = {
        .busy_timeout_ms = 10000,
        .group_max = (int)c->group_max,
        .readers = (int)c->readers,
    };
    struct store *s = NULL;
    enum err e = store_open(c->db, &so, &s);
    if (e) {
        /* Not c->db: a PostgreSQL URI may carry a password. */
        log_error("cannot open the store: %s: %s", err_name(e), store_errmsg(NULL));
        return NULL;
    }
    int applied = 0;
    e = store_migrate(s, &applied);
    if (e) {
        log_error("cannot migrate the store: %s", store_errmsg(s));
        store_close(s);
        return NULL;
    }
    if (applied)
        log_info("applied %d migrations", applied);
    return s;
}

struct app_opts
cli_app_opts(const struct config *c)
{
    return (struct app_opts){
        .clock_offset = c->clock_offset,
        .rate_submit = c->rate_submit,
        .rate_login = c->rate_login,
        .session_ttl = c->session_ttl,
        .scheduler_interval_ms = (int)c->scheduler_interval_ms,
        .model_check_ms = (int)c->model_check_ms,
        .live_heartbeat_ms = (unsigned)c->live_heartbeat_ms,
        .live_queue_bytes = (size_t)c->live_queue_kb * 1024,
        .live_writers = (unsigned)c->live_writers,
        .cluster_days = c->cluster_days,
        .cluster_capacity = (size_t)c->cluster_capacity,
        .burst_warmup = c->burst_warmup,
        .notice_render = mail_render,
        .site_url = c->site_url,
        .mail_from = c->mail_from,
        .mail_spool = c->mail_spool[0] ? c->mail_spool : NULL,
    };
}

struct http_opts
cli_http_opts(const struct config *c)
{
    return (struct http_opts){
        .listen = c->listen,
        .threads = (unsigned)c->threads,
        .conn_max = (unsigned)c->conn_max,
        .per_ip_max = (unsigned)c->per_ip_max,
        .timeout_s = (unsigned)c->timeout,
        .body_max = (size_t)c->body_max,
        .behind_tls = c->behind_tls,
    };
}

int
cli_serve_until_signal(const struct config *c, struct app *app,
                       void (*on_ready)(struct app *app, void *arg), void *arg)
{
    struct http_opts ho = cli_http_opts(c);
    struct http_server *srv = NULL;
    /* Every live stream holds a socket: allow as many as the hard limit. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("cannot raise the open-file limit");
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)ho.conn_max + 64)
        log_warn("open-file limit %llu is below conn_max %u: connections past it are refused",
                 (unsigned long long)rl.rlim_cur, ho.conn_max);
    enum err e = http_start(app, &ho, &srv);
    if (e) {
        log_error("cannot listen on %s: %s", c->listen, err_name(e));
        return 1;
    }
    printf("listening on http://127.0.0.1:%u\n", (unsigned)http_port(srv));
    fflush(stdout);
    log_info("listening on port %u", (unsigned)http_port(srv));
    if (on_ready)
        on_ready(app, arg);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: stopping", sig);
    http_quiesce(srv);
    app_live_close(app); /* every stream sends what it holds and ends */
    if (!http_drain(srv, 15000))
        log_warn("requests still in flight after 15 s; stopping anyway");
    http_stop(srv);
    return 0;
}

int
cmd_serve(struct config *c, struct config_args *a)
{
    (void)a;
    cli_block_signals();
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    struct app *app = NULL;
    struct app_opts ao = cli_app_opts(c);
    enum err e = app_new(s, &ao, &app);
    if (e) {
        log_error("cannot load reference data: %s", err_name(e));
        store_close(s);
        return 1;
    }
    int rc = cli_serve_until_signal(c, app, NULL, NULL);
    app_free(app);
    store_close(s); /* drains the writer: every acknowledged write is on disk */
    log_info("stopped");
    return rc;
}
